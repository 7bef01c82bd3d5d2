// sim/flight.h: synthetic live traffic: N aircraft flown over time, for the sim feed
// (`deconflict sim feed`), tests, demos and benchmarks.
//
//   ASSIGN_OR_RETURN(sim::Traffic traffic,
//                    sim::Traffic::Create({.scenario = sim::TrackScenario::kDense,
//                                          .count = 500, .seed = 7, .start = clock.Now()}));
//   while (...) {
//     std::span<const tactical::Track> reports = traffic.Advance(clock.Now());
//     for (size_t idx = 0; idx < reports.size(); ++idx) {
//       Send(reports[idx], traffic.callsigns()[idx]);
//     }
//   }
//
// The model (all on the sphere of radius kSimSphereRadiusM, sim/tracks.h):
//   start       aircraft i starts as track i of GenerateTracks({scenario, count, seed}): its
//               position, track angle, ground speed, altitude and vertical rate. A climbing or
//               descending aircraft levels off at the next multiple of FL10 (1000 ft) in its
//               direction, within FL50..FL400.
//   legs        between manoeuvres an aircraft flies a great circle at constant ground speed; its
//               track angle is the great circle's local bearing, so it changes along the leg.
//   manoeuvres  decided on whole seconds after `start` only, each aircraft from its own PRNG
//               stream. Every U(30, 180) s (the first after U(0, 120) s) an aircraft turns
//               (45 %) by U(15, 120) deg either way, changes level (30 %) to FL200..FL400 in
//               steps of FL10 at U(5, 15) m/s, or keeps going (25 %). Turns are at the standard
//               rate, 3 deg/s, the short way round; level changes end in a level-off exactly at
//               the target altitude.
//   the box     the scenario's box (BoxOf) holds every aircraft: within kBoxTurnBackMarginM of
//               an edge, an aircraft whose (target) heading takes it outward turns back to the
//               great-circle bearing of the box centre +- U(0, 30) deg. At <= 250 m/s and
//               3 deg/s a turn radius is <= 4.8 km, so no aircraft leaves the box. An aircraft
//               that starts within the margin heading outward starts on its heading mirrored at
//               that edge instead (or towards the centre, if the mirror still heads out).
//   meetings    `meeting_pairs` pairs of aircraft (2p, 2p + 1 for pair p: of different parties
//               whenever there are two or more, since parties go round-robin) are set up to reach
//               one point at one flight level at one whole second, U(earliest_meeting,
//               latest_meeting) after `start`: head-on (half of them) or crossing at U(45, 135)
//               deg, each at its own ground speed U(120, 250) m/s, level, flying straight from
//               `start` until 30 s after the meeting (then like every other aircraft). The
//               meeting point is at least 250 m/s * latest_meeting + 2 * kBoxTurnBackMarginM
//               inside the box, so the edge rule never interferes. A detector (5 NM / 1000 ft,
//               300 s lookahead: tactical/detector.h) sees each pair in conflict from `start`.
// Ids are 6 upper-case hex digits, distinct, usable as SBS-1 hex idents: aircraft i is
// kFirstHexIdent + i ("A00000", "A00001", ...). Callsigns are an ICAO airline designator from a
// fixed list of 20 and a number ("KLM1", "DLH1", ..., "KLM2", ...), at most 8 characters.
// Parties: aircraft i belongs to parties[i % parties.size()].
//
// Determinism: internally the state advances in steps of exactly 1 s from `start`, and a
// report at a time between two steps is the state of the earlier step flown on for the fraction
// (without any decision). So the report of every aircraft at a time t depends only on the
// options and t, not on the times Advance was called at before (flight_test.cc checks it). The
// PRNG is the sim's own (sim/internal/split_mix64.h), so a seed gives the same traffic with any
// standard library; only a libm whose sin/cos/atan2 round differently can change the last bits.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "sim/internal/split_mix64.h"
#include "sim/tracks.h"
#include "tactical/track.h"

namespace deconflict::sim {

// Aircraft i has the id FormatHex(kFirstHexIdent + i).
inline constexpr uint32_t kFirstHexIdent = 0xA00000;
// How close to an edge of the box an aircraft heading outward turns back.
inline constexpr double kBoxTurnBackMarginM = 15'000;
// The standard rate turn.
inline constexpr double kStandardTurnRateDegPerS = 3.0;

struct TrafficOptions {
  TrackScenario scenario = TrackScenario::kDense;  // Default: dense.
  // Number of aircraft. Default: 100. REQUIRES: 0..1,000,000.
  int count = 100;
  uint64_t seed = 1;  // Default: 1.
  // The parties, assigned round-robin. Default: {"P1", "P2"}. REQUIRES: non-empty, none empty.
  std::vector<PartyId> parties = {PartyId("P1"), PartyId("P2")};
  // Pairs of aircraft set up to meet (see the file comment). Default: nullopt, meaning
  // count / 100 pairs, at least 1 when count >= 2. REQUIRES: 0 <= 2 * meeting_pairs <= count.
  std::optional<int> meeting_pairs;
  // When after `start` meetings happen (whole seconds, both ends included).
  // Default: 60 s and 240 s. REQUIRES: 0 <= earliest_meeting <= latest_meeting <= 600 s.
  std::chrono::seconds earliest_meeting{60};
  std::chrono::seconds latest_meeting{240};
  // The time of the initial state. Default: the epoch.
  Timestamp start{};
};

// A pair of aircraft set up to meet. Value type.
struct Meeting {
  size_t a = 0;  // aircraft indices (as in Advance's span), a < b
  size_t b = 0;
  Timestamp time;  // when both are at (lat_deg, lon_deg, alt_m)
  double lat_deg = 0, lon_deg = 0, alt_m = 0;
  bool head_on = false;  // else crossing
};

// The traffic: owns every aircraft's state and the last reports. Movable, not copyable.
// Thread-compatible: const methods may run concurrently; Advance needs external locking (one
// feed loop owns the traffic).
class Traffic {
 public:
  // Builds the initial state at options.start. Errors: InvalidArgument naming the option
  // ("count", "parties", "meeting_pairs", "earliest_meeting", "latest_meeting").
  [[nodiscard]] static absl::StatusOr<Traffic> Create(TrafficOptions options);

  Traffic(Traffic&&) noexcept = default;
  Traffic& operator=(Traffic&&) noexcept = default;
  Traffic(const Traffic&) = delete;
  Traffic& operator=(const Traffic&) = delete;

  // Flies every aircraft on to `now` and returns one report per aircraft, in aircraft order,
  // each with time `now` (track angle in [0, 360)). A `now` before the last whole second already
  // flown (start included) is taken as that second: time never runs back. The span stays valid
  // until the next Advance or until the Traffic is destroyed. Cost: O(aircraft * whole seconds
  // since the previous call), so a first `now` far from options.start takes long.
  std::span<const tactical::Track> Advance(Timestamp now);

  size_t size() const { return aircraft_.size(); }
  const TrafficOptions& options() const { return options_; }
  // Callsign of aircraft i; valid for the Traffic's lifetime.
  const std::vector<std::string>& callsigns() const { return callsigns_; }
  const std::vector<Meeting>& meetings() const { return meetings_; }

 private:
  struct Aircraft {
    double lat_deg = 0, lon_deg = 0;
    double heading_deg = 0;  // track over ground, any finite value (normalised when reported)
    double gs_mps = 0;
    double alt_m = 0;
    double target_alt_m = 0;
    double climb_rate_mps = 0;  // magnitude of the vertical rate while alt != target
    bool turning = false;
    double target_heading_deg = 0;
    int64_t next_decision_s = 0;  // seconds after start
    int64_t straight_until_s = 0;
    internal::SplitMix64 rng{0};
  };

  explicit Traffic(TrafficOptions options);
  void SetUpMeetings(int pairs);
  // Moves `aircraft` on by `dt_s` seconds without any decision.
  static void Fly(Aircraft& aircraft, double dt_s);
  // Moves `aircraft` by `dt_s` seconds while turning by `turn_deg`.
  static void FlyArc(Aircraft& aircraft, double turn_deg, double dt_s);
  // The manoeuvre decisions at whole second `second` after start.
  void Decide(Aircraft& aircraft, int64_t second) const;
  tactical::Track ReportOf(size_t aircraft_idx, const Aircraft& aircraft, Timestamp now) const;

  TrafficOptions options_;
  ScenarioBox box_;
  std::vector<Aircraft> aircraft_;  // state at start + second_ s, decisions of that second made
  std::vector<TrackId> ids_;
  std::vector<std::string> callsigns_;
  std::vector<Meeting> meetings_;
  int64_t second_ = 0;
  std::vector<tactical::Track> reports_;
};

}  // namespace deconflict::sim
