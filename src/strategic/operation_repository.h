// strategic/operation_repository.h: what OperationService needs of durable storage, and
// nothing more, so that the key rule can be tested without SQLite (an in-memory fake in
// operation_service_test.cc) and the service never sees SQL.
//
//   SqliteOperationRepository repo(store);          // production: store::Store underneath
//   OperationService service(repo, clock);
//
// Writes are units of work: Submit queues `work`, which runs on one writer thread in a
// transaction; `done` is called once, after the transaction is durable (OK) or with the error
// (nothing of the unit is stored). Units run one at a time, in order.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/ids.h"
#include "events/event.h"
#include "events/event_log.h"
#include "ledger/entry.h"
#include "store/operations_table.h"
#include "store/store.h"

namespace deconflict::strategic {

// The reads and writes of one unit of work.
class OperationWrites {
 public:
  virtual ~OperationWrites() = default;
  // The stored row with this id (ended ones included) as this unit sees it, or nullopt.
  [[nodiscard]] virtual absl::StatusOr<std::optional<store::OperationRecord>> Find(
      const std::string& id) = 0;
  // Appends `entry` to the ledger, sets record.ledger_index to its index and stores the row.
  // `readers`: parties besides the owner and guarantors entitled to the entry's opening
  // (ledger/commitment.h), e.g. the owners of the operations this version conflicts with.
  [[nodiscard]] virtual absl::Status Save(const ledger::Entry& entry,
                                          const std::vector<std::string>& readers,
                                          store::OperationRecord& record) = 0;
  // Counts one probe of `operation` by `party` at `at`.
  [[nodiscard]] virtual absl::Status RecordProbe(const std::string& operation,
                                                 const std::string& party, Timestamp at) = 0;
  // Events for other parties, stored in this unit (design.md §3: published only after the
  // commit). operation.conflict to the owner of an operation the write meets:
  [[nodiscard]] virtual absl::Status NotifyConflict(const PartyId& owner,
                                                    events::OperationConflict event) = 0;
  // operation.ended to `recipients`:
  [[nodiscard]] virtual absl::Status NotifyEnded(const std::vector<PartyId>& recipients,
                                                 events::OperationEnded event) = 0;
  // The unit's store transaction, for the hooks of strategic/protected_volumes.h; nullptr when
  // the repository has none (the in-memory fake).
  virtual store::Txn* txn() { return nullptr; }
};

// Thread-safety: implementations are thread-safe.
class OperationRepository {
 public:
  using Work = std::function<absl::Status(OperationWrites&)>;
  using Done = std::function<void(absl::Status)>;
  virtual ~OperationRepository() = default;

  virtual void Submit(Work work, Done done) = 0;
  // Units queued and not yet started (back-pressure).
  virtual size_t pending() const = 0;
  // How many group commits have failed so far (a unit whose work succeeded and whose `done`
  // got an error tells a failed commit from its own refusal by this changing).
  virtual uint64_t commit_failures() const = 0;
  // Committed reads.
  [[nodiscard]] virtual absl::StatusOr<std::optional<store::OperationRecord>> Get(
      const std::string& id) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::vector<store::OperationRecord>> LoadLive() = 0;
  // The committed probes of `owner`'s operations, ordered by operation then party.
  [[nodiscard]] virtual absl::StatusOr<std::vector<store::ProbeRow>> Probes(
      const std::string& owner) = 0;
  // Called after a unit that stored events committed: subscribers may now hear of them.
  virtual void EventsCommitted() {}
};

// The repository over store::Store (store/operations_table.h) and, when given, the event log
// (events/event_log.h; null: no events are stored). Both must outlive it.
class SqliteOperationRepository final : public OperationRepository {
 public:
  explicit SqliteOperationRepository(store::Store& store, const events::EventLog* events = nullptr)
      : store_(store), events_(events) {}
  void Submit(Work work, Done done) override;
  size_t pending() const override { return store_.pending(); }
  uint64_t commit_failures() const override { return store_.commit_failures(); }
  [[nodiscard]] absl::StatusOr<std::optional<store::OperationRecord>> Get(
      const std::string& id) override;
  [[nodiscard]] absl::StatusOr<std::vector<store::OperationRecord>> LoadLive() override;
  [[nodiscard]] absl::StatusOr<std::vector<store::ProbeRow>> Probes(
      const std::string& owner) override;
  void EventsCommitted() override {
    if (events_ != nullptr) events_->Committed();
  }

 private:
  store::Store& store_;
  const events::EventLog* const events_;
};

}  // namespace deconflict::strategic
