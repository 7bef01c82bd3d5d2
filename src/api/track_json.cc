#include "api/track_json.h"

#include <algorithm>
#include <string>
#include <utility>

#include "common/json.h"
#include "common/status.h"
#include "common/text.h"
#include "common/time.h"
#include "fmt/format.h"

namespace deconflict::api {
namespace {

// Messages in the answer: the same bound ErrorReply uses.
constexpr size_t kMaxMessageChars = 1024;

absl::StatusOr<feeds::TrackReport> ReadReport(const boost::json::value& value,
                                              const std::string& path, const PartyId& party) {
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(value, path));
  feeds::TrackReport report;
  tactical::Track& track = report.track;
  track.party = party;
  ASSIGN_OR_RETURN(std::string id, object.String("id"));
  track.id = TrackId(std::move(id));
  ASSIGN_OR_RETURN(std::string time, object.String("time"));
  absl::StatusOr<Timestamp> parsed_time = ParseRfc3339(time);
  if (!parsed_time.ok()) {
    // Not ParseRfc3339's message: it quotes raw bytes, which may not be UTF-8.
    return InvalidField(object.PathOf("time"),
                        fmt::format("{} is not an RFC 3339 time", QuoteForMessage(time)));
  }
  track.time = *parsed_time;
  ASSIGN_OR_RETURN(track.lat_deg, object.Number("lat"));
  ASSIGN_OR_RETURN(track.lon_deg, object.Number("lng"));
  ASSIGN_OR_RETURN(track.alt_m, object.Number("alt_m"));
  ASSIGN_OR_RETURN(track.ground_speed_mps, object.Number("gs_mps"));
  ASSIGN_OR_RETURN(track.track_deg, object.Number("trk_deg"));
  ASSIGN_OR_RETURN(track.vertical_rate_mps, object.Number("vs_mps"));
  if (const boost::json::value* callsign = object.Find("callsign")) {
    if (!callsign->is_string()) return InvalidField(object.PathOf("callsign"), "must be a string");
    report.callsign = std::string(callsign->get_string());
  }
  RETURN_IF_ERROR(object.NoOtherFields());
  return report;
}

}  // namespace

absl::StatusOr<TrackBatch> ReadTrackBatch(const boost::json::value& body, const PartyId& party) {
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(body, "body"));
  ASSIGN_OR_RETURN(const boost::json::array* tracks, object.Array("tracks"));
  RETURN_IF_ERROR(object.NoOtherFields());
  if (tracks->size() > kMaxTracksPerBatch) {
    return LimitExceeded("tracks", fmt::format("{} reports, at most {} per request", tracks->size(),
                                               kMaxTracksPerBatch));
  }
  TrackBatch batch;
  batch.reports.reserve(tracks->size());
  for (size_t report_idx = 0; report_idx < tracks->size(); ++report_idx) {
    absl::StatusOr<feeds::TrackReport> report =
        ReadReport((*tracks)[report_idx], IndexPath("tracks", report_idx), party);
    if (report.ok()) {
      batch.reports.push_back({report_idx, *std::move(report)});
    } else {
      batch.refused.push_back({report_idx, report.status()});
    }
  }
  return batch;
}

TrackBatchResult ApplyTrackBatch(TrackBatch batch, Timestamp now,
                                 absl::FunctionRef<std::optional<Timestamp>(const TrackId&)> newest,
                                 absl::FunctionRef<absl::Status(feeds::TrackReport)> apply) {
  TrackBatchResult result;
  result.refused = std::move(batch.refused);
  for (IndexedTrackReport& indexed : batch.reports) {
    const std::string prefix = IndexPath("tracks", indexed.index);
    absl::Status status =
        feeds::ValidateTrackReport(indexed.report, now, newest(indexed.report.track.id));
    if (status.ok()) status = apply(std::move(indexed.report));
    if (status.ok()) {
      ++result.accepted;
    } else {
      result.refused.push_back({indexed.index, WithFieldPrefix(std::move(status), prefix)});
    }
  }
  std::stable_sort(
      result.refused.begin(), result.refused.end(),
      [](const RefusedTrackReport& a, const RefusedTrackReport& b) { return a.index < b.index; });
  return result;
}

boost::json::value TrackBatchResultJson(const TrackBatchResult& result) {
  boost::json::array refused;
  refused.reserve(result.refused.size());
  for (const RefusedTrackReport& report : result.refused) {
    boost::json::object entry;
    entry["index"] = report.index;
    if (std::optional<std::string> field = FieldOf(report.status)) {
      entry["field"] = EscapeForMessage(*field, kMaxMessageChars);
    }
    const absl::string_view message = report.status.message();
    entry["message"] =
        EscapeForMessage(std::string_view(message.data(), message.size()), kMaxMessageChars);
    refused.push_back(std::move(entry));
  }
  return boost::json::object{{"accepted", result.accepted}, {"refused", std::move(refused)}};
}

}  // namespace deconflict::api
