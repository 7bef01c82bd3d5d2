#include "common/status.h"

#include "absl/strings/cord.h"
#include "fmt/format.h"

namespace deconflict {

absl::Status FieldError(absl::StatusCode code, std::string_view field, std::string_view what) {
  absl::Status status(code, fmt::format("{}: {}", field, what));
  status.SetPayload(kFieldPayload, absl::Cord(std::string(field)));
  return status;
}

absl::Status LimitExceeded(std::string_view field, std::string_view what) {
  absl::Status status = FieldError(absl::StatusCode::kResourceExhausted, field, what);
  status.SetPayload(kLimitPayload, absl::Cord("1"));
  return status;
}

bool IsLimitExceeded(const absl::Status& status) {
  return status.code() == absl::StatusCode::kResourceExhausted &&
         status.GetPayload(kLimitPayload).has_value();
}

absl::Status Overloaded(std::string_view what) {
  return absl::ResourceExhaustedError(std::string(what));
}

absl::Status InvalidField(std::string_view field, std::string_view what) {
  return FieldError(absl::StatusCode::kInvalidArgument, field, what);
}

std::optional<std::string> FieldOf(const absl::Status& status) {
  auto payload = status.GetPayload(kFieldPayload);
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

absl::Status WithFieldPrefix(absl::Status status, std::string_view prefix) {
  std::optional<std::string> field = FieldOf(status);
  if (!field || prefix.empty()) return status;
  std::string joined = field->empty()       ? std::string(prefix)
                       : (*field)[0] == '[' ? fmt::format("{}{}", prefix, *field)
                                            : fmt::format("{}.{}", prefix, *field);
  // The message is "<field>: <what>" (see FieldError); keep <what>.
  std::string_view message(status.message().data(), status.message().size());
  std::string_view what = message;
  if (message.size() >= field->size() + 2 && message.substr(0, field->size()) == *field) {
    what = message.substr(field->size() + 2);
  }
  if (IsLimitExceeded(status)) return LimitExceeded(joined, what);
  return FieldError(status.code(), joined, what);
}

}  // namespace deconflict
