#include "store/sqlite_ledger.h"

#include <algorithm>
#include <chrono>

#include "absl/cleanup/cleanup.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/commitment.h"
#include "ledger/server_key.h"
#include "sqlite3.h"
#include "store/cases_table.h"
#include "store/hotline_table.h"
#include "store/incidents_table.h"
#include "store/ledger_state_check.h"
#include "store/signing_keys_table.h"

namespace deconflict::store {
namespace {

using ledger::Hash;

int64_t NodeId(int level, uint64_t index) {
  return static_cast<int64_t>((static_cast<uint64_t>(level) << 56) | index);
}

constexpr char kStoredSize[] = "SELECT coalesce(max(idx), -1) + 1 FROM ledger_entries";
constexpr char kSelectNode[] = "SELECT hash FROM ledger_nodes WHERE id = ?1";
constexpr char kSelectEntry[] = "SELECT data FROM ledger_entries WHERE idx = ?1";

// Runs a prepared single-row integer query and resets it.
absl::StatusOr<int64_t> QueryPrepared(Statement& st) {
  absl::StatusOr<bool> row = st.Step();
  const int64_t value = (row.ok() && *row) ? st.ColumnInt(0) : 0;
  st.Reset();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError("sqlite: a single-row query returned no row");
  return value;
}

// The hash of a perfect subtree: levels >= 1 are stored; a leaf (level 0) is the hash of its
// entry, recomputed rather than stored (one SHA-256 of a short entry costs less than a row).
absl::StatusOr<Hash> LookupNode(Statement& node_st, Statement& entry_st, int level,
                                uint64_t index) {
  Statement& st = level == 0 ? entry_st : node_st;
  st.Bind(1, level == 0 ? static_cast<int64_t>(index) : NodeId(level, index));
  absl::StatusOr<bool> row = st.Step();
  std::optional<Hash> hash;
  if (row.ok() && *row) {
    hash = level == 0 ? std::optional<Hash>(ledger::LeafHash(st.ColumnBlob(0)))
                      : ledger::HashFromBytes(st.ColumnBlob(0));
  }
  st.Reset();
  if (!row.ok()) return row.status();
  if (!hash) {
    return absl::DataLossError(fmt::format("ledger: the {} at level {} index {} is {}",
                                           level == 0 ? "entry" : "node", level, index,
                                           *row ? "not a 32-byte hash" : "missing"));
  }
  return *hash;
}

std::string SignCheckpoint(const ledger::Signer& signer, uint64_t size, const Hash& root) {
  const std::string body =
      ledger::FormatCheckpoint({.origin = signer.name(), .size = size, .root = root});
  return body + "\n" + signer.SignNote(body);
}

absl::Status InsertCheckpoint(Database& db, const ledger::Signer& signer, const Clock& clock,
                              uint64_t size, const Hash& root) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT INTO ledger_checkpoints(size, root, note, "
                                            "created_at) VALUES(?1, ?2, ?3, ?4)"));
  st.Bind(1, static_cast<int64_t>(size));
  st.BindBlob(2, ledger::HashBytes(root));
  st.Bind(3, SignCheckpoint(signer, size, root));
  st.Bind(4, clock.Now().time_since_epoch().count());
  return st.Run();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SqliteLedger

absl::StatusOr<std::unique_ptr<SqliteLedger>> SqliteLedger::Open(Database& db,
                                                                 const std::string& dir,
                                                                 const Clock& clock) {
  ASSIGN_OR_RETURN(ledger::Signer signer, ledger::LoadOrCreateServerKey(dir));
  std::unique_ptr<SqliteLedger> out(new SqliteLedger(std::move(signer), clock));
  // Group commit runs each unit in a savepoint; SQLite keeps the savepoint's undo pages in a
  // temporary "statement journal", which must not go to a file on every unit. A cache larger
  // than one batch keeps the batch from spilling into the WAL before its commit; one much larger
  // costs every commit a walk of its hash table (sqlite_ledger.h).
  RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY"));
  RETURN_IF_ERROR(db.Exec("PRAGMA cache_size=-16384"));
  // Pages outside that cache are read through a memory map instead of a read() and a copy each:
  // a large store's random index inserts (incident ids, times) miss the cache on most pages. With
  // checkpoints every 10,000 WAL pages (40 MB) instead of 1,000, a leaf page that many commits
  // rewrite is copied into the database once per checkpoint. Both measured on 1,000,000 ACLED
  // rows (bench/incidents.sh, README "Ceasefire monitoring"): the writer thread's CPU time from
  // 25.4 s to 18.9 s. SQLite writes through the map never (no SQLITE_MMAP_READ_WRITE): a failed
  // write is still an error value; only a read error of a mapped page would be a signal.
  RETURN_IF_ERROR(db.Exec("PRAGMA mmap_size=4294967296"));
  RETURN_IF_ERROR(db.Exec("PRAGMA wal_autocheckpoint=10000"));
  // The empty tree gets its checkpoint at first start, so that a checkpoint always exists.
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  // Every way out before the COMMIT rolls back.
  absl::Cleanup roll_back = [&db] { (void)db.Exec("ROLLBACK"); };
  ASSIGN_OR_RETURN(int64_t checkpoints, db.QueryInt("SELECT count(*) FROM ledger_checkpoints"));
  if (checkpoints == 0)
    RETURN_IF_ERROR(InsertCheckpoint(db, out->signer_, out->clock_, 0, ledger::EmptyRoot()));
  RETURN_IF_ERROR(db.Exec("COMMIT"));
  std::move(roll_back).Cancel();
  return out;
}

absl::Status SqliteLedger::Prepare(Database& db) {
  if (prepared_for_ == &db) return absl::OkStatus();
  prepared_for_ = nullptr;
  ASSIGN_OR_RETURN(insert_entry_,
                   db.Prepare("INSERT INTO ledger_entries(idx, data) VALUES(?1, ?2)"));
  ASSIGN_OR_RETURN(append_entry_, db.Prepare("INSERT INTO ledger_entries(data) VALUES(?1)"));
  ASSIGN_OR_RETURN(select_entry_, db.Prepare(kSelectEntry));
  ASSIGN_OR_RETURN(insert_node_, db.Prepare("INSERT INTO ledger_nodes(id, hash) VALUES(?1, ?2)"));
  ASSIGN_OR_RETURN(select_node_, db.Prepare(kSelectNode));
  ASSIGN_OR_RETURN(stored_size_, db.Prepare(kStoredSize));
  ASSIGN_OR_RETURN(data_version_, db.Prepare("PRAGMA data_version"));
  ASSIGN_OR_RETURN(insert_opening_, db.Prepare("INSERT INTO ledger_openings(idx, salt, entry, "
                                               "party, readers) VALUES(?1, ?2, ?3, ?4, ?5)"));
  prepared_for_ = &db;
  valid_ = false;
  return absl::OkStatus();
}

absl::Status SqliteLedger::Reload(Database& db, uint64_t size) {
  valid_ = false;
  std::vector<Hash> roots;
  for (auto [level, index] : ledger::Frontier::NodesOf(size)) {
    ASSIGN_OR_RETURN(Hash h, LookupNode(*select_node_, *select_entry_, level, index));
    roots.push_back(h);
  }
  frontier_ = ledger::Frontier(size, std::move(roots));
  ASSIGN_OR_RETURN(int64_t checkpoint_size,
                   db.QueryInt("SELECT coalesce(max(size), 0) FROM ledger_checkpoints"));
  last_checkpoint_size_ = static_cast<uint64_t>(checkpoint_size);
  ASSIGN_OR_RETURN(data_version_seen_, QueryPrepared(*data_version_));
  valid_ = true;
  return absl::OkStatus();
}

absl::Status SqliteLedger::Revalidate(Database& db) {
  RETURN_IF_ERROR(Prepare(db));
  const bool first_in_txn = !in_txn_;
  if (valid_ && !in_txn_) {
    // First append of a transaction: did another connection commit since we last looked?
    ASSIGN_OR_RETURN(int64_t version, QueryPrepared(*data_version_));
    if (version != data_version_seen_) valid_ = false;
  }
  // Within a transaction only a unit rolled back to its savepoint changes the tree behind our
  // back, and it can only shrink it.
  ASSIGN_OR_RETURN(int64_t stored, QueryPrepared(*stored_size_));
  if (!valid_ || static_cast<uint64_t>(stored) != frontier_.size()) {
    RETURN_IF_ERROR(Reload(db, static_cast<uint64_t>(stored)));
  }
  if (first_in_txn) txn_start_size_ = frontier_.size();
  in_txn_ = true;
  return absl::OkStatus();
}

PreparedEntry PrepareEntry(std::string entry) {
  PreparedEntry out;
  out.opening = ledger::NewOpening(std::move(entry));
  out.leaf = ledger::CommitmentLeaf(out.opening);
  out.leaf_hash = ledger::LeafHash(out.leaf);
  out.party = ledger::EntryParty(out.opening.entry).value_or("");
  return out;
}

absl::StatusOr<uint64_t> SqliteLedger::Append(Database& db, std::string_view entry_bytes,
                                              const std::vector<std::string>& readers) {
  return Append(db, PrepareEntry(std::string(entry_bytes)), readers);
}

absl::StatusOr<uint64_t> SqliteLedger::Append(Database& db, const PreparedEntry& prepared,
                                              const std::vector<std::string>& readers) {
  std::string reader_list;
  for (const std::string& reader : readers) {
    if (reader.empty() || reader.find('\n') != std::string::npos) {
      return absl::InvalidArgumentError(
          fmt::format("ledger: reader '{}' is not a party id", reader));
    }
    if (!reader_list.empty()) reader_list += '\n';
    reader_list += reader;
  }
  RETURN_IF_ERROR(Prepare(db));
  // The tree commits to the entry; the readable entry goes to ledger_openings (disclosure:
  // ledger/commitment.h).
  const ledger::Opening& opening = prepared.opening;
  const std::string_view entry = prepared.leaf;
  uint64_t index = 0;
  // SQLite numbers a row max(idx) + 1, but 1 in an empty table: the implicit numbering below is
  // exact only if the table cannot be empty, i.e. it was not empty when the transaction began
  // (a rollback to a savepoint never goes below that).
  if (!valid_ || !in_txn_ || txn_start_size_ == 0) {
    // First append of the transaction (or of the log): check the cache against the database.
    RETURN_IF_ERROR(Revalidate(db));
    index = frontier_.size();
    insert_entry_->Bind(1, static_cast<int64_t>(index));
    insert_entry_->BindBlob(2, entry);
    RETURN_IF_ERROR(insert_entry_->Run());
  } else {
    // Later appends let SQLite number the row (max(idx) + 1, since the table is not empty): a
    // unit rolled back to its savepoint since our last append shows as a smaller index, at no
    // cost. Within a transaction nothing else can change the table.
    // Invariant: txn_start_size_ >= 1, so the table holds at least one row.
    append_entry_->BindBlob(1, entry);
    RETURN_IF_ERROR(append_entry_->Run());
    index = static_cast<uint64_t>(sqlite3_last_insert_rowid(db.raw()));
    if (index != frontier_.size()) RETURN_IF_ERROR(Reload(db, index));
  }
  valid_ = false;  // until every node of this leaf is stored
  absl::Status nodes = absl::OkStatus();
  frontier_.Append(prepared.leaf_hash, [&](int level, uint64_t node_index, const Hash& h) {
    if (level == 0 || !nodes.ok()) return;  // leaves are not stored (LookupNode)
    insert_node_->Bind(1, NodeId(level, node_index));
    insert_node_->BindBlob(2, ledger::HashBytes(h));
    nodes = insert_node_->Run();
  });
  RETURN_IF_ERROR(nodes);
  insert_opening_->Bind(1, static_cast<int64_t>(index));
  insert_opening_->BindBlob(2, opening.salt);
  insert_opening_->BindBlob(3, opening.entry);
  insert_opening_->Bind(4, prepared.party);  // "" binds as text
  insert_opening_->Bind(5, reader_list);
  RETURN_IF_ERROR(insert_opening_->Run());
  valid_ = true;
  return index;
}

absl::Status SqliteLedger::FinishBatch(Database& db) {
  if (!in_txn_) return absl::OkStatus();  // nothing appended in this transaction
  RETURN_IF_ERROR(Revalidate(db));
  if (frontier_.size() > last_checkpoint_size_) {
    RETURN_IF_ERROR(InsertCheckpoint(db, signer_, clock_, frontier_.size(), frontier_.Root()));
    last_checkpoint_size_ = frontier_.size();
  }
  // Our own COMMIT does not change our data_version; anyone else's later commit will.
  ASSIGN_OR_RETURN(data_version_seen_, QueryPrepared(*data_version_));
  in_txn_ = false;
  return absl::OkStatus();
}

void SqliteLedger::ForgetCache() {
  valid_ = false;
  in_txn_ = false;
}

// ---------------------------------------------------------------------------------------------
// LedgerReader

absl::StatusOr<uint64_t> LedgerReader::Size() {
  ASSIGN_OR_RETURN(int64_t size, db_.QueryInt(kStoredSize));
  return static_cast<uint64_t>(size);
}

absl::StatusOr<std::vector<std::string>> LedgerReader::Entries(uint64_t start, uint64_t end) {
  ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT idx, data FROM ledger_entries WHERE idx >= ?1 "
                                             "AND idx < ?2 ORDER BY idx"));
  st.Bind(1, static_cast<int64_t>(start));
  st.Bind(2, static_cast<int64_t>(end));
  std::vector<std::string> entries;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (static_cast<uint64_t>(st.ColumnInt(0)) != start + entries.size()) {
      return absl::DataLossError(
          fmt::format("ledger: entry {} is missing", start + entries.size()));
    }
    entries.push_back(st.ColumnBlob(1));
  }
  if (entries.size() != end - start) {
    return absl::OutOfRangeError(
        fmt::format("ledger: only {} entries from {}", entries.size(), start));
  }
  return entries;
}

absl::StatusOr<Hash> LedgerReader::Node(int level, uint64_t index) {
  if (!select_node_) {
    ASSIGN_OR_RETURN(select_node_, db_.Prepare(kSelectNode));
    ASSIGN_OR_RETURN(select_entry_, db_.Prepare(kSelectEntry));
  }
  return LookupNode(*select_node_, *select_entry_, level, index);
}

absl::StatusOr<StoredCheckpoint> LedgerReader::WithCosignatures(uint64_t size, Hash root,
                                                                std::string note) {
  StoredCheckpoint out{.size = size, .root = root, .note = std::move(note)};
  ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT line FROM ledger_cosignatures WHERE size = ?1 "
                                             "ORDER BY key_name"));
  st.Bind(1, static_cast<int64_t>(size));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.note += st.ColumnText(0);
    ++out.cosignatures;
  }
  return out;
}

namespace {
absl::StatusOr<StoredCheckpoint> ReadCheckpointRow(Statement& st, bool row, std::string what) {
  if (!row) return absl::NotFoundError(std::move(what));
  std::optional<Hash> root = ledger::HashFromBytes(st.ColumnBlob(1));
  if (!root) return absl::DataLossError("ledger: a stored checkpoint root is not 32 bytes");
  return StoredCheckpoint{
      .size = static_cast<uint64_t>(st.ColumnInt(0)), .root = *root, .note = st.ColumnText(2)};
}
}  // namespace

absl::StatusOr<StoredCheckpoint> LedgerReader::LatestCheckpoint() {
  ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT size, root, note FROM ledger_checkpoints "
                                             "ORDER BY size DESC LIMIT 1"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  ASSIGN_OR_RETURN(StoredCheckpoint cp, ReadCheckpointRow(st, row, "the ledger has no checkpoint"));
  return WithCosignatures(cp.size, cp.root, std::move(cp.note));
}

absl::StatusOr<StoredCheckpoint> LedgerReader::CheckpointAt(uint64_t size) {
  ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT size, root, note FROM ledger_checkpoints "
                                             "WHERE size = ?1"));
  st.Bind(1, static_cast<int64_t>(size));
  ASSIGN_OR_RETURN(bool row, st.Step());
  ASSIGN_OR_RETURN(
      StoredCheckpoint cp,
      ReadCheckpointRow(st, row, fmt::format("there is no checkpoint of size {}", size)));
  return WithCosignatures(cp.size, cp.root, std::move(cp.note));
}

absl::StatusOr<StoredCheckpoint> LedgerReader::CheckpointFor(uint64_t index) {
  ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT size, root, note FROM ledger_checkpoints c WHERE size > ?1 "
                  "ORDER BY EXISTS(SELECT 1 FROM ledger_cosignatures s WHERE s.size = c.size) "
                  "DESC, size DESC LIMIT 1"));
  st.Bind(1, static_cast<int64_t>(index));
  ASSIGN_OR_RETURN(bool row, st.Step());
  ASSIGN_OR_RETURN(
      StoredCheckpoint cp,
      ReadCheckpointRow(st, row, fmt::format("no checkpoint covers entry {} yet", index)));
  return WithCosignatures(cp.size, cp.root, std::move(cp.note));
}

bool StoredOpening::Entitles(std::string_view caller_party, std::string_view caller_role) const {
  if (caller_party.empty()) return false;
  if (caller_party == party || caller_role == "guarantor") return true;
  return std::find(readers.begin(), readers.end(), caller_party) != readers.end();
}

absl::StatusOr<std::vector<std::optional<StoredOpening>>> LedgerReader::Openings(uint64_t start,
                                                                                 uint64_t end) {
  ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT idx, salt, entry, party, readers FROM "
                                             "ledger_openings WHERE idx >= ?1 AND idx < ?2 "
                                             "ORDER BY idx"));
  st.Bind(1, static_cast<int64_t>(start));
  st.Bind(2, static_cast<int64_t>(end));
  std::vector<std::optional<StoredOpening>> out(end > start ? end - start : 0);
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    StoredOpening o{.opening = {.salt = st.ColumnBlob(1), .entry = st.ColumnBlob(2)},
                    .party = st.ColumnText(3)};
    const std::string readers = st.ColumnText(4);
    for (size_t pos = 0; pos < readers.size();) {
      const size_t nl = std::min(readers.find('\n', pos), readers.size());
      o.readers.push_back(readers.substr(pos, nl - pos));
      pos = nl + 1;
    }
    out[static_cast<uint64_t>(st.ColumnInt(0)) - start] = std::move(o);
  }
  return out;
}

absl::Status LedgerReader::ForEachEntry(
    const std::function<absl::Status(uint64_t, const ledger::Entry&)>& fn) {
  ASSIGN_OR_RETURN(Statement st, db_.Prepare("SELECT e.idx, e.data, o.salt, o.entry FROM "
                                             "ledger_entries e LEFT JOIN ledger_openings o "
                                             "USING (idx) ORDER BY e.idx"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return absl::OkStatus();
    const uint64_t index = static_cast<uint64_t>(st.ColumnInt(0));
    const std::string leaf = st.ColumnBlob(1);
    std::optional<ledger::Opening> opening;
    if (!st.ColumnIsNull(2))
      opening = ledger::Opening{.salt = st.ColumnBlob(2), .entry = st.ColumnBlob(3)};
    if (ledger::IsCommitmentLeaf(leaf)) {
      if (!opening)
        return absl::DataLossError(fmt::format("ledger: entry {}: its opening is missing", index));
      if (absl::Status s = ledger::VerifyOpening(leaf, *opening); !s.ok()) {
        return absl::DataLossError(fmt::format("ledger: entry {}: {}: the opening was changed",
                                               index, std::string(s.message())));
      }
      absl::StatusOr<ledger::Entry> entry = ledger::DecodeEntry(opening->entry);
      if (entry.ok()) RETURN_IF_ERROR(fn(index, *entry));
      continue;
    }
    if (opening) {
      return absl::DataLossError(
          fmt::format("ledger: entry {} is not a commitment but has an opening", index));
    }
    absl::StatusOr<ledger::Entry> entry = ledger::DecodeEntry(leaf);
    if (entry.ok()) RETURN_IF_ERROR(fn(index, *entry));
  }
}

absl::StatusOr<LedgerCheckReport> LedgerReader::Check(const ledger::VerifierKey& server_key) {
  // One read transaction: a consistent snapshot while the server keeps appending.
  RETURN_IF_ERROR(db_.Exec("BEGIN"));
  LedgerCheckReport report;
  absl::Status s = CheckInTransaction(server_key, report);
  if (s.ok()) {
    absl::StatusOr<StateCheckReport> state =
        CheckStateTables(db_, [this](const auto& fn) { return ForEachEntry(fn); });
    if (state.ok()) {
      report.operations = state->operations;
      report.parties = state->parties;
      report.witnesses = state->witnesses;
      report.encounters = state->encounters;
      report.encounter_acks = state->encounter_acks;
    }
    s = state.status();
    // The registered signing keys acknowledgements are verified with (signing_keys_table.h).
    if (s.ok())
      s = CheckSigningKeyRows(db_, [this](const auto& fn) { return ForEachEntry(fn); }).status();
    // The hotline's channels, messages and receipts (hotline_table.h).
    if (s.ok()) {
      absl::StatusOr<uint64_t> hotline =
          CheckHotlineRows(db_, [this](const auto& fn) { return ForEachEntry(fn); });
      if (hotline.ok()) report.hotline = *hotline;
      s = hotline.status();
    }
    // Monitoring's incident versions, findings and statements (incidents_table.h).
    if (s.ok()) {
      absl::StatusOr<uint64_t> incidents =
          CheckIncidentRows(db_, [this](const auto& fn) { return ForEachEntry(fn); });
      if (incidents.ok()) report.incidents = *incidents;
      s = incidents.status();
    }
    // Monitoring's automatic cases (cases_table.h).
    if (s.ok()) {
      absl::StatusOr<uint64_t> cases =
          CheckCaseRows(db_, [this](const auto& fn) { return ForEachEntry(fn); });
      if (cases.ok()) report.cases = *cases;
      s = cases.status();
    }
  }
  (void)db_.Exec("COMMIT");
  if (!s.ok()) return s;
  return report;
}

absl::Status LedgerReader::CheckInTransaction(const ledger::VerifierKey& server_key,
                                              LedgerCheckReport& report) {
  ASSIGN_OR_RETURN(Statement entries,
                   db_.Prepare("SELECT idx, data FROM ledger_entries ORDER BY idx"));
  ASSIGN_OR_RETURN(Statement checkpoints, db_.Prepare("SELECT size, root, note FROM "
                                                      "ledger_checkpoints ORDER BY size"));
  // One cursor per level walks that level's stored nodes in order, in step with the recomputation.
  std::vector<std::optional<Statement>> levels(64);
  ledger::Frontier frontier;
  absl::Status node_status = absl::OkStatus();
  auto on_node = [&](int level, uint64_t index, const Hash& h) {
    if (level == 0 || !node_status.ok()) return;
    node_status = [&]() -> absl::Status {
      if (!levels[level]) {
        ASSIGN_OR_RETURN(levels[level], db_.Prepare("SELECT id, hash FROM ledger_nodes WHERE id >= "
                                                    "?1 AND id < ?2 ORDER BY id"));
        levels[level]->Bind(1, NodeId(level, 0));
        levels[level]->Bind(2, NodeId(level + 1, 0));
      }
      ASSIGN_OR_RETURN(bool row, levels[level]->Step());
      const uint64_t first = index << level;
      const uint64_t last = first + (uint64_t{1} << level) - 1;
      if (!row || levels[level]->ColumnInt(0) != NodeId(level, index)) {
        return absl::DataLossError(
            fmt::format("ledger: the node at level {} index {} (entries {}..{}) is missing", level,
                        index, first, last));
      }
      if (levels[level]->ColumnBlob(1) != ledger::HashBytes(h)) {
        return absl::DataLossError(fmt::format(
            "ledger: entries {}..{} do not hash to the stored node at level {} index {}: an entry "
            "or the node was changed",
            first, last, level, index));
      }
      ++report.nodes;
      return absl::OkStatus();
    }();
  };
  // Checkpoints are verified when the recomputed tree reaches their size.
  ASSIGN_OR_RETURN(bool have_checkpoint, checkpoints.Step());
  auto check_checkpoints = [&]() -> absl::Status {
    while (have_checkpoint && static_cast<uint64_t>(checkpoints.ColumnInt(0)) == frontier.size()) {
      const uint64_t size = frontier.size();
      const Hash root = frontier.Root();
      if (checkpoints.ColumnBlob(1) != ledger::HashBytes(root)) {
        return absl::DataLossError(fmt::format(
            "ledger: checkpoint {}: the stored root differs from the root {} recomputed from "
            "entries 0..{}: an entry or the checkpoint was changed",
            size, Base64(ledger::HashBytes(root)), size - 1));
      }
      absl::StatusOr<ledger::Note> note = ledger::ParseNote(checkpoints.ColumnText(2));
      absl::Status verified = note.ok() ? ledger::VerifyNote(*note, server_key) : note.status();
      if (!verified.ok()) {
        return absl::DataLossError(
            fmt::format("ledger: checkpoint {}: {}", size, verified.message()));
      }
      absl::StatusOr<ledger::Checkpoint> body = ledger::ParseCheckpoint(note->text);
      if (!body.ok() || body->origin != server_key.name || body->size != size ||
          body->root != root) {
        return absl::DataLossError(fmt::format(
            "ledger: checkpoint {}: the signed text does not state origin {}, size {} and the "
            "recomputed root",
            size, server_key.name, size));
      }
      ++report.checkpoints;
      ASSIGN_OR_RETURN(have_checkpoint, checkpoints.Step());
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(check_checkpoints());
  while (true) {
    ASSIGN_OR_RETURN(bool row, entries.Step());
    if (!row) break;
    if (static_cast<uint64_t>(entries.ColumnInt(0)) != frontier.size()) {
      return absl::DataLossError(fmt::format("ledger: entry {} is missing (next stored is {})",
                                             frontier.size(), entries.ColumnInt(0)));
    }
    frontier.Append(ledger::LeafHash(entries.ColumnBlob(1)), on_node);
    RETURN_IF_ERROR(node_status);
    ++report.entries;
    RETURN_IF_ERROR(check_checkpoints());
  }
  if (have_checkpoint) {
    return absl::DataLossError(fmt::format("ledger: checkpoint {} is beyond the {} stored entries",
                                           checkpoints.ColumnInt(0), frontier.size()));
  }
  ASSIGN_OR_RETURN(int64_t stored_nodes, db_.QueryInt("SELECT count(*) FROM ledger_nodes"));
  if (static_cast<uint64_t>(stored_nodes) != report.nodes) {
    return absl::DataLossError(
        fmt::format("ledger: {} nodes stored, {} expected", stored_nodes, report.nodes));
  }
  report.root = frontier.Root();
  // Every cosignature against its registered witness key.
  ASSIGN_OR_RETURN(Statement cosigs,
                   db_.Prepare("SELECT s.size, s.line, c.note, w.verifier_key FROM "
                               "ledger_cosignatures s JOIN ledger_checkpoints c USING (size) "
                               "JOIN ledger_witnesses w USING (key_name) ORDER BY s.size"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, cosigs.Step());
    if (!row) break;
    absl::StatusOr<ledger::VerifierKey> key = ledger::ParseVerifierKey(cosigs.ColumnText(3));
    absl::StatusOr<ledger::Note> note = ledger::ParseNote(cosigs.ColumnText(2));
    absl::Status verified = !key.ok()    ? key.status()
                            : !note.ok() ? note.status()
                                         : absl::OkStatus();
    if (verified.ok()) {
      note->signatures.clear();
      absl::StatusOr<ledger::Note> cosigned =
          ledger::ParseNote(note->text + "\n" + cosigs.ColumnText(1));
      verified = cosigned.ok() ? ledger::VerifyNote(*cosigned, *key) : cosigned.status();
    }
    if (!verified.ok()) {
      return absl::DataLossError(fmt::format("ledger: a cosignature of checkpoint {}: {}",
                                             cosigs.ColumnInt(0), verified.message()));
    }
    ++report.cosignatures;
  }
  ASSIGN_OR_RETURN(int64_t stored_cosigs, db_.QueryInt("SELECT count(*) FROM ledger_cosignatures"));
  if (static_cast<uint64_t>(stored_cosigs) != report.cosignatures) {
    return absl::DataLossError("ledger: a cosignature has no checkpoint or no registered witness");
  }
  return absl::OkStatus();
}

}  // namespace deconflict::store
