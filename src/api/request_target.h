// api/request_target.h: the request target (RFC 9112 origin-form) parsed with Boost.URL.
//
//   ASSIGN_OR_RETURN(RequestTarget target, ParseRequestTarget("/v1/operations/a%2Fb?limit=5"));
//   // target.segments == {"v1", "operations", "a/b"}; target.query == {{"limit", "5"}}
//
// The path is split at '/' first and each segment percent-decoded after, so an escaped slash
// (%2F) stays inside its segment and can never make a one-parameter route look like a
// two-parameter one. In the path '+' is a literal plus (RFC 3986); in the query, names and values
// are application/x-www-form-urlencoded, where '+' is a space.
//
// Thread-safe (pure function).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace deconflict::api {

// Default limit on the length of a request target, in bytes. Every route of the API fits in a
// few hundred bytes; 4 KiB leaves room for query parameters and is far below the header limit.
inline constexpr size_t kMaxTargetBytes = 4096;

struct RequestTarget {
  std::string path;                          // as received: percent-encoded, without the query
  std::vector<std::string> segments;         // split, then decoded; empty segments are dropped
  std::map<std::string, std::string> query;  // decoded names and values
};

// Parses an origin-form target ("/path?query").
// InvalidArgument, with field "path" or "query" and a message naming the segment or parameter
// (quoted and truncated, common/text.h), when the target is not origin-form, a percent escape
// is invalid, a decoded segment, name or value is not valid UTF-8 or holds a control character
// (NUL, ESC, DEL, C1), or a query parameter is given twice. LimitExceeded (413) with field
// "path" when the target is longer than `max_target_bytes`.
[[nodiscard]] absl::StatusOr<RequestTarget> ParseRequestTarget(
    std::string_view target, size_t max_target_bytes = kMaxTargetBytes);

}  // namespace deconflict::api
