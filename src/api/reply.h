// api/reply.h: what a route handler answers, independent of the HTTP library.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "boost/json.hpp"

namespace deconflict::api {

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // More response headers (e.g. a CSV page's "X-Next-After"); Content-Type is content_type.
  std::vector<std::pair<std::string, std::string>> headers;
};

// A JSON body with the given HTTP status.
Reply JsonReply(int status, const boost::json::value& body);

// The error shape of design.md §5: {"error": {"code", "message", "field"?}} with the HTTP status
// mapped from the Status: InvalidArgument 400, Unauthenticated 401, PermissionDenied 403,
// NotFound 404, AlreadyExists/Aborted/FailedPrecondition 409, LimitExceeded 413 (common/status.h),
// other ResourceExhausted (Overloaded) 429, Unavailable 503, anything else 500. 5xx messages are
// generic (the details go to the log); others are escaped and cut to 1,024 characters
// (EscapeForMessage, common/text.h) so the body is always valid UTF-8 and small.
Reply ErrorReply(const absl::Status& status);

// The HTTP status ErrorReply uses for `status`.
int HttpStatusOf(const absl::Status& status);

}  // namespace deconflict::api
