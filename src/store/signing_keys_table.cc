#include "store/signing_keys_table.h"

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::store {

// IF NOT EXISTS: a test that turns a new store back into an older schema version by dropping
// only the tables it knows (sqlite_ledger_test) must still migrate forward; the migration runs in
// one transaction, so a table that exists is always the complete one.
const char kSigningKeysSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS signing_keys (
  key_id        TEXT PRIMARY KEY,        -- hex of the first 8 bytes of SHA-256(public_key)
  party         TEXT NOT NULL REFERENCES parties(id),
  public_key    BLOB NOT NULL UNIQUE,    -- raw 32-byte Ed25519 public key
  name          TEXT NOT NULL,
  added_at      INTEGER NOT NULL,        -- microseconds since the Unix epoch, UTC
  revoked_at    INTEGER,
  ledger_index  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS signing_keys_by_party ON signing_keys(party);
)sql";

namespace {

constexpr char kColumns[] =
    "key_id, party, public_key, name, added_at, revoked_at, ledger_index";

int64_t Micros(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp At(int64_t micros) { return Timestamp(std::chrono::microseconds(micros)); }

// The row `st` is on, its columns in the order of kColumns.
SigningKeyRecord RowOf(const Statement& st) {
  SigningKeyRecord r{.key_id = st.ColumnText(0),
                     .party = st.ColumnText(1),
                     .public_key = st.ColumnBlob(2),
                     .name = st.ColumnText(3),
                     .added_at = At(st.ColumnInt(4)),
                     .ledger_index = st.ColumnInt(6)};
  if (!st.ColumnIsNull(5)) r.revoked_at = At(st.ColumnInt(5));
  return r;
}

absl::StatusOr<std::vector<SigningKeyRecord>> ListSigningKeys(Database& db,
                                                              const std::string& party) {
  ASSIGN_OR_RETURN(Statement st,
                   db.Prepare(fmt::format("SELECT {} FROM signing_keys WHERE ?1 = '' OR party = ?1 "
                                          "ORDER BY party, key_id", kColumns)));
  st.Bind(1, party);
  std::vector<SigningKeyRecord> keys;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    keys.push_back(RowOf(st));
  }
  return keys;
}

}  // namespace

absl::Status InsertSigningKey(Txn& txn, const SigningKeyRecord& r) {
  ASSIGN_OR_RETURN(Statement st,
                   txn.db().Prepare(fmt::format("INSERT INTO signing_keys({}) VALUES(?1, ?2, ?3, "
                                                "?4, ?5, ?6, ?7)", kColumns)));
  st.Bind(1, r.key_id);
  st.Bind(2, r.party);
  st.BindBlob(3, r.public_key);
  st.Bind(4, r.name);
  st.Bind(5, Micros(r.added_at));
  if (r.revoked_at) {
    st.Bind(6, Micros(*r.revoked_at));
  } else {
    st.BindNull(6);
  }
  st.Bind(7, r.ledger_index);
  absl::Status status = st.Run();
  if (absl::IsAlreadyExists(status)) {
    return absl::AlreadyExistsError(
        fmt::format("signing key {} is already registered (a revoked key is never registered "
                    "again: generate a new one)", r.key_id));
  }
  return status;
}

absl::StatusOr<std::optional<SigningKeyRecord>> GetSigningKey(Txn& txn, const std::string& key_id) {
  ASSIGN_OR_RETURN(Statement st, txn.db().Prepare(fmt::format(
                                     "SELECT {} FROM signing_keys WHERE key_id = ?1", kColumns)));
  st.Bind(1, key_id);
  ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) return std::nullopt;
  return RowOf(st);
}

absl::Status RevokeSigningKey(Txn& txn, const std::string& key_id, Timestamp at) {
  ASSIGN_OR_RETURN(std::optional<SigningKeyRecord> key, GetSigningKey(txn, key_id));
  if (!key) return absl::NotFoundError(fmt::format("no signing key {}", key_id));
  if (key->revoked_at) {
    return absl::FailedPreconditionError(fmt::format("signing key {} is already revoked", key_id));
  }
  ASSIGN_OR_RETURN(Statement st,
                   txn.db().Prepare("UPDATE signing_keys SET revoked_at = ?2 WHERE key_id = ?1"));
  st.Bind(1, key_id);
  st.Bind(2, Micros(at));
  return st.Run();
}

absl::StatusOr<std::vector<SigningKeyRecord>> ListSigningKeys(Store& store, const std::string& party) {
  return store.WithReader([&](Database& db) { return ListSigningKeys(db, party); });
}

}  // namespace deconflict::store
