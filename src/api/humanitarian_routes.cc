#include "api/humanitarian_routes.h"

#include "api/authorized.h"
#include "api/humanitarian_json.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::api {
namespace {

using humanitarian::Kind;
using parties::Principal;

humanitarian::Viewer ViewerOf(const Principal& who) {
  return humanitarian::Viewer{.party = who.party,
                              .guarantor = who.role == parties::Role::kGuarantor};
}

template <typename T>
std::function<void(absl::StatusOr<T>)> Replying(Answer answer,
                                                std::function<Reply(const T&)> render) {
  return [answer = std::move(answer), render = std::move(render)](absl::StatusOr<T> result) {
    if (!result.ok()) return answer(result.status());
    answer(render(*result));
  };
}

std::function<void(absl::StatusOr<humanitarian::PutResult>)> PutReply(Answer answer) {
  return Replying<humanitarian::PutResult>(std::move(answer), [](const humanitarian::PutResult& r) {
    return JsonReply(r.created ? 201 : 200, PlaceJson(r.record));
  });
}

void AddKindRoutes(Router& router, parties::Authenticator& authenticator,
                   humanitarian::Notifications& notifications, Kind kind,
                   const std::string& prefix) {
  auto any = [&authenticator](AsyncHandler handler) {
    return Authorized(authenticator, Access::kAnyParty, std::move(handler));
  };
  auto notifier = [&authenticator](AsyncHandler handler) {
    return Authorized(authenticator, Access::kHumanitarian, std::move(handler));
  };
  router.Add("GET", prefix + ".geojson",
             any([&notifications, kind](const Request&, const Principal& who, Answer answer) {
               notifications.List(
                   ViewerOf(who), kind,
                   Replying<std::vector<store::HumanitarianRecord>>(
                       std::move(answer), [](const std::vector<store::HumanitarianRecord>& r) {
                         Reply reply = JsonReply(200, PlacesGeoJson(r));
                         reply.content_type = "application/geo+json";
                         return reply;
                       }));
             }));
  router.Add(
      "PUT", prefix + "/{id}",
      notifier([&notifications, kind](const Request& req, const Principal& who, Answer answer) {
        const std::string& id = req.path_params.at("id");
        if (absl::Status s = humanitarian::CheckPlaceId(id); !s.ok()) return answer(s);
        if (req.body.empty()) {
          return answer(InvalidField("body", "is empty; send a JSON object"));
        }
        absl::StatusOr<boost::json::value> body = ParseJson(req.body);
        if (!body.ok()) return answer(body.status());
        absl::StatusOr<humanitarian::NotificationRequest> request =
            ReadNotification(kind, id, *body);
        if (!request.ok()) return answer(request.status());
        notifications.Put(who.party, *std::move(request), PutReply(std::move(answer)));
      }));
  router.Add(
      "DELETE", prefix + "/{id}",
      notifier([&notifications, kind](const Request& req, const Principal& who, Answer answer) {
        notifications.Remove(who.party, kind, req.path_params.at("id"),
                             PutReply(std::move(answer)));
      }));
  router.Add("GET", prefix + "/{id}",
             any([&notifications, kind](const Request& req, const Principal& who, Answer answer) {
               notifications.Get(ViewerOf(who), kind, req.path_params.at("id"),
                                 Replying<humanitarian::PlaceView>(
                                     std::move(answer), [](const humanitarian::PlaceView& v) {
                                       return JsonReply(200, PlaceViewJson(v));
                                     }));
             }));
  router.Add(
      "GET", prefix + "/{id}/reads",
      Authorized(
          authenticator, Access::kAnyParty,
          SyncHandler([&notifications, kind](const Request& req, const Principal& who) -> ReplyOr {
            ASSIGN_OR_RETURN(std::vector<store::HumanitarianReadRecord> reads,
                             notifications.Reads(who.party, kind, req.path_params.at("id")));
            return JsonReply(200, ReadsJson(reads));
          })));
  router.Add("POST", prefix + "/{id}/ack",
             any([&notifications, kind](const Request& req, const Principal& who, Answer answer) {
               absl::StatusOr<humanitarian::AckRequest> request =
                   ReadHumanitarianAck(kind, req.path_params.at("id"), req.body);
               if (!request.ok()) return answer(request.status());
               notifications.Acknowledge(
                   who.party, *std::move(request),
                   Replying<humanitarian::AckResult>(
                       std::move(answer), [](const humanitarian::AckResult& r) {
                         return JsonReply(r.created ? 201 : 200, HumanitarianAckJson(r));
                       }));
             }));
}

}  // namespace

void AddHumanitarianRoutes(Router& router, parties::Authenticator& authenticator,
                           humanitarian::Notifications& notifications) {
  // Before /v1/sites/{id}: the router takes the first route that matches.
  router.Add(
      "GET", "/v1/sites/conflicts",
      Authorized(authenticator, Access::kAnyParty,
                 SyncHandler([&notifications](const Request&, const Principal& who) -> ReplyOr {
                   ASSIGN_OR_RETURN(std::vector<store::HumanitarianConflictRecord> c,
                                    notifications.Conflicts(who.party));
                   return JsonReply(200, ConflictsJson(c));
                 })));
  AddKindRoutes(router, authenticator, notifications, Kind::kSite, "/v1/sites");
  AddKindRoutes(router, authenticator, notifications, Kind::kMovement, "/v1/movements");
}

}  // namespace deconflict::api
