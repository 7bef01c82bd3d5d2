#include "api/routes.h"

#include "api/authorized.h"
#include "api/operation_json.h"
#include "api/query_params.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {
namespace {

using strategic::Caller;
using strategic::WriteOutcome;

Caller CallerOf(const Principal& p) {
  return Caller{.party = p.party,
                .sees_everything = p.role == parties::Role::kGuarantor,
                .may_probe = p.role == parties::Role::kOperator,
                .territory = {}};
}

// CallerOf with the caller's territory, for the reads a host's view changes.
Caller ReaderOf(const Services& s, const Principal& p) {
  Caller caller = CallerOf(p);
  if (s.territory_of) {
    if (std::optional<Territory> t = s.territory_of(p.party)) caller.territory = t->volumes;
  }
  return caller;
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
    body["protected_missing"] = ProtectedHitsJson(outcome.refusal->protected_missing);
    return JsonReply(reply.status, body);
  }
  return outcome.status;
}

absl::StatusOr<boost::json::value> BodyJson(const Request& req) {
  if (req.body.empty()) return InvalidField("body", "is empty; send a JSON object");
  return ParseJson(req.body);
}

strategic::OperationLimits Limits() { return strategic::OperationLimits{}; }

void PutOperation(const Services& s, const Request& req, const Principal& who, Answer answer) {
  absl::StatusOr<strategic::OperationRequest> request =
      [&]() -> absl::StatusOr<strategic::OperationRequest> {
    ASSIGN_OR_RETURN(boost::json::value body, BodyJson(req));
    return ParseOperationRequest(body, Limits(), s.clock.Now());
  }();
  if (!request.ok()) return answer(request.status());
  std::optional<std::string> ovn;
  if (auto it = req.path_params.find("ovn"); it != req.path_params.end()) ovn = it->second;
  s.operations.Put(CallerOf(who), OperationId(req.path_params.at("id")), std::move(ovn),
                   *std::move(request), [answer = std::move(answer)](WriteOutcome outcome) {
                     answer(WriteReply(std::move(outcome), /*end=*/false));
                   });
}

void EndOperation(const Services& s, const Request& req, const Principal& who, Answer answer) {
  s.operations.End(CallerOf(who), OperationId(req.path_params.at("id")), req.path_params.at("ovn"),
                   [answer = std::move(answer)](WriteOutcome outcome) {
                     answer(WriteReply(std::move(outcome), /*end=*/true));
                   });
}

ReplyOr GetOperation(const Services& s, const Request& req, const Principal& who) {
  ASSIGN_OR_RETURN(strategic::OperationView view,
                   s.operations.Get(ReaderOf(s, who), OperationId(req.path_params.at("id"))));
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

// GET /v1/territory/operations?limit=&cursor=: 404 naming the caller when it has no territory.
ReplyOr ListTerritoryOperations(const Services& s, const Request& req, const Principal& who) {
  std::optional<Territory> territory = s.territory_of ? s.territory_of(who.party) : std::nullopt;
  if (!territory) {
    return absl::NotFoundError(fmt::format(
        "no territory is agreed for {} (a territory proposal approved by it and the operators "
        "working there gives one)",
        who.party.value()));
  }
  ASSIGN_OR_RETURN(strategic::PageRequest page,
                   PageRequestOf("territory", QueryParam(req, "limit"), QueryParam(req, "cursor")));
  Caller caller = CallerOf(who);
  caller.territory = territory->volumes;
  return JsonReply(200,
                   TerritoryPageJson(territory->thing, s.operations.InTerritory(caller, page)));
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
  // Readable and writable (a probe commit when no recent commit says): 503 with the reason.
  router.Add("GET", "/v1/health",
             Open(std::function<void(const Request&, Answer)>([s](const Request&, Answer answer) {
               auto unavailable = [](std::string_view reason) {
                 return JsonReply(503, {{"status", "unavailable"}, {"reason", reason}});
               };
               if (!s.store.DataVersion().ok()) {
                 return answer(unavailable("the store cannot be read"));
               }
               s.store.CheckWritable([answer, unavailable](absl::Status writable) {
                 if (!writable.ok()) return answer(unavailable(std::string(writable.message())));
                 answer(JsonReply(200, {{"status", "ok"}}));
               });
             })));
  router.Add("GET", "/v1/version", Open([](const Request&) -> ReplyOr {
               return JsonReply(
                   200,
                   {{"service", "deconflict"}, {"version", DECONFLICT_VERSION}, {"api", "v1"}});
             }));
  router.Add("GET", "/v1/openapi.json",
             Open([](const Request&) -> ReplyOr { return JsonReply(200, OpenApiDocument()); }));

  router.Add("GET", "/v1/me",
             Authorized(s.authenticator, Access::kAnyParty,
                        SyncHandler([](const Request&, const Principal& who) -> ReplyOr {
                          return JsonReply(200, {{"party", who.party.value()},
                                                 {"role", parties::RoleName(who.role)}});
                        })));
  router.Add(
      "GET", "/v1/parties",
      Authorized(s.authenticator, Access::kAnyParty,
                 SyncHandler([s](const Request&, const Principal&) { return ListParties(s); })));

  // Operations.
  const AsyncHandler put = [s](const Request& req, const Principal& who, Answer answer) {
    PutOperation(s, req, who, std::move(answer));
  };
  router.Add("PUT", "/v1/operations/{id}", Authorized(s.authenticator, Access::kOperator, put));
  router.Add("PUT", "/v1/operations/{id}/{ovn}",
             Authorized(s.authenticator, Access::kOperator, put));
  router.Add("DELETE", "/v1/operations/{id}/{ovn}",
             Authorized(s.authenticator, Access::kOperator,
                        AsyncHandler([s](const Request& req, const Principal& who, Answer answer) {
                          EndOperation(s, req, who, std::move(answer));
                        })));
  router.Add("GET", "/v1/operations",
             Authorized(s.authenticator, Access::kAnyParty,
                        SyncHandler([s](const Request& req, const Principal& who) -> ReplyOr {
                          ASSIGN_OR_RETURN(strategic::PageRequest page,
                                           PageRequestOf("own", QueryParam(req, "limit"),
                                                         QueryParam(req, "cursor")));
                          return JsonReply(200, OwnPageJson(s.operations.Own(CallerOf(who), page)));
                        })));
  router.Add("GET", "/v1/operations/{id}",
             Authorized(s.authenticator, Access::kAnyParty,
                        SyncHandler([s](const Request& req, const Principal& who) {
                          return GetOperation(s, req, who);
                        })));
  router.Add("POST", "/v1/operations/query",
             Authorized(s.authenticator, Access::kAnyParty,
                        AsyncHandler([s](const Request& req, const Principal& who, Answer answer) {
                          QueryOperations(s, req, who, std::move(answer));
                        })));
  router.Add("GET", "/v1/territory/operations",
             Authorized(s.authenticator, Access::kAnyParty,
                        SyncHandler([s](const Request& req, const Principal& who) {
                          return ListTerritoryOperations(s, req, who);
                        })));
  router.Add("GET", "/v1/probes",
             Authorized(s.authenticator, Access::kAnyParty,
                        SyncHandler([s](const Request&, const Principal& who) -> ReplyOr {
                          ASSIGN_OR_RETURN(std::vector<strategic::ProbeRecord> probes,
                                           s.operations.Probes(CallerOf(who)));
                          return JsonReply(200, ProbesJson(probes));
                        })));
  router.Add("GET", "/v1/conflicts",
             Authorized(s.authenticator, Access::kAnyParty,
                        SyncHandler([s](const Request& req, const Principal& who) {
                          return ListConflicts(s, req, who);
                        })));

  AddLedgerRoutes(router, s);
}

}  // namespace deconflict::api
