// store/ledger_state_check.h: `deconflict ledger check`'s comparison of the state tables with the
// ledger entries that record them (issue 7 item 6).
//
// The tree check (LedgerReader::Check) proves the log was not rewritten; this proves the rows the
// server acts on are what the log says they are. An edit of the database file (a latitude in an
// operation's extents, a party's role, a cleared revoked_at, a row put back to an older version,
// a deleted row) passes SQLite's own PRAGMA integrity_check but is found here:
//
//   operations  every row's OperationRecordDigest equals the content digest of the entry at its
//               ledger_index, that entry is an operation.* entry of the row's id and party, and no
//               later operation.* entry of that id exists; every operation the log records has a
//               row.
//   parties     every row's PartyRecordDigest equals the content digest of its latest party.add
//               entry; revoked_at is set exactly when a party.revoke entry exists; every party the
//               log records has a row.
//   ledger_witnesses  every operator-bound witness (ledger_index set) matches its latest
//               witness.add entry (store::WitnessBindingDigest of name, party, key); every name
//               whose latest entry is witness.add has a row.
//   encounters  every row's EncounterRecordDigest equals the content digest of the latest
//               encounter.open/close entry of its id, at its ledger_index (closed exactly when
//               that entry is encounter.close); every encounter the log records has a row.
//   encounter_acks  every row matches the encounter.ack entry at its ledger_index
//               (EncounterAckDigest, party, encounter id).
//
// (record_digest.h defines the digests.)
//
//   ASSIGN_OR_RETURN(StateCheckReport report, CheckStateTables(db, walk));
//
// Thread-compatible: runs on a connection the caller owns, inside the caller's read transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "ledger/entry.h"
#include "store/sqlite.h"

namespace deconflict::store {

struct StateCheckReport {
  uint64_t operations = 0;      // operation rows that match their entry
  uint64_t parties = 0;         // party rows that match their entries
  uint64_t witnesses = 0;       // operator-bound witness rows that match their witness.add entries
  uint64_t encounters = 0;      // encounter rows that match their latest encounter.open/close entry
  uint64_t encounter_acks = 0;  // acknowledgement rows that match their encounter.ack entry
};

// Most differing rows named in one error message (the count of the rest follows).
inline constexpr int kMaxRowsNamed = 20;

// Calls `fn(index, entry)` for every readable entry of the log in index order; an error of `fn`
// or of the source stops the walk. LedgerReader::ForEachEntry is the store's.
using EntryWalk =
    std::function<absl::Status(const std::function<absl::Status(uint64_t, const ledger::Entry&)>&)>;

// Compares the operations and parties tables of `db` with the entries `walk` yields.
// DataLoss naming every differing row (table, id, what differs; at most kMaxRowsNamed, then the
// count of the others); the database's error when it cannot be read.
[[nodiscard]] absl::StatusOr<StateCheckReport> CheckStateTables(Database& db,
                                                                const EntryWalk& walk);

}  // namespace deconflict::store
