#include "store/signing_keys_table.h"

#include <map>

#include "common/status.h"
#include "fmt/format.h"
#include "store/record_digest.h"

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

constexpr char kColumns[] = "key_id, party, public_key, name, added_at, revoked_at, ledger_index";

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
                                          "ORDER BY party, key_id",
                                          kColumns)));
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
                                                "?4, ?5, ?6, ?7)",
                                                kColumns)));
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
                    "again: generate a new one)",
                    r.key_id));
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

absl::StatusOr<std::vector<SigningKeyRecord>> ListSigningKeys(Store& store,
                                                              const std::string& party) {
  return store.WithReader([&](Database& db) { return ListSigningKeys(db, party); });
}

absl::StatusOr<uint64_t> CheckSigningKeyRows(Database& db, const EntryWalk& walk) {
  // What the log says of each key id: its latest add, and a revoke after it.
  struct Recorded {
    uint64_t add_index = 0;
    ledger::Entry add;
    std::optional<ledger::Entry> revoke;
    bool has_row = false;
  };
  std::map<std::string, Recorded> recorded;  // sorted, for stable messages
  RETURN_IF_ERROR(walk([&](uint64_t index, const ledger::Entry& entry) -> absl::Status {
    if (entry.action == kActionSigningKeyAdd) {
      recorded[entry.object_id] = Recorded{.add_index = index, .add = entry};
    } else if (entry.action == kActionSigningKeyRevoke) {
      recorded[entry.object_id].revoke = entry;
    }
    return absl::OkStatus();
  }));

  std::vector<std::string> diffs;
  uint64_t matching = 0;
  ASSIGN_OR_RETURN(std::vector<SigningKeyRecord> rows, ListSigningKeys(db, ""));
  for (const SigningKeyRecord& row : rows) {
    auto it = recorded.find(row.key_id);
    if (it == recorded.end() || it->second.add.action != kActionSigningKeyAdd) {
      diffs.push_back(
          fmt::format("signing_keys row {}: no signing_key.add entry records it", row.key_id));
      continue;
    }
    Recorded& rec = it->second;
    rec.has_row = true;
    const std::string digest =
        SigningKeyRecordDigest(row.key_id, row.party, row.public_key, row.name);
    if (row.ledger_index != static_cast<int64_t>(rec.add_index) || rec.add.party != row.party ||
        rec.add.content_digest != digest) {
      diffs.push_back(
          fmt::format("signing_keys row {}: party '{}', public key or name does not "
                      "match ledger entry {} (signing_key.add)",
                      row.key_id, row.party, rec.add_index));
    } else if (row.revoked_at.has_value() != rec.revoke.has_value()) {
      diffs.push_back(
          fmt::format("signing_keys row {}: revoked_at is {} but the ledger has {} "
                      "signing_key.revoke entry",
                      row.key_id, row.revoked_at ? "set" : "not set", rec.revoke ? "a" : "no"));
    } else if (rec.revoke && (rec.revoke->content_digest != digest ||
                              rec.revoke->server_time != *row.revoked_at)) {
      diffs.push_back(
          fmt::format("signing_keys row {}: revoked_at or the key does not match its "
                      "signing_key.revoke entry",
                      row.key_id));
    } else {
      ++matching;
    }
  }
  for (const auto& [key_id, rec] : recorded) {
    if (!rec.has_row && rec.add.action == kActionSigningKeyAdd) {
      diffs.push_back(fmt::format("signing_keys row {}: missing, though ledger entry {} records it",
                                  key_id, rec.add_index));
    }
  }
  if (diffs.empty()) return matching;
  std::string message = fmt::format("{} signing key row(s) differ from the ledger:", diffs.size());
  for (size_t i = 0; i < diffs.size() && i < static_cast<size_t>(kMaxRowsNamed); ++i) {
    message += "\n  " + diffs[i];
  }
  if (diffs.size() > static_cast<size_t>(kMaxRowsNamed)) {
    message += fmt::format("\n  ... and {} more", diffs.size() - kMaxRowsNamed);
  }
  return absl::DataLossError(message);
}

}  // namespace deconflict::store
