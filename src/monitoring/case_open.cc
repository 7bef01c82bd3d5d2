// monitoring/case_open.cc: what a case links when it opens (cases.h "What it links").
#include <algorithm>
#include <cmath>
#include <map>

#include "common/status.h"
#include "fmt/format.h"
#include "monitoring/cases.h"
#include "monitoring/records.h"
#include "s2/s2earth.h"
#include "s2/s2latlng.h"
#include "store/encounters_table.h"
#include "store/humanitarian_table.h"
#include "store/operations_table.h"
#include "strategic/operation_service.h"

namespace deconflict::monitoring {
namespace {

// Limits wide enough for any place searched (up to 50 km of uncertainty) at any time.
geo::VolumeLimits ProbeLimits() {
  return geo::VolumeLimits{.max_area_km2 = 1e12,
                           .horizon = std::chrono::hours(24 * 365 * 300),
                           .max_start_age = std::chrono::hours(24 * 366 * 20000)};
}

// How long either side of occurred_at operations are searched, by time_precision.
std::chrono::seconds HalfWindow(int64_t time_precision, std::chrono::seconds precise) {
  if (time_precision == 2) return std::chrono::hours(84);   // the week: 3.5 days
  if (time_precision == 3) return std::chrono::hours(360);  // the month: 15 days
  return precise;
}

double DistanceM(double lat1, double lng1, double lat2, double lng2) {
  return S2Earth::ToMeters(
      S2LatLng::FromDegrees(lat1, lng1).GetDistance(S2LatLng::FromDegrees(lat2, lng2)));
}

}  // namespace

absl::StatusOr<store::CaseSnapshot> Cases::Snapshot(
    store::Txn& txn, const store::IncidentRecord& incident,
    const std::vector<store::HumanitarianRecord>& places, Timestamp now) const {
  const IncidentRequest request = RequestOf(incident);
  store::CaseSnapshot s;
  store::CaseRecord& c = s.record;
  c.id = incident.id;
  c.incident = incident.id;
  c.incident_version = incident.version;
  c.incident_digest = incident.digest;
  c.incident_ledger_index = incident.ledger_index;
  c.reporter = incident.reporter;
  c.alleged_party = incident.alleged_party;
  c.occurred_at = incident.occurred_at;
  c.lat = incident.lat;
  c.lng = incident.lng;
  c.radius_m = GeoUncertaintyM(request);
  const auto half = HalfWindow(incident.time_precision, options_.operation_window);
  c.window_start = incident.occurred_at - half;
  c.window_end = incident.occurred_at + half;
  c.opened_at = now;
  c.response_due_at = now + options_.response_deadline;

  // The places in force and what each recipient had done with that version.
  for (const store::HumanitarianRecord& p : places) {
    s.places.push_back(store::CasePlaceRecord{.kind = p.kind,
                                              .place = p.id,
                                              .version = p.version,
                                              .notifier = p.notifier,
                                              .category = p.category,
                                              .name = p.name,
                                              .ovn = p.ovn,
                                              .version_digest = p.digest,
                                              .version_ledger_index = p.ledger_index,
                                              .notified_at = p.created_at,
                                              .escalation_channel = p.escalation_channel});
    ASSIGN_OR_RETURN(std::vector<store::HumanitarianReceiptRecord> receipts,
                     store::ReadHumanitarianReceipts(txn.db(), p.kind, p.id, p.version));
    for (const std::string& party : p.recipients) {
      store::CaseReceiptRecord r{
          .kind = p.kind, .place = p.id, .version = p.version, .party = party};
      for (const store::HumanitarianReceiptRecord& got : receipts) {
        if (got.party != party) continue;
        if (got.type == "deliver") {
          r.delivered_at = got.at;
          r.delivered_ledger_index = got.ledger_index;
        } else if (got.type == "ack") {
          r.acknowledged_at = got.at;
          r.ack_ledger_index = got.ledger_index;
          r.key_id = got.key_id;
          r.signature = got.signature;
          r.statement = got.statement;
        }
      }
      s.receipts.push_back(std::move(r));
    }
  }

  // The operations that covered the place searched during the window (ended ones included).
  const geo::VolumeLimits limits = ProbeLimits();
  ASSIGN_OR_RETURN(
      geo::Volume4D probe,
      geo::Volume4D::Make(geo::Circle{{c.lat, c.lng}, std::max(c.radius_m, 1.0)},
                          {limits.min_alt_m, limits.max_alt_m}, {c.window_start, c.window_end},
                          limits, Timestamp{}, "location"));
  ASSIGN_OR_RETURN(std::vector<store::OperationRecord> operations,
                   store::ListOperationsIn(txn.db(), /*include_ended=*/true));
  std::map<std::string, std::set<std::string>> reasons;  // respondent -> why
  for (const store::OperationRecord& op : operations) {
    ASSIGN_OR_RETURN(auto volumes, strategic::ParseStoredExtents(op));
    std::optional<store::CaseOperationRecord> linked;
    for (const auto& v : volumes) {
      std::optional<geo::Overlap> overlap = geo::OverlapOf(probe, *v);
      if (!overlap) continue;
      const S2LatLngRect& rect = overlap->rect;
      if (!linked) {
        linked = store::CaseOperationRecord{.operation = op.id,
                                            .party = op.party,
                                            .version = op.version,
                                            .ovn = op.ovn,
                                            .state = op.state,
                                            .extents = op.extents,
                                            .ledger_index = op.ledger_index,
                                            .lat_min = rect.lat_lo().degrees(),
                                            .lng_min = rect.lng_lo().degrees(),
                                            .lat_max = rect.lat_hi().degrees(),
                                            .lng_max = rect.lng_hi().degrees(),
                                            .altitude_lower_m = overlap->altitude.lower_m,
                                            .altitude_upper_m = overlap->altitude.upper_m,
                                            .time_start = overlap->time.start,
                                            .time_end = overlap->time.end};
        continue;
      }
      linked->lat_min = std::min(linked->lat_min, rect.lat_lo().degrees());
      linked->lng_min = std::min(linked->lng_min, rect.lng_lo().degrees());
      linked->lat_max = std::max(linked->lat_max, rect.lat_hi().degrees());
      linked->lng_max = std::max(linked->lng_max, rect.lng_hi().degrees());
      linked->altitude_lower_m = std::min(linked->altitude_lower_m, overlap->altitude.lower_m);
      linked->altitude_upper_m = std::max(linked->altitude_upper_m, overlap->altitude.upper_m);
      linked->time_start = std::min(linked->time_start, overlap->time.start);
      linked->time_end = std::max(linked->time_end, overlap->time.end);
    }
    if (!linked) continue;
    reasons[op.party].insert("operation");
    s.operations.push_back(*std::move(linked));
  }

  // The track history within track_radius_m and track_window (nearest points kept first when
  // there are more than max_track_points).
  const double dlat = options_.track_radius_m / 111000.0;
  const double coslat = std::max(std::cos(c.lat * M_PI / 180.0), 0.01);
  const double dlng = std::min(180.0, dlat / coslat);
  store::TrackHistoryQuery query{.everything = true,
                                 .lat_min = std::max(-90.0, c.lat - dlat),
                                 .lat_max = std::min(90.0, c.lat + dlat),
                                 .lng_min = std::max(-180.0, c.lng - dlng),
                                 .lng_max = std::min(180.0, c.lng + dlng),
                                 .from = c.occurred_at - options_.track_window,
                                 .to = c.occurred_at + options_.track_window,
                                 .now = now,
                                 .limit = static_cast<int64_t>(options_.max_track_points) * 4};
  ASSIGN_OR_RETURN(std::vector<store::TrackPointRecord> points,
                   store::QueryTrackHistory(txn.db(), query));
  std::vector<std::pair<double, store::TrackPointRecord>> near;
  for (store::TrackPointRecord& p : points) {
    const double d = DistanceM(c.lat, c.lng, p.lat_deg, p.lng_deg);
    if (d <= options_.track_radius_m) near.emplace_back(d, std::move(p));
  }
  if (near.size() > options_.max_track_points) {
    std::nth_element(near.begin(), near.begin() + options_.max_track_points, near.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    near.resize(options_.max_track_points);
  }
  for (auto& [d, p] : near) {
    reasons[p.party].insert("track");
    s.track_points.push_back(std::move(p));
  }
  std::sort(s.track_points.begin(), s.track_points.end(), [](const auto& a, const auto& b) {
    return std::tie(a.party, a.track, a.time) < std::tie(b.party, b.track, b.time);
  });

  // Respondents: the parties, guarantors aside, with an operation or a track linked.
  ASSIGN_OR_RETURN(std::vector<std::string> guarantors,
                   store::ActivePartiesWithRole(txn.db(), "guarantor"));
  for (const auto& [party, why] : reasons) {
    if (std::find(guarantors.begin(), guarantors.end(), party) != guarantors.end()) continue;
    std::string joined;
    for (const std::string& w : why) joined += (joined.empty() ? "" : ",") + w;
    s.respondents.push_back(store::CaseRespondentRecord{
        .party = party, .reasons = joined, .due_at = c.response_due_at});
  }
  c.digest = store::CaseOpenDigest(s);
  return s;
}

}  // namespace deconflict::monitoring
