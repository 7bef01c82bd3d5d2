#include "store/hotline_table.h"

#include <iterator>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "store/internal/columns.h"
#include "store/record_digest.h"

namespace deconflict::store {
namespace {

using internal::BindOptionalTime;
using internal::OptionalTime;
using internal::Sized;

constexpr char kChannelColumns[] =
    "id, name, members, escalation_channel, deadline_flash_us, deadline_immediate_us, "
    "deadline_priority_us, deadline_routine_us, created_by, created_at, suspended_at, "
    "suspended_by, suspend_reason, created_ledger_index, state_ledger_index";
constexpr char kMessageColumns[] =
    "channel, seq, id, sender, priority, subject, body, refs, sent_at, deadline_at, escalates, "
    "digest, ledger_index, overdue_at, overdue_ledger_index, escalated_to, settled_at";

// Lists are stored ','-joined: party ids and refs never hold one (hotline/hotline.h checks refs).
std::string Join(const std::vector<std::string>& items) { return absl::StrJoin(items, ","); }
std::vector<std::string> Split(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipEmpty());
}

HotlineChannelRecord ChannelRowOf(const Statement& st) {
  HotlineChannelRecord r;
  r.id = st.ColumnText(0);
  r.name = st.ColumnText(1);
  r.members = Split(st.ColumnText(2));
  r.escalation_channel = st.ColumnText(3);
  for (int i = 0; i < 4; ++i) r.deadline_us[i] = st.ColumnInt(4 + i);
  r.created_by = st.ColumnText(8);
  r.created_at = FromMicros(st.ColumnInt(9));
  r.suspended_at = OptionalTime(st, 10);
  r.suspended_by = st.ColumnText(11);
  r.suspend_reason = st.ColumnText(12);
  r.created_ledger_index = st.ColumnInt(13);
  r.state_ledger_index = st.ColumnInt(14);
  return r;
}

HotlineMessageRecord MessageRowOf(const Statement& st) {
  HotlineMessageRecord r;
  r.channel = st.ColumnText(0);
  r.seq = st.ColumnInt(1);
  r.id = st.ColumnText(2);
  r.sender = st.ColumnText(3);
  r.priority = st.ColumnText(4);
  r.subject = st.ColumnText(5);
  r.body = st.ColumnText(6);
  r.refs = Split(st.ColumnText(7));
  r.sent_at = FromMicros(st.ColumnInt(8));
  r.deadline_at = FromMicros(st.ColumnInt(9));
  r.escalates = st.ColumnText(10);
  r.digest = st.ColumnBlob(11);
  r.ledger_index = st.ColumnInt(12);
  r.overdue_at = OptionalTime(st, 13);
  r.overdue_ledger_index = st.ColumnInt(14);
  r.escalated_to = st.ColumnText(15);
  r.settled_at = OptionalTime(st, 16);
  return r;
}

HotlineReceiptRecord ReceiptRowOf(const Statement& st) {
  return HotlineReceiptRecord{.message = st.ColumnText(0),
                              .party = st.ColumnText(1),
                              .at = FromMicros(st.ColumnInt(2)),
                              .key_id = st.ColumnText(3),
                              .signature = st.ColumnBlob(4),
                              .statement = st.ColumnBlob(5),
                              .ledger_index = st.ColumnInt(6)};
}

}  // namespace

const char kHotlineSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS hotline_channels (
  id                     TEXT PRIMARY KEY,
  name                   TEXT NOT NULL,
  members                TEXT NOT NULL,          -- party ids, sorted, ','-joined
  escalation_channel     TEXT NOT NULL,          -- '' when none
  deadline_flash_us      INTEGER NOT NULL,
  deadline_immediate_us  INTEGER NOT NULL,
  deadline_priority_us   INTEGER NOT NULL,
  deadline_routine_us    INTEGER NOT NULL,
  created_by             TEXT NOT NULL,
  created_at             INTEGER NOT NULL,       -- microseconds since the Unix epoch, UTC
  suspended_at           INTEGER,                -- NULL while open
  suspended_by           TEXT NOT NULL,
  suspend_reason         TEXT NOT NULL,
  created_ledger_index   INTEGER NOT NULL,
  state_ledger_index     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS hotline_messages (
  channel               TEXT NOT NULL REFERENCES hotline_channels(id),
  seq                   INTEGER NOT NULL,
  id                    TEXT NOT NULL UNIQUE,
  sender                TEXT NOT NULL,
  priority              TEXT NOT NULL,
  subject               TEXT NOT NULL,
  body                  TEXT NOT NULL,
  refs                  TEXT NOT NULL,           -- ','-joined
  sent_at               INTEGER NOT NULL,
  deadline_at           INTEGER NOT NULL,
  escalates             TEXT NOT NULL,           -- '<channel>/<seq>' or ''
  digest                BLOB NOT NULL,           -- SHA-256 of the canonical message
  ledger_index          INTEGER NOT NULL,
  overdue_at            INTEGER,                 -- set once, when raised
  overdue_ledger_index  INTEGER NOT NULL,
  escalated_to          TEXT NOT NULL,
  settled_at            INTEGER,                 -- every recipient acknowledged
  PRIMARY KEY (channel, seq)
);
CREATE INDEX IF NOT EXISTS hotline_messages_unsettled ON hotline_messages(settled_at);
CREATE TABLE IF NOT EXISTS hotline_deliveries (   -- the columns of hotline_acks, so that one
  message       TEXT NOT NULL REFERENCES hotline_messages(id),  -- reader serves both; key_id,
  party         TEXT NOT NULL,                    -- signature and statement stay empty here
  at            INTEGER NOT NULL,
  key_id        TEXT NOT NULL,
  signature     BLOB NOT NULL,
  statement     BLOB NOT NULL,
  ledger_index  INTEGER NOT NULL,
  PRIMARY KEY (message, party)
);
CREATE TABLE IF NOT EXISTS hotline_acks (
  message       TEXT NOT NULL REFERENCES hotline_messages(id),
  party         TEXT NOT NULL,
  at            INTEGER NOT NULL,
  key_id        TEXT NOT NULL,
  signature     BLOB NOT NULL,
  statement     BLOB NOT NULL,
  ledger_index  INTEGER NOT NULL,
  PRIMARY KEY (message, party)
);
)sql";

// ---- digests ----------------------------------------------------------------------------------

std::string HotlineObjectId(std::string_view channel, int64_t seq) {
  return fmt::format("{}/{}", channel, seq);
}

std::string HotlineMessageDigest(const HotlineMessageRecord& m) {
  std::string text = fmt::format(
      "deconflict-hotline-message/v1\nchannel {}\nseq {}\nid {}\nsender {}\npriority {}\n"
      "time {}\nescalates {}\nrefs {}\n",
      m.channel, m.seq, m.id, m.sender, m.priority, Micros(m.sent_at),
      m.escalates.empty() ? "-" : m.escalates, m.refs.size());
  for (const std::string& ref : m.refs) text += fmt::format("ref {}\n", ref);
  text += Sized("subject", m.subject);
  text += Sized("body", m.body);
  return Sha256(text);
}

std::string HotlineChannelDigest(const HotlineChannelRecord& c) {
  std::string text = fmt::format(
      "deconflict-hotline-channel/v1\nid {}\nmembers {}\nescalation {}\ndeadlines {} {} {} {}\n"
      "created_by {}\ntime {}\n",
      c.id, Join(c.members), c.escalation_channel.empty() ? "-" : c.escalation_channel,
      c.deadline_us[0], c.deadline_us[1], c.deadline_us[2], c.deadline_us[3], c.created_by,
      Micros(c.created_at));
  text += Sized("name", c.name);
  return Sha256(text);
}

std::string HotlineSuspensionDigest(std::string_view channel, std::string_view party,
                                    std::string_view reason, Timestamp at) {
  return Sha256(fmt::format("deconflict-hotline-suspension/v1\nchannel {}\nparty {}\ntime {}\n{}",
                            channel, party, Micros(at), Sized("reason", reason)));
}

std::string HotlineDeliveryDigest(const HotlineReceiptRecord& d) {
  return Sha256(
      fmt::format("deconflict/hotline-delivery/v1\n{}\n{}\n{}", d.message, d.party, Micros(d.at)));
}

std::string HotlineDeliveryRunDigest(const std::vector<HotlineReceiptRecord>& run) {
  std::string text = fmt::format("deconflict/hotline-deliveries/v1\n{}\n", run.front().party);
  for (const HotlineReceiptRecord& d : run) {
    fmt::format_to(std::back_inserter(text), "{}\n{}\n", d.message, Micros(d.at));
  }
  return Sha256(text);
}

std::string HotlineRunObjectId(std::string_view channel, int64_t first, int64_t last) {
  return fmt::format("{}/{}-{}", channel, first, last);
}

std::string HotlineAckDigest(const HotlineReceiptRecord& ack) {
  if (!ack.signature.empty())
    return SignedAckRecordDigest(ack.key_id, ack.signature, ack.statement);
  return Sha256(
      fmt::format("deconflict/hotline-ack/v1\n{}\n{}\n{}", ack.message, ack.party, Micros(ack.at)));
}

std::string HotlineOverdueDigest(std::string_view object_id,
                                 const std::vector<std::string>& laggards, Timestamp at) {
  return Sha256(fmt::format("deconflict/hotline-overdue/v1\n{}\n{}\n{}", object_id, Join(laggards),
                            Micros(at)));
}

// ---- channels ---------------------------------------------------------------------------------

absl::Status InsertHotlineChannel(Txn& txn, const HotlineChannelRecord& c) {
  static const std::string kSql = fmt::format(
      "INSERT INTO hotline_channels({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?14, ?15)",
      kChannelColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, c.id);
  st->Bind(2, c.name);
  st->Bind(3, Join(c.members));
  st->Bind(4, c.escalation_channel);
  for (int i = 0; i < 4; ++i) st->Bind(5 + i, c.deadline_us[i]);
  st->Bind(9, c.created_by);
  st->Bind(10, Micros(c.created_at));
  BindOptionalTime(*st, 11, c.suspended_at);
  st->Bind(12, c.suspended_by);
  st->Bind(13, c.suspend_reason);
  st->Bind(14, c.created_ledger_index);
  st->Bind(15, c.state_ledger_index);
  return st->Run();
}

absl::Status UpdateHotlineChannelState(Txn& txn, const HotlineChannelRecord& c) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("UPDATE hotline_channels SET suspended_at = ?2, suspended_by = "
                                   "?3, suspend_reason = ?4, state_ledger_index = ?5 WHERE id = "
                                   "?1"));
  st->Bind(1, c.id);
  BindOptionalTime(*st, 2, c.suspended_at);
  st->Bind(3, c.suspended_by);
  st->Bind(4, c.suspend_reason);
  st->Bind(5, c.state_ledger_index);
  return st->Run();
}

absl::StatusOr<std::optional<HotlineChannelRecord>> ReadHotlineChannel(Database& db,
                                                                       std::string_view id) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM hotline_channels WHERE id = ?1", kChannelColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, id);
  ASSIGN_OR_RETURN(std::vector<HotlineChannelRecord> rows,
                   ReadRows<HotlineChannelRecord>(*st, ChannelRowOf));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

absl::StatusOr<std::vector<HotlineChannelRecord>> ListHotlineChannels(Database& db) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM hotline_channels ORDER BY id", kChannelColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  return ReadRows<HotlineChannelRecord>(*st, ChannelRowOf);
}

// ---- messages ---------------------------------------------------------------------------------

absl::StatusOr<int64_t> MaxHotlineSeq(Database& db, std::string_view channel) {
  ASSIGN_OR_RETURN(Statement * st, db.Cached("SELECT COALESCE(MAX(seq), 0) FROM hotline_messages "
                                             "WHERE channel = ?1"));
  st->Bind(1, channel);
  ASSIGN_OR_RETURN(std::vector<int64_t> rows,
                   ReadRows<int64_t>(*st, [](const Statement& s) { return s.ColumnInt(0); }));
  return rows.empty() ? 0 : rows.front();
}

absl::Status InsertHotlineMessage(Txn& txn, const HotlineMessageRecord& m) {
  static const std::string kSql = fmt::format(
      "INSERT INTO hotline_messages({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?14, ?15, ?16, ?17)",
      kMessageColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, m.channel);
  st->Bind(2, m.seq);
  st->Bind(3, m.id);
  st->Bind(4, m.sender);
  st->Bind(5, m.priority);
  st->Bind(6, m.subject);
  st->Bind(7, m.body);
  st->Bind(8, Join(m.refs));
  st->Bind(9, Micros(m.sent_at));
  st->Bind(10, Micros(m.deadline_at));
  st->Bind(11, m.escalates);
  st->BindBlob(12, m.digest);
  st->Bind(13, m.ledger_index);
  BindOptionalTime(*st, 14, m.overdue_at);
  st->Bind(15, m.overdue_ledger_index);
  st->Bind(16, m.escalated_to);
  BindOptionalTime(*st, 17, m.settled_at);
  return st->Run();
}

absl::Status UpdateHotlineMessageState(Txn& txn, const HotlineMessageRecord& m) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("UPDATE hotline_messages SET overdue_at = ?2, "
                                   "overdue_ledger_index = ?3, escalated_to = ?4, settled_at = ?5 "
                                   "WHERE id = ?1"));
  st->Bind(1, m.id);
  BindOptionalTime(*st, 2, m.overdue_at);
  st->Bind(3, m.overdue_ledger_index);
  st->Bind(4, m.escalated_to);
  BindOptionalTime(*st, 5, m.settled_at);
  return st->Run();
}

absl::StatusOr<std::optional<HotlineMessageRecord>> ReadHotlineMessageById(Database& db,
                                                                           std::string_view id) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM hotline_messages WHERE id = ?1", kMessageColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, id);
  ASSIGN_OR_RETURN(std::vector<HotlineMessageRecord> rows,
                   ReadRows<HotlineMessageRecord>(*st, MessageRowOf));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

absl::StatusOr<std::optional<HotlineMessageRecord>> ReadHotlineMessage(Database& db,
                                                                       std::string_view channel,
                                                                       int64_t seq) {
  ASSIGN_OR_RETURN(std::vector<HotlineMessageRecord> rows,
                   ListHotlineMessages(db, channel, seq - 1, 1));
  if (rows.empty() || rows.front().seq != seq) return std::nullopt;
  return rows.front();
}

absl::StatusOr<std::vector<HotlineMessageRecord>> ListHotlineMessages(Database& db,
                                                                      std::string_view channel,
                                                                      int64_t after_seq,
                                                                      int64_t limit) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM hotline_messages WHERE channel = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
      kMessageColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, channel);
  st->Bind(2, after_seq);
  st->Bind(3, limit);
  return ReadRows<HotlineMessageRecord>(*st, MessageRowOf);
}

absl::StatusOr<std::vector<HotlineMessageRecord>> ListUnsettledHotlineMessages(Database& db) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM hotline_messages WHERE settled_at IS NULL ORDER BY channel, seq",
                  kMessageColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  return ReadRows<HotlineMessageRecord>(*st, MessageRowOf);
}

// ---- receipts ---------------------------------------------------------------------------------

namespace {
absl::Status InsertReceipt(Txn& txn, const std::string& sql, const HotlineReceiptRecord& r) {
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(sql));
  st->Bind(1, r.message);
  st->Bind(2, r.party);
  st->Bind(3, Micros(r.at));
  st->Bind(4, r.key_id);
  st->BindBlob(5, r.signature);
  st->BindBlob(6, r.statement);
  st->Bind(7, r.ledger_index);
  return st->Run();
}
absl::StatusOr<std::vector<HotlineReceiptRecord>> ReadReceipts(Database& db, const std::string& sql,
                                                               std::string_view message) {
  ASSIGN_OR_RETURN(Statement * st, db.Cached(sql));
  st->Bind(1, message);
  return ReadRows<HotlineReceiptRecord>(*st, ReceiptRowOf);
}
}  // namespace

absl::StatusOr<bool> InsertHotlineDelivery(Txn& txn, const HotlineReceiptRecord& delivery) {
  RETURN_IF_ERROR(InsertReceipt(txn,
                                "INSERT OR IGNORE INTO hotline_deliveries(message, party, at, "
                                "key_id, signature, statement, ledger_index) VALUES(?1, ?2, ?3, "
                                "?4, ?5, ?6, ?7)",
                                delivery));
  return txn.db().Changes() > 0;
}

absl::Status InsertHotlineAck(Txn& txn, const HotlineReceiptRecord& ack) {
  return InsertReceipt(txn,
                       "INSERT INTO hotline_acks(message, party, at, key_id, signature, "
                       "statement, ledger_index) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                       ack);
}

absl::StatusOr<bool> HotlineDeliveryKnown(Database& db, std::string_view message,
                                          std::string_view party) {
  static const std::string kSql =
      "SELECT 1 FROM hotline_deliveries WHERE message = ?1 AND party = ?2";
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, message);
  st->Bind(2, party);
  ASSIGN_OR_RETURN(bool found, st->Step());
  st->Reset();
  return found;
}

absl::StatusOr<std::vector<HotlineReceiptRecord>> ReadHotlineDeliveries(Database& db,
                                                                        std::string_view message) {
  return ReadReceipts(db,
                      "SELECT message, party, at, key_id, signature, statement, ledger_index "
                      "FROM hotline_deliveries WHERE message = ?1 ORDER BY party",
                      message);
}

absl::StatusOr<std::vector<HotlineReceiptRecord>> ReadHotlineAcks(Database& db,
                                                                  std::string_view message) {
  return ReadReceipts(db,
                      "SELECT message, party, at, key_id, signature, statement, ledger_index "
                      "FROM hotline_acks WHERE message = ?1 ORDER BY party",
                      message);
}

}  // namespace deconflict::store
