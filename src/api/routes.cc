#include "api/routes.h"

#include "api/operation_json.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {
namespace {

using strategic::Caller;
using strategic::WriteOutcome;

// Every handler answers a StatusOr<Reply>, as the ledger handlers do: an error Status becomes
// the error reply (design.md §5) in one place. Writes answer through a callback.
using ReplyOr = absl::StatusOr<Reply>;
using Answer = std::function<void(ReplyOr)>;
using SyncHandler = std::function<ReplyOr(const Request&, const Principal&)>;
using AsyncHandler = std::function<void(const Request&, const Principal&, Answer)>;

// Who may call a route.
enum class Access {
  kAnyParty,  // any party with a valid token
  kOperator,  // only parties with the `operator` role (they file operations)
};

Reply ToReply(ReplyOr reply) { return reply.ok() ? *std::move(reply) : ErrorReply(reply.status()); }

// The one wrapper that authenticates the caller and checks its role.
Handler Authorized(const Services& s, Access access, AsyncHandler inner) {
  return [s, access, inner = std::move(inner)](const Request& req, Respond respond) {
    absl::StatusOr<Principal> who = s.authenticator.Authenticate(req.authorization);
    if (!who.ok()) return respond(ErrorReply(who.status()));
    if (access == Access::kOperator && who->role != parties::Role::kOperator) {
      return respond(ErrorReply(absl::PermissionDeniedError(
          fmt::format("party {} has role '{}'; only 'operator' parties may do this",
                      who->party.value(), parties::RoleName(who->role)))));
    }
    inner(req, *who,
          [respond = std::move(respond)](ReplyOr reply) { respond(ToReply(std::move(reply))); });
  };
}

Handler Authorized(const Services& s, Access access, SyncHandler inner) {
  return Authorized(
      s, access,
      AsyncHandler([inner = std::move(inner)](const Request& req, const Principal& who,
                                              Answer answer) { answer(inner(req, who)); }));
}

// A route open to anyone (health, version, the OpenAPI document).
Handler Open(std::function<ReplyOr(const Request&)> inner) {
  return [inner = std::move(inner)](const Request& req, Respond respond) {
    respond(ToReply(inner(req)));
  };
}

Caller CallerOf(const Principal& p) {
  return Caller{.party = p.party.value(),
                .sees_everything = p.role == parties::Role::kGuarantor,
                .may_probe = p.role == parties::Role::kOperator};
}

// A write's answer: 201/200 with the result, 409 with "missing" for the key rule's refusal.
ReplyOr WriteReply(WriteOutcome outcome, bool end) {
  if (outcome.status.ok()) {
    const strategic::WriteResult& result = *outcome.result;
    return JsonReply(result.created ? 201 : 200,
                     end ? EndResultJson(result) : PutResultJson(result));
  }
  if (outcome.refusal) {
    Reply reply = ErrorReply(outcome.status);
    boost::json::object body = boost::json::parse(reply.body).as_object();
    body["missing"] = MissingJson(*outcome.refusal);
    return JsonReply(reply.status, body);
  }
  return outcome.status;
}

absl::StatusOr<boost::json::value> BodyJson(const Request& req) {
  if (req.body.empty()) return InvalidField("body", "is empty; send a JSON object");
  return ParseJson(req.body);
}

strategic::OperationLimits Limits() { return strategic::OperationLimits{}; }

const std::string* QueryParam(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? nullptr : &it->second;
}

void PutOperation(const Services& s, const Request& req, const Principal& who, Answer answer) {
  absl::StatusOr<strategic::OperationRequest> request =
      [&]() -> absl::StatusOr<strategic::OperationRequest> {
    ASSIGN_OR_RETURN(boost::json::value body, BodyJson(req));
    return ParseOperationRequest(body, Limits(), s.clock.Now());
  }();
  if (!request.ok()) return answer(request.status());
  std::optional<std::string> ovn;
  if (auto it = req.path_params.find("ovn"); it != req.path_params.end()) ovn = it->second;
  s.operations.Put(CallerOf(who), req.path_params.at("id"), std::move(ovn), *std::move(request),
                   [answer = std::move(answer)](WriteOutcome outcome) {
                     answer(WriteReply(std::move(outcome), /*end=*/false));
                   });
}

void EndOperation(const Services& s, const Request& req, const Principal& who, Answer answer) {
  s.operations.End(CallerOf(who), req.path_params.at("id"), req.path_params.at("ovn"),
                   [answer = std::move(answer)](WriteOutcome outcome) {
                     answer(WriteReply(std::move(outcome), /*end=*/true));
                   });
}

ReplyOr GetOperation(const Services& s, const Request& req, const Principal& who) {
  ASSIGN_OR_RETURN(strategic::OperationView view,
                   s.operations.Get(CallerOf(who), req.path_params.at("id")));
  return JsonReply(200, boost::json::object{{"operation", OperationViewJson(view)}});
}

// Body: {"area_of_interest": Volume4D, "limit"?: 1..1000, "cursor"?: next_cursor}. Answered
// once any probe it makes is recorded (strategic::OperationService::Query).
void QueryOperations(const Services& s, const Request& req, const Principal& who, Answer answer) {
  struct Parsed {
    geo::Volume4D area;
    strategic::PageRequest page;
  };
  absl::StatusOr<Parsed> parsed = [&]() -> absl::StatusOr<Parsed> {
    ASSIGN_OR_RETURN(boost::json::value body, BodyJson(req));
    ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(body, ""));
    ASSIGN_OR_RETURN(const boost::json::value* area_json, object.Required("area_of_interest"));
    const boost::json::value* limit = object.Find("limit");
    const boost::json::value* cursor = object.Find("cursor");
    RETURN_IF_ERROR(object.NoOtherFields());
    ASSIGN_OR_RETURN(geo::Volume4D area, geo::Volume4D::FromJson(*area_json, "area_of_interest",
                                                                 Limits().volume, s.clock.Now()));
    ASSIGN_OR_RETURN(strategic::PageRequest page, PageRequestOf("query", limit, cursor));
    return Parsed{std::move(area), std::move(page)};
  }();
  if (!parsed.ok()) return answer(parsed.status());
  s.operations.Query(
      CallerOf(who), parsed->area, parsed->page,
      [answer = std::move(answer)](absl::StatusOr<strategic::Page<strategic::QueryHit>> hits) {
        if (!hits.ok()) return answer(hits.status());
        answer(JsonReply(200, QueryPageJson(*hits)));
      });
}

// Query: ?limit=1..1000&cursor=next_cursor.
ReplyOr ListConflicts(const Services& s, const Request& req, const Principal& who) {
  ASSIGN_OR_RETURN(strategic::PageRequest page,
                   PageRequestOf("conflicts", QueryParam(req, "limit"), QueryParam(req, "cursor")));
  return JsonReply(200, ConflictsPageJson(s.operations.Conflicts(CallerOf(who), page)));
}

ReplyOr ListParties(const Services& s) {
  ASSIGN_OR_RETURN(std::vector<store::PartyRecord> parties, s.store.ListParties());
  boost::json::array list;
  for (const auto& p : parties) {
    list.push_back(
        {{"id", p.id}, {"name", p.name}, {"role", p.role}, {"revoked", p.revoked_at.has_value()}});
  }
  return JsonReply(200, boost::json::object{{"parties", std::move(list)}});
}

}  // namespace

void AddRoutes(Router& router, const Services& services) {
  const Services& s = services;
  router.Add("GET", "/v1/health", [s](const Request&, Respond respond) {
    // Readable and writable (a probe commit when no recent commit says): 503 with the reason.
    // The one open route that answers through the writer, hence not Open().
    auto unavailable = [](std::string_view reason) {
      return JsonReply(503, {{"status", "unavailable"}, {"reason", reason}});
    };
    if (!s.store.DataVersion().ok()) return respond(unavailable("the store cannot be read"));
    s.store.CheckWritable([respond, unavailable](absl::Status writable) {
      if (!writable.ok()) return respond(unavailable(std::string(writable.message())));
      respond(JsonReply(200, {{"status", "ok"}}));
    });
  });
  router.Add("GET", "/v1/version", Open([](const Request&) -> ReplyOr {
               return JsonReply(
                   200,
                   {{"service", "deconflict"}, {"version", DECONFLICT_VERSION}, {"api", "v1"}});
             }));
  router.Add("GET", "/v1/openapi.json",
             Open([](const Request&) -> ReplyOr { return JsonReply(200, OpenApiDocument()); }));

  router.Add("GET", "/v1/me",
             Authorized(s, Access::kAnyParty,
                        SyncHandler([](const Request&, const Principal& who) -> ReplyOr {
                          return JsonReply(200, {{"party", who.party.value()},
                                                 {"role", parties::RoleName(who.role)}});
                        })));
  router.Add("GET", "/v1/parties",
             Authorized(s, Access::kAnyParty, SyncHandler([s](const Request&, const Principal&) {
                          return ListParties(s);
                        })));

  // Operations.
  const AsyncHandler put = [s](const Request& req, const Principal& who, Answer answer) {
    PutOperation(s, req, who, std::move(answer));
  };
  router.Add("PUT", "/v1/operations/{id}", Authorized(s, Access::kOperator, put));
  router.Add("PUT", "/v1/operations/{id}/{ovn}", Authorized(s, Access::kOperator, put));
  router.Add("DELETE", "/v1/operations/{id}/{ovn}",
             Authorized(s, Access::kOperator,
                        AsyncHandler([s](const Request& req, const Principal& who, Answer answer) {
                          EndOperation(s, req, who, std::move(answer));
                        })));
  router.Add(
      "GET", "/v1/operations/{id}",
      Authorized(s, Access::kAnyParty, SyncHandler([s](const Request& req, const Principal& who) {
                   return GetOperation(s, req, who);
                 })));
  router.Add("POST", "/v1/operations/query",
             Authorized(s, Access::kAnyParty,
                        AsyncHandler([s](const Request& req, const Principal& who, Answer answer) {
                          QueryOperations(s, req, who, std::move(answer));
                        })));
  router.Add("GET", "/v1/probes",
             Authorized(s, Access::kAnyParty,
                        SyncHandler([s](const Request&, const Principal& who) -> ReplyOr {
                          ASSIGN_OR_RETURN(std::vector<strategic::ProbeRecord> probes,
                                           s.operations.Probes(CallerOf(who)));
                          return JsonReply(200, ProbesJson(probes));
                        })));
  router.Add(
      "GET", "/v1/conflicts",
      Authorized(s, Access::kAnyParty, SyncHandler([s](const Request& req, const Principal& who) {
                   return ListConflicts(s, req, who);
                 })));

  AddLedgerRoutes(router, s);
}

}  // namespace deconflict::api
