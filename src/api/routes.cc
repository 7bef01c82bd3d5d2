#include "api/routes.h"

#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {
namespace {

using strategic::Caller;
using strategic::WriteOutcome;

// Wraps a handler that needs an authenticated party (and optionally a role).
Handler Authenticated(const Services& s, std::function<void(const Request&, const Principal&, Respond)> inner,
                      std::optional<parties::Role> required_role = std::nullopt) {
  return [s, inner = std::move(inner), required_role](const Request& req, Respond respond) {
    absl::StatusOr<Principal> who = s.authenticator.Authenticate(req.authorization);
    if (!who.ok()) return respond(ErrorReply(who.status()));
    if (required_role && who->role != *required_role) {
      return respond(ErrorReply(absl::PermissionDeniedError(fmt::format(
          "party {} has role '{}'; only '{}' parties may do this", who->party.value(),
          parties::RoleName(who->role), parties::RoleName(*required_role)))));
    }
    inner(req, *who, std::move(respond));
  };
}

Caller CallerOf(const Principal& p) {
  return Caller{.party = p.party.value(),
                .sees_everything = p.role == parties::Role::kGuarantor,
                .may_probe = p.role == parties::Role::kOperator};
}

Reply OutcomeReply(WriteOutcome outcome) {
  if (outcome.status.ok()) return JsonReply(outcome.created ? 201 : 200, outcome.body);
  Reply reply = ErrorReply(outcome.status);
  if (absl::IsAborted(outcome.status) && outcome.body.contains("missing")) {
    boost::json::object body = boost::json::parse(reply.body).as_object();
    body["missing"] = std::move(outcome.body["missing"]);
    reply = JsonReply(409, body);
  }
  return reply;
}

absl::StatusOr<boost::json::value> BodyJson(const Request& req) {
  if (req.body.empty()) return InvalidField("body", "is empty; send a JSON object");
  return ParseJson(req.body);
}

strategic::OperationLimits Limits() { return strategic::OperationLimits{}; }

void PutOperation(const Services& s, const Request& req, const Principal& who, Respond respond) {
  absl::StatusOr<boost::json::value> body = BodyJson(req);
  if (!body.ok()) return respond(ErrorReply(body.status()));
  absl::StatusOr<strategic::OperationRequest> request =
      strategic::ParseOperationRequest(*body, Limits(), s.clock.Now());
  if (!request.ok()) return respond(ErrorReply(request.status()));
  std::optional<std::string> ovn;
  if (auto it = req.path_params.find("ovn"); it != req.path_params.end()) ovn = it->second;
  s.operations.Put(CallerOf(who), req.path_params.at("id"), std::move(ovn), *std::move(request),
                   [respond = std::move(respond)](WriteOutcome outcome) {
                     respond(OutcomeReply(std::move(outcome)));
                   });
}

void QueryOperations(const Services& s, const Request& req, const Principal& who, Respond respond) {
  absl::StatusOr<boost::json::value> body = BodyJson(req);
  if (!body.ok()) return respond(ErrorReply(body.status()));
  absl::StatusOr<JsonObject> object = JsonObject::Of(*body, "");
  if (!object.ok()) return respond(ErrorReply(object.status()));
  absl::StatusOr<const boost::json::value*> area_json = object->Required("area_of_interest");
  if (!area_json.ok()) return respond(ErrorReply(area_json.status()));
  if (absl::Status rest = object->NoOtherFields(); !rest.ok()) return respond(ErrorReply(rest));
  absl::StatusOr<geo::Volume4D> area =
      geo::Volume4D::FromJson(**area_json, "area_of_interest", Limits().volume, s.clock.Now());
  if (!area.ok()) return respond(ErrorReply(area.status()));
  respond(JsonReply(200, s.operations.Query(CallerOf(who), *area)));
}

}  // namespace

void AddRoutes(Router& router, const Services& services) {
  const Services& s = services;
  router.Add("GET", "/v1/health", [s](const Request&, Respond respond) {
    // Readable and writable (a probe commit when no recent commit says): 503 with the reason.
    auto unavailable = [](std::string_view reason) {
      return JsonReply(503, {{"status", "unavailable"}, {"reason", reason}});
    };
    if (!s.store.DataVersion().ok()) return respond(unavailable("the store cannot be read"));
    s.store.CheckWritable([respond, unavailable](absl::Status writable) {
      if (!writable.ok()) return respond(unavailable(std::string(writable.message())));
      respond(JsonReply(200, {{"status", "ok"}}));
    });
  });
  router.Add("GET", "/v1/version", [](const Request&, Respond respond) {
    respond(JsonReply(200, {{"service", "deconflict"}, {"version", DECONFLICT_VERSION}, {"api", "v1"}}));
  });
  router.Add("GET", "/v1/openapi.json", [](const Request&, Respond respond) {
    respond(JsonReply(200, OpenApiDocument()));
  });

  router.Add("GET", "/v1/me", Authenticated(s, [](const Request&, const Principal& who, Respond respond) {
    respond(JsonReply(200, {{"party", who.party.value()}, {"role", parties::RoleName(who.role)}}));
  }));
  router.Add("GET", "/v1/parties", Authenticated(s, [s](const Request&, const Principal&, Respond respond) {
    absl::StatusOr<std::vector<store::PartyRecord>> parties = s.store.ListParties();
    if (!parties.ok()) return respond(ErrorReply(parties.status()));
    boost::json::array list;
    for (const auto& p : *parties) {
      list.push_back({{"id", p.id}, {"name", p.name}, {"role", p.role}, {"revoked", p.revoked_at.has_value()}});
    }
    respond(JsonReply(200, {{"parties", std::move(list)}}));
  }));

  // Operations.
  auto put = [s](const Request& req, const Principal& who, Respond respond) {
    PutOperation(s, req, who, std::move(respond));
  };
  router.Add("PUT", "/v1/operations/{id}", Authenticated(s, put, parties::Role::kOperator));
  router.Add("PUT", "/v1/operations/{id}/{ovn}", Authenticated(s, put, parties::Role::kOperator));
  router.Add("DELETE", "/v1/operations/{id}/{ovn}",
             Authenticated(s, [s](const Request& req, const Principal& who, Respond respond) {
               s.operations.End(CallerOf(who), req.path_params.at("id"), req.path_params.at("ovn"),
                                [respond = std::move(respond)](WriteOutcome outcome) {
                                  respond(OutcomeReply(std::move(outcome)));
                                });
             }, parties::Role::kOperator));
  router.Add("GET", "/v1/operations/{id}",
             Authenticated(s, [s](const Request& req, const Principal& who, Respond respond) {
               absl::StatusOr<boost::json::object> op = s.operations.Get(CallerOf(who), req.path_params.at("id"));
               if (!op.ok()) return respond(ErrorReply(op.status()));
               respond(JsonReply(200, {{"operation", *std::move(op)}}));
             }));
  router.Add("POST", "/v1/operations/query",
             Authenticated(s, [s](const Request& req, const Principal& who, Respond respond) {
               QueryOperations(s, req, who, std::move(respond));
             }));
  router.Add("GET", "/v1/conflicts",
             Authenticated(s, [s](const Request&, const Principal& who, Respond respond) {
               respond(JsonReply(200, s.operations.Conflicts(CallerOf(who))));
             }));

  AddLedgerRoutes(router, s);
}

}  // namespace deconflict::api
