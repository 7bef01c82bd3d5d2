#include "strategic/operation_repository.h"

#include "common/status.h"
#include "store/operations_table.h"

namespace deconflict::strategic {
namespace {

class TxnWrites final : public OperationWrites {
 public:
  TxnWrites(store::Txn& txn, const events::EventLog* events) : txn_(txn), events_(events) {}
  absl::StatusOr<std::optional<store::OperationRecord>> Find(const std::string& id) override {
    return store::FindOperation(txn_, id);
  }
  absl::Status Save(const ledger::Entry& entry, const std::vector<std::string>& readers,
                    store::OperationRecord& record) override {
    ASSIGN_OR_RETURN(uint64_t index, txn_.AppendLedger(ledger::EncodeEntry(entry), readers));
    record.ledger_index = static_cast<int64_t>(index);
    return txn_.PutOperation(record);
  }
  absl::Status RecordProbe(const std::string& operation, const std::string& party,
                           Timestamp at) override {
    return store::RecordProbe(txn_, operation, party, at);
  }
  absl::Status NotifyConflict(const PartyId& owner, events::OperationConflict event) override {
    if (events_ == nullptr) return absl::OkStatus();
    return events_->AppendOperationConflict(txn_, owner, std::move(event));
  }
  absl::Status NotifyEnded(const std::vector<PartyId>& recipients,
                           events::OperationEnded event) override {
    if (events_ == nullptr) return absl::OkStatus();
    return events_->AppendOperationEnded(txn_, recipients, std::move(event));
  }
  store::Txn* txn() override { return &txn_; }

 private:
  store::Txn& txn_;
  const events::EventLog* events_;
};

}  // namespace

void SqliteOperationRepository::Submit(Work work, Done done) {
  store_.Submit(
      [this, work = std::move(work)](store::Txn& txn) {
        TxnWrites writes(txn, events_);
        return work(writes);
      },
      std::move(done));
}

absl::StatusOr<std::optional<store::OperationRecord>> SqliteOperationRepository::Get(
    const std::string& id) {
  return store::ReadOperation(store_, id);
}

absl::StatusOr<std::vector<store::OperationRecord>> SqliteOperationRepository::LoadLive() {
  return store::ListOperations(store_, false);
}

absl::StatusOr<std::vector<store::ProbeRow>> SqliteOperationRepository::Probes(
    const std::string& owner) {
  return store::ListProbes(store_, owner);
}

}  // namespace deconflict::strategic
