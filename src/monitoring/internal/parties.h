// monitoring/internal/parties.h: the store's parties as monitoring needs them (who is a party of
// this server, who is a guarantor), read once per call. Private to monitoring/.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/ids.h"
#include "store/store.h"

namespace deconflict::monitoring::internal {

// The ids of `parties`, as the ledger's `readers` take them.
inline std::vector<std::string> IdsOf(const std::vector<PartyId>& parties) {
  std::vector<std::string> out;
  out.reserve(parties.size());
  for (const PartyId& p : parties) out.push_back(p.value());
  return out;
}

struct Parties {
  std::vector<std::string> ids;         // active parties, sorted
  std::vector<std::string> guarantors;  // active guarantors, sorted

  bool Has(std::string_view id) const {
    return !id.empty() && std::binary_search(ids.begin(), ids.end(), id);
  }
  bool IsGuarantor(std::string_view id) const {
    return std::binary_search(guarantors.begin(), guarantors.end(), id);
  }

  static absl::StatusOr<Parties> Read(store::Store& store) {
    absl::StatusOr<std::vector<store::PartyRecord>> all = store.ListParties();
    if (!all.ok()) return all.status();
    Parties out;
    for (const store::PartyRecord& p : *all) {
      if (p.revoked_at) continue;
      out.ids.push_back(p.id);
      if (p.role == "guarantor") out.guarantors.push_back(p.id);
    }
    std::sort(out.ids.begin(), out.ids.end());
    std::sort(out.guarantors.begin(), out.guarantors.end());
    return out;
  }
};

}  // namespace deconflict::monitoring::internal
