#include "events/event_log.h"

#include "absl/container/flat_hash_set.h"
#include "common/status.h"
#include "store/event_log.h"

namespace deconflict::events {
namespace {

// Below this, a detail costs less stored again than looked up.
constexpr size_t kSharedDetailBytes = 256;

}  // namespace

absl::StatusOr<std::vector<Event>> EventLog::Append(store::Txn& txn,
                                                    const std::vector<PartyId>& recipients,
                                                    Payload payload) const {
  const Timestamp now = clock_.Now();
  absl::flat_hash_set<PartyId> seen;
  std::vector<Event> appended;
  appended.reserve(recipients.size());
  // One row, encoded once, stored once per recipient (its detail once in all).
  store::EventRow row = ToRow(Event{.time = now, .payload = payload});
  for (const PartyId& recipient : recipients) {
    if (recipient.empty()) return InvalidField("recipient", "must not be empty");
    if (!seen.insert(recipient).second) continue;
    row.recipient = recipient.value();
    ASSIGN_OR_RETURN(int64_t seq, store::AppendEventRow(txn, row));
    // A long detail (a message's text) is stored once: the copies refer to the first row.
    if (row.detail_of == 0 && row.detail.size() >= kSharedDetailBytes) row.detail_of = row.id;
    appended.push_back(Event{.recipient = recipient, .seq = seq, .time = now, .payload = payload});
  }
  return appended;
}

absl::Status EventLog::AppendOperationConflict(store::Txn& txn, const PartyId& recipient,
                                               OperationConflict conflict) const {
  return Append(txn, {recipient}, std::move(conflict)).status();
}

absl::Status EventLog::AppendOperationEnded(store::Txn& txn, const std::vector<PartyId>& recipients,
                                            OperationEnded ended) const {
  return Append(txn, recipients, std::move(ended)).status();
}

absl::Status EventLog::AppendPartyRevoked(store::Txn& txn, const PartyId& revoked) const {
  ASSIGN_OR_RETURN(std::vector<std::string> ids, store::AllPartyIds(txn));
  std::vector<PartyId> recipients;
  recipients.reserve(ids.size());
  for (std::string& id : ids) recipients.emplace_back(std::move(id));
  return Append(txn, recipients, PartyRevoked{.party = revoked}).status();
}

}  // namespace deconflict::events
