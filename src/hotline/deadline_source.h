// hotline/deadline_source.h: acknowledgement deadlines that are not hotline messages but are
// judged, and escalated, by the hotline's one deadline mechanism (hotline.h): the same thread, the
// same injected clock and tick, the same unit of work per tick, and escalation as a hotline
// message posted by the server into a channel (which then has a deadline of its own, so
// escalations chain). Humanitarian notifications use it (humanitarian/humanitarian.h).
//
//   class MyDeadlines : public hotline::DeadlineSource { ... };
//   hotline.AddDeadlineSource(my_deadlines);      // before Start
//   ...
//   RETURN_IF_ERROR(hotline.RunDeadlines());      // tests: judges hotline messages and sources
//
// Each tick the hotline asks every source for its due items (ClaimDue), judges them in the tick's
// unit of work (Judge, with `escalate` to post an escalation), and tells the source the outcome
// (Judged). A source stores its own overdue marks in Judge, so that a restart never raises an
// item twice.
//
// Thread-safety: implementations must be thread-safe. ClaimDue runs on the deadline thread (or
// the caller of RunDeadlines), Judge and Judged on the store's writer thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "store/store.h"

namespace deconflict::hotline {

// A message the server posts into an escalation channel on the account of `sender`.
struct Escalation {
  std::string sender;    // a party id (need not be a member of the channel)
  std::string priority;  // flash, immediate, priority, routine: the channel's deadline for it
  std::string subject;
  std::string body;
  std::vector<std::string> refs;  // ids the message links (e.g. the overdue item)
  std::string escalates;          // what it escalates, e.g. "site/al-shifa/3"
};

// Posts `escalation` into `channel` in `txn`, with its ledger entry and events, tracked for its
// own deadline once the unit commits. Returns "<channel>/<seq>". NotFound "escalation_channel"
// when there is no such channel; InvalidArgument for a bad priority; the store's errors.
using Escalate =
    std::function<absl::StatusOr<std::string>(store::Txn&, const ChannelId&, Escalation)>;

class DeadlineSource {
 public:
  virtual ~DeadlineSource() = default;
  // The ids of the items due at `now` that are not being judged, now claimed: not returned again
  // until Judged releases them.
  virtual std::vector<std::string> ClaimDue(Timestamp now) = 0;
  // Judges claimed item `id` in the tick's unit: stores its overdue mark, its ledger entry and
  // events, and posts escalations through `escalate`. An error fails the whole unit (retried at
  // the next tick).
  [[nodiscard]] virtual absl::Status Judge(store::Txn& txn, const std::string& id, Timestamp now,
                                           const Escalate& escalate) = 0;
  // After the unit: `committed` OK (the items judged are settled for good) or the error (the
  // claimed items are released and judged again at the next tick).
  virtual void Judged(const std::vector<std::string>& ids, const absl::Status& committed) = 0;
};

}  // namespace deconflict::hotline
