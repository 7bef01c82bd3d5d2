// store/hotline_table.h: the SQL of the hotline (schema version 10): channels, messages, their
// deliveries and acknowledgements, so that no module outside store/ writes SQL for them
// (design.md §3). The rules (who may send, deadlines, escalation) are in hotline/hotline.h.
//
//   RETURN_IF_ERROR(InsertHotlineMessage(txn, record));                  // in a unit of work
//   ASSIGN_OR_RETURN(auto page, ListHotlineMessages(db, "amman-hmeimim", /*after_seq=*/41, 100));
//
// Tables:
//   hotline_channels    one row per channel; members ','-joined (party ids never hold one);
//                       suspension state; created_ledger_index (hotline.channel.create) and
//                       state_ledger_index (the latest create/suspend/resume entry).
//   hotline_messages    one row per message, (channel, seq) unique and id unique; `digest` is
//                       HotlineMessageDigest of the row (the canonical message,
//                       docs/hotline_format.md); overdue_at is set once, when the deadline passed
//                       with recipients who had not acknowledged (persisted so that a restart
//                       never raises it twice); settled_at once every recipient acknowledged.
//   hotline_deliveries  (message, party): the first time the message reached that recipient.
//   hotline_acks        (message, party): the recipient's acknowledgement, signed or not.
//
// Ledger actions and content digests (docs/hotline_format.md):
//   hotline.channel.create   party: creator; object: channel; HotlineChannelDigest
//   hotline.channel.suspend  party: who; object: channel; HotlineSuspensionDigest
//   hotline.channel.resume   party: who; object: channel; HotlineSuspensionDigest (reason "")
//   hotline.send.<priority>  party: sender; object: "<channel>/<seq>"; HotlineMessageDigest
//   hotline.deliver          party: recipient; object: "<channel>/<seq>"; HotlineDeliveryDigest;
//                            or, for a run of consecutive messages delivered in one unit of
//                            work, object "<channel>/<first>-<last>"; HotlineDeliveryRunDigest
//   hotline.message.ack      party: recipient; object: "<channel>/<seq>"; signed:
//                            parties::AckRecordDigest, unsigned: HotlineAckDigest
//   hotline.overdue          party: sender; object: "<channel>/<seq>"; HotlineOverdueDigest
//
// Thread-safety: the functions are as safe as the Database or Txn they are given (not
// thread-safe: the caller holds the connection).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "store/ledger_state_check.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace deconflict::store {

inline constexpr char kActionHotlineChannelCreate[] = "hotline.channel.create";
inline constexpr char kActionHotlineChannelSuspend[] = "hotline.channel.suspend";
inline constexpr char kActionHotlineChannelResume[] = "hotline.channel.resume";
inline constexpr char kActionHotlineSendPrefix[] = "hotline.send.";  // + priority
inline constexpr char kActionHotlineDeliver[] = "hotline.deliver";
inline constexpr char kActionHotlineAck[] = "hotline.message.ack";
inline constexpr char kActionHotlineOverdue[] = "hotline.overdue";

struct HotlineChannelRecord {
  std::string id;
  std::string name;
  std::vector<std::string> members;  // sorted, distinct
  std::string escalation_channel;    // empty: none
  // Deadlines in microseconds, by priority: flash, immediate, priority, routine.
  std::array<int64_t, 4> deadline_us{};
  std::string created_by;
  Timestamp created_at;
  std::optional<Timestamp> suspended_at;  // nullopt while open
  std::string suspended_by;
  std::string suspend_reason;
  int64_t created_ledger_index = -1;
  int64_t state_ledger_index = -1;  // the latest create/suspend/resume entry
  bool operator==(const HotlineChannelRecord&) const = default;
};

struct HotlineMessageRecord {
  std::string channel;
  int64_t seq = 0;  // 1, 2, ... per channel, no gap
  std::string id;   // UUID, lower case
  std::string sender;
  std::string priority;  // flash, immediate, priority, routine
  std::string subject;
  std::string body;
  std::vector<std::string> refs;  // ids of operations, encounters, messages ...
  Timestamp sent_at;
  Timestamp deadline_at;
  std::string escalates;  // "<channel>/<seq>" of the message this one escalates; empty: none
  std::string digest;     // HotlineMessageDigest(*this), 32 raw bytes
  int64_t ledger_index = -1;
  // State after sending (not in the digest).
  std::optional<Timestamp> overdue_at;
  int64_t overdue_ledger_index = -1;
  std::string escalated_to;  // "<channel>/<seq>" of the escalation posted; empty: none
  std::optional<Timestamp> settled_at;
  bool operator==(const HotlineMessageRecord&) const = default;
};

// The first delivery of a message to a recipient, or its acknowledgement.
struct HotlineReceiptRecord {
  std::string message;  // message id
  std::string party;
  Timestamp at;
  std::string key_id;     // acks only: empty when unsigned
  std::string signature;  // acks only: 64 raw bytes, empty when unsigned
  std::string statement;  // acks only: the signed statement's bytes (parties/acknowledgement.h)
  int64_t ledger_index = -1;
  bool operator==(const HotlineReceiptRecord&) const = default;
};

// The DDL of migration 10.
extern const char kHotlineSchema[];

// ---- digests (docs/hotline_format.md) --------------------------------------------------------
// SHA-256 of the canonical message: what the ledger commits to, and what a signed ack signs.
std::string HotlineMessageDigest(const HotlineMessageRecord& message);
// "<channel>/<seq>": the ledger object and the acknowledgement statement's object id.
std::string HotlineObjectId(std::string_view channel, int64_t seq);
std::string HotlineChannelDigest(const HotlineChannelRecord& channel);
std::string HotlineSuspensionDigest(std::string_view channel, std::string_view party,
                                    std::string_view reason, Timestamp at);
std::string HotlineDeliveryDigest(const HotlineReceiptRecord& delivery);
// A run of deliveries to one party of the consecutive messages first..last of one channel, in
// seq order: SHA-256 of "deconflict/hotline-deliveries/v1\n<party>\n" then "<message id>\n<time
// us>\n" per delivery. REQUIRES: run not empty, one party.
std::string HotlineDeliveryRunDigest(const std::vector<HotlineReceiptRecord>& run);
// "<channel>/<first>-<last>": the ledger object of a run of deliveries.
std::string HotlineRunObjectId(std::string_view channel, int64_t first, int64_t last);
// Unsigned: SHA-256 of "deconflict/hotline-ack/v1\n<message id>\n<party>\n<time us>"; signed:
// the record digest of parties/acknowledgement.h (the same formula, repeated here because store
// sits below parties).
std::string HotlineAckDigest(const HotlineReceiptRecord& ack);
std::string HotlineOverdueDigest(std::string_view object_id,
                                 const std::vector<std::string>& laggards, Timestamp at);

// ---- channels ---------------------------------------------------------------------------------
// AlreadyExists when the id is taken.
[[nodiscard]] absl::Status InsertHotlineChannel(Txn& txn, const HotlineChannelRecord& channel);
// Rewrites the suspension columns and state_ledger_index of the row with channel.id.
[[nodiscard]] absl::Status UpdateHotlineChannelState(Txn& txn, const HotlineChannelRecord& channel);
[[nodiscard]] absl::StatusOr<std::optional<HotlineChannelRecord>> ReadHotlineChannel(
    Database& db, std::string_view id);
// Every channel, by id.
[[nodiscard]] absl::StatusOr<std::vector<HotlineChannelRecord>> ListHotlineChannels(Database& db);

// ---- messages ---------------------------------------------------------------------------------
// The largest seq of `channel` (0 when none), as `db` sees it.
[[nodiscard]] absl::StatusOr<int64_t> MaxHotlineSeq(Database& db, std::string_view channel);
// AlreadyExists when (channel, seq) or the id is taken.
[[nodiscard]] absl::Status InsertHotlineMessage(Txn& txn, const HotlineMessageRecord& message);
// Rewrites overdue_at, overdue_ledger_index, escalated_to and settled_at of the row with
// message.id.
[[nodiscard]] absl::Status UpdateHotlineMessageState(Txn& txn, const HotlineMessageRecord& message);
[[nodiscard]] absl::StatusOr<std::optional<HotlineMessageRecord>> ReadHotlineMessageById(
    Database& db, std::string_view id);
[[nodiscard]] absl::StatusOr<std::optional<HotlineMessageRecord>> ReadHotlineMessage(
    Database& db, std::string_view channel, int64_t seq);
// Up to `limit` messages of `channel` with seq > after_seq, in seq order.
[[nodiscard]] absl::StatusOr<std::vector<HotlineMessageRecord>> ListHotlineMessages(
    Database& db, std::string_view channel, int64_t after_seq, int64_t limit);
// Messages not yet settled (some recipient has not acknowledged), by (channel, seq).
[[nodiscard]] absl::StatusOr<std::vector<HotlineMessageRecord>> ListUnsettledHotlineMessages(
    Database& db);

// ---- receipts ---------------------------------------------------------------------------------
// Inserts unless (message, party) is there; true when inserted.
[[nodiscard]] absl::StatusOr<bool> InsertHotlineDelivery(Txn& txn,
                                                         const HotlineReceiptRecord& delivery);
// AlreadyExists when (message, party) already acknowledged.
[[nodiscard]] absl::Status InsertHotlineAck(Txn& txn, const HotlineReceiptRecord& ack);
// By party.
// Whether `party`'s delivery of `message` is stored.
[[nodiscard]] absl::StatusOr<bool> HotlineDeliveryKnown(Database& db, std::string_view message,
                                                        std::string_view party);
[[nodiscard]] absl::StatusOr<std::vector<HotlineReceiptRecord>> ReadHotlineDeliveries(
    Database& db, std::string_view message);
[[nodiscard]] absl::StatusOr<std::vector<HotlineReceiptRecord>> ReadHotlineAcks(
    Database& db, std::string_view message);

// `deconflict ledger check` for these tables (run beside CheckStateTables): every channel row
// matches its hotline.channel.create entry (and its suspension state the latest
// suspend/resume entry); every message row's digest is HotlineMessageDigest of its columns and
// equals the content digest of the hotline.send.* entry at its ledger_index (party: sender,
// object: channel/seq); every delivery, acknowledgement and overdue mark matches the entry at its
// ledger index. Returns how many rows match; DataLoss naming each differing row (at most
// kMaxRowsNamed); the database's error.
[[nodiscard]] absl::StatusOr<uint64_t> CheckHotlineRows(Database& db, const EntryWalk& walk);

}  // namespace deconflict::store
