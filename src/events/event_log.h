// events/event_log.h: appends events inside a store unit of work, so that an event is stored in
// the same transaction as the change it reports (design.md §3), and so that a unit that rolls
// back leaves no event behind.
//
//   events::EventLog log(clock);
//   store.Submit([&](store::Txn& txn) -> absl::Status {
//     RETURN_IF_ERROR(txn.PutOperation(record));
//     return log.Append(txn, {PartyId("UK")}, events::OperationEnded{...}).status();
//   }, [&](absl::Status committed) { if (committed.ok()) log.Committed(); });
//
// The recipients are the domain's decision (least disclosure, design.md §5); the log only stores
// one copy per recipient with that party's next sequence number. Nothing is published here: the
// hub (events/hub.h) reads committed rows and pushes them; Committed(), called after the commit,
// only makes that immediate (it calls the hub's Notify; other processes' commits are found by
// polling).
//
// Thread-safety: thread-safe (stateless apart from the clock); Append runs on the store's writer
// thread, inside the unit of work whose Txn it is given.
#pragma once

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "events/event.h"
#include "store/store.h"

namespace deconflict::events {

class EventLog {
 public:
  // `clock` must outlive the log. `on_commit` (the hub's Notify; may be empty) is what
  // Committed() calls.
  explicit EventLog(const Clock& clock, std::function<void()> on_commit = {})
      : clock_(clock), on_commit_(std::move(on_commit)) {}

  // Tells the hub that a unit that appended events has committed. Call it from the unit's
  // completion when its status is OK. Cheap; never blocks.
  void Committed() const {
    if (on_commit_) on_commit_();
  }

  // Stores `payload` once for each distinct recipient (in the order given, duplicates skipped),
  // stamped with the clock's time. Returns the stored events with their sequence numbers.
  // InvalidArgument when a recipient id is empty; Internal from the store.
  [[nodiscard]] absl::StatusOr<std::vector<Event>> Append(store::Txn& txn,
                                                          const std::vector<PartyId>& recipients,
                                                          Payload payload) const;

  // operation.conflict for the owner of `conflict.your_operation` (`recipient`).
  [[nodiscard]] absl::Status AppendOperationConflict(store::Txn& txn, const PartyId& recipient,
                                                     OperationConflict conflict) const;
  // operation.ended for `recipients` (the owner and the parties that conflicted with it).
  [[nodiscard]] absl::Status AppendOperationEnded(store::Txn& txn,
                                                  const std::vector<PartyId>& recipients,
                                                  OperationEnded ended) const;
  // party.revoked for every party in the store, the revoked one included (its sockets close
  // on their copy; the hub also closes them on any copy).
  [[nodiscard]] absl::Status AppendPartyRevoked(store::Txn& txn, const PartyId& revoked) const;

 private:
  const Clock& clock_;
  const std::function<void()> on_commit_;
};

}  // namespace deconflict::events
