// store/signing_keys_table.h: the registered Ed25519 signing keys of parties (design.md §3,
// "Acknowledgements that prove themselves"), as typed store calls. The SQL stays in the store;
// the rules (who may add, key ids, the ledger entries) are in parties/signing_key.h.
//
//   RETURN_IF_ERROR(InsertSigningKey(txn, record));
//   ASSIGN_OR_RETURN(std::vector<SigningKeyRecord> keys, ListSigningKeys(store, "RU"));
//
// Table `signing_keys` (schema version 8, kSigningKeysSchema):
//   key_id        TEXT PRIMARY KEY   16 lowercase hex digits: the first 8 bytes of
//   SHA-256(public_key) party         TEXT NOT NULL      the owning party (parties.id) public_key
//   BLOB NOT NULL UNIQUE  the raw 32-byte Ed25519 public key name          TEXT NOT NULL      the
//   operator's label ("" when none was given) added_at      INTEGER NOT NULL   microseconds since
//   the Unix epoch, UTC revoked_at    INTEGER            NULL while the key is active ledger_index
//   INTEGER NOT NULL   the signing_key.add entry
// Rows are never deleted: a revoked key stays, so that what it signed before stays explainable.
//
// Thread-safety: the Txn calls as Txn (the writer thread, inside a unit of work); the Store calls
// are thread-safe (they use the store's read connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "store/ledger_state_check.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace deconflict::store {

// The migration that creates the table (schema.cc, version 8).
extern const char kSigningKeysSchema[];

// Ledger actions of the registration of a key by the server's operator and of its revocation.
// party: the key's party; object: the key id; content digest: SigningKeyRecordDigest
// (store/record_digest.h) of the row, the same for both entries.
inline constexpr char kActionSigningKeyAdd[] = "signing_key.add";
inline constexpr char kActionSigningKeyRevoke[] = "signing_key.revoke";

struct SigningKeyRecord {
  std::string key_id;  // 16 lowercase hex digits
  std::string party;
  std::string public_key;  // raw 32 bytes
  std::string name;
  Timestamp added_at;
  std::optional<Timestamp> revoked_at;
  int64_t ledger_index = -1;

  bool operator==(const SigningKeyRecord&) const = default;
};

// Inserts the row. AlreadyExists naming the key id when the key id or the public key is
// registered already (revoked or not: a revoked key is never registered again); the database's
// error otherwise.
[[nodiscard]] absl::Status InsertSigningKey(Txn& txn, const SigningKeyRecord& record);

// The row with this key id, as stored in `txn`; nullopt when there is none.
[[nodiscard]] absl::StatusOr<std::optional<SigningKeyRecord>> GetSigningKey(
    Txn& txn, const std::string& key_id);

// Sets revoked_at. NotFound when there is no such key; FailedPrecondition when already revoked.
[[nodiscard]] absl::Status RevokeSigningKey(Txn& txn, const std::string& key_id, Timestamp at);

// Committed rows, revoked ones included, ordered by party then key id; only `party`'s when it is
// not empty. The database's error otherwise.
[[nodiscard]] absl::StatusOr<std::vector<SigningKeyRecord>> ListSigningKeys(
    Store& store, const std::string& party = "");

// `deconflict ledger check` for this table (the counterpart of store/ledger_state_check.h's
// checks; CheckStateTables's caller runs it beside them): every row matches the signing_key.add
// entry at its ledger_index (object: the key id, party: the row's party, content digest:
// SigningKeyRecordDigest of the row); revoked_at is set exactly when a signing_key.revoke entry
// of the key follows that add; every key id the log records as added has a row. An edit of the
// table (a swapped public key, a cleared revoked_at, a deleted row) is found here: verification
// of acknowledgements trusts these rows. Returns how many rows match; DataLoss naming each
// differing row (at most kMaxRowsNamed, then the count of the others); the database's error.
// Thread-compatible: runs on a connection the caller owns, inside the caller's read transaction.
[[nodiscard]] absl::StatusOr<uint64_t> CheckSigningKeyRows(Database& db, const EntryWalk& walk);

}  // namespace deconflict::store
