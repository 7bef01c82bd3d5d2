#include "tactical/reference_detector.h"

#include "common/status.h"

namespace deconflict::tactical {

absl::StatusOr<std::vector<Conflict>> DetectAllPairs(const DetectorOptions& options,
                                                     std::span<const Track> tracks, Timestamp at) {
  std::vector<KinematicState> states;
  std::vector<uint32_t> party_of;
  RETURN_IF_ERROR(PrepareSnapshot(options, tracks, at, states, party_of));
  const PairJudge judge(options, tracks, states, party_of);
  std::vector<Conflict> conflicts;
  const uint32_t n = static_cast<uint32_t>(tracks.size());
  for (uint32_t i = 0; i < n; ++i) {
    for (uint32_t j = i + 1; j < n; ++j) {
      Conflict conflict;
      if (judge.Judge(i, j, conflict)) conflicts.push_back(conflict);
    }
  }
  return conflicts;
}

}  // namespace deconflict::tactical
