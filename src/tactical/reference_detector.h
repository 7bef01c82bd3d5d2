// tactical/reference_detector.h: the plain O(N^2) detector, the oracle of the tests.
//
// It judges every pair (i < j) with the same PairJudge (hence the same EvaluatePair and the
// same arithmetic) as Detector, so the two must return identical vectors; any difference is a
// pair the broad phase missed or reported twice. Too slow for production beyond a few thousand
// tracks.
#pragma once

#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "tactical/detector.h"

namespace deconflict::tactical {

// Every conflict among `tracks` at `at`, sorted by (a, b). Same contract and errors as
// Detector::Detect; ignores the broad-phase tuning options. Thread-safe (no shared state).
[[nodiscard]] absl::StatusOr<std::vector<Conflict>> DetectAllPairs(const DetectorOptions& options,
                                                                   std::span<const Track> tracks,
                                                                   Timestamp at);

}  // namespace deconflict::tactical
