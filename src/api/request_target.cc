#include "api/request_target.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

#include "common/status.h"
#include "common/text.h"
#include "fmt/format.h"

namespace deconflict::api {
namespace {

namespace urls = boost::urls;

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// The first malformed percent escape in `text`, or npos.
size_t FindBadEscape(std::string_view text) {
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (text[pos] != '%') continue;
    if (pos + 2 >= text.size() || !IsHex(text[pos + 1]) || !IsHex(text[pos + 2])) return pos;
    pos += 2;
  }
  return std::string_view::npos;
}

// Why Boost.URL refused `target`, naming the part at fault: a segment or parameter with a bad
// escape when there is one, else the target as a whole (a raw space, non-ASCII byte, ...).
absl::Status DescribeMalformedTarget(std::string_view target) {
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  size_t segment_number = 0;
  for (size_t start = 0; start <= path.size();) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view segment = path.substr(start, slash - start);
    if (!segment.empty()) {
      ++segment_number;
      if (FindBadEscape(segment) != std::string_view::npos) {
        return InvalidField("path", fmt::format("segment {} {} has an invalid percent escape",
                                                segment_number, QuoteForMessage(segment)));
      }
    }
    start = slash + 1;
  }
  if (question != std::string_view::npos) {
    const std::string_view query = target.substr(question + 1);
    for (size_t start = 0; start <= query.size();) {
      size_t amp = query.find('&', start);
      if (amp == std::string_view::npos) amp = query.size();
      const std::string_view param = query.substr(start, amp - start);
      if (FindBadEscape(param) != std::string_view::npos) {
        return InvalidField("query", fmt::format("parameter {} has an invalid percent escape",
                                                 QuoteForMessage(param)));
      }
      start = amp + 1;
    }
  }
  return InvalidField("path", fmt::format("request target {} is not a valid origin-form URL",
                                          QuoteForMessage(target)));
}

// What is wrong with a decoded segment, name or value, or nullptr when nothing is.
const char* DecodedProblem(std::string_view decoded) {
  if (!IsValidUtf8(decoded)) return "is not valid UTF-8 once decoded";
  if (FindControlCharacter(decoded).has_value()) return "holds a control character once decoded";
  return nullptr;
}

std::string Quoted(urls::pct_string_view encoded) {
  return QuoteForMessage(std::string_view(encoded.data(), encoded.size()));
}

}  // namespace

absl::StatusOr<RequestTarget> ParseRequestTarget(std::string_view target, size_t max_target_bytes) {
  if (target.size() > max_target_bytes) {
    return LimitExceeded("path", fmt::format("request target of {} bytes is longer than the limit "
                                             "of {} bytes",
                                             target.size(), max_target_bytes));
  }
  urls::result<urls::url_view> url =
      urls::parse_origin_form(urls::string_view(target.data(), target.size()));
  if (!url) return DescribeMalformedTarget(target);

  RequestTarget out;
  out.path = std::string(url->encoded_path());
  // Split first (encoded_segments yields the raw text between slashes), then decode each one.
  size_t segment_number = 0;  // counts non-empty segments, as DescribeMalformedTarget does
  for (urls::pct_string_view encoded : url->encoded_segments()) {
    if (encoded.empty()) continue;
    ++segment_number;
    std::string segment = encoded.decode();  // '+' stays '+' in a path
    if (const char* problem = DecodedProblem(segment)) {
      return InvalidField(
          "path", fmt::format("segment {} {} {}", segment_number, Quoted(encoded), problem));
    }
    out.segments.push_back(std::move(segment));
  }

  urls::encoding_opts form;
  form.space_as_plus = true;  // application/x-www-form-urlencoded
  for (urls::param_pct_view param : url->encoded_params()) {
    std::string name = param.key.decode(form);
    std::string value = param.has_value ? param.value.decode(form) : std::string();
    if (const char* problem = DecodedProblem(name)) {
      return InvalidField("query", fmt::format("parameter name {} {}", Quoted(param.key), problem));
    }
    if (const char* problem = DecodedProblem(value)) {
      return InvalidField("query",
                          fmt::format("value of parameter {} {}", Quoted(param.key), problem));
    }
    if (name.empty() && value.empty()) continue;  // "a=1&&b=2"
    if (!out.query.emplace(std::move(name), std::move(value)).second) {
      // Two values for one name would be read differently by different layers: refuse.
      return InvalidField("query",
                          fmt::format("parameter {} is given more than once", Quoted(param.key)));
    }
  }
  return out;
}

}  // namespace deconflict::api
