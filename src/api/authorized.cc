#include "api/authorized.h"

#include "fmt/format.h"

namespace deconflict::api {

absl::Status CheckAccess(const parties::Principal& who, Access access) {
  if (access == Access::kOperator && who.role != parties::Role::kOperator) {
    return absl::PermissionDeniedError(
        fmt::format("party {} has role '{}'; only 'operator' parties may do this",
                    who.party.value(), parties::RoleName(who.role)));
  }
  if (access == Access::kHumanitarian && who.role != parties::Role::kHumanitarian) {
    return absl::PermissionDeniedError(
        fmt::format("party {} has role '{}'; only 'humanitarian' parties may do this",
                    who.party.value(), parties::RoleName(who.role)));
  }
  if (access == Access::kGuarantor && who.role != parties::Role::kGuarantor) {
    return absl::PermissionDeniedError(
        fmt::format("party {} has role '{}'; only 'guarantor' parties may do this",
                    who.party.value(), parties::RoleName(who.role)));
  }
  return absl::OkStatus();
}

Reply ToReply(ReplyOr reply) { return reply.ok() ? *std::move(reply) : ErrorReply(reply.status()); }

Handler Authorized(parties::Authenticator& authenticator, Access access, AsyncHandler inner) {
  return [&authenticator, access, inner = std::move(inner)](const Request& req, Respond respond) {
    absl::StatusOr<parties::Principal> who = authenticator.Authenticate(req.authorization);
    if (!who.ok()) return respond(ErrorReply(who.status()));
    if (absl::Status allowed = CheckAccess(*who, access); !allowed.ok()) {
      return respond(ErrorReply(allowed));
    }
    inner(req, *who,
          [respond = std::move(respond)](ReplyOr reply) { respond(ToReply(std::move(reply))); });
  };
}

Handler Authorized(parties::Authenticator& authenticator, Access access, SyncHandler inner) {
  return Authorized(
      authenticator, access,
      AsyncHandler([inner = std::move(inner)](const Request& req, const parties::Principal& who,
                                              Answer answer) { answer(inner(req, who)); }));
}

Handler Open(std::function<void(const Request&, Answer)> inner) {
  return [inner = std::move(inner)](const Request& req, Respond respond) {
    inner(req,
          [respond = std::move(respond)](ReplyOr reply) { respond(ToReply(std::move(reply))); });
  };
}

Handler Open(std::function<ReplyOr(const Request&)> inner) {
  return [inner = std::move(inner)](const Request& req, Respond respond) {
    respond(ToReply(inner(req)));
  };
}

}  // namespace deconflict::api
