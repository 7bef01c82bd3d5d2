#include "tactical/detector.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <system_error>
#include <thread>

#include "common/status.h"
#include "fmt/format.h"
#include "tactical/internal/broad_phase.h"

namespace deconflict::tactical {
namespace {

// Party-pair minima are looked up in a dense matrix when there are at most this many parties.
constexpr size_t kMaxMatrixParties = 256;

absl::Status ValidateMinima(const SeparationMinima& minima, const std::string& field) {
  if (!(minima.horizontal_m > 0 && minima.horizontal_m <= 1e6)) {
    return InvalidField(field + ".horizontal_m",
                        fmt::format("{} is not in (0, 1000000]", minima.horizontal_m));
  }
  if (!(minima.vertical_m > 2 * kVerticalRoundingM && minima.vertical_m <= 1e5)) {
    return InvalidField(field + ".vertical_m",
                        fmt::format("{} is not in (0.02, 100000]", minima.vertical_m));
  }
  return absl::OkStatus();
}

}  // namespace

// ---- MinimaTable ---------------------------------------------------------------------------

std::pair<std::string, std::string> MinimaTable::Key(const PartyId& a, const PartyId& b) {
  return a.value() <= b.value() ? std::pair(a.value(), b.value()) : std::pair(b.value(), a.value());
}

void MinimaTable::Set(const PartyId& a, const PartyId& b, SeparationMinima minima) {
  overrides_[Key(a, b)] = minima;
}

const SeparationMinima& MinimaTable::Lookup(const PartyId& a, const PartyId& b) const {
  if (overrides_.empty()) return default_;
  auto it = overrides_.find(Key(a, b));
  return it == overrides_.end() ? default_ : it->second;
}

SeparationMinima MinimaTable::Max() const {
  SeparationMinima max = default_;
  for (const auto& [key, minima] : overrides_) {
    max.horizontal_m = std::max(max.horizontal_m, minima.horizontal_m);
    max.vertical_m = std::max(max.vertical_m, minima.vertical_m);
  }
  return max;
}

// ---- Options and snapshot ------------------------------------------------------------------

absl::Status ValidateDetectorOptions(const DetectorOptions& options) {
  double lookahead = options.lookahead.count();
  if (!(lookahead > 0 && lookahead <= 3600)) {
    return InvalidField("lookahead", fmt::format("{} s is not in (0, 3600] s", lookahead));
  }
  RETURN_IF_ERROR(ValidateMinima(options.minima.default_minima(), "minima.default"));
  if (options.minima.has_overrides()) {
    RETURN_IF_ERROR(ValidateMinima(options.minima.Max(), "minima.max"));
  }
  if (options.num_threads < 1 || options.num_threads > 64) {
    return InvalidField("num_threads", fmt::format("{} is not in [1, 64]", options.num_threads));
  }
  if (!(options.grid_max_speed_mps >= 1 && options.grid_max_speed_mps <= 1e4)) {
    return InvalidField("grid_max_speed_mps",
                        fmt::format("{} is not in [1, 10000]", options.grid_max_speed_mps));
  }
  if (options.slices < 0 || options.slices > 1000) {
    return InvalidField("slices", fmt::format("{} is not in [0, 1000]", options.slices));
  }
  return absl::OkStatus();
}

absl::Status PrepareSnapshot(const DetectorOptions& options, std::span<const Track> tracks,
                             Timestamp at, std::vector<KinematicState>& states,
                             std::vector<uint32_t>& party_of) {
  RETURN_IF_ERROR(ValidateDetectorOptions(options));
  if (tracks.size() >= std::numeric_limits<uint32_t>::max()) {
    return InvalidField("tracks", "has 2^32 tracks or more");
  }
  states.resize(tracks.size());
  party_of.resize(tracks.size());
  absl::flat_hash_map<std::string_view, uint32_t> party_numbers;
  for (size_t track_idx = 0; track_idx < tracks.size(); ++track_idx) {
    const Track& track = tracks[track_idx];
    if (absl::Status valid = ValidateTrack(track); !valid.ok()) {
      return WithFieldPrefix(valid, fmt::format("tracks[{}]", track_idx));
    }
    states[track_idx] = PrepareTrack(track, at);
    auto [it, inserted] = party_numbers.try_emplace(std::string_view(track.party.value()),
                                                    static_cast<uint32_t>(party_numbers.size()));
    party_of[track_idx] = it->second;
  }
  return absl::OkStatus();
}

// ---- PairJudge -----------------------------------------------------------------------------

PairJudge::PairJudge(const DetectorOptions& options, std::span<const Track> tracks,
                     std::span<const KinematicState> states, std::span<const uint32_t> party_of)
    : options_(options),
      tracks_(tracks),
      states_(states),
      party_of_(party_of),
      lookahead_s_(options.lookahead.count()) {
  if (!options.minima.has_overrides()) return;
  // A dense matrix of party-pair minima when the parties are few.
  std::vector<const PartyId*> parties;
  for (size_t track_idx = 0; track_idx < tracks.size(); ++track_idx) {
    uint32_t number = party_of[track_idx];
    if (number >= parties.size()) parties.resize(number + 1, nullptr);
    if (parties[number] == nullptr) parties[number] = &tracks[track_idx].party;
  }
  if (parties.size() > kMaxMatrixParties) return;
  party_count_ = parties.size();
  matrix_.resize(party_count_ * party_count_);
  for (size_t pa = 0; pa < party_count_; ++pa) {
    for (size_t pb = 0; pb < party_count_; ++pb) {
      matrix_[pa * party_count_ + pb] = options.minima.Lookup(*parties[pa], *parties[pb]);
    }
  }
}

const SeparationMinima& PairJudge::MinimaOf(uint32_t i, uint32_t j) const {
  if (!options_.minima.has_overrides()) return options_.minima.default_minima();
  if (!matrix_.empty()) return matrix_[party_of_[i] * party_count_ + party_of_[j]];
  return options_.minima.Lookup(tracks_[i].party, tracks_[j].party);
}

bool PairJudge::Judge(uint32_t i, uint32_t j, Conflict& out) const {
  if (!options_.include_same_party && party_of_[i] == party_of_[j]) return false;
  PairOutcome outcome = EvaluatePair(states_[i], states_[j], MinimaOf(i, j), lookahead_s_);
  if (!outcome.conflict) return false;
  out = Conflict{.a = i,
                 .b = j,
                 .tcpa_s = outcome.tcpa_s,
                 .dcpa_m = outcome.dcpa_m,
                 .t_in_s = outcome.t_in_s,
                 .t_out_s = outcome.t_out_s,
                 .distance_m = outcome.distance_m,
                 .vertical_separation_m = outcome.vertical_separation_m};
  return true;
}

// ---- Detector ------------------------------------------------------------------------------

Detector::Detector(DetectorOptions options) : options_(std::move(options)) {}
Detector::~Detector() = default;
Detector::Detector(Detector&&) noexcept = default;
Detector& Detector::operator=(Detector&&) noexcept = default;

absl::StatusOr<std::vector<Conflict>> Detector::Detect(std::span<const Track> tracks,
                                                       Timestamp at) {
  RETURN_IF_ERROR(PrepareSnapshot(options_, tracks, at, states_, party_of_));
  const internal::BroadPhasePlan plan = internal::MakePlan(options_, states_);
  const PairJudge judge(options_, tracks, states_, party_of_);
  const int thread_count = std::max(1, std::min(options_.num_threads, plan.slices + 1));
  workers_.resize(thread_count);
  outputs_.resize(thread_count);

  // Jobs 0..slices-1 are slices, job `slices` is the direct tracks; threads take the next job.
  // Every worker's output and counters are reset here, not in `run`, so that a helper that
  // could not start contributes nothing stale to the merge below.
  for (int worker_idx = 0; worker_idx < thread_count; ++worker_idx) {
    outputs_[worker_idx].clear();
    workers_[worker_idx].ResetCounters();
  }
  std::atomic<int> next_job{0};
  auto run = [&](int worker_idx) {
    internal::SliceWorker& worker = workers_[worker_idx];
    std::vector<Conflict>& out = outputs_[worker_idx];
    for (int job = next_job++; job <= plan.slices; job = next_job++) {
      if (job < plan.slices) {
        worker.RunSlice(plan, states_, party_of_, judge, options_.include_same_party, job, out);
      } else {
        worker.RunDirect(plan, party_of_, judge, options_.include_same_party, out);
      }
    }
  };
  std::vector<std::thread> helpers;
  for (int worker_idx = 1; worker_idx < thread_count; ++worker_idx) {
    try {
      helpers.emplace_back(run, worker_idx);
    } catch (const std::system_error&) {
      break;  // no thread to be had: the threads that run take every job from the counter
    }
  }
  run(0);
  for (std::thread& helper : helpers) helper.join();

  // Merge; each conflict was reported by exactly one job, so sorting makes the order canonical.
  size_t total = 0;
  for (const auto& out : outputs_) total += out.size();
  std::vector<Conflict> conflicts;
  conflicts.reserve(total);
  stats_ = DetectorStats{};
  for (int worker_idx = 0; worker_idx < thread_count; ++worker_idx) {
    conflicts.insert(conflicts.end(), outputs_[worker_idx].begin(), outputs_[worker_idx].end());
    stats_.box_overlaps += workers_[worker_idx].box_overlaps();
    stats_.box_tests += workers_[worker_idx].box_tests();
    stats_.cells += workers_[worker_idx].cells();
  }
  std::sort(conflicts.begin(), conflicts.end(), [](const Conflict& x, const Conflict& y) {
    return x.a != y.a ? x.a < y.a : x.b < y.b;
  });
  stats_.tracks = static_cast<int64_t>(tracks.size());
  stats_.conflicts = static_cast<int64_t>(conflicts.size());
  stats_.direct_tracks = static_cast<int64_t>(plan.direct_tracks.size());
  stats_.slices = plan.slices;
  stats_.cell_size_m = plan.cell_size_m;
  return conflicts;
}

}  // namespace deconflict::tactical
