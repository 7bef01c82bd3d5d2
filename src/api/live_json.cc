#include "api/live_json.h"

#include <cmath>

#include "common/digest.h"
#include "common/time.h"

namespace deconflict::api {
namespace {

boost::json::value Finite(double x) {
  return std::isfinite(x) ? boost::json::value(x) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object AircraftJson(const events::AircraftState& s) {
  return {{"party", s.party.value()}, {"track", s.track.value()}, {"time", FormatRfc3339(s.time)},
          {"lat", s.lat_deg},         {"lng", s.lng_deg},         {"alt_m", s.alt_m},
          {"gs_mps", s.gs_mps},       {"trk_deg", s.trk_deg},     {"vs_mps", s.vs_mps}};
}

boost::json::object PredictionJson(const events::EncounterPrediction& p) {
  return {{"at", FormatRfc3339(p.at)},
          {"t_in_s", Finite(p.t_in_s)},
          {"t_out_s", Finite(p.t_out_s)},
          {"tcpa_s", p.tcpa_s},
          {"dcpa_m", p.dcpa_m},
          {"distance_m", p.distance_m},
          {"vertical_separation_m", p.vertical_separation_m}};
}

boost::json::object AlertJson(const events::EncounterAlert& alert) {
  return {{"encounter", alert.encounter},
          {"opened_at", FormatRfc3339(alert.opened_at)},
          {"aircraft", boost::json::array{AircraftJson(alert.a), AircraftJson(alert.b)}},
          {"prediction", PredictionJson(alert.prediction)}};
}

boost::json::object EncounterJson(const live::EncounterView& view) {
  const store::EncounterRecord& r = view.record;
  boost::json::object out{
      {"id", r.id},
      {"state", r.closed_at ? "closed" : "open"},
      {"opened_at", FormatRfc3339(r.opened_at)},
      {"parties", boost::json::array{boost::json::value(r.party_a), boost::json::value(r.party_b)}},
      {"aircraft", boost::json::array{AircraftJson(view.latest.a), AircraftJson(view.latest.b)}},
      {"prediction", PredictionJson(view.latest.prediction)},
      {"object_digest", Hex(view.object_digest)},
      {"ledger_index", r.ledger_index}};
  if (r.closed_at) {
    out["closed_at"] = FormatRfc3339(*r.closed_at);
    out["close_reason"] = r.close_reason;
  }
  boost::json::array acks;
  for (const store::EncounterAckRecord& ack : view.acks) {
    boost::json::object a{{"party", ack.party},
                          {"at", FormatRfc3339(ack.at)},
                          {"signed", !ack.signature.empty()},
                          {"ledger_index", ack.ledger_index}};
    if (!ack.key_id.empty()) a["key_id"] = ack.key_id;
    acks.push_back(std::move(a));
  }
  out["acknowledgements"] = std::move(acks);
  boost::json::array alerted;
  for (const std::string& party : r.alerted) alerted.emplace_back(party);
  out["alerted"] = std::move(alerted);
  return out;
}

boost::json::object VisibleTrackJson(const live::VisibleTrack& v) {
  const tactical::Track& t = v.report.track;
  boost::json::object out{{"party", t.party.value()},
                          {"id", t.id.value()},
                          {"time", FormatRfc3339(t.time)},
                          {"lat", t.lat_deg},
                          {"lng", t.lon_deg},
                          {"alt_m", t.alt_m},
                          {"gs_mps", t.ground_speed_mps},
                          {"trk_deg", t.track_deg},
                          {"vs_mps", t.vertical_rate_mps},
                          {"own", v.own}};
  if (!v.report.callsign.empty()) out["callsign"] = v.report.callsign;
  if (v.in_territory) out["in_territory"] = true;
  return out;
}

boost::json::object TrackPointJson(const store::TrackPointRecord& p) {
  return {{"party", p.party},   {"id", p.track},        {"time", FormatRfc3339(p.time)},
          {"lat", p.lat_deg},   {"lng", p.lng_deg},     {"alt_m", p.alt_m},
          {"gs_mps", p.gs_mps}, {"trk_deg", p.trk_deg}, {"vs_mps", p.vs_mps}};
}

boost::json::object LiveStatsJson(const live::LiveStats& s) {
  return {{"cycles", s.cycles},
          {"tracks", s.tracks},
          {"open_encounters", s.open_encounters},
          {"reports_applied", s.reports_applied},
          {"feed_reports_refused", s.feed_reports_refused},
          {"commit_failures", s.commit_failures},
          {"cycle_us", boost::json::object{{"last", s.last_cycle_us},
                                           {"p50", s.cycle_p50_us},
                                           {"p99", s.cycle_p99_us},
                                           {"max", s.cycle_max_us}}}};
}

}  // namespace deconflict::api
