// api/query_params.h: the query parameters every list route shares, read one way (design.md §5).
//
//   ASSIGN_OR_RETURN(size_t limit, LimitParam(req, /*fallback=*/100, /*most=*/1000));
//   ASSIGN_OR_RETURN(int64_t after, NonNegativeParam(req, "after", 0));
//
// A page size outside 1..most is a bad parameter (400 InvalidArgument naming "limit"), the same
// on every route; 413 is kept for bodies and lists that are over a size limit.
//
// Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "api/http_server.h"

namespace deconflict::api {

// The decoded value of query parameter `name`, or nullptr when absent (http_server refuses a
// repeated parameter before any handler runs).
const std::string* QueryParam(const Request& req, std::string_view name);

// `name` as a decimal integer >= 0; `absent` when missing. InvalidArgument naming `name`.
[[nodiscard]] absl::StatusOr<int64_t> NonNegativeParam(const Request& req, std::string_view name,
                                                       int64_t absent);

// ?limit= as an integer in 1..most; `fallback` when missing. InvalidArgument naming "limit":
// "must be an integer between 1 and <most>".
[[nodiscard]] absl::StatusOr<size_t> LimitParam(const Request& req, size_t fallback, size_t most);
// The same check of a limit given as text (nullptr: `fallback`), for callers that hold it apart.
[[nodiscard]] absl::StatusOr<size_t> ParseLimit(const std::string* text, size_t fallback,
                                                size_t most);

}  // namespace deconflict::api
