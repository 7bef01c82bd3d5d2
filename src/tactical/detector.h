// tactical/detector.h: one detection cycle over a snapshot of tracks.
//
//   tactical::Detector detector({.lookahead = std::chrono::seconds(300)});
//   ASSIGN_OR_RETURN(std::vector<tactical::Conflict> conflicts,
//                    detector.Detect(table.tracks(), clock.Now()));
//   for (const tactical::Conflict& c : conflicts) ...  // c.a, c.b index the snapshot
//
// Detect reports every pair of tracks of different parties (with include_same_party, every
// pair) that is in loss of separation now or will be within the lookahead, judged by
// EvaluatePair (tactical/cpa.h, which also states the geometry's error bound). It returns
// exactly the pairs that DetectAllPairs (reference_detector.h: the plain O(N^2) loop over the
// same judge) returns; detector_test.cc checks this on thousands of random snapshots.
//
// How it is fast (details in internal/broad_phase.h): the lookahead is cut into time slices;
// in each slice every track sweeps an ECEF box (its path over the slice, inflated by half the
// largest separation plus a proven margin) and an altitude interval; boxes are bucketed in a
// uniform 3D grid, and only pairs whose boxes and altitude intervals overlap in a slice are
// judged. A conflicting pair is reported by the one slice that holds its first moment of loss
// of separation within the lookahead, max(t_in, 0), so each is reported once. Slices are shared
// between `num_threads` threads; the result is sorted, so it does not depend on scheduling.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "tactical/cpa.h"
#include "tactical/track.h"

namespace deconflict::tactical {

namespace internal {
class SliceWorker;
}  // namespace internal

// Minima for specific pairs of parties; every other pair uses the default. Value type;
// thread-compatible.
class MinimaTable {
 public:
  MinimaTable() = default;
  explicit MinimaTable(SeparationMinima default_minima) : default_(default_minima) {}

  // Sets the minima between parties `a` and `b` (either order; a == b sets same-party pairs).
  void Set(const PartyId& a, const PartyId& b, SeparationMinima minima);
  const SeparationMinima& default_minima() const { return default_; }
  // The minima between `a` and `b`: the value Set for them, else the default.
  const SeparationMinima& Lookup(const PartyId& a, const PartyId& b) const;
  // The largest horizontal and the largest vertical minimum over the default and all entries.
  SeparationMinima Max() const;
  bool has_overrides() const { return !overrides_.empty(); }

 private:
  static std::pair<std::string, std::string> Key(const PartyId& a, const PartyId& b);
  SeparationMinima default_;
  absl::flat_hash_map<std::pair<std::string, std::string>, SeparationMinima> overrides_;
};

struct DetectorOptions {
  // How far ahead conflicts are predicted. Default: 300 s. REQUIRES: in (0, 3600] s.
  std::chrono::duration<double> lookahead = std::chrono::seconds(300);
  // Separation minima, per pair of parties. Default: 5 NM (9,260 m) and 1000 ft (304.8 m).
  MinimaTable minima;
  // Also report pairs of tracks of the same party. Default: false.
  bool include_same_party = false;
  // Threads used by one Detect call, the caller's included. Default: 2. REQUIRES: 1..64.
  int num_threads = 2;
  // Tuning of the broad phase (never changes the result, only the time):
  // tracks faster than this are paired with every other track directly instead of through the
  // grid, so that one very fast track does not coarsen the grid for all. Default: 400 m/s.
  double grid_max_speed_mps = 400.0;
  // Number of time slices the lookahead is cut into; slices are the unit of parallel work.
  // Default: 0, meaning 2 * num_threads (4 slices of 75 s at the defaults). REQUIRES: 0..1000.
  int slices = 0;
};

// OK or InvalidArgument naming the option.
[[nodiscard]] absl::Status ValidateDetectorOptions(const DetectorOptions& options);

// One conflicting pair. Value type.
struct Conflict {
  uint32_t a = 0;  // index into the snapshot passed to Detect; a < b
  uint32_t b = 0;
  double tcpa_s = 0;  // see PairOutcome (tactical/cpa.h)
  double dcpa_m = 0;
  double t_in_s = 0;   // may be negative (already in loss of separation) or -inf
  double t_out_s = 0;  // may be +inf (no relative motion)
  double distance_m = 0;
  double vertical_separation_m = 0;
  friend bool operator==(const Conflict&, const Conflict&) = default;
};

// Counters of the last Detect call, for benchmarks and tuning.
struct DetectorStats {
  int64_t tracks = 0;
  int64_t box_tests = 0;     // pairs of boxes compared in the grid (summed over slices)
  int64_t box_overlaps = 0;  // pair tests the narrow phase ran (a pair may recur per slice)
  int64_t cells = 0;         // occupied grid cells, summed over slices
  int64_t conflicts = 0;
  int64_t direct_tracks = 0;  // tracks above grid_max_speed_mps, paired directly
  int slices = 0;
  double cell_size_m = 0;
};

// Runs detection cycles. Owns scratch memory that is reused from call to call, so memory
// stays O(tracks). Not thread-safe: call Detect from one thread at a time (it uses
// options.num_threads threads inside).
class Detector {
 public:
  explicit Detector(DetectorOptions options = {});
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;
  Detector(Detector&&) noexcept;
  Detector& operator=(Detector&&) noexcept;

  // Every conflict among `tracks` as of time `at` (each track is first moved on at constant
  // velocity from its own time to `at`), sorted by (a, b), each pair once with a < b.
  // Returns InvalidArgument naming the option or the track ("tracks[12].lat_deg: ...") when
  // the options or a track are invalid, or when there are 2^32 tracks or more.
  [[nodiscard]] absl::StatusOr<std::vector<Conflict>> Detect(std::span<const Track> tracks,
                                                             Timestamp at);

  const DetectorOptions& options() const { return options_; }
  const DetectorStats& last_stats() const { return stats_; }

 private:
  DetectorOptions options_;
  DetectorStats stats_;
  std::vector<KinematicState> states_;
  std::vector<uint32_t> party_of_;
  std::vector<internal::SliceWorker> workers_;  // one per thread, scratch reused
  std::vector<std::vector<Conflict>> outputs_;  // one per thread
};

// Shared by Detector and DetectAllPairs: validates options and tracks, and fills `states`
// (PrepareTrack at `at`) and `party_of` (a dense party number per track).
[[nodiscard]] absl::Status PrepareSnapshot(const DetectorOptions& options,
                                           std::span<const Track> tracks, Timestamp at,
                                           std::vector<KinematicState>& states,
                                           std::vector<uint32_t>& party_of);

// Judges tracks i and j of a prepared snapshot with the minima of their parties and the
// same-party rule; the single pair decision both detectors share. REQUIRES: i < j.
class PairJudge {
 public:
  PairJudge(const DetectorOptions& options, std::span<const Track> tracks,
            std::span<const KinematicState> states, std::span<const uint32_t> party_of);
  // Fills `out` and returns true when (i, j) is a conflict.
  bool Judge(uint32_t i, uint32_t j, Conflict& out) const;

 private:
  const SeparationMinima& MinimaOf(uint32_t i, uint32_t j) const;

  const DetectorOptions& options_;
  std::span<const Track> tracks_;
  std::span<const KinematicState> states_;
  std::span<const uint32_t> party_of_;
  double lookahead_s_;
  size_t party_count_ = 0;
  std::vector<SeparationMinima> matrix_;  // party_count_^2 when overrides exist and parties few
};

}  // namespace deconflict::tactical
