// strategic/operation.h: an operation as a party files it (design.md §2, §5), validated.
//
//   ASSIGN_OR_RETURN(OperationRequest req,
//                    MakeOperationRequest(std::move(volumes), OperationState::kAccepted, key,
//                                         label, limits));
//
// The JSON request body of PUT /v1/operations/{id}[/{ovn}] is parsed by the API
// (api/operation_json.h ParseOperationRequest), which builds the volumes with geo's ASTM codec
// and calls MakeOperationRequest. Every error names the field ("extents", "key[2]", "label").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "geo/volume.h"

namespace deconflict::strategic {

// Operation states (ASTM F3548). A new operation is Accepted or Activated; Ended is reached only
// through DELETE.
enum class OperationState { kAccepted, kActivated, kNonconforming, kContingent, kEnded };
const char* StateName(OperationState state);
// InvalidArgument (no field) for an unknown name.
[[nodiscard]] absl::StatusOr<OperationState> ParseState(std::string_view name);

struct OperationLimits {
  geo::VolumeLimits volume;      // Per volume: see geo::VolumeLimits.
  size_t max_volumes = 100;      // Default: 100 volumes per operation (LimitExceeded above).
  size_t max_key = 10000;        // Default: 10,000 OVNs in a key.
  size_t max_label_chars = 256;  // Default: 256 bytes of label.
};

struct OperationRequest {
  std::vector<geo::Volume4D> extents;  // at least one
  OperationState state = OperationState::kAccepted;
  std::vector<std::string> key;  // OVNs the client has seen
  std::string label;
  // The extents in their stored form (the ASTM array, geo's codec), serialised once here.
  std::string extents_json;
  // SHA-256 of the canonical form of the request (volumes re-serialised, key sorted), so that
  // an identical retry is recognised whatever its whitespace or key order.
  std::string digest;
};

// The byte offset of the first control character in `text` (C0, DEL or C1), if any. Labels
// are shown to duty officers in terminals and logs: an ESC could rewrite their screen.
std::optional<size_t> ControlCharacterAt(std::string_view text);

// Validates and builds (computing extents_json and digest). `extents` are already valid
// volumes. InvalidArgument or LimitExceeded naming "extents" (none, or more than max_volumes),
// "state" (Ended), "key" (more than max_key) or "key[i]" (empty or over 128 bytes), "label"
// (over max_label_chars bytes, or a control character).
[[nodiscard]] absl::StatusOr<OperationRequest> MakeOperationRequest(
    std::vector<geo::Volume4D> extents, OperationState state, std::vector<std::string> key,
    std::string label, const OperationLimits& limits);

}  // namespace deconflict::strategic
