#include "api/agreement_routes.h"

#include "api/agreement_json.h"
#include "api/authorized.h"
#include "api/query_params.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"

namespace deconflict::api {
namespace {

using parties::Principal;

agreements::Viewer ViewerOf(const Principal& who) {
  return agreements::Viewer{.party = who.party, .guarantor = who.role == parties::Role::kGuarantor};
}

std::function<void(absl::StatusOr<agreements::ProposalView>)> ViewReply(Answer answer,
                                                                        bool created_is_201) {
  return
      [answer = std::move(answer), created_is_201](absl::StatusOr<agreements::ProposalView> view) {
        if (!view.ok()) return answer(view.status());
        const int status = !created_is_201 || view->created ? 201 : 200;
        answer(JsonReply(status, ProposalViewJson(*view)));
      };
}

}  // namespace

void AddAgreementRoutes(Router& router, parties::Authenticator& authenticator,
                        agreements::Agreements& agreements) {
  auto any = [&authenticator](AsyncHandler handler) {
    return Authorized(authenticator, Access::kAnyParty, std::move(handler));
  };
  auto any_sync = [&authenticator](SyncHandler handler) {
    return Authorized(authenticator, Access::kAnyParty, std::move(handler));
  };
  router.Add("PUT", "/v1/proposals/{id}",
             any([&agreements](const Request& req, const Principal& who, Answer answer) {
               const std::string& id = req.path_params.at("id");
               if (absl::Status s = agreements::CheckSlug(id, "id"); !s.ok()) return answer(s);
               if (req.body.empty()) {
                 return answer(InvalidField("body", "is empty; send a JSON object"));
               }
               absl::StatusOr<boost::json::value> body = ParseJson(req.body);
               if (!body.ok()) return answer(body.status());
               absl::StatusOr<agreements::ProposalRequest> request = ReadProposal(id, *body);
               if (!request.ok()) return answer(request.status());
               agreements.Propose(who.party, *std::move(request),
                                  ViewReply(std::move(answer), /*created_is_201=*/true));
             }));
  router.Add("GET", "/v1/proposals",
             any_sync([&agreements](const Request& req, const Principal& who) -> ReplyOr {
               ASSIGN_OR_RETURN(size_t limit, LimitParam(req, 100, 1000));
               const std::string* after = QueryParam(req, "after");
               ASSIGN_OR_RETURN(
                   std::vector<store::ProposalRecord> page,
                   agreements.List(ViewerOf(who), after ? *after : std::string(), limit));
               boost::json::array out;
               for (const store::ProposalRecord& p : page) out.push_back(ProposalJson(p));
               const bool more = page.size() == limit;
               return JsonReply(
                   200, boost::json::object{{"proposals", std::move(out)},
                                            {"next_after", more ? boost::json::value(page.back().id)
                                                                : boost::json::value(nullptr)}});
             }));
  router.Add("GET", "/v1/proposals/{id}",
             any_sync([&agreements](const Request& req, const Principal& who) -> ReplyOr {
               ASSIGN_OR_RETURN(agreements::ProposalView view,
                                agreements.Get(ViewerOf(who), req.path_params.at("id")));
               return JsonReply(200, ProposalViewJson(view));
             }));
  router.Add("POST", "/v1/proposals/{id}/decision",
             any([&agreements](const Request& req, const Principal& who, Answer answer) {
               absl::StatusOr<agreements::DecisionRequest> request =
                   ReadDecision(req.path_params.at("id"), req.body);
               if (!request.ok()) return answer(request.status());
               agreements.Decide(who.party, *std::move(request),
                                 ViewReply(std::move(answer), /*created_is_201=*/false));
             }));
  router.Add("GET", "/v1/agreements/{type}/{id}",
             any_sync([&agreements](const Request& req, const Principal& who) -> ReplyOr {
               const std::string& type = req.path_params.at("type");
               if (type != "aor" && type != "territory" && type != "text") {
                 return InvalidField("type", "must be aor, territory or text (lists: /v1/lists)");
               }
               const std::string thing = fmt::format("{}/{}", type, req.path_params.at("id"));
               ASSIGN_OR_RETURN(agreements::AgreementView view,
                                agreements.GetAgreement(ViewerOf(who), thing));
               const bool approver =
                   std::binary_search(view.versions.back().approvers.begin(),
                                      view.versions.back().approvers.end(), who.party.value());
               boost::json::array versions;
               for (const store::AgreementRecord& a : view.versions) {
                 versions.push_back(AgreementJson(a, approver));
               }
               return JsonReply(
                   200, boost::json::object{
                            {"id", thing}, {"live", view.live}, {"versions", std::move(versions)}});
             }));
  router.Add("GET", "/v1/lists/{name}",
             any_sync([&agreements](const Request& req, const Principal&) -> ReplyOr {
               Timestamp at = agreements.Now();
               if (const std::string* text = QueryParam(req, "at")) {
                 absl::StatusOr<Timestamp> parsed = ParseRfc3339(*text);
                 if (!parsed.ok()) return InvalidField("at", "must be an RFC 3339 time");
                 at = *parsed;
               }
               const std::string& name = req.path_params.at("name");
               ASSIGN_OR_RETURN(std::vector<store::ListEntryRecord> entries,
                                agreements.ListAt(name, at));
               return JsonReply(200, ListJson(name, at, entries));
             }));
}

}  // namespace deconflict::api
