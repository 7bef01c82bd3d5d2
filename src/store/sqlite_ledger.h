// store/sqlite_ledger.h: the ledger's tables in the SQLite store: entries, the perfect-subtree
// node hashes of the RFC 9162 tree, signed checkpoints and witness cosignatures.
//
// Every append is written in the caller's transaction together with the change it records
// (store.h), so the log and the state never disagree, also after a crash. Per append the ledger
// stores the leaf (a salted commitment to the entry, ledger/commitment.h), the entry's opening
// beside it, and every interior node that its leaf completes (on average one), so proofs
// are O(log n) lookups (LedgerReader); nothing is recomputed but the leaf hashes of the (at most
// two) single entries a proof names. Before each group commit FinishBatch signs a checkpoint of
// the new size with the server key (ledger/server_key.h). docs/ledger_format.md describes the
// tables' formats.
//
//   // writer side (store.cc)
//   ASSIGN_OR_RETURN(uint64_t index, ledger.Append(db, entry_bytes));
//   RETURN_IF_ERROR(ledger.FinishBatch(db));           // just before COMMIT
//   // reader side (API, CLI)
//   ReadSnapshot snapshot(read_db);
//   LedgerReader reader(read_db);
//   ASSIGN_OR_RETURN(auto proof, ledger::InclusionProof(reader, index, size));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "ledger/commitment.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "store/sqlite.h"

namespace deconflict::store {

// A checkpoint as served: the server-signed note followed by the witnesses' cosignature lines.
struct StoredCheckpoint {
  uint64_t size = 0;
  ledger::Hash root{};
  std::string note;      // signed note text, all signature lines included
  int cosignatures = 0;  // how many witness lines follow the server's
};

// The stored opening of a commitment leaf, and who may read it.
struct StoredOpening {
  ledger::Opening opening;
  std::string party;                 // the entry's party (its owner)
  std::vector<std::string> readers;  // parties named when the entry was appended

  // The owner, a guarantor (any party whose role is "guarantor") or a named reader.
  bool Entitles(std::string_view caller_party, std::string_view caller_role) const;
};

// What LedgerReader::Check verified.
// A witness binding as listed by `deconflict ledger witness list`.
struct WitnessBinding {
  std::string name;
  std::string verifier_key;
  std::string party;
  Timestamp added_at;
  std::optional<uint64_t> ledger_index;  // nullopt: registered by first use, before schema 4
  uint64_t cosignatures = 0;
};

// An entry ready to append (SqliteLedger::Append): its opening with a fresh salt, the
// commitment leaf the tree holds and that leaf's hash. Made by PrepareEntry on any thread.
struct PreparedEntry {
  ledger::Opening opening;
  std::string leaf;
  ledger::Hash leaf_hash{};
  std::string party;  // the entry's party ("" when it is not a canonical entry)
};
PreparedEntry PrepareEntry(std::string entry);

struct LedgerCheckReport {
  uint64_t entries = 0;
  uint64_t nodes = 0;
  uint64_t checkpoints = 0;
  uint64_t cosignatures = 0;
  uint64_t operations = 0;      // operation rows that match their entries (ledger_state_check.h)
  uint64_t parties = 0;         // party rows that match their entries
  uint64_t witnesses = 0;       // witness bindings that match their entries
  uint64_t encounters = 0;      // encounter rows that match their entries
  uint64_t encounter_acks = 0;  // encounter acknowledgements that match their entries
  uint64_t hotline = 0;         // hotline channels, messages, deliveries and acks (hotline_table.h)
  uint64_t incidents = 0;       // incident versions, findings and statements (incidents_table.h)
  uint64_t cases = 0;  // automatic cases, their closes, overdue marks and responses (cases_table.h)
  ledger::Hash root{};  // of all entries
};

// The writer side. Thread-compatible: Append, FinishBatch, ForgetCache, AddCosignature,
// BindWitness and RemoveWitness run on the store's writer thread inside its transaction; signer()
// is immutable after Open and safe from any thread.
//
// It caches the right edge of the tree (ledger::Frontier) between appends. The cache is checked
// against the database at every append: another process (the CLI) may have appended between two
// of our transactions (detected with PRAGMA data_version at the first append of a transaction),
// and a unit of work rolled back to its savepoint takes its entries and nodes with it (detected
// because the next entry's row number, or the stored size in FinishBatch, is then below the
// cached size). Either way the frontier is reloaded from the stored nodes (O(log n)).
//
// Open also sets PRAGMA temp_store=MEMORY and cache_size=16 MiB on the writer connection: group
// commit runs every unit in a savepoint, whose undo journal would otherwise go to a temp file.
// Not larger: every commit truncates the page cache, and a full 64 MiB cache (a store of 150 MB)
// made that walk 5 % of the server's time (bench/humanitarian_put.sh, perf).
class SqliteLedger {
 public:
  // Loads (or creates, at first start) the server key in `dir`, and makes sure the empty tree
  // has a signed checkpoint, through `db` (the writer connection; no transaction open).
  // Checkpoints are stamped with `clock` (the store's injected clock), which must outlive it.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SqliteLedger>> Open(Database& db,
                                                                          const std::string& dir,
                                                                          const Clock& clock);
  SqliteLedger(const SqliteLedger&) = delete;
  SqliteLedger& operator=(const SqliteLedger&) = delete;

  static constexpr char kSchema[] = R"sql(
CREATE TABLE ledger_entries (
  idx   INTEGER PRIMARY KEY,        -- 0, 1, 2, ... without gaps
  data  BLOB NOT NULL               -- the exact bytes hashed (ledger/entry.h)
);
CREATE TABLE ledger_nodes (
  id    INTEGER PRIMARY KEY,        -- level << 56 | index: the perfect subtree of 2^level leaves
  hash  BLOB NOT NULL               --   from index * 2^level, for level >= 1 (a leaf's hash is
                                    --   recomputed from its entry)
);
CREATE TABLE ledger_checkpoints (
  size        INTEGER PRIMARY KEY,
  root        BLOB NOT NULL,
  note        TEXT NOT NULL,        -- C2SP signed note, server signature only
  created_at  INTEGER NOT NULL      -- microseconds since the Unix epoch
);
CREATE TABLE ledger_witnesses (
  key_name      TEXT PRIMARY KEY,
  verifier_key  TEXT NOT NULL,      -- <name>+<id>+<base64(0x04 || key)>
  party         TEXT NOT NULL,      -- the party that registered it (first use)
  added_at      INTEGER NOT NULL
);
CREATE TABLE ledger_cosignatures (
  size         INTEGER NOT NULL REFERENCES ledger_checkpoints(size),
  key_name     TEXT NOT NULL REFERENCES ledger_witnesses(key_name),
  line         TEXT NOT NULL,       -- the signature line, with its final newline
  cosigned_at  INTEGER NOT NULL,    -- the cosignature's timestamp, POSIX seconds
  PRIMARY KEY (size, key_name)
);
)sql";

  // Schema version 4 (store/schema.cc): entries become commitments with their openings stored
  // beside (ledger/commitment.h), and witness names are bound by the server's operator.
  static constexpr char kSchemaV4[] = R"sql(
CREATE TABLE ledger_openings (
  idx      INTEGER PRIMARY KEY,     -- the index of the commitment leaf in ledger_entries
  salt     BLOB NOT NULL,           -- 32 random bytes
  entry    BLOB NOT NULL,           -- the canonical entry: leaf = 0x01 || SHA-256(salt || entry)
  party    TEXT NOT NULL,           -- the entry's party ('' when entry is not a canonical entry)
  readers  TEXT NOT NULL            -- further parties entitled to the opening, '\n'-separated
);
-- The witness.add entry of the operator's binding; NULL for a name registered by first use
-- before version 4, which is refused for new cosignatures until the operator binds it.
ALTER TABLE ledger_witnesses ADD COLUMN ledger_index INTEGER;
)sql";

  // Appends `entry` (the canonical bytes, ledger/entry.h) inside the caller's open transaction
  // on `db`; returns its index. The tree gets the commitment leaf 0x01 || SHA-256(salt || entry)
  // with a fresh random salt; the opening (salt, entry) is stored beside it, for the entry's
  // party, guarantors and `readers` (party ids named now; none by default) to read.
  // Errors: InvalidArgument when a reader id is empty or holds a newline; the database's (the
  // caller's unit then rolls back); DataLoss when the stored tree lacks a node it must have.
  [[nodiscard]] absl::StatusOr<uint64_t> Append(Database& db, std::string_view entry,
                                                const std::vector<std::string>& readers = {});
  // The same with the salt, the commitment leaf and its hash made beforehand (PrepareEntry), on
  // another thread than the writer's: bulk writers (an ACLED import) keep the hashing and the
  // random salt off the one thread every write waits for.
  [[nodiscard]] absl::StatusOr<uint64_t> Append(Database& db, const PreparedEntry& entry,
                                                const std::vector<std::string>& readers = {});

  // Called once per group-commit transaction, before COMMIT: signs and stores a checkpoint when
  // the tree grew in this transaction.
  [[nodiscard]] absl::Status FinishBatch(Database& db);

  // Drops the cached frontier (called after a failed commit); the next append reloads it.
  void ForgetCache();

  // Records a witness cosignature of the stored checkpoint of `size`, in the caller's
  // transaction. `witness_key` is a cosignature/v1 verifier key whose name the server's operator
  // bound to `party` with exactly this key (BindWitness); `line` is the one signature line.
  // Errors: InvalidArgument naming "witness_key", "size" or "cosignature"; NotFound (field
  // "witness_key") for a witness name nobody bound; PermissionDenied (field "witness_key", naming
  // the witness) when the name is bound to another party or another key, or was registered by
  // first use before schema 4 and not yet bound by the operator; NotFound (field "size") when
  // there is no checkpoint of that size.
  [[nodiscard]] absl::Status AddCosignature(Database& db, const std::string& party,
                                            std::string_view witness_key, uint64_t size,
                                            std::string_view line);

  // The server's operator binds the witness name of `witness_key` (a cosignature/v1 verifier key)
  // to `party`, in the caller's transaction, with a witness.add ledger entry (content digest:
  // store::WitnessBindingDigest); returns the entry's index. A name registered by first use
  // before schema 4 is taken over (its cosignatures are dropped when the key differs: they were
  // not made with the bound key). Errors: InvalidArgument naming "--key"; NotFound naming
  // "--party" when there is no such party; FailedPrecondition when the party is revoked;
  // AlreadyExists when the name is bound already (remove it first).
  [[nodiscard]] absl::StatusOr<uint64_t> BindWitness(Database& db, const std::string& party,
                                                     std::string_view witness_key, Timestamp now);

  // Removes the binding of witness `name` and its cosignatures (a removed key is no longer
  // trusted: its lines stop being served), with a witness.remove ledger entry; returns the
  // entry's index. NotFound naming "--name" when no witness has that name.
  [[nodiscard]] absl::StatusOr<uint64_t> RemoveWitness(Database& db, const std::string& name,
                                                       Timestamp now);

  const ledger::Signer& signer() const { return signer_; }

 private:
  SqliteLedger(ledger::Signer signer, const Clock& clock)
      : signer_(std::move(signer)), clock_(clock) {}
  [[nodiscard]] absl::Status Revalidate(Database& db);
  [[nodiscard]] absl::Status Reload(Database& db, uint64_t size);
  [[nodiscard]] absl::Status Prepare(Database& db);

  const ledger::Signer signer_;
  const Clock& clock_;
  Database* prepared_for_ = nullptr;
  std::optional<Statement> insert_entry_, append_entry_, insert_node_, select_node_, select_entry_,
      stored_size_, data_version_, insert_opening_;

  bool valid_ = false;   // frontier_ and last_checkpoint_size_ match the database
  bool in_txn_ = false;  // an Append ran in the current transaction
  int64_t data_version_seen_ = -1;
  uint64_t txn_start_size_ = 0;  // the stored size when the current transaction first appended
  ledger::Frontier frontier_;
  uint64_t last_checkpoint_size_ = 0;
};

// Holds one read transaction on `db` for its lifetime: a consistent snapshot, and one lock
// acquisition instead of one per statement (a proof is some 50 lookups). Not thread-safe.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db) : db_(db), open_(db.Exec("BEGIN").ok()) {}
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot() {
    if (open_) (void)db_.Exec("COMMIT");
  }

 private:
  Database& db_;
  const bool open_;  // false when BEGIN failed (e.g. a transaction was already open)
};

// The reader side: entries, nodes, checkpoints and the full check, over a connection that the
// caller owns (Store::WithReader, or a read-only connection in the CLI). Not thread-safe; one
// reader per connection at a time. Statements are prepared once per reader.
class LedgerReader final : public ledger::NodeSource {
 public:
  explicit LedgerReader(Database& db) : db_(db) {}
  LedgerReader(const LedgerReader&) = delete;
  LedgerReader& operator=(const LedgerReader&) = delete;

  // The number of stored entries (may run ahead of the latest checkpoint while a batch commits).
  [[nodiscard]] absl::StatusOr<uint64_t> Size();
  // Entries [start, end): the leaf bytes the tree hashes. REQUIRES: end <= Size().
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> Entries(uint64_t start, uint64_t end);
  // The openings of entries [start, end), one per entry: nullopt for a format-1 leaf (its bytes
  // are the entry). The caller decides who may see them (StoredOpening::Entitles).
  [[nodiscard]] absl::StatusOr<std::vector<std::optional<StoredOpening>>> Openings(uint64_t start,
                                                                                   uint64_t end);
  // ledger::NodeSource. DataLoss when the node is missing.
  [[nodiscard]] absl::StatusOr<ledger::Hash> Node(int level, uint64_t index) override;

  // The newest checkpoint, with its cosignatures. NotFound when the store has none (it always
  // has one once SqliteLedger::Open ran).
  [[nodiscard]] absl::StatusOr<StoredCheckpoint> LatestCheckpoint();
  // The checkpoint of exactly `size`, with its cosignatures; NotFound when there is none.
  [[nodiscard]] absl::StatusOr<StoredCheckpoint> CheckpointAt(uint64_t size);
  // Every witness binding, by name.
  [[nodiscard]] absl::StatusOr<std::vector<WitnessBinding>> Witnesses();
  // The checkpoint to prove entry `index` against: the newest one that covers it and carries a
  // cosignature, else the newest one that covers it. NotFound when none covers it yet.
  [[nodiscard]] absl::StatusOr<StoredCheckpoint> CheckpointFor(uint64_t index);

  // Calls `fn(index, entry)` for every entry in index order that opens (a commitment with its
  // stored opening, ledger/commitment.h) or decodes (a format-1 leaf) to a canonical entry;
  // committed bytes that are not an entry (test filler) record no state and are skipped.
  // DataLoss naming the entry when a commitment's opening is missing or does not hash to it.
  // Stops at fn's first error.
  [[nodiscard]] absl::Status ForEachEntry(
      const std::function<absl::Status(uint64_t, const ledger::Entry&)>& fn);

  // Recomputes the whole tree from the entries, in one read transaction, and compares it with
  // every stored node, every checkpoint (root and the signature of `server_key`) and every
  // cosignature (against the registered witness key), and every opening against its leaf; then,
  // in the same transaction, compares the state tables with the entries that record them
  // (store/ledger_state_check.h). DataLoss naming the first difference of the tree, or every
  // differing state row. REQUIRES: no transaction (nor ReadSnapshot) is open on the connection.
  [[nodiscard]] absl::StatusOr<LedgerCheckReport> Check(const ledger::VerifierKey& server_key);

 private:
  [[nodiscard]] absl::StatusOr<StoredCheckpoint> WithCosignatures(uint64_t size, ledger::Hash root,
                                                                  std::string note);
  [[nodiscard]] absl::Status CheckInTransaction(const ledger::VerifierKey& server_key,
                                                LedgerCheckReport& report);
  Database& db_;
  std::optional<Statement> select_node_, select_entry_;
};

}  // namespace deconflict::store
