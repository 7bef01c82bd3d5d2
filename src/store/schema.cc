// store/schema.cc: the versioned schema. Migrations only ever append: a released migration is
// never edited, so a store created by any version opens in every later one.
#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "common/status.h"
#include "fmt/format.h"
#include "store/agreements_table.h"
#include "store/cases_table.h"
#include "store/encounters_table.h"
#include "store/event_log.h"
#include "store/hotline_table.h"
#include "store/humanitarian_table.h"
#include "store/incidents_table.h"
#include "store/signing_keys_table.h"
#include "store/sqlite_ledger.h"
#include "store/store.h"

namespace deconflict::store {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

constexpr char kCoreSchema[] = R"sql(
CREATE TABLE parties (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  role        TEXT NOT NULL,
  token_hash  BLOB NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,          -- microseconds since the Unix epoch, UTC
  revoked_at  INTEGER
);
CREATE TABLE operations (
  id             TEXT PRIMARY KEY,
  party          TEXT NOT NULL REFERENCES parties(id),
  version        INTEGER NOT NULL,
  ovn            TEXT NOT NULL,
  state          TEXT NOT NULL,
  label          TEXT NOT NULL,
  extents        TEXT NOT NULL,          -- JSON array of Volume4D
  request_digest BLOB NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  ledger_index   INTEGER NOT NULL
);
CREATE INDEX operations_by_state ON operations(state);
)sql";

// The row Store::CheckWritable rewrites to prove that a commit reaches the disk.
constexpr char kStoreProbeSchema[] = R"sql(
CREATE TABLE store_probe (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  probed_at  INTEGER NOT NULL          -- microseconds since the Unix epoch, UTC
);
)sql";

// Who learned of an operation through a query, and how often (issue 7, disclosure): the owner
// reads them (GET /v1/probes). Written through store/operations_table.h RecordProbe.
constexpr char kProbesSchema[] = R"sql(
CREATE TABLE probes (
  operation  TEXT NOT NULL,              -- the probed operation's id
  party      TEXT NOT NULL,              -- the party whose query showed it
  count      INTEGER NOT NULL,
  last_at    INTEGER NOT NULL,           -- microseconds since the Unix epoch, UTC
  PRIMARY KEY (operation, party)
);
)sql";

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1, "parties and operations", kCoreSchema},
      {2, "ledger", SqliteLedger::kSchema},
      {3, "events", kEventLogSchema},
      {4, "ledger: openings of committed entries, witness bindings", SqliteLedger::kSchemaV4},
      {5, "store health probe", kStoreProbeSchema},
      {6, "probes of operations", kProbesSchema},
      {8, "parties: registered signing keys", kSigningKeysSchema},
      {9, "live picture: encounters, their acknowledgements, track history; events.detail",
       kLiveSchema},
      {10, "hotline: channels, messages, deliveries, acknowledgements", kHotlineSchema},
      {11, "humanitarian: site and movement versions, receipts, reads, conflicts",
       kHumanitarianSchema},
      {12, "agreements: proposals, decisions, agreement versions, list entries", kAgreementsSchema},
      {13, "monitoring: incident versions, findings, statements", kIncidentsSchema},
      {14, "monitoring: cases, their links, respondents and responses", kCasesSchema},
      {15, "events: copies of one event share its detail", kEventDetailOfSchema},
  };
  return migrations;
}

}  // namespace

absl::Status ConfigureConnection(Database& db, bool synchronous_full) {
  RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(db.Exec(synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF"));
  RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=ON"));
  return absl::OkStatus();
}

absl::Status Migrate(Database& db) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  // Every way out before the COMMIT rolls back: a store is migrated whole or not at all.
  absl::Cleanup roll_back = [&db] { (void)db.Exec("ROLLBACK"); };
  ASSIGN_OR_RETURN(int64_t current, db.QueryInt("PRAGMA user_version"));
  const int newest = Migrations().back().version;
  if (current > newest) {
    return absl::FailedPreconditionError(fmt::format(
        "the store has schema version {}, newer than this binary's {}: upgrade deconflict", current,
        newest));
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    absl::Status s = db.Exec(m.sql);
    if (s.ok()) s = db.Exec(fmt::format("PRAGMA user_version={}", m.version));
    if (!s.ok()) {
      return WithSqliteCode(
          s.code() == absl::StatusCode::kUnavailable ? s.code() : absl::StatusCode::kInternal,
          fmt::format("migration {} ({}) failed: {}", m.version, m.name, s.message()), s);
    }
  }
  RETURN_IF_ERROR(db.Exec("COMMIT"));
  std::move(roll_back).Cancel();
  return absl::OkStatus();
}

}  // namespace deconflict::store
