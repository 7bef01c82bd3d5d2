#include "api/case_routes.h"

#include "api/authorized.h"
#include "api/case_json.h"
#include "common/status.h"
#include "ledger/bundle.h"
#include "store/bundle_set.h"

namespace deconflict::api {
namespace {

using parties::Principal;

monitoring::Viewer ViewerOf(const Principal& who) {
  return monitoring::Viewer{.party = who.party, .guarantor = who.role == parties::Role::kGuarantor};
}

std::function<void(absl::StatusOr<monitoring::CaseView>)> ViewReply(Answer answer) {
  return [answer = std::move(answer)](absl::StatusOr<monitoring::CaseView> view) {
    if (!view.ok()) return answer(view.status());
    answer(JsonReply(view->created ? 201 : 200, CaseViewJson(*view)));
  };
}

}  // namespace

void AddCaseRoutes(Router& router, parties::Authenticator& authenticator, store::Store& store,
                   monitoring::Cases& cases) {
  auto any_sync = [&authenticator](SyncHandler handler) {
    return Authorized(authenticator, Access::kAnyParty, std::move(handler));
  };
  router.Add("GET", "/v1/cases",
             any_sync([&cases](const Request&, const Principal& who) -> ReplyOr {
               ASSIGN_OR_RETURN(std::vector<store::CaseRecord> list, cases.List(ViewerOf(who)));
               boost::json::array items;
               for (const store::CaseRecord& c : list) items.push_back(CaseJson(c));
               return JsonReply(200, boost::json::object{{"cases", std::move(items)}});
             }));
  router.Add("GET", "/v1/cases/{id}",
             any_sync([&cases](const Request& req, const Principal& who) -> ReplyOr {
               ASSIGN_OR_RETURN(monitoring::CaseView view,
                                cases.Get(ViewerOf(who), req.path_params.at("id")));
               return JsonReply(200, CaseViewJson(view));
             }));
  router.Add(
      "POST", "/v1/cases/{id}/responses",
      Authorized(authenticator, Access::kAnyParty,
                 AsyncHandler([&cases](const Request& req, const Principal& who, Answer answer) {
                   absl::StatusOr<monitoring::ResponseRequest> request =
                       ReadCaseResponse(req.path_params.at("id"), req.body);
                   if (!request.ok()) return answer(request.status());
                   cases.Respond(who.party, *std::move(request), ViewReply(std::move(answer)));
                 })));
  router.Add(
      "POST", "/v1/cases/{id}/close",
      Authorized(authenticator, Access::kGuarantor,
                 AsyncHandler([&cases](const Request& req, const Principal& who, Answer answer) {
                   absl::StatusOr<monitoring::CloseRequest> request =
                       ReadCaseClose(req.path_params.at("id"), req.body);
                   if (!request.ok()) return answer(request.status());
                   cases.Close(who.party, *std::move(request), ViewReply(std::move(answer)));
                 })));
  router.Add("GET", "/v1/cases/{id}/bundle",
             any_sync([&cases, &store](const Request& req, const Principal& who) -> ReplyOr {
               const std::string& id = req.path_params.at("id");
               ASSIGN_OR_RETURN(auto entries, cases.Entries(ViewerOf(who), id));
               std::vector<store::BundleSetRequest> requests;
               for (const auto& [label, index] : entries) {
                 requests.push_back({.index = static_cast<uint64_t>(index), .label = label});
               }
               const std::string party = who.party.value();
               const std::string role(parties::RoleName(who.role));
               ASSIGN_OR_RETURN(ledger::BundleSet set, store.WithReader([&](store::Database& db) {
                 return store::BuildBundleSet(db, "case " + id, requests,
                                              [&](const store::StoredOpening& opening) {
                                                return opening.Entitles(party, role);
                                              });
               }));
               Reply reply{.status = 200, .content_type = "application/json"};
               reply.body = ledger::FormatBundleSet(set);
               return reply;
             }));
}

}  // namespace deconflict::api
