// store/ledger_witnesses.cc: witness bindings and cosignatures (sqlite_ledger.h). Witness names
// are bound to a party and key by the server's operator (`deconflict ledger witness add`), never
// by whoever posts first (issue 7 item 8): a party could otherwise take a guarantor's name.
#include <algorithm>

#include "common/status.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "store/record_digest.h"
#include "store/sqlite_ledger.h"

namespace deconflict::store {
namespace {

absl::StatusOr<ledger::VerifierKey> WitnessKey(std::string_view text, std::string_view field) {
  absl::StatusOr<ledger::VerifierKey> key = ledger::ParseVerifierKey(text);
  if (!key.ok()) return InvalidField(field, std::string(key.status().message()));
  if (key->type != ledger::KeyType::kCosignatureV1) {
    return InvalidField(field, "must be a cosignature/v1 key (signature type 0x04)");
  }
  return *key;
}

}  // namespace

absl::Status SqliteLedger::AddCosignature(Database& db, const std::string& party,
                                          std::string_view witness_key, uint64_t size,
                                          std::string_view line) {
  ASSIGN_OR_RETURN(ledger::VerifierKey key, WitnessKey(witness_key, "witness_key"));
  // Only the operator's binding counts: the party and the key must both be the bound ones.
  ASSIGN_OR_RETURN(Statement get, db.Prepare("SELECT verifier_key, party, ledger_index FROM "
                                             "ledger_witnesses WHERE key_name = ?1"));
  get.Bind(1, key.name);
  ASSIGN_OR_RETURN(bool known, get.Step());
  if (!known) {
    return FieldError(absl::StatusCode::kNotFound, "witness_key",
                      fmt::format("no witness is named '{}': the server's operator binds witness "
                                  "names to parties (deconflict ledger witness add)",
                                  key.name));
  }
  if (get.ColumnIsNull(2)) {
    return FieldError(absl::StatusCode::kPermissionDenied, "witness_key",
                      fmt::format("the witness '{}' was registered by first use and is not bound "
                                  "by the server's operator (deconflict ledger witness add)",
                                  key.name));
  }
  if (get.ColumnText(1) != party) {
    return FieldError(absl::StatusCode::kPermissionDenied, "witness_key",
                      fmt::format("the witness '{}' is bound to another party", key.name));
  }
  if (get.ColumnText(0) != key.ToString()) {
    return FieldError(absl::StatusCode::kPermissionDenied, "witness_key",
                      fmt::format("the witness '{}' is bound to a different key", key.name));
  }
  // The line must be a valid cosignature of the stored checkpoint's text.
  ASSIGN_OR_RETURN(Statement cp, db.Prepare("SELECT note FROM ledger_checkpoints WHERE size = ?1"));
  cp.Bind(1, static_cast<int64_t>(size));
  ASSIGN_OR_RETURN(bool found, cp.Step());
  if (!found) {
    return FieldError(absl::StatusCode::kNotFound, "size",
                      fmt::format("there is no checkpoint of size {}", size));
  }
  ASSIGN_OR_RETURN(ledger::Note stored, ledger::ParseNote(cp.ColumnText(0)));
  std::string signature_line(line);
  if (signature_line.empty() || signature_line.back() != '\n') signature_line.push_back('\n');
  if (std::count(signature_line.begin(), signature_line.end(), '\n') != 1) {
    return InvalidField("cosignature", "must be exactly one signature line");
  }
  absl::StatusOr<ledger::Note> cosigned = ledger::ParseNote(stored.text + "\n" + signature_line);
  if (!cosigned.ok()) return InvalidField("cosignature", std::string(cosigned.status().message()));
  uint64_t cosigned_at = 0;
  if (absl::Status s = ledger::VerifyNote(*cosigned, key, &cosigned_at); !s.ok()) {
    return InvalidField("cosignature", std::string(s.message()));
  }
  ASSIGN_OR_RETURN(Statement put,
                   db.Prepare("INSERT OR REPLACE INTO ledger_cosignatures(size, "
                              "key_name, line, cosigned_at) VALUES(?1, ?2, ?3, ?4)"));
  put.Bind(1, static_cast<int64_t>(size));
  put.Bind(2, key.name);
  put.Bind(3, signature_line);
  put.Bind(4, static_cast<int64_t>(cosigned_at));
  return put.Run();
}

absl::StatusOr<uint64_t> SqliteLedger::BindWitness(Database& db, const std::string& party,
                                                   std::string_view witness_key, Timestamp now) {
  ASSIGN_OR_RETURN(ledger::VerifierKey key, WitnessKey(witness_key, "--key"));
  const std::string key_text = key.ToString();
  ASSIGN_OR_RETURN(Statement who, db.Prepare("SELECT revoked_at FROM parties WHERE id = ?1"));
  who.Bind(1, party);
  ASSIGN_OR_RETURN(bool party_exists, who.Step());
  if (!party_exists) {
    return FieldError(absl::StatusCode::kNotFound, "--party", fmt::format("no party '{}'", party));
  }
  if (!who.ColumnIsNull(0)) {
    return absl::FailedPreconditionError(fmt::format("party '{}' is revoked", party));
  }
  ASSIGN_OR_RETURN(Statement get, db.Prepare("SELECT verifier_key, party, ledger_index FROM "
                                             "ledger_witnesses WHERE key_name = ?1"));
  get.Bind(1, key.name);
  ASSIGN_OR_RETURN(bool known, get.Step());
  if (known && !get.ColumnIsNull(2)) {
    return absl::AlreadyExistsError(fmt::format(
        "the witness '{}' is already bound to party '{}'; remove it first (deconflict ledger "
        "witness remove)",
        key.name, get.ColumnText(1)));
  }
  if (known && get.ColumnText(0) != key_text) {
    // A first-use registration with another key: its lines were not made with the bound key.
    ASSIGN_OR_RETURN(Statement drop,
                     db.Prepare("DELETE FROM ledger_cosignatures WHERE key_name = ?1"));
    drop.Bind(1, key.name);
    RETURN_IF_ERROR(drop.Run());
  }
  ASSIGN_OR_RETURN(uint64_t index,
                   Append(db, ledger::EncodeEntry(ledger::Entry{
                                  .party = party,
                                  .action = ledger::kActionWitnessAdd,
                                  .object_id = key.name,
                                  .content_digest = WitnessBindingDigest(key.name, party, key_text),
                                  .server_time = now})));
  ASSIGN_OR_RETURN(Statement put, db.Prepare("INSERT OR REPLACE INTO ledger_witnesses(key_name, "
                                             "verifier_key, party, added_at, ledger_index) "
                                             "VALUES(?1, ?2, ?3, ?4, ?5)"));
  put.Bind(1, key.name);
  put.Bind(2, key_text);
  put.Bind(3, party);
  put.Bind(4, Micros(now));
  put.Bind(5, static_cast<int64_t>(index));
  RETURN_IF_ERROR(put.Run());
  return index;
}

absl::StatusOr<uint64_t> SqliteLedger::RemoveWitness(Database& db, const std::string& name,
                                                     Timestamp now) {
  ASSIGN_OR_RETURN(Statement get, db.Prepare("SELECT verifier_key, party FROM ledger_witnesses "
                                             "WHERE key_name = ?1"));
  get.Bind(1, name);
  ASSIGN_OR_RETURN(bool known, get.Step());
  if (!known) {
    return FieldError(absl::StatusCode::kNotFound, "--name", fmt::format("no witness '{}'", name));
  }
  const std::string key_text = get.ColumnText(0);
  const std::string party = get.ColumnText(1);
  for (const char* sql : {"DELETE FROM ledger_cosignatures WHERE key_name = ?1",
                          "DELETE FROM ledger_witnesses WHERE key_name = ?1"}) {
    ASSIGN_OR_RETURN(Statement st, db.Prepare(sql));
    st.Bind(1, name);
    RETURN_IF_ERROR(st.Run());
  }
  return Append(db, ledger::EncodeEntry(
                        ledger::Entry{.party = party,
                                      .action = ledger::kActionWitnessRemove,
                                      .object_id = name,
                                      .content_digest = WitnessBindingDigest(name, party, key_text),
                                      .server_time = now}));
}

absl::StatusOr<std::vector<WitnessBinding>> LedgerReader::Witnesses() {
  ASSIGN_OR_RETURN(Statement st,
                   db_.Prepare("SELECT key_name, verifier_key, party, added_at, ledger_index, "
                               "(SELECT count(*) FROM ledger_cosignatures c WHERE c.key_name = "
                               "w.key_name) FROM ledger_witnesses w ORDER BY key_name"));
  std::vector<WitnessBinding> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    WitnessBinding w{.name = st.ColumnText(0),
                     .verifier_key = st.ColumnText(1),
                     .party = st.ColumnText(2),
                     .added_at = Timestamp(std::chrono::microseconds(st.ColumnInt(3))),
                     .cosignatures = static_cast<uint64_t>(st.ColumnInt(5))};
    if (!st.ColumnIsNull(4)) w.ledger_index = static_cast<uint64_t>(st.ColumnInt(4));
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace deconflict::store
