#include "api/query_params.h"

#include <charconv>

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::api {
namespace {

bool ParseInt(const std::string& text, int64_t& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

const std::string* QueryParam(const Request& req, std::string_view name) {
  auto it = req.query.find(std::string(name));
  return it == req.query.end() ? nullptr : &it->second;
}

absl::StatusOr<int64_t> NonNegativeParam(const Request& req, std::string_view name,
                                         int64_t absent) {
  const std::string* text = QueryParam(req, name);
  if (text == nullptr) return absent;
  int64_t value = -1;
  if (!ParseInt(*text, value) || value < 0) {
    return InvalidField(name, "must be a non-negative integer");
  }
  return value;
}

absl::StatusOr<size_t> ParseLimit(const std::string* text, size_t fallback, size_t most) {
  if (text == nullptr) return fallback;
  int64_t value = 0;
  if (!ParseInt(*text, value) || value < 1 || static_cast<uint64_t>(value) > most) {
    return InvalidField("limit", fmt::format("must be an integer between 1 and {}", most));
  }
  return static_cast<size_t>(value);
}

absl::StatusOr<size_t> LimitParam(const Request& req, size_t fallback, size_t most) {
  return ParseLimit(QueryParam(req, "limit"), fallback, most);
}

}  // namespace deconflict::api
