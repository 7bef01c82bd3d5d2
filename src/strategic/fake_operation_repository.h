// strategic/fake_operation_repository.h: an in-memory OperationRepository for tests of the
// key rule and of the service's write steps, without SQLite. Test-only.
//
// Units run at once on the calling thread; a unit that fails leaves nothing behind (its
// changes are staged and dropped), as a SAVEPOINT rollback would. `fail_next_commit` makes the
// next successful unit's commit fail, as a failed group commit would.
//
// Thread-safety: thread-safe.
#pragma once

#include <map>
#include <mutex>

#include "strategic/operation_repository.h"

namespace deconflict::strategic {

class FakeOperationRepository final : public OperationRepository {
 public:
  void Submit(Work work, Done done) override {
    absl::Status status;
    {
      std::lock_guard lock(mu_);
      Writes writes(*this);
      status = work(writes);
      if (status.ok() && fail_next_commit) {
        fail_next_commit = false;
        ++commit_failures_;
        status = absl::InternalError("injected commit failure");
      } else if (status.ok()) {
        for (auto& [id, row] : writes.staged) rows_[id] = row;
        ledger_size_ = writes.ledger_size;
        ledger_.insert(ledger_.end(), writes.entries.begin(), writes.entries.end());
        readers_.insert(writes.readers_by_index.begin(), writes.readers_by_index.end());
        events_.insert(events_.end(), writes.events.begin(), writes.events.end());
        for (const auto& [key, row] : writes.probes) {
          store::ProbeRow& stored = probes_[key];
          stored.operation = row.operation;
          stored.party = row.party;
          stored.count += row.count;
          stored.last = row.last;
        }
      }
    }
    done(status);
  }
  size_t pending() const override { return 0; }
  uint64_t commit_failures() const override { return commit_failures_; }
  [[nodiscard]] absl::StatusOr<std::optional<store::OperationRecord>> Get(
      const std::string& id) override {
    std::lock_guard lock(mu_);
    auto it = rows_.find(id);
    if (it == rows_.end()) return std::optional<store::OperationRecord>();
    return std::optional<store::OperationRecord>(it->second);
  }
  [[nodiscard]] absl::StatusOr<std::vector<store::OperationRecord>> LoadLive() override {
    std::lock_guard lock(mu_);
    std::vector<store::OperationRecord> out;
    for (const auto& [id, row] : rows_) {
      if (row.state != "Ended") out.push_back(row);
    }
    return out;
  }

  [[nodiscard]] absl::StatusOr<std::vector<store::ProbeRow>> Probes(
      const std::string& owner) override {
    std::lock_guard lock(mu_);
    std::vector<store::ProbeRow> out;
    for (const auto& [key, row] : probes_) {
      auto op = rows_.find(row.operation);
      if (op != rows_.end() && op->second.party == owner) out.push_back(row);
    }
    return out;
  }

  // Test access: put a row directly (as if stored by an earlier run).
  void PutRow(const store::OperationRecord& row) {
    std::lock_guard lock(mu_);
    rows_[row.id] = row;
  }
  std::vector<ledger::Entry> ledger() const {
    std::lock_guard lock(mu_);
    return ledger_;
  }
  // The readers named for the opening of the ledger entry at `index` (besides owner, guarantors).
  std::vector<std::string> readers(uint64_t index) const {
    std::lock_guard lock(mu_);
    auto it = readers_.find(index);
    return it == readers_.end() ? std::vector<std::string>() : it->second;
  }
  // The events committed units stored: (recipient, payload).
  std::vector<std::pair<PartyId, events::Payload>> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  bool fail_next_commit = false;

 private:
  struct Writes final : OperationWrites {
    explicit Writes(FakeOperationRepository& repo) : repo(repo), ledger_size(repo.ledger_size_) {}
    [[nodiscard]] absl::StatusOr<std::optional<store::OperationRecord>> Find(
        const std::string& id) override {
      if (auto it = staged.find(id); it != staged.end()) return std::optional(it->second);
      if (auto it = repo.rows_.find(id); it != repo.rows_.end()) return std::optional(it->second);
      return std::optional<store::OperationRecord>();
    }
    [[nodiscard]] absl::Status Save(const ledger::Entry& entry,
                                    const std::vector<std::string>& readers,
                                    store::OperationRecord& record) override {
      readers_by_index[ledger_size] = readers;
      record.ledger_index = static_cast<int64_t>(ledger_size++);
      entries.push_back(entry);
      staged[record.id] = record;
      return absl::OkStatus();
    }
    [[nodiscard]] absl::Status RecordProbe(const std::string& operation, const std::string& party,
                                           Timestamp at) override {
      store::ProbeRow& row = probes[{operation, party}];
      row.operation = operation;
      row.party = party;
      row.count += 1;
      row.last = at;
      return absl::OkStatus();
    }
    [[nodiscard]] absl::Status NotifyConflict(const PartyId& owner,
                                              events::OperationConflict event) override {
      events.emplace_back(owner, std::move(event));
      return absl::OkStatus();
    }
    [[nodiscard]] absl::Status NotifyEnded(const std::vector<PartyId>& recipients,
                                           events::OperationEnded event) override {
      for (const PartyId& to : recipients) events.emplace_back(to, event);
      return absl::OkStatus();
    }
    FakeOperationRepository& repo;
    std::vector<std::pair<PartyId, events::Payload>> events;
    std::map<std::pair<std::string, std::string>, store::ProbeRow> probes;
    uint64_t ledger_size;
    std::map<std::string, store::OperationRecord> staged;
    std::vector<ledger::Entry> entries;
    std::map<uint64_t, std::vector<std::string>> readers_by_index;
  };

  mutable std::mutex mu_;
  std::map<std::string, store::OperationRecord> rows_;
  std::vector<ledger::Entry> ledger_;
  std::map<uint64_t, std::vector<std::string>> readers_;
  std::vector<std::pair<PartyId, events::Payload>> events_;
  std::map<std::pair<std::string, std::string>, store::ProbeRow> probes_;  // (operation, party)
  uint64_t ledger_size_ = 0;
  uint64_t commit_failures_ = 0;
};

}  // namespace deconflict::strategic
