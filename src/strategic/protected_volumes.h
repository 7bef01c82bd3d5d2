// strategic/protected_volumes.h: places that an operation's volumes may not enter unnoticed, kept
// by modules above strategic (design.md §2 "strategic conflict": "also an operation volume that
// enters a protected site or another party's area of responsibility"). Strategic knows nothing of
// what they are: humanitarian sites and movements today (humanitarian/humanitarian.h), areas of
// responsibility later. The key rule consults every registered ProtectedVolumes inside the
// write's unit of work, after the operations' own key rule:
//
//   service.AddProtectedVolumes(notifications);     // before Load and before any write
//
// For each place a new version's volumes meet, the hook says whether the filer must carry the
// place's version in its key (`key_required`: it was told of the place, e.g. a recipient of a
// notification). A write that lacks a required version is refused like a missing OVN (Aborted,
// KeyRuleRefusal::protected_missing). An accepted write passes every hit, required or not, to
// Record in its transaction, so the hook stores what it must (ledger entry, events to the
// place's owner) atomically with the operation.
//
// Thread-safety: implementations must be thread-safe; both calls run on the store's writer
// thread, inside a unit of work.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/ids.h"
#include "geo/volume.h"
#include "store/store.h"

namespace deconflict::strategic {

// One protected place that an operation's volumes meet.
struct ProtectedHit {
  std::string ref;      // what is met, for the filer: "site/<id>", "movement/<id>", "aor/<id>"
  std::string version;  // the token the filer's key must carry (lower case)
  // The filer must carry `version` (it was told of the place); false: the hit is only recorded.
  bool key_required = false;
  // Whether answers may show `version` to the filer: false when the filer must get it from the
  // place's holder (an AOR: the holder's coordination is what the key proves).
  bool disclose_version = true;
  geo::Overlap overlap;  // envelope of the volumes' overlaps with the place
  struct PerExtent {
    size_t extent;  // index of the request's volume
    geo::Overlap overlap;
  };
  std::vector<PerExtent> overlaps;
};

class ProtectedVolumes {
 public:
  virtual ~ProtectedVolumes() = default;

  // The places that `volumes` (a new version of `filer`'s operation) meet at `now`, ordered by
  // ref. Overlaps wholly before `now` are no hit.
  virtual std::vector<ProtectedHit> Meet(
      const PartyId& filer, std::span<const std::shared_ptr<const geo::Volume4D>> volumes,
      Timestamp now) const = 0;

  // Records the hits of an accepted write in its transaction (`operation` is its id, `ovn` its
  // new OVN). An error refuses the write (nothing of it is stored).
  [[nodiscard]] virtual absl::Status Record(store::Txn& txn, const PartyId& filer,
                                            const OperationId& operation,
                                            const std::vector<ProtectedHit>& hits,
                                            Timestamp now) const = 0;
};

}  // namespace deconflict::strategic
