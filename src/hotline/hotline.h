// hotline/hotline.h: durable channels between parties' commands, with messages that prove
// themselves (design.md §2 "hotline"; issue 10). A channel has members (parties), deadlines per
// priority and, optionally, an escalation channel. A member sends a message; the server stores it
// and its ledger entry, and only then answers with the channel sequence number and ledger index;
// every other member gets it as a `hotline.message` event, in channel order. The server records
// when it first reaches each recipient (delivered), and each recipient acknowledges it,
// optionally signing the documented statement with its registered key (parties/acknowledgement.h).
// A message that some recipient has not acknowledged by its deadline is overdue: the sender and
// the laggards are told, and when the channel has an escalation channel the server posts an
// escalation message there, which is itself a message with a deadline (escalations chain). Knows
// neither HTTP, SQL nor JSON: api/hotline_routes.cc speaks to it in the types below,
// store/hotline_table.h holds its rows.
//
//   hotline::Hotline hotline(store, event_log, clock);
//   RETURN_IF_ERROR(hotline.Load());    // unsettled messages and their deadlines, from the store
//   RETURN_IF_ERROR(hotline.Start());   // the deadline thread (every options.tick)
//   hotline.Send(PartyId("RU"), std::move(request), [](absl::StatusOr<SendResult> r) {...});
//
// What the ledger holds (store/hotline_table.h, docs/hotline_format.md): channel creation and
// suspension; per message its channel, sequence, sender, priority (in the action,
// hotline.send.<priority>), time and the SHA-256 of the canonical message, never the text; each
// first delivery (consecutive messages delivered to one recipient in one unit of work share one
// entry, "<channel>/<first>-<last>", and one hotline.delivered event with through_seq), each
// acknowledgement (the signed statement's record digest when signed), each overdue mark. Every
// party can verify the log; only members read the text.
//
// Order and durability: a channel's sequence numbers are taken inside the unit of work from the
// stored rows (1, 2, 3, ... without gap, whatever the group commit); every answer and every event
// comes after the commit. Deadlines run on the injected clock: the thread calls RunDeadlinesNow
// every `tick`, tests call RunDeadlines and never sleep. An overdue mark is stored with the
// message, so that after a restart it is never raised twice.
//
// Escalation messages: sender = the original's sender (the message is on its account), priority =
// the original's, subject and body written by the server naming the original ("<channel>/<seq>"),
// its time, deadline and laggards, but not its text (the escalation channel's members may not be
// the original's); refs = [the original's id]; `escalates` = "<channel>/<seq>". An escalation is
// posted even into a suspended channel: suspension stops members' sends, not the server's alarms.
// A channel can only escalate to a channel that exists when it is created, so chains end.
//
// Trust: only members read a channel or send to it (NotFound for an unknown channel,
// PermissionDenied, saying nothing of it, for a non-member); a recipient acknowledges only for
// itself and never its own message.
//
// Thread-safety: thread-safe. Callbacks (`done`) run on the store's writer thread, or on the
// calling thread for a refusal made before any write.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/mutex.h"
#include "events/event_log.h"
#include "hotline/channel.h"
#include "hotline/deadline_source.h"
#include "store/hotline_table.h"
#include "store/store.h"

namespace deconflict::hotline {

struct HotlineOptions {
  // How often the deadline thread checks for overdue messages; zero: no thread (tests call
  // RunDeadlines). Default: 250 ms.
  std::chrono::milliseconds tick = std::chrono::milliseconds(250);
  // Writes waiting for the store above which sends are refused with Overloaded (HTTP 429).
  // Default: 20,000.
  size_t max_pending_writes = 20000;
};

struct ChannelResult {
  store::HotlineChannelRecord channel;
  bool created = false;  // false: an identical earlier create (or the suspend/resume did nothing)
};

struct SendResult {
  store::HotlineMessageRecord message;
  bool created = false;  // false: the same id with the same content was sent before
};

// A message as a member reads it, with who received and acknowledged it.
struct MessageView {
  store::HotlineMessageRecord message;
  std::vector<PartyId> recipients;  // every member but the sender
  std::vector<store::HotlineReceiptRecord> deliveries;
  std::vector<store::HotlineReceiptRecord> acks;
};

struct AckSignature {
  std::string signature;  // 64 raw bytes
  std::string key_id;     // empty: any active key of the party
  Timestamp signed_at;    // the statement's time (whole seconds)
};

struct AckRequest {
  ChannelId channel;
  std::string message;  // the message's id (UUID) or its decimal channel sequence number
  std::optional<AckSignature> signature;
};

struct AckResult {
  store::HotlineReceiptRecord ack;
  std::string object_id;  // "<channel>/<seq>"
  bool created = false;   // false: the party had acknowledged before (the first is returned)
};

class Hotline {
 public:
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // `events` and `clock` must outlive the hotline; `store` must be stopped (destroyed, which
  // drains its queue) after Stop() and before the hotline, since its units' completions use it.
  Hotline(store::Store& store, const events::EventLog& events, const Clock& clock,
          HotlineOptions options = {});
  Hotline(const Hotline&) = delete;
  Hotline& operator=(const Hotline&) = delete;
  ~Hotline();  // Stop()

  // Reads the channels and the unsettled messages (with their receipts and deadlines). Call once,
  // before Start and before any other call. The store's errors.
  [[nodiscard]] absl::Status Load();
  // Starts the deadline thread (unless options.tick is zero).
  [[nodiscard]] absl::Status Start();
  // Stops it (idempotent); writes already submitted still commit.
  void Stop();

  // POST /v1/channels. The caller must be one of request.members; members must be parties of
  // the store, not revoked; the escalation channel must exist. Errors:
  //   InvalidArgument  a field (ValidateChannelRequest), "members" (the caller is not one, or
  //                    members[i] is no party or a revoked one), "escalation_channel" (unknown)
  //   AlreadyExists    "id": a channel with this id and other content exists
  // A second identical create answers the first (created = false).
  void CreateChannel(const PartyId& caller, ChannelRequest request, Done<ChannelResult> done);

  // GET /v1/channels: the caller's channels, by id (committed).
  std::vector<store::HotlineChannelRecord> Channels(const PartyId& caller) const;
  // One channel. NotFound ("channel") or PermissionDenied ("channel", for a non-member).
  [[nodiscard]] absl::StatusOr<store::HotlineChannelRecord> Channel(const PartyId& caller,
                                                                    const ChannelId& id) const;

  // POST /v1/channels/{id}/suspend and /resume, by any member, with a ledger entry and an event
  // to every member. Suspending a suspended channel (or resuming an open one) changes nothing
  // and answers created = false. NotFound, PermissionDenied as Channel; InvalidArgument
  // "reason".
  void Suspend(const PartyId& caller, const ChannelId& channel, std::string reason,
               Done<ChannelResult> done);
  void Resume(const PartyId& caller, const ChannelId& channel, Done<ChannelResult> done);

  // POST /v1/channels/{id}/messages. `done` gets the stored message after its commit. Errors:
  //   InvalidArgument / LimitExceeded  ValidateMessageRequest's
  //   NotFound, PermissionDenied       as Channel
  //   FailedPrecondition "channel"     the channel is suspended (the message names by whom, when
  //                                    and why)
  //   AlreadyExists "id"               this id was used for another message
  //   ResourceExhausted (Overloaded)   too many writes are waiting for the store
  // A retry with the same id and content answers the first send (created = false), even once
  // the channel is suspended.
  void Send(const PartyId& caller, MessageRequest request, Done<SendResult> done);

  // GET /v1/channels/{id}/messages?after=&limit=: up to `limit` messages with seq > after, in
  // order, each with its receipts. Records the delivery of each message not the caller's own
  // (Delivered). NotFound, PermissionDenied as Channel; the store's errors.
  [[nodiscard]] absl::StatusOr<std::vector<MessageView>> Messages(const PartyId& caller,
                                                                  const ChannelId& channel,
                                                                  int64_t after, int64_t limit);

  // POST /v1/channels/{id}/messages/{msg}/ack: the caller's acknowledgement, durable, in the
  // ledger, told to every other member (hotline.acknowledged); it also records the delivery if
  // none was. Errors: NotFound, PermissionDenied as Channel; NotFound "message" (none in this
  // channel); PermissionDenied "message" (the caller's own message); the errors of
  // parties::VerifyAcknowledgement for a bad signature ("signature", "key_id", "time"). A second
  // acknowledgement answers the first (created = false).
  void Acknowledge(const PartyId& caller, AckRequest request, Done<AckResult> done);

  // The delivery hook: `recipient` has been handed the message (its socket wrote the
  // hotline.message event, or a page or catch-up fetch returned it). The first time only, stores
  // the delivery with its ledger entry and tells the sender (hotline.delivered); the time
  // recorded is this call's. Never blocks: first deliveries wait in memory for the one delivery
  // unit of work, which records every delivery that waits when the writer runs it (so a burst
  // of deliveries to ten sockets costs one unit, not ten). Cheap when the delivery is known
  // (memory only); a failed write is retried at the next call.
  void Delivered(const PartyId& recipient, const MessageId& message);

  // Checks the deadlines now: raises each message overdue whose deadline has passed with
  // recipients that have not acknowledged it (and posts its escalation), in one unit of work.
  // RunDeadlines waits until that unit is durable (tests; the thread need not be stopped) and
  // returns the store's error; RunDeadlinesNow does not wait.
  [[nodiscard]] absl::Status RunDeadlines();
  void RunDeadlinesNow();

  // Adds other deadlines to this mechanism (hotline/deadline_source.h): judged every tick in the
  // same unit, escalated as hotline messages. `source` must outlive the hotline. REQUIRES: before
  // Start.
  void AddDeadlineSource(DeadlineSource& source) ABSL_LOCKS_EXCLUDED(mu_);

  // Messages whose deadline is still to be judged (tests and stats).
  size_t pending_deadlines() const;

 private:
  // An unsettled message (some recipient has not acknowledged it), committed.
  struct Open {
    ChannelId channel;
    int64_t seq = 0;
    PartyId sender;
    Timestamp deadline;
    std::set<PartyId> recipients;
    std::set<PartyId> delivered, acked;
    std::set<PartyId> delivering;  // a delivery unit is under way
    bool overdue = false;          // raised (stored)
    bool judging = false;          // a deadline unit is under way
  };
  struct Judged;  // what one deadline unit raised (deadlines.cc)
  // A first delivery to record: what of the message its ledger entry and event name.
  struct Delivery {
    std::string message;  // id
    ChannelId channel;
    int64_t seq = 0;
    PartyId sender;
    PartyId recipient;
    Timestamp at;
  };

  // The channel `id` as `caller` may see it (committed), or NotFound / PermissionDenied.
  [[nodiscard]] absl::StatusOr<store::HotlineChannelRecord> MemberChannel(const PartyId& caller,
                                                                          const ChannelId& id) const
      ABSL_LOCKS_EXCLUDED(mu_);
  void ChangeState(const PartyId& caller, const ChannelId& channel,
                   std::optional<std::string> reason, Done<ChannelResult> done);
  // Stores `message` (seq, time, digest, deadline set here) with its ledger entry and events, in
  // `txn`. Shared by Send and escalation.
  [[nodiscard]] absl::Status Post(store::Txn& txn, const store::HotlineChannelRecord& channel,
                                  store::HotlineMessageRecord& message) const;
  // Records a first delivery in `txn` (ledger entry, event to the sender); false when known.
  [[nodiscard]] absl::StatusOr<bool> RecordDelivery(store::Txn& txn, const Delivery& d) const;
  // Records `deliveries` (the delivery unit's) in `txn`, those not known yet, as runs: the
  // consecutive messages of one channel and sender delivered to one recipient share one ledger
  // entry and one hotline.delivered event (receipts.cc). recorded[i]: deliveries[i] was new.
  [[nodiscard]] absl::Status RecordDeliveries(store::Txn& txn,
                                              const std::vector<Delivery>& deliveries,
                                              std::vector<bool>& recorded) const;
  // Records one run (REQUIRES: not empty, one recipient, channel and sender, consecutive seqs,
  // none known): its rows, one ledger entry, one event to the sender.
  [[nodiscard]] absl::Status RecordRun(store::Txn& txn, std::span<const Delivery> run) const;
  // The longest run one ledger entry records.
  static constexpr size_t kMaxDeliveryRun = 1000;
  // Submits the delivery unit (receipts.cc). REQUIRES: delivery_unit_queued_ was set by the
  // caller.
  void SubmitDeliveries() ABSL_LOCKS_EXCLUDED(mu_);
  // Raises the due message `id` in `txn` (deadlines.cc).
  [[nodiscard]] absl::Status Judge(store::Txn& txn, const std::string& id, Timestamp now,
                                   Judged& judged);
  // Posts the server's escalation `e` into channel `to` in `txn` and tracks it (deadlines.cc).
  // Shared by Judge and the deadline sources.
  [[nodiscard]] absl::StatusOr<std::string> PostEscalation(store::Txn& txn, const ChannelId& to,
                                                           store::HotlineMessageRecord e,
                                                           Judged& judged);
  // Judges the due messages in one unit; `done` (may be empty) gets its outcome.
  void JudgeDue(std::function<void(absl::Status)> done) ABSL_LOCKS_EXCLUDED(mu_);
  void Track(const store::HotlineMessageRecord& message, const store::HotlineChannelRecord& channel)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forgets a message whose unit did not commit.
  void Untrack(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);
  static std::vector<PartyId> RecipientsOf(const store::HotlineChannelRecord& channel,
                                           const std::string& sender);
  void DeadlineLoop();

  store::Store& store_;
  const events::EventLog& events_;
  const Clock& clock_;
  const HotlineOptions options_;

  // Committed state. Lock order: mu_ only (never held while calling the store).
  mutable Mutex mu_;
  std::map<ChannelId, store::HotlineChannelRecord> channels_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Open> open_ ABSL_GUARDED_BY(mu_);                       // by message id
  std::set<std::pair<Timestamp, std::string>> deadlines_ ABSL_GUARDED_BY(mu_);  // not yet raised
  // First deliveries waiting for the delivery unit, and whether that unit is queued.
  std::vector<Delivery> pending_deliveries_ ABSL_GUARDED_BY(mu_);
  bool delivery_unit_queued_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<DeadlineSource*> sources_ ABSL_GUARDED_BY(mu_);

  Mutex stop_mu_;
  CondVar stop_cv_;
  bool stopping_ ABSL_GUARDED_BY(stop_mu_) = false;
  std::thread thread_;
};

}  // namespace deconflict::hotline
