// common/status.h: the error vocabulary of deconflict.
//
// Errors are values: functions that can fail on input return absl::Status or absl::StatusOr<T>.
// Two macros keep call sites short:
//
//   absl::StatusOr<Volume4D> ParseVolume(const boost::json::value& v) {
//     ASSIGN_OR_RETURN(TimeWindow window, ParseWindow(v));
//     RETURN_IF_ERROR(CheckWindow(window));
//     ...
//   }
//
// Field errors (bad input) carry the JSON path of the offending field as a payload so that the
// API can answer {"error": {"code", "message", "field"}} (design.md §5). Use InvalidField().
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "fmt/format.h"

#define DC_STATUS_CONCAT_INNER(a, b) a##b
#define DC_STATUS_CONCAT(a, b) DC_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                                 \
  do {                                                        \
    if (absl::Status dc_status_ = (expr); !dc_status_.ok()) { \
      return dc_status_;                                      \
    }                                                         \
  } while (0)

// `lhs` is assigned the value of `rexpr` (an absl::StatusOr<T>), or the enclosing function
// returns its error.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL(DC_STATUS_CONCAT(dc_statusor_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr)   \
  auto tmp = (rexpr);                            \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(tmp).value()

namespace deconflict {

// The payload URL under which a field path is attached to a Status.
inline constexpr char kFieldPayload[] = "deconflict/field";

// InvalidArgument naming the field, e.g. InvalidField("extents[0].time_end", "is before
// time_start"). The message reads "<field>: <what>".
[[nodiscard]] absl::Status InvalidField(std::string_view field, std::string_view what);

// Same shape with another code.
[[nodiscard]] absl::Status FieldError(absl::StatusCode code, std::string_view field,
                                      std::string_view what);

// The payload URL that marks a Status as "over a limit" (see LimitExceeded).
inline constexpr char kLimitPayload[] = "deconflict/limit";

// A request over a documented limit (too many vertices, too large an area, too many volumes):
// HTTP 413, code "too_large". Its absl code is ResourceExhausted, marked by kLimitPayload so it
// is never confused with Overloaded (HTTP 429); test it with IsLimitExceeded, not the code.
[[nodiscard]] absl::Status LimitExceeded(std::string_view field, std::string_view what);
bool IsLimitExceeded(const absl::Status& status);

// The service is too busy to take this now (HTTP 429, code "overloaded"); retry later.
[[nodiscard]] absl::Status Overloaded(std::string_view what);

// The field path attached by InvalidField/FieldError, if any.
std::optional<std::string> FieldOf(const absl::Status& status);

// Prefixes the field path of `status` with `prefix` (joining with '.' or directly before '[').
// Returns `status` unchanged when it names no field.
[[nodiscard]] absl::Status WithFieldPrefix(absl::Status status, std::string_view prefix);

}  // namespace deconflict

// fmt can print absl::string_view (Debian's Abseil does not alias it to std::string_view) and
// absl::Status ("INVALID_ARGUMENT: ...").
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(absl::string_view s, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(std::string_view(s.data(), s.size()), ctx);
  }
};
template <>
struct fmt::formatter<absl::Status> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const absl::Status& s, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(s.ToString(), ctx);
  }
};
