#include "api/live_routes.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_split.h"
#include "api/authorized.h"
#include "api/live_json.h"
#include "api/query_params.h"
#include "api/track_json.h"
#include "api/tracks_socket.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "parties/acknowledgement.h"

namespace deconflict::api {
namespace {

using parties::Principal;

live::Viewer ViewerOf(const Principal& who) {
  return live::Viewer{.party = who.party, .sees_everything = who.role == parties::Role::kGuarantor};
}

// Cursors are base64url of the last item's key, fields joined by '\n'.
std::string CursorOf(std::initializer_list<std::string_view> fields) {
  std::string joined;
  for (std::string_view f : fields) {
    if (!joined.empty()) joined += '\n';
    joined += f;
  }
  return Base64Url(joined);
}
absl::StatusOr<std::vector<std::string>> FieldsOfCursor(const Request& req, size_t count) {
  const std::string* text = QueryParam(req, "cursor");
  if (text == nullptr) return std::vector<std::string>();
  std::optional<std::string> raw = FromBase64Url(*text);
  std::vector<std::string> fields;
  if (raw) fields = absl::StrSplit(*raw, '\n');
  if (!raw || fields.size() != count) {
    return InvalidField("cursor", "is not a cursor of this list; pass next_cursor as given");
  }
  return fields;
}

absl::StatusOr<int64_t> EncounterIdOf(const Request& req) {
  const std::string& text = req.path_params.at("id");
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id < 1) {
    return absl::NotFoundError("encounter: encounter ids are positive integers");
  }
  return id;
}

ReplyOr ListTracks(live::LivePicture& picture, const TerritoryOf& territory_of, const Request& req,
                   const Principal& who) {
  ASSIGN_OR_RETURN(int64_t limit, LimitParam(req, 1000, 10'000));
  ASSIGN_OR_RETURN(std::vector<std::string> after, FieldsOfCursor(req, 2));
  live::Viewer viewer = ViewerOf(who);
  if (territory_of) {
    if (std::optional<Territory> t = territory_of(who.party)) viewer.territory = t->volumes;
  }
  std::vector<live::VisibleTrack> tracks = picture.Tracks(viewer);
  auto it = tracks.begin();
  if (!after.empty()) {
    it = std::upper_bound(tracks.begin(), tracks.end(), std::tie(after[0], after[1]),
                          [](const auto& key, const live::VisibleTrack& t) {
                            return key < std::tie(t.report.track.party.value(),
                                                  t.report.track.id.value());
                          });
  }
  boost::json::array out;
  for (; it != tracks.end() && static_cast<int64_t>(out.size()) < limit; ++it) {
    out.push_back(VisibleTrackJson(*it));
  }
  boost::json::object body{{"tracks", std::move(out)}};
  if (it != tracks.end()) {
    const tactical::Track& last = std::prev(it)->report.track;
    body["next_cursor"] = CursorOf({last.party.value(), last.id.value()});
  }
  return JsonReply(200, body);
}

absl::StatusOr<store::TrackHistoryQuery> HistoryQueryOf(const Request& req, const Clock& clock) {
  store::TrackHistoryQuery q;
  const Timestamp now = clock.Now();
  q.to = now;
  q.from = now - std::chrono::hours(1);
  auto time_param = [&](const std::string& name, Timestamp& out) -> absl::Status {
    const std::string* text = QueryParam(req, name);
    if (text == nullptr) return absl::OkStatus();
    absl::StatusOr<Timestamp> parsed = ParseRfc3339(*text);
    if (!parsed.ok()) return InvalidField(name, std::string(parsed.status().message()));
    out = *parsed;
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(time_param("to", q.to));
  if (QueryParam(req, "from") != nullptr) {
    RETURN_IF_ERROR(time_param("from", q.from));
  } else {
    q.from = q.to - std::chrono::hours(1);
  }
  if (q.from > q.to) return InvalidField("from", "must not be after to");
  if (q.to - q.from > std::chrono::hours(24)) {
    return LimitExceeded("to", "must be at most 24 h after from");
  }
  if (const std::string* area = QueryParam(req, "area")) {
    std::vector<std::string> parts = absl::StrSplit(*area, ',');
    double v[4];
    bool ok = parts.size() == 4;
    for (size_t i = 0; ok && i < 4; ++i) {
      auto [end, ec] = std::from_chars(parts[i].data(), parts[i].data() + parts[i].size(), v[i]);
      ok = ec == std::errc() && end == parts[i].data() + parts[i].size() && std::isfinite(v[i]);
    }
    if (!ok || v[0] < -90 || v[2] > 90 || v[0] > v[2] || v[1] < -180 || v[3] > 180 || v[1] > v[3]) {
      return InvalidField("area",
                          "must be LAT_MIN,LNG_MIN,LAT_MAX,LNG_MAX in degrees, minimum first "
                          "(lat in [-90, 90], lng in [-180, 180])");
    }
    q.lat_min = v[0], q.lng_min = v[1], q.lat_max = v[2], q.lng_max = v[3];
  }
  ASSIGN_OR_RETURN(q.limit, LimitParam(req, 1000, 1000));
  ASSIGN_OR_RETURN(std::vector<std::string> after, FieldsOfCursor(req, 3));
  if (!after.empty()) {
    int64_t us = 0;
    auto [end, ec] = std::from_chars(after[0].data(), after[0].data() + after[0].size(), us);
    if (ec != std::errc()) return InvalidField("cursor", "is not a cursor of this list");
    q.after = std::make_tuple(Timestamp(std::chrono::microseconds(us)), after[1], after[2]);
  }
  return q;
}

ReplyOr History(live::LivePicture& picture, const Clock& clock, const Request& req,
                const Principal& who) {
  ASSIGN_OR_RETURN(store::TrackHistoryQuery q, HistoryQueryOf(req, clock));
  ASSIGN_OR_RETURN(std::vector<store::TrackPointRecord> points, picture.History(ViewerOf(who), q));
  boost::json::array out;
  for (const store::TrackPointRecord& p : points) out.push_back(TrackPointJson(p));
  boost::json::object body{{"points", std::move(out)}};
  if (static_cast<int64_t>(points.size()) == q.limit) {
    const store::TrackPointRecord& last = points.back();
    body["next_cursor"] =
        CursorOf({std::to_string(last.time.time_since_epoch().count()), last.party, last.track});
  }
  return JsonReply(200, body);
}

ReplyOr ListEncounters(live::LivePicture& picture, const Request& req, const Principal& who) {
  store::EncounterFilter filter;
  if (const std::string* state = QueryParam(req, "state")) {
    if (*state == "open") {
      filter.state = store::EncounterState::kOpen;
    } else if (*state == "closed") {
      filter.state = store::EncounterState::kClosed;
    } else if (*state != "all") {
      return InvalidField("state", "must be open, closed or all");
    }
  }
  ASSIGN_OR_RETURN(filter.limit, LimitParam(req, 100, 1000));
  ASSIGN_OR_RETURN(std::vector<std::string> after, FieldsOfCursor(req, 1));
  if (!after.empty()) {
    auto [end, ec] =
        std::from_chars(after[0].data(), after[0].data() + after[0].size(), filter.after_id);
    if (ec != std::errc()) return InvalidField("cursor", "is not a cursor of this list");
  }
  ASSIGN_OR_RETURN(std::vector<live::EncounterView> views,
                   picture.Encounters(ViewerOf(who), filter));
  boost::json::array out;
  for (const live::EncounterView& v : views) out.push_back(EncounterJson(v));
  boost::json::object body{{"encounters", std::move(out)}};
  if (static_cast<int64_t>(views.size()) == filter.limit) {
    body["next_cursor"] = CursorOf({std::to_string(views.back().record.id)});
  }
  return JsonReply(200, body);
}

// {} or {"signature", "key_id"?, "signed_at"}.
absl::StatusOr<live::AckRequest> AckRequestOf(const Request& req) {
  ASSIGN_OR_RETURN(int64_t id, EncounterIdOf(req));
  live::AckRequest request{.encounter = id};
  if (req.body.empty()) return request;
  ASSIGN_OR_RETURN(boost::json::value body, ParseJson(req.body));
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(body, ""));
  if (object.Find("signature") != nullptr) {
    ASSIGN_OR_RETURN(std::string b64, object.String("signature"));
    std::optional<std::string> raw = FromAnyBase64(b64);
    if (!raw) return InvalidField("signature", "must be base64 of the 64-byte Ed25519 signature");
    ASSIGN_OR_RETURN(std::string signed_at, object.String("signed_at"));
    ASSIGN_OR_RETURN(Timestamp at, parties::ParseAckTime(signed_at, "signed_at"));
    live::AckSignature signature{.signature = *raw, .signed_at = at};
    if (object.Find("key_id") != nullptr) {
      ASSIGN_OR_RETURN(signature.key_id, object.String("key_id"));
    }
    request.signature = std::move(signature);
  }
  RETURN_IF_ERROR(object.NoOtherFields());
  return request;
}

void Acknowledge(live::LivePicture& picture, const Request& req, const Principal& who,
                 Answer answer) {
  absl::StatusOr<live::AckRequest> request = AckRequestOf(req);
  if (!request.ok()) return answer(request.status());
  picture.Acknowledge(ViewerOf(who), *std::move(request),
                      [answer = std::move(answer)](absl::StatusOr<live::AckResult> result) {
                        if (!result.ok()) return answer(result.status());
                        const store::EncounterAckRecord& ack = result->ack;
                        boost::json::object body{{"encounter", ack.encounter},
                                                 {"party", ack.party},
                                                 {"at", FormatRfc3339(ack.at)},
                                                 {"signed", !ack.signature.empty()},
                                                 {"ledger_index", ack.ledger_index}};
                        if (!ack.key_id.empty()) body["key_id"] = ack.key_id;
                        answer(JsonReply(result->created ? 201 : 200, body));
                      });
}

}  // namespace

absl::StatusOr<boost::json::value> IngestTrackBatch(live::LivePicture& picture, const Clock& clock,
                                                    const PartyId& party, std::string_view body) {
  ASSIGN_OR_RETURN(boost::json::value json, ParseJson(body));
  ASSIGN_OR_RETURN(TrackBatch batch, ReadTrackBatch(json, party));
  TrackBatchResult result;
  const Timestamp now = clock.Now();
  picture.Ingest([&](live::Intake& intake) {
    result = ApplyTrackBatch(
        std::move(batch), now, [&](const TrackId& id) { return intake.Newest(party, id); },
        [&](feeds::TrackReport report) { return intake.Apply(std::move(report)); });
  });
  return TrackBatchResultJson(result);
}

void AddLiveRoutes(Router& router, parties::Authenticator& authenticator,
                   live::LivePicture& picture, const Clock& clock, TerritoryOf territory_of) {
  router.Add("POST", "/v1/tracks",
             Authorized(authenticator, Access::kOperator,
                        SyncHandler([&](const Request& req, const Principal& who) -> ReplyOr {
                          ASSIGN_OR_RETURN(boost::json::value result,
                                           IngestTrackBatch(picture, clock, who.party, req.body));
                          return JsonReply(200, result);
                        })));
  // Without the upgrade, GET /v1/tracks/stream says how to use it.
  router.Add(
      "GET", "/v1/tracks/stream",
      Authorized(authenticator, Access::kOperator,
                 SyncHandler([](const Request&, const Principal&) -> ReplyOr {
                   return JsonReply(
                       426, boost::json::object{{"error",
                                                 {{"code", "upgrade_required"},
                                                  {"message",
                                                   "GET /v1/tracks/stream is a WebSocket: send "
                                                   "'Upgrade: websocket', or POST /v1/tracks"}}}});
                 })));
  router.AddUpgrade("/v1/tracks/stream", [&authenticator, &picture, &clock](Upgrade upgrade) {
    ServeTracksSocket(std::move(upgrade), authenticator, picture, clock);
  });
  router.Add(
      "GET", "/v1/tracks",
      Authorized(authenticator, Access::kAnyParty,
                 SyncHandler([&picture, territory_of](const Request& req, const Principal& who) {
                   return ListTracks(picture, territory_of, req, who);
                 })));
  router.Add("GET", "/v1/tracks/history",
             Authorized(authenticator, Access::kAnyParty,
                        SyncHandler([&](const Request& req, const Principal& who) {
                          return History(picture, clock, req, who);
                        })));
  router.Add("GET", "/v1/encounters",
             Authorized(authenticator, Access::kAnyParty,
                        SyncHandler([&](const Request& req, const Principal& who) {
                          return ListEncounters(picture, req, who);
                        })));
  router.Add("GET", "/v1/encounters/{id}",
             Authorized(authenticator, Access::kAnyParty,
                        SyncHandler([&](const Request& req, const Principal& who) -> ReplyOr {
                          ASSIGN_OR_RETURN(int64_t id, EncounterIdOf(req));
                          ASSIGN_OR_RETURN(live::EncounterView view,
                                           picture.Encounter(ViewerOf(who), id));
                          return JsonReply(200, EncounterJson(view));
                        })));
  router.Add("POST", "/v1/encounters/{id}/ack",
             Authorized(authenticator, Access::kAnyParty,
                        AsyncHandler([&](const Request& req, const Principal& who, Answer answer) {
                          Acknowledge(picture, req, who, std::move(answer));
                        })));
  router.Add("GET", "/v1/live/stats",
             Authorized(authenticator, Access::kAnyParty,
                        SyncHandler([&](const Request&, const Principal&) -> ReplyOr {
                          return JsonReply(200, LiveStatsJson(picture.stats()));
                        })));
}

}  // namespace deconflict::api
