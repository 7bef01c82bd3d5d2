// store/agreements_table.h: the SQL of agreements (schema version 12): proposals, each
// approver's decision, the agreements they make (versions of the thing they change) and the
// entries of agreed lists, so that no module outside store/ writes SQL for them (design.md §3).
// The rules are in agreements/agreements.h; this file stores and reads.
//
//   RETURN_IF_ERROR(InsertProposal(txn, proposal));                   // in a unit of work
//   ASSIGN_OR_RETURN(auto entries, ReadListAt(db, "designated-groups", at));
//
// Tables:
//   proposals                one row per proposal id; `content` is the canonical text the
//                            domain writes (agreements/records.cc), `state` open | agreed |
//                            rejected | expired | superseded, set once when it leaves open.
//   proposal_decisions       (proposal, party): one decision per approver, never changed.
//   agreements               (thing, version): every agreed version of a thing ("list/<list>/
//                            <name>", "aor/<id>", "territory/<host>", "text/<id>"); a withdrawal
//                            is a version too (withdrawn = 1).
//   agreement_list_entries   (list, name, version): the list view of list_entry agreements, so
//                            that ?at= is one indexed query.
//
// Thread-safety: the functions are as safe as the Database or Txn they are given (not
// thread-safe: the caller holds the connection).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "store/sqlite.h"
#include "store/store.h"

namespace deconflict::store {

struct ProposalRecord {
  std::string id;
  std::string proposer;
  std::string kind;                    // list_entry | area_of_responsibility | territory | text
  std::string content;                 // canonical text of the content (the domain's encoding)
  std::vector<std::string> approvers;  // sorted, distinct, the proposer among them
  std::string amends;                  // the thing amended ("aor/<id>"), or empty
  bool withdraw = false;
  int64_t base_version = 0;  // the amended thing's version when proposed (0: none)
  Timestamp created_at;
  Timestamp expires_at;
  std::string state = "open";  // open | agreed | rejected | expired | superseded
  std::optional<Timestamp> closed_at;
  std::string digest;  // ProposalDigest (32 raw bytes): what a decision signs
  int64_t ledger_index = -1;
  int64_t close_ledger_index = -1;  // the agreement's or the failure's entry
  bool operator==(const ProposalRecord&) const = default;
};

struct DecisionRecord {
  std::string proposal;
  std::string party;
  std::string decision;  // approve | reject
  Timestamp at;
  std::string key_id;     // signed decisions only
  std::string signature;  // 64 raw bytes, signed decisions only
  std::string statement;  // the signed statement's bytes, signed decisions only
  int64_t ledger_index = -1;
  bool operator==(const DecisionRecord&) const = default;
};

struct AgreementRecord {
  std::string thing;    // "list/<list>/<name>", "aor/<id>", "territory/<host>", "text/<id>"
  int64_t version = 0;  // 1, 2, ... per thing
  std::string ovn;      // the version's token (a key carries an AOR's)
  std::string kind;
  std::string proposal;  // the proposal that made it
  std::string content;   // as the proposal's
  std::vector<std::string> approvers;
  bool withdrawn = false;
  Timestamp agreed_at;
  std::string digest;  // AgreementDigest (32 raw bytes)
  int64_t ledger_index = -1;
  bool operator==(const AgreementRecord&) const = default;
};

struct ListEntryRecord {
  std::string list;
  std::string name;
  int64_t version = 0;  // the agreement version of thing "list/<list>/<name>"
  bool present = true;  // false: removed by this version
  std::vector<std::string> aliases;
  std::string notes;
  std::string proposal;
  Timestamp agreed_at;
  bool operator==(const ListEntryRecord&) const = default;
};

extern const char kAgreementsSchema[];  // migration 12

// SHA-256 of the canonical proposal (docs/agreements_format.md): every field an approver
// decides on, length-prefixed; what a signed decision signs.
std::string ProposalDigest(const ProposalRecord& p);
std::string DecisionDigest(const DecisionRecord& d);
std::string AgreementDigest(const AgreementRecord& a);
// The failure of a proposal: its id, the new state and the time.
std::string ProposalCloseDigest(std::string_view proposal, std::string_view state, Timestamp at);

// ---- proposals ----
// AlreadyExists naming "id" when the id is taken.
[[nodiscard]] absl::Status InsertProposal(Txn& txn, const ProposalRecord& p);
// Updates state, closed_at and close_ledger_index only.
[[nodiscard]] absl::Status CloseProposal(Txn& txn, const ProposalRecord& p);
[[nodiscard]] absl::StatusOr<std::optional<ProposalRecord>> ReadProposal(Database& db,
                                                                         std::string_view id);
// Every open proposal (to arm their expiry at start), by id.
[[nodiscard]] absl::StatusOr<std::vector<ProposalRecord>> ListOpenProposals(Database& db);
// Those `party` approves, newest first, at most `limit` after id `after` (paging by id).
[[nodiscard]] absl::StatusOr<std::vector<ProposalRecord>> ListProposalsOf(Database& db,
                                                                          std::string_view party,
                                                                          std::string_view after,
                                                                          size_t limit);

// ---- decisions ----
// false when the party decided before (nothing written).
[[nodiscard]] absl::StatusOr<bool> InsertDecision(Txn& txn, const DecisionRecord& d);
[[nodiscard]] absl::StatusOr<std::vector<DecisionRecord>> ReadDecisions(Database& db,
                                                                        std::string_view proposal);

// ---- agreements ----
[[nodiscard]] absl::Status InsertAgreement(Txn& txn, const AgreementRecord& a);
[[nodiscard]] absl::StatusOr<std::optional<AgreementRecord>> ReadLatestAgreement(
    Database& db, std::string_view thing);
[[nodiscard]] absl::StatusOr<std::vector<AgreementRecord>> ReadAgreementVersions(
    Database& db, std::string_view thing);
// The newest version of every thing of `kind` ("" for all), by thing.
[[nodiscard]] absl::StatusOr<std::vector<AgreementRecord>> ListLatestAgreements(
    Database& db, std::string_view kind);

// ---- lists ----
[[nodiscard]] absl::Status InsertListEntry(Txn& txn, const ListEntryRecord& e);
// The entries of `list` present at `at`: per name the newest version agreed at or before `at`,
// if it is present. By name.
[[nodiscard]] absl::StatusOr<std::vector<ListEntryRecord>> ReadListAt(Database& db,
                                                                      std::string_view list,
                                                                      Timestamp at);

}  // namespace deconflict::store
