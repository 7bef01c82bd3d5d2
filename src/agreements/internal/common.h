// agreements/internal/common.h: small helpers shared by the agreements' source files.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "parties/acknowledgement.h"

namespace deconflict::agreements::internal {

// True iff `party` is among `approvers` (sorted).
inline bool Approves(const std::vector<std::string>& approvers, std::string_view party) {
  return std::binary_search(approvers.begin(), approvers.end(), party);
}

inline std::vector<PartyId> Parties(const std::vector<std::string>& ids) {
  std::vector<PartyId> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) out.emplace_back(id);
  return out;
}

// The ack kinds of a decision (docs/acknowledgements.md): the decision is in the kind, so that a
// signed approval can never be shown as a rejection.
inline constexpr const char* kAckKindApprove = parties::kAckKindProposalApprove;
inline constexpr const char* kAckKindReject = parties::kAckKindProposalReject;

}  // namespace deconflict::agreements::internal
