#include "store/ledger_state_check.h"

#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/hash.h"
#include "store/encounters_table.h"
#include "store/operations_table.h"
#include "store/record_digest.h"
#include "store/store.h"

namespace deconflict::store {
namespace {

bool IsOperationAction(std::string_view action) {
  return action == ledger::kActionOperationCreate || action == ledger::kActionOperationUpdate ||
         action == ledger::kActionOperationEnd;
}

// What the log says about one object: its latest entry (and, for parties, the latest party.add
// and whether a party.revoke exists).
struct Recorded {
  uint64_t index = 0;
  ledger::Entry entry;
  std::optional<uint64_t> revoke_index;
  bool has_row = false;
};

// Collects the differences, naming at most kMaxRowsNamed rows.
class Differences {
 public:
  void Add(std::string line) {
    if (count_++ < kMaxRowsNamed) lines_.push_back(std::move(line));
  }
  absl::Status ToStatus() const {
    if (count_ == 0) return absl::OkStatus();
    std::string message = fmt::format("{} state row(s) differ from the ledger:", count_);
    for (const std::string& line : lines_) message += "\n  " + line;
    if (count_ > kMaxRowsNamed)
      message += fmt::format("\n  ... and {} more", count_ - kMaxRowsNamed);
    return absl::DataLossError(message);
  }

 private:
  int count_ = 0;
  std::vector<std::string> lines_;
};

absl::Status CheckOperations(Database& db, absl::flat_hash_map<std::string, Recorded>& recorded,
                             Differences& diffs, StateCheckReport& report) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare(fmt::format("SELECT {} FROM operations ORDER BY id",
                                                        kOperationColumns)));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    OperationRecord r = OperationRowOf(st);
    auto it = recorded.find(r.id);
    if (it == recorded.end() || !IsOperationAction(it->second.entry.action)) {
      diffs.Add(
          fmt::format("operations row {}: no operation entry in the ledger records it", r.id));
      continue;
    }
    Recorded& rec = it->second;
    rec.has_row = true;
    if (r.ledger_index != static_cast<int64_t>(rec.index)) {
      diffs.Add(
          fmt::format("operations row {}: ledger_index is {} but the latest entry of this "
                      "operation is {} ({}): the row is not its latest version",
                      r.id, r.ledger_index, rec.index, rec.entry.action));
      continue;
    }
    if (r.party != rec.entry.party) {
      diffs.Add(fmt::format("operations row {}: party is '{}' but ledger entry {} says '{}'", r.id,
                            r.party, rec.index, rec.entry.party));
      continue;
    }
    if (OperationRecordDigest(r) != rec.entry.content_digest) {
      diffs.Add(fmt::format(
          "operations row {}: its content (version {}, state {}, extents, ...) "
          "does not match the digest {} committed by ledger entry {} ({})",
          r.id, r.version, r.state, Hex(rec.entry.content_digest), rec.index, rec.entry.action));
      continue;
    }
    ++report.operations;
  }
  return absl::OkStatus();
}

absl::Status CheckParties(Database& db, absl::flat_hash_map<std::string, Recorded>& recorded,
                          Differences& diffs, StateCheckReport& report) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT id, name, role, revoked_at FROM parties "
                                            "ORDER BY id"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    PartyRecord r{.id = st.ColumnText(0), .name = st.ColumnText(1), .role = st.ColumnText(2)};
    const bool revoked = !st.ColumnIsNull(3);
    auto it = recorded.find("party:" + r.id);
    if (it == recorded.end() || it->second.entry.action != ledger::kActionPartyAdd) {
      diffs.Add(fmt::format("parties row {}: no party.add entry in the ledger records it", r.id));
      continue;
    }
    Recorded& rec = it->second;
    rec.has_row = true;
    if (PartyRecordDigest(r) != rec.entry.content_digest) {
      diffs.Add(
          fmt::format("parties row {}: id, name or role ('{}', '{}') does not match the "
                      "digest committed by ledger entry {} (party.add)",
                      r.id, r.name, r.role, rec.index));
      continue;
    }
    if (revoked != rec.revoke_index.has_value()) {
      diffs.Add(revoked ? fmt::format("parties row {}: revoked_at is set but no party.revoke "
                                      "entry records a revocation",
                                      r.id)
                        : fmt::format("parties row {}: revoked_at is empty but ledger entry {} "
                                      "revoked the party",
                                      r.id, *rec.revoke_index));
      continue;
    }
    ++report.parties;
  }
  return absl::OkStatus();
}

absl::Status CheckWitnesses(Database& db, absl::flat_hash_map<std::string, Recorded>& recorded,
                            Differences& diffs, StateCheckReport& report) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT key_name, verifier_key, party, ledger_index "
                                            "FROM ledger_witnesses ORDER BY key_name"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const std::string name = st.ColumnText(0);
    auto it = recorded.find("witness:" + name);
    if (st.ColumnIsNull(3)) {
      // Registered by first use before schema 4: no entry records it, and it is not accepted
      // for new cosignatures until the operator binds it.
      if (it != recorded.end()) it->second.has_row = true;
      continue;
    }
    if (it == recorded.end() || it->second.entry.action != ledger::kActionWitnessAdd) {
      diffs.Add(
          fmt::format("ledger_witnesses row {}: no witness.add entry records the binding", name));
      continue;
    }
    Recorded& rec = it->second;
    rec.has_row = true;
    if (st.ColumnInt(3) != static_cast<int64_t>(rec.index) ||
        WitnessBindingDigest(name, st.ColumnText(2), st.ColumnText(1)) !=
            rec.entry.content_digest) {
      diffs.Add(
          fmt::format("ledger_witnesses row {}: party '{}' or its key does not match the "
                      "binding recorded by ledger entry {} (witness.add)",
                      name, st.ColumnText(2), rec.index));
      continue;
    }
    ++report.witnesses;
  }
  return absl::OkStatus();
}

// encounters: each row is the version its latest encounter.open/close entry records; acks: each
// row matches the encounter.ack entry at its ledger_index.
absl::Status CheckEncounters(Database& db, absl::flat_hash_map<std::string, Recorded>& recorded,
                             const std::map<uint64_t, ledger::Entry>& acks, Differences& diffs,
                             StateCheckReport& report) {
  ASSIGN_OR_RETURN(std::vector<EncounterRecord> rows,
                   ListEncounters(db, {.limit = std::numeric_limits<int64_t>::max()}));
  for (const EncounterRecord& r : rows) {
    auto it = recorded.find("encounter:" + std::to_string(r.id));
    if (it == recorded.end()) {
      diffs.Add(
          fmt::format("encounters row {}: no encounter entry in the ledger records it", r.id));
      continue;
    }
    Recorded& rec = it->second;
    rec.has_row = true;
    const bool closed_entry = rec.entry.action == ledger::kActionEncounterClose;
    if (r.ledger_index != static_cast<int64_t>(rec.index) ||
        r.closed_at.has_value() != closed_entry) {
      diffs.Add(fmt::format(
          "encounters row {}: ledger_index {} ({}) but the latest entry of this "
          "encounter is {} ({})",
          r.id, r.ledger_index, r.closed_at ? "closed" : "open", rec.index, rec.entry.action));
      continue;
    }
    if (r.party_a != rec.entry.party || EncounterRecordDigest(r) != rec.entry.content_digest) {
      diffs.Add(
          fmt::format("encounters row {}: its content (pair, times, prediction) does not "
                      "match the digest committed by ledger entry {} ({})",
                      r.id, rec.index, rec.entry.action));
      continue;
    }
    ++report.encounters;
    ASSIGN_OR_RETURN(std::vector<EncounterAckRecord> acked, ReadEncounterAcks(db, r.id));
    for (const EncounterAckRecord& ack : acked) {
      auto entry = acks.find(static_cast<uint64_t>(ack.ledger_index));
      if (entry == acks.end() || entry->second.object_id != std::to_string(r.id) ||
          entry->second.party != ack.party ||
          entry->second.content_digest != EncounterAckDigest(ack)) {
        diffs.Add(
            fmt::format("encounter_acks row ({}, {}): does not match an encounter.ack "
                        "entry at its ledger_index {}",
                        r.id, ack.party, ack.ledger_index));
        continue;
      }
      ++report.encounter_acks;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StateCheckReport> CheckStateTables(Database& db, const EntryWalk& walk) {
  // One pass over the log keeps, per object, only its latest entry (parties and operations are
  // the only state tables whose rows entries record). Party keys are prefixed: a party id and an
  // operation id may be equal.
  absl::flat_hash_map<std::string, Recorded> recorded;
  std::map<uint64_t, ledger::Entry> acks;
  RETURN_IF_ERROR(walk([&](uint64_t index, const ledger::Entry& entry) -> absl::Status {
    if (entry.action == ledger::kActionEncounterOpen ||
        entry.action == ledger::kActionEncounterClose) {
      recorded["encounter:" + entry.object_id] = Recorded{.index = index, .entry = entry};
    } else if (entry.action == ledger::kActionEncounterAck) {
      acks[index] = entry;
    } else if (IsOperationAction(entry.action)) {
      recorded[entry.object_id] = Recorded{.index = index, .entry = entry};
    } else if (entry.action == ledger::kActionPartyAdd) {
      Recorded& rec = recorded["party:" + entry.object_id];
      rec.index = index;
      rec.entry = entry;
      rec.revoke_index.reset();  // an id added again after a revocation is a new party
    } else if (entry.action == ledger::kActionPartyRevoke) {
      recorded["party:" + entry.object_id].revoke_index = index;
    } else if (entry.action == ledger::kActionWitnessAdd ||
               entry.action == ledger::kActionWitnessRemove) {
      recorded["witness:" + entry.object_id] = Recorded{.index = index, .entry = entry};
    }
    return absl::OkStatus();
  }));
  Differences diffs;
  StateCheckReport report;
  RETURN_IF_ERROR(CheckOperations(db, recorded, diffs, report));
  RETURN_IF_ERROR(CheckParties(db, recorded, diffs, report));
  RETURN_IF_ERROR(CheckWitnesses(db, recorded, diffs, report));
  RETURN_IF_ERROR(CheckEncounters(db, recorded, acks, diffs, report));
  // Objects the log records whose row is gone.
  std::map<std::string, uint64_t> missing;  // sorted, for a stable message
  for (const auto& [key, rec] : recorded) {
    if (!rec.has_row &&
        (IsOperationAction(rec.entry.action) || rec.entry.action == ledger::kActionPartyAdd ||
         rec.entry.action == ledger::kActionWitnessAdd ||
         rec.entry.action == ledger::kActionEncounterOpen ||
         rec.entry.action == ledger::kActionEncounterClose)) {
      missing[key] = rec.index;
    }
  }
  for (const auto& [key, index] : missing) {
    std::string table = "operations", id = key;
    if (key.rfind("party:", 0) == 0) table = "parties", id = key.substr(6);
    if (key.rfind("witness:", 0) == 0) table = "ledger_witnesses", id = key.substr(8);
    if (key.rfind("encounter:", 0) == 0) table = "encounters", id = key.substr(10);
    diffs.Add(
        fmt::format("{} row {}: missing, though ledger entry {} records it", table, id, index));
  }
  RETURN_IF_ERROR(diffs.ToStatus());
  return report;
}

}  // namespace deconflict::store
