// store/internal/row_check.h: the bookkeeping that `deconflict ledger check`'s per-module row
// checks share (incidents_check.cc, cases_check.cc): the entries of one action prefix by index,
// whether a row matches the entry at its index, and the DataLoss naming the differing rows.
//
//   RowCheck check;
//   RETURN_IF_ERROR(check.Collect(walk, "case."));
//   if (check.Matches(index, "case.open", id, party, digest)) check.Match();
//   else check.Differ(fmt::format("cases row {}: ...", id));
//   return check.Finish("case");
//
// Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "store/ledger_state_check.h"

namespace deconflict::store::internal {

class RowCheck {
 public:
  // Keeps every entry whose action starts with `prefix`; `on_entry` (may be empty) sees each.
  template <typename OnEntry>
  absl::Status Collect(const EntryWalk& walk, std::string_view prefix, OnEntry on_entry) {
    return walk([&](uint64_t index, const ledger::Entry& e) -> absl::Status {
      if (e.action.rfind(prefix, 0) == 0) {
        entries_.emplace(index, Committed{e.action, e.object_id, e.party, e.content_digest});
        on_entry(e);
      }
      return absl::OkStatus();
    });
  }
  absl::Status Collect(const EntryWalk& walk, std::string_view prefix) {
    return Collect(walk, prefix, [](const ledger::Entry&) {});
  }

  // True when the entry at `index` has this action, object, party and content digest.
  bool Matches(int64_t index, std::string_view action, std::string_view object,
               std::string_view party, const std::string& digest) const {
    auto it = entries_.find(static_cast<uint64_t>(index));
    return index >= 0 && it != entries_.end() && it->second.action == action &&
           it->second.object == object && it->second.party == party && it->second.digest == digest;
  }
  void Match() { ++matched_; }
  void Differ(std::string line) {
    if (differing_++ < static_cast<uint64_t>(kMaxRowsNamed)) named_.push_back(std::move(line));
  }
  // How many rows matched, or DataLoss "<n> <what> row(s) differ from the ledger:" and the lines.
  absl::StatusOr<uint64_t> Finish(std::string_view what) const {
    if (differing_ == 0) return matched_;
    std::string message = fmt::format("{} {} row(s) differ from the ledger:", differing_, what);
    for (const std::string& line : named_) message += "\n  " + line;
    if (differing_ > named_.size()) {
      message += fmt::format("\n  ... and {} more", differing_ - named_.size());
    }
    return absl::DataLossError(message);
  }

 private:
  struct Committed {
    std::string action, object, party, digest;
  };
  std::unordered_map<uint64_t, Committed> entries_;  // by index
  uint64_t matched_ = 0, differing_ = 0;
  std::vector<std::string> named_;
};

}  // namespace deconflict::store::internal
