#include "api/reply.h"

#include "common/json.h"
#include "common/status.h"
#include "common/text.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {

Reply JsonReply(int status, const boost::json::value& body) {
  return Reply{.status = status, .content_type = "application/json", .body = SerializeJson(body)};
}

int HttpStatusOf(const absl::Status& status) {
  if (IsLimitExceeded(status)) return 413;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kFailedPrecondition:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

namespace {

// Longer messages are cut (with their length noted): no message of ours comes near this.
constexpr size_t kMaxMessageChars = 1024;

const char* CodeName(const absl::Status& status) {
  if (IsLimitExceeded(status)) return "too_large";
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return "invalid_argument";
    case absl::StatusCode::kUnauthenticated:
      return "unauthenticated";
    case absl::StatusCode::kPermissionDenied:
      return "permission_denied";
    case absl::StatusCode::kNotFound:
      return "not_found";
    case absl::StatusCode::kAlreadyExists:
      return "already_exists";
    case absl::StatusCode::kAborted:
      return "aborted";
    case absl::StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case absl::StatusCode::kResourceExhausted:
      return "overloaded";
    case absl::StatusCode::kUnavailable:
      return "unavailable";
    default:
      return "internal";
  }
}

}  // namespace

Reply ErrorReply(const absl::Status& status) {
  boost::json::object error;
  error["code"] = CodeName(status);
  const int http = HttpStatusOf(status);
  if (http >= 500) {
    // Details of internal failures (SQL, paths) go to the log, not to the client.
    spdlog::error("answering {}: {}", http, status.ToString());
    error["message"] = http == 503 ? "the service is unavailable; retry shortly"
                                   : "internal error; the operator's log has the details";
  } else {
    // The last guard: whatever a handler put in its message, the answer stays valid UTF-8 and
    // small (common/text.h).
    error["message"] = EscapeForMessage(
        std::string_view(status.message().data(), status.message().size()), kMaxMessageChars);
  }
  if (auto field = FieldOf(status)) error["field"] = EscapeForMessage(*field, kMaxMessageChars);
  return JsonReply(HttpStatusOf(status), boost::json::object{{"error", std::move(error)}});
}

}  // namespace deconflict::api
