#include "sim/flight.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <utility>

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::sim {
namespace {

using internal::SplitMix64;

constexpr double kDegPerRad = 180.0 / std::numbers::pi;
constexpr double kFlightLevelM = 30.48;  // FL1 = 100 ft
constexpr double kLevelStepM = 10 * kFlightLevelM;
constexpr double kLowestLevelM = 50 * kFlightLevelM;
constexpr double kHighestLevelM = 400 * kFlightLevelM;
constexpr double kMaxGroundSpeedMps = 250;  // GenerateTracks' and the meetings' upper bound
constexpr int kMaxCount = 1'000'000;
constexpr std::chrono::seconds kMaxMeetingTime{600};
constexpr int64_t kStraightAfterMeetingS = 30;

constexpr std::array<const char*, 20> kAirlines = {"KLM", "DLH", "BAW", "AFR", "EZY", "RYR", "SAS",
                                                   "IBE", "AZA", "SWR", "AUA", "TAP", "LOT", "FIN",
                                                   "THY", "UAE", "QTR", "ACA", "UAL", "DAL"};

// In [0, 360).
double Normalize360(double deg) {
  double wrapped = std::fmod(deg, 360.0);
  if (wrapped < 0) wrapped += 360.0;
  return wrapped >= 360.0 ? 0.0 : wrapped;
}

// In [-180, 180].
double Normalize180(double deg) { return std::remainder(deg, 360.0); }

struct Vec {
  double x = 0, y = 0, z = 0;
};
Vec operator*(double s, Vec v) { return {s * v.x, s * v.y, s * v.z}; }
Vec operator+(Vec a, Vec b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
double Dot(Vec a, Vec b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

// The unit position vector and the local east and north unit vectors at (lat, lon).
struct LocalFrame {
  Vec p, east, north;
};
LocalFrame FrameAt(double lat_deg, double lon_deg) {
  double lat = lat_deg / kDegPerRad, lon = lon_deg / kDegPerRad;
  double sin_lat = std::sin(lat), cos_lat = std::cos(lat);
  double sin_lon = std::sin(lon), cos_lon = std::cos(lon);
  return {.p = {cos_lat * cos_lon, cos_lat * sin_lon, sin_lat},
          .east = {-sin_lon, cos_lon, 0},
          .north = {-sin_lat * cos_lon, -sin_lat * sin_lon, cos_lat}};
}

struct GreatCirclePoint {
  double lat_deg = 0, lon_deg = 0;
  double bearing_deg = 0;  // the great circle's local bearing there
};

// Moves `distance_m` along the great circle leaving (lat, lon) at `bearing_deg`: the position
// rotates in the plane of p and the direction d, p' = p cos(delta) + d sin(delta) and
// d' = d cos(delta) - p sin(delta), so every step of one leg stays on the same great circle.
// Not defined at the poles (the scenarios' boxes are far from them).
GreatCirclePoint MoveAlongGreatCircle(double lat_deg, double lon_deg, double bearing_deg,
                                      double distance_m) {
  LocalFrame at = FrameAt(lat_deg, lon_deg);
  double bearing = bearing_deg / kDegPerRad;
  Vec d = std::cos(bearing) * at.north + std::sin(bearing) * at.east;
  double delta = distance_m / kSimSphereRadiusM;
  Vec p2 = std::cos(delta) * at.p + std::sin(delta) * d;
  Vec d2 = std::cos(delta) * d + (-std::sin(delta)) * at.p;
  GreatCirclePoint out;
  out.lat_deg = std::atan2(p2.z, std::hypot(p2.x, p2.y)) * kDegPerRad;
  out.lon_deg = std::atan2(p2.y, p2.x) * kDegPerRad;
  LocalFrame there = FrameAt(out.lat_deg, out.lon_deg);
  out.bearing_deg = std::atan2(Dot(d2, there.east), Dot(d2, there.north)) * kDegPerRad;
  return out;
}

// The initial great-circle bearing from (lat1, lon1) to (lat2, lon2).
double InitialBearingDeg(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg) {
  double lat1 = lat1_deg / kDegPerRad, lat2 = lat2_deg / kDegPerRad;
  double dlon = (lon2_deg - lon1_deg) / kDegPerRad;
  double y = std::sin(dlon) * std::cos(lat2);
  double x = std::cos(lat1) * std::sin(lat2) - std::sin(lat1) * std::cos(lat2) * std::cos(dlon);
  return std::atan2(y, x) * kDegPerRad;
}

// True when an aircraft at (lat, lon) within kBoxTurnBackMarginM of an edge of `box` (in the
// sinusoidal coordinates of sim/tracks.h) moves towards that edge on `heading_deg`. With
// y = R (lat - lat0) and x = R (lon - lon0) cos(lat), a unit ground velocity at heading h moves
// y at cos h and x at sin h - (lon - lon0) sin(lat) cos h.
bool HeadsOutOfBox(const ScenarioBox& box, double lat_deg, double lon_deg, double heading_deg) {
  double lat = lat_deg / kDegPerRad;
  double dlon = Normalize180(lon_deg - box.center_lon_deg) / kDegPerRad;
  double north_m = (lat_deg - box.center_lat_deg) / kDegPerRad * kSimSphereRadiusM;
  double east_m = dlon * kSimSphereRadiusM * std::cos(lat);
  double heading = heading_deg / kDegPerRad;
  double north_rate = std::cos(heading);
  double east_rate = std::sin(heading) - dlon * std::sin(lat) * std::cos(heading);
  double north_edge = box.north_south_m / 2 - kBoxTurnBackMarginM;
  double east_edge = box.east_west_m / 2 - kBoxTurnBackMarginM;
  return (north_m > north_edge && north_rate > 0) || (north_m < -north_edge && north_rate < 0) ||
         (east_m > east_edge && east_rate > 0) || (east_m < -east_edge && east_rate < 0);
}

// `heading_deg`, or, when it takes an aircraft at (lat, lon) out of the box from within the
// margin, where turning back could not keep it in, the heading mirrored at the edge (at both
// edges in a corner), or the bearing of the box centre when the mirror still heads out.
double InwardHeading(const ScenarioBox& box, double lat_deg, double lon_deg, double heading_deg) {
  for (double candidate : {heading_deg, 180.0 - heading_deg, -heading_deg, 180.0 + heading_deg}) {
    if (!HeadsOutOfBox(box, lat_deg, lon_deg, candidate)) return Normalize360(candidate);
  }
  return Normalize360(InitialBearingDeg(lat_deg, lon_deg, box.center_lat_deg, box.center_lon_deg));
}

// The level-off altitude of an aircraft at `alt_m` climbing (rate > 0) or descending.
double LevelOffAltitude(double alt_m, double vertical_rate_mps) {
  if (vertical_rate_mps > 0) {
    return std::min(kHighestLevelM, std::ceil(alt_m / kLevelStepM) * kLevelStepM);
  }
  if (vertical_rate_mps < 0) {
    return std::max(kLowestLevelM, std::floor(alt_m / kLevelStepM) * kLevelStepM);
  }
  return alt_m;
}

}  // namespace

absl::StatusOr<Traffic> Traffic::Create(TrafficOptions options) {
  if (options.count < 0 || options.count > kMaxCount) {
    return InvalidField("count", fmt::format("{} is not in [0, {}]", options.count, kMaxCount));
  }
  if (options.parties.empty()) return InvalidField("parties", "must name at least one party");
  for (const PartyId& party : options.parties) {
    if (party.empty()) return InvalidField("parties", "a party id is empty");
  }
  int pairs =
      options.meeting_pairs.value_or(options.count >= 2 ? std::max(1, options.count / 100) : 0);
  if (pairs < 0 || 2 * static_cast<int64_t>(pairs) > options.count) {
    return InvalidField("meeting_pairs",
                        fmt::format("{} pairs need {} aircraft; there are {}", pairs,
                                    2 * static_cast<int64_t>(pairs), options.count));
  }
  if (options.earliest_meeting.count() < 0 || options.earliest_meeting > kMaxMeetingTime) {
    return InvalidField("earliest_meeting",
                        fmt::format("{} s is not in [0, 600] s", options.earliest_meeting.count()));
  }
  if (options.latest_meeting < options.earliest_meeting ||
      options.latest_meeting > kMaxMeetingTime) {
    return InvalidField("latest_meeting", fmt::format("{} s is not in [earliest_meeting, 600] s",
                                                      options.latest_meeting.count()));
  }
  ASSIGN_OR_RETURN(std::vector<tactical::Track> initial,
                   GenerateTracks({.scenario = options.scenario,
                                   .count = options.count,
                                   .seed = options.seed,
                                   .parties = 1,
                                   .time = options.start}));
  Traffic traffic(std::move(options));
  traffic.aircraft_.reserve(initial.size());
  for (size_t aircraft_idx = 0; aircraft_idx < initial.size(); ++aircraft_idx) {
    const tactical::Track& track = initial[aircraft_idx];
    Aircraft aircraft;
    aircraft.lat_deg = track.lat_deg;
    aircraft.lon_deg = track.lon_deg;
    aircraft.heading_deg =
        InwardHeading(traffic.box_, track.lat_deg, track.lon_deg, track.track_deg);
    aircraft.gs_mps = track.ground_speed_mps;
    aircraft.alt_m = track.alt_m;
    aircraft.target_alt_m = LevelOffAltitude(track.alt_m, track.vertical_rate_mps);
    aircraft.climb_rate_mps = std::abs(track.vertical_rate_mps);
    // Each aircraft has its own stream, so that its decisions do not depend on the others'.
    SplitMix64 mixer(traffic.options_.seed ^ (0xA0761D6478BD642Full * (aircraft_idx + 1)));
    aircraft.rng = SplitMix64(mixer.Next());
    aircraft.next_decision_s = static_cast<int64_t>(aircraft.rng.Below(121));
    traffic.aircraft_.push_back(aircraft);
    traffic.ids_.emplace_back(fmt::format("{:06X}", kFirstHexIdent + aircraft_idx));
    traffic.callsigns_.push_back(fmt::format("{}{}", kAirlines[aircraft_idx % kAirlines.size()],
                                             aircraft_idx / kAirlines.size() + 1));
  }
  traffic.SetUpMeetings(pairs);
  for (Aircraft& aircraft : traffic.aircraft_) traffic.Decide(aircraft, 0);
  traffic.reports_.resize(traffic.aircraft_.size());
  return traffic;
}

Traffic::Traffic(TrafficOptions options)
    : options_(std::move(options)), box_(BoxOf(options_.scenario)) {}

void Traffic::SetUpMeetings(int pairs) {
  SplitMix64 rng(options_.seed ^ 0x6D656574696E6773ull);  // "meetings"
  // Invariant: the box is wider than twice the inset (500 km > 2 * 180 km at the largest
  // latest_meeting), so both aircraft start inside and far from the edges.
  const double inset_m = kMaxGroundSpeedMps * static_cast<double>(options_.latest_meeting.count()) +
                         2 * kBoxTurnBackMarginM;
  const int64_t earliest = options_.earliest_meeting.count();
  const int64_t latest = options_.latest_meeting.count();
  for (int pair_idx = 0; pair_idx < pairs; ++pair_idx) {
    Meeting meeting;
    meeting.a = 2 * static_cast<size_t>(pair_idx);
    meeting.b = meeting.a + 1;
    // The meeting point, time and level.
    double north_m =
        rng.Uniform(-(box_.north_south_m / 2 - inset_m), box_.north_south_m / 2 - inset_m);
    double east_m = rng.Uniform(-(box_.east_west_m / 2 - inset_m), box_.east_west_m / 2 - inset_m);
    meeting.lat_deg = box_.center_lat_deg + north_m / kSimSphereRadiusM * kDegPerRad;
    meeting.lon_deg = Normalize180(
        box_.center_lon_deg +
        east_m / (kSimSphereRadiusM * std::cos(meeting.lat_deg / kDegPerRad)) * kDegPerRad);
    const int64_t at_s = earliest + static_cast<int64_t>(rng.Below(latest - earliest + 1));
    meeting.time = options_.start + std::chrono::seconds(at_s);
    meeting.alt_m = (200 + 10 * static_cast<int>(rng.Below(21))) * kFlightLevelM;
    // The two headings at the meeting point.
    meeting.head_on = rng.Below(2) == 0;
    const double bearing_a = rng.Uniform(0, 360);
    double bearing_b = bearing_a + 180;
    if (!meeting.head_on) {
      double crossing = rng.Uniform(45, 135);
      bearing_b = bearing_a + (rng.Below(2) == 0 ? crossing : -crossing);
    }
    // Each starts where flying back from the meeting point for at_s seconds leads, heading
    // the other way: flying forward along that great circle brings it back at at_s.
    for (auto [aircraft_idx, bearing] : {std::pair{meeting.a, bearing_a}, {meeting.b, bearing_b}}) {
      Aircraft& aircraft = aircraft_[aircraft_idx];
      aircraft.gs_mps = rng.Uniform(120, kMaxGroundSpeedMps);
      GreatCirclePoint start = MoveAlongGreatCircle(meeting.lat_deg, meeting.lon_deg, bearing + 180,
                                                    aircraft.gs_mps * static_cast<double>(at_s));
      aircraft.lat_deg = start.lat_deg;
      aircraft.lon_deg = start.lon_deg;
      aircraft.heading_deg = Normalize360(start.bearing_deg + 180);
      aircraft.alt_m = aircraft.target_alt_m = meeting.alt_m;
      aircraft.climb_rate_mps = 0;
      aircraft.turning = false;
      aircraft.straight_until_s = at_s + kStraightAfterMeetingS;
      aircraft.next_decision_s = aircraft.straight_until_s;
    }
    meetings_.push_back(meeting);
  }
}

void Traffic::Fly(Aircraft& aircraft, double dt_s) {
  // Turn at the standard rate, the short way round. A turn that ends within the step is flown
  // as its arc and then a straight part, so that a step split in two lands where one does.
  double straight_s = dt_s;
  if (aircraft.turning) {
    double remaining = Normalize180(aircraft.target_heading_deg - aircraft.heading_deg);
    double most = kStandardTurnRateDegPerS * dt_s;
    if (std::abs(remaining) <= most) {
      double turn_s = std::abs(remaining) / kStandardTurnRateDegPerS;
      FlyArc(aircraft, remaining, turn_s);
      aircraft.turning = false;
      straight_s = dt_s - turn_s;
    } else {
      FlyArc(aircraft, std::copysign(most, remaining), dt_s);
      straight_s = 0;
    }
  }
  if (straight_s > 0) FlyArc(aircraft, 0, straight_s);
  // Climb or descend towards the target level; level off exactly on it.
  double climb_m = aircraft.climb_rate_mps * dt_s;
  if (aircraft.alt_m < aircraft.target_alt_m) {
    aircraft.alt_m = std::min(aircraft.target_alt_m, aircraft.alt_m + climb_m);
  } else if (aircraft.alt_m > aircraft.target_alt_m) {
    aircraft.alt_m = std::max(aircraft.target_alt_m, aircraft.alt_m - climb_m);
  }
}

void Traffic::FlyArc(Aircraft& aircraft, double turn_deg, double dt_s) {
  // The midpoint rule: the chord of an arc of a constant-rate turn leaves at the starting
  // heading plus half the turn. The great-circle step takes that heading and the other half of
  // the turn is added at its end.
  GreatCirclePoint moved =
      MoveAlongGreatCircle(aircraft.lat_deg, aircraft.lon_deg, aircraft.heading_deg + turn_deg / 2,
                           aircraft.gs_mps * dt_s);
  aircraft.lat_deg = moved.lat_deg;
  aircraft.lon_deg = moved.lon_deg;
  aircraft.heading_deg = Normalize360(moved.bearing_deg + turn_deg / 2);
}

void Traffic::Decide(Aircraft& aircraft, int64_t second) const {
  if (second < aircraft.straight_until_s) return;  // a meeting aircraft on its way
  // The box: turn back inward, whatever else was planned.
  double planned_heading = aircraft.turning ? aircraft.target_heading_deg : aircraft.heading_deg;
  if (HeadsOutOfBox(box_, aircraft.lat_deg, aircraft.lon_deg, planned_heading)) {
    double to_centre = InitialBearingDeg(aircraft.lat_deg, aircraft.lon_deg, box_.center_lat_deg,
                                         box_.center_lon_deg);
    aircraft.target_heading_deg = Normalize360(to_centre + aircraft.rng.Uniform(-30, 30));
    aircraft.turning = true;
    return;
  }
  if (second < aircraft.next_decision_s) return;
  aircraft.next_decision_s = second + 30 + static_cast<int64_t>(aircraft.rng.Below(151));
  double choice = aircraft.rng.Uniform(0, 1);
  if (choice < 0.45) {
    double change = aircraft.rng.Uniform(15, 120);
    if (aircraft.rng.Below(2) == 0) change = -change;
    aircraft.target_heading_deg = Normalize360(aircraft.heading_deg + change);
    aircraft.turning = true;
  } else if (choice < 0.75) {
    aircraft.target_alt_m = (200 + 10 * static_cast<int>(aircraft.rng.Below(21))) * kFlightLevelM;
    aircraft.climb_rate_mps = aircraft.rng.Uniform(5, 15);
  }
}

tactical::Track Traffic::ReportOf(size_t aircraft_idx, const Aircraft& aircraft,
                                  Timestamp now) const {
  tactical::Track track;
  track.party = options_.parties[aircraft_idx % options_.parties.size()];
  track.id = ids_[aircraft_idx];
  track.time = now;
  track.lat_deg = aircraft.lat_deg;
  track.lon_deg = aircraft.lon_deg;
  track.alt_m = aircraft.alt_m;
  track.ground_speed_mps = aircraft.gs_mps;
  track.track_deg = Normalize360(aircraft.heading_deg);
  if (aircraft.alt_m < aircraft.target_alt_m) {
    track.vertical_rate_mps = aircraft.climb_rate_mps;
  } else if (aircraft.alt_m > aircraft.target_alt_m) {
    track.vertical_rate_mps = -aircraft.climb_rate_mps;
  }
  return track;
}

std::span<const tactical::Track> Traffic::Advance(Timestamp now) {
  using std::chrono::microseconds;
  const int64_t since_us =
      std::max<int64_t>(0, std::chrono::duration_cast<microseconds>(now - options_.start).count());
  const int64_t target_second = std::max(second_, since_us / 1'000'000);
  const int64_t fraction_us = std::max<int64_t>(0, since_us - target_second * 1'000'000);
  const Timestamp report_time =
      options_.start + std::chrono::seconds(target_second) + microseconds(fraction_us);
  // Aircraft are independent: each is flown through every whole second, then for the fraction
  // on a copy (the state stays on whole seconds, see the file comment).
  for (size_t aircraft_idx = 0; aircraft_idx < aircraft_.size(); ++aircraft_idx) {
    Aircraft& aircraft = aircraft_[aircraft_idx];
    for (int64_t second = second_ + 1; second <= target_second; ++second) {
      Fly(aircraft, 1.0);
      Decide(aircraft, second);
    }
    Aircraft reported = aircraft;
    if (fraction_us > 0) Fly(reported, static_cast<double>(fraction_us) * 1e-6);
    reports_[aircraft_idx] = ReportOf(aircraft_idx, reported, report_time);
  }
  second_ = target_second;
  return reports_;
}

}  // namespace deconflict::sim
