// store/bundle_set.h: builds a bundle set (ledger/bundle.h, docs/ledger_format.md "Bundle set"):
// many ledger entries, each with its inclusion proof against ONE signed checkpoint, and the
// openings that the holder may read. The API's case export (GET /v1/cases/{id}/bundle) is its
// caller; `deconflict ledger verify --bundle` checks the result offline.
//
//   absl::StatusOr<ledger::BundleSet> set = store.WithReader([&](Database& db) {
//     return BuildBundleSet(db, "case " + id, {{.index = 41, .label = "incident"},
//                                              {.index = 44, .label = "ack:SOUTH"}},
//                           [&](const StoredOpening& o) { return o.Entitles(party, role); });
//   });
//
// Thread-compatible: one call per connection at a time (LedgerReader's rule).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/bundle.h"
#include "store/sqlite.h"
#include "store/sqlite_ledger.h"

namespace deconflict::store {

struct BundleSetRequest {
  uint64_t index = 0;
  std::string label;  // what the entry is in the subject, e.g. "incident", "ack:SOUTH"
};

// In one read snapshot of `db` (a ReadSnapshot of its own, or the caller's open read
// transaction): the newest checkpoint (LedgerReader::LatestCheckpoint), and for every requested
// index its leaf, its inclusion proof against that checkpoint and, when the entry has an opening
// and `may_open` answers true for it, the opening (a null `may_open` opens nothing). Items keep
// the order of `requests`; a repeated index is one item whose label joins the labels with ", ".
// Format-1 leaves (no opening: the leaf is the entry) are included as they are.
// Errors: InvalidArgument naming "requests" (none) or "requests[i].label" (empty, or holding a
// control character: ParseBundleSet would refuse the set); FailedPrecondition
// "entry N is not yet in a signed checkpoint (size M); retry in a second" when an index is not
// below the checkpoint's size (the entry is being committed, or does not exist); the database's.
[[nodiscard]] absl::StatusOr<ledger::BundleSet> BuildBundleSet(
    Database& db, std::string subject, const std::vector<BundleSetRequest>& requests,
    const std::function<bool(const StoredOpening&)>& may_open);

}  // namespace deconflict::store
