#include "store/bundle_set.h"

#include <map>

#include "common/status.h"
#include "fmt/format.h"
#include "ledger/merkle.h"

namespace deconflict::store {
namespace {

// The requests with repeated indexes merged into their first occurrence, labels joined.
absl::StatusOr<std::vector<BundleSetRequest>> Merged(
    const std::vector<BundleSetRequest>& requests) {
  std::vector<BundleSetRequest> merged;
  std::map<uint64_t, size_t> position;  // index -> its place in `merged`
  for (size_t request_idx = 0; request_idx < requests.size(); ++request_idx) {
    const BundleSetRequest& request = requests[request_idx];
    RETURN_IF_ERROR(
        ledger::CheckBundleSetText(fmt::format("requests[{}].label", request_idx), request.label));
    auto [at, fresh] = position.try_emplace(request.index, merged.size());
    if (fresh) {
      merged.push_back(request);
    } else {
      merged[at->second].label += ", " + request.label;
    }
  }
  return merged;
}

}  // namespace

absl::StatusOr<ledger::BundleSet> BuildBundleSet(
    Database& db, std::string subject, const std::vector<BundleSetRequest>& requests,
    const std::function<bool(const StoredOpening&)>& may_open) {
  RETURN_IF_ERROR(ledger::CheckBundleSetText("subject", subject));
  if (requests.empty()) return InvalidField("requests", "is empty: a bundle set needs an entry");
  ASSIGN_OR_RETURN(std::vector<BundleSetRequest> wanted, Merged(requests));

  ReadSnapshot snapshot(db);  // the checkpoint, leaves, openings and proofs of one state
  LedgerReader reader(db);
  ASSIGN_OR_RETURN(StoredCheckpoint checkpoint, reader.LatestCheckpoint());
  ledger::BundleSet set{.subject = std::move(subject),
                        .size = checkpoint.size,
                        .checkpoint = std::move(checkpoint.note)};
  for (BundleSetRequest& request : wanted) {
    if (request.index >= set.size) {
      return absl::FailedPreconditionError(
          fmt::format("entry {} is not yet in a signed checkpoint (size {}); retry in a second",
                      request.index, set.size));
    }
    ASSIGN_OR_RETURN(std::vector<std::string> leaf,
                     reader.Entries(request.index, request.index + 1));
    ASSIGN_OR_RETURN(std::vector<std::optional<StoredOpening>> opening,
                     reader.Openings(request.index, request.index + 1));
    ASSIGN_OR_RETURN(std::vector<ledger::Hash> proof,
                     ledger::InclusionProof(reader, request.index, set.size));
    ledger::BundleSetItem item{.index = request.index,
                               .label = std::move(request.label),
                               .entry = std::move(leaf[0]),
                               .proof = ledger::ProofBytes(proof)};
    // Openings answers one slot per index asked for: nullopt for a format-1 leaf.
    if (opening[0] && may_open && may_open(*opening[0])) item.opening = opening[0]->opening;
    set.items.push_back(std::move(item));
  }
  return set;
}

}  // namespace deconflict::store
