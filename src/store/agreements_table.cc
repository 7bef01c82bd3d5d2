#include "store/agreements_table.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "store/internal/columns.h"

namespace deconflict::store {
namespace {

using internal::BindOptionalTime;
using internal::OptionalTime;
using internal::Sized;

constexpr char kProposalColumns[] =
    "id, proposer, kind, content, approvers, amends, withdraw, base_version, created_at, "
    "expires_at, state, closed_at, digest, ledger_index, close_ledger_index";
constexpr char kDecisionColumns[] =
    "proposal, party, decision, at, key_id, signature, statement, ledger_index";
constexpr char kAgreementColumns[] =
    "thing, version, ovn, kind, proposal, content, approvers, withdrawn, agreed_at, digest, "
    "ledger_index";
constexpr char kListColumns[] = "list, name, version, present, aliases, notes, proposal, agreed_at";

// Party ids never hold ','; aliases are kept one per line (they hold no control character).
std::string Join(const std::vector<std::string>& items, std::string_view sep = ",") {
  return absl::StrJoin(items, absl::string_view(sep.data(), sep.size()));
}
std::vector<std::string> Split(const std::string& text, char sep = ',') {
  return absl::StrSplit(text, sep, absl::SkipEmpty());
}

ProposalRecord ProposalRowOf(const Statement& st) {
  return ProposalRecord{.id = st.ColumnText(0),
                        .proposer = st.ColumnText(1),
                        .kind = st.ColumnText(2),
                        .content = st.ColumnText(3),
                        .approvers = Split(st.ColumnText(4)),
                        .amends = st.ColumnText(5),
                        .withdraw = st.ColumnInt(6) != 0,
                        .base_version = st.ColumnInt(7),
                        .created_at = FromMicros(st.ColumnInt(8)),
                        .expires_at = FromMicros(st.ColumnInt(9)),
                        .state = st.ColumnText(10),
                        .closed_at = OptionalTime(st, 11),
                        .digest = st.ColumnBlob(12),
                        .ledger_index = st.ColumnInt(13),
                        .close_ledger_index = st.ColumnInt(14)};
}

DecisionRecord DecisionRowOf(const Statement& st) {
  return DecisionRecord{.proposal = st.ColumnText(0),
                        .party = st.ColumnText(1),
                        .decision = st.ColumnText(2),
                        .at = FromMicros(st.ColumnInt(3)),
                        .key_id = st.ColumnText(4),
                        .signature = st.ColumnBlob(5),
                        .statement = st.ColumnBlob(6),
                        .ledger_index = st.ColumnInt(7)};
}

AgreementRecord AgreementRowOf(const Statement& st) {
  return AgreementRecord{.thing = st.ColumnText(0),
                         .version = st.ColumnInt(1),
                         .ovn = st.ColumnText(2),
                         .kind = st.ColumnText(3),
                         .proposal = st.ColumnText(4),
                         .content = st.ColumnText(5),
                         .approvers = Split(st.ColumnText(6)),
                         .withdrawn = st.ColumnInt(7) != 0,
                         .agreed_at = FromMicros(st.ColumnInt(8)),
                         .digest = st.ColumnBlob(9),
                         .ledger_index = st.ColumnInt(10)};
}

ListEntryRecord ListRowOf(const Statement& st) {
  return ListEntryRecord{.list = st.ColumnText(0),
                         .name = st.ColumnText(1),
                         .version = st.ColumnInt(2),
                         .present = st.ColumnInt(3) != 0,
                         .aliases = Split(st.ColumnText(4), '\n'),
                         .notes = st.ColumnText(5),
                         .proposal = st.ColumnText(6),
                         .agreed_at = FromMicros(st.ColumnInt(7))};
}

}  // namespace

const char kAgreementsSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS proposals (
  id                  TEXT PRIMARY KEY,
  proposer            TEXT NOT NULL,
  kind                TEXT NOT NULL,
  content             TEXT NOT NULL,
  approvers           TEXT NOT NULL,           -- sorted party ids, ','-joined
  amends              TEXT NOT NULL,           -- the amended thing, or ''
  withdraw            INTEGER NOT NULL,
  base_version        INTEGER NOT NULL,
  created_at          INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL,
  state               TEXT NOT NULL,           -- open, agreed, rejected, expired, superseded
  closed_at           INTEGER,
  digest              BLOB NOT NULL,
  ledger_index        INTEGER NOT NULL,
  close_ledger_index  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS proposals_open ON proposals(state, id);
CREATE TABLE IF NOT EXISTS proposal_approvers (
  party     TEXT NOT NULL,
  proposal  TEXT NOT NULL,
  PRIMARY KEY (party, proposal)
);
CREATE TABLE IF NOT EXISTS proposal_decisions (
  proposal      TEXT NOT NULL,
  party         TEXT NOT NULL,
  decision      TEXT NOT NULL,                 -- 'approve' or 'reject'
  at            INTEGER NOT NULL,
  key_id        TEXT NOT NULL,
  signature     BLOB NOT NULL,
  statement     BLOB NOT NULL,
  ledger_index  INTEGER NOT NULL,
  PRIMARY KEY (proposal, party)
);
CREATE TABLE IF NOT EXISTS agreements (
  thing         TEXT NOT NULL,
  version       INTEGER NOT NULL,
  ovn           TEXT NOT NULL,
  kind          TEXT NOT NULL,
  proposal      TEXT NOT NULL,
  content       TEXT NOT NULL,
  approvers     TEXT NOT NULL,
  withdrawn     INTEGER NOT NULL,
  agreed_at     INTEGER NOT NULL,
  digest        BLOB NOT NULL,
  ledger_index  INTEGER NOT NULL,
  PRIMARY KEY (thing, version)
);
CREATE TABLE IF NOT EXISTS agreement_list_entries (
  list       TEXT NOT NULL,
  name       TEXT NOT NULL,
  version    INTEGER NOT NULL,
  present    INTEGER NOT NULL,
  aliases    TEXT NOT NULL,                    -- one per line
  notes      TEXT NOT NULL,
  proposal   TEXT NOT NULL,
  agreed_at  INTEGER NOT NULL,
  PRIMARY KEY (list, name, version)
);
CREATE INDEX IF NOT EXISTS agreement_list_entries_at
  ON agreement_list_entries(list, name, agreed_at);
)sql";

std::string ProposalDigest(const ProposalRecord& p) {
  std::string text = fmt::format(
      "deconflict-proposal/v1\nid {}\nproposer {}\nkind {}\napprovers {}\namends {}\nwithdraw "
      "{}\nbase_version {}\ncreated_at {}\nexpires_at {}\n",
      p.id, p.proposer, p.kind, Join(p.approvers), p.amends.empty() ? "-" : p.amends,
      p.withdraw ? 1 : 0, p.base_version, Micros(p.created_at), Micros(p.expires_at));
  text += Sized("content", p.content);
  return Sha256(text);
}

std::string DecisionDigest(const DecisionRecord& d) {
  return Sha256(fmt::format("deconflict/proposal-decision/v1\n{}\n{}\n{}\n{}\n{}", d.proposal,
                            d.party, d.decision, Micros(d.at),
                            d.signature.empty() ? "" : Hex(d.signature)));
}

std::string AgreementDigest(const AgreementRecord& a) {
  std::string text = fmt::format(
      "deconflict-agreement/v1\nthing {}\nversion {}\novn {}\nkind {}\nproposal {}\napprovers "
      "{}\nwithdrawn {}\nagreed_at {}\n",
      a.thing, a.version, a.ovn, a.kind, a.proposal, Join(a.approvers), a.withdrawn ? 1 : 0,
      Micros(a.agreed_at));
  text += Sized("content", a.content);
  return Sha256(text);
}

std::string ProposalCloseDigest(std::string_view proposal, std::string_view state, Timestamp at) {
  return Sha256(
      fmt::format("deconflict/proposal-close/v1\n{}\n{}\n{}", proposal, state, Micros(at)));
}

// ---- proposals --------------------------------------------------------------------------------

absl::Status InsertProposal(Txn& txn, const ProposalRecord& p) {
  ASSIGN_OR_RETURN(Statement * exists, txn.db().Cached("SELECT 1 FROM proposals WHERE id = ?1"));
  exists->Bind(1, p.id);
  ASSIGN_OR_RETURN(std::vector<int64_t> found,
                   ReadRows<int64_t>(*exists, [](const Statement& s) { return s.ColumnInt(0); }));
  if (!found.empty()) {
    return FieldError(absl::StatusCode::kAlreadyExists, "id",
                      fmt::format("proposal {} exists", p.id));
  }
  static const std::string kSql = fmt::format(
      "INSERT INTO proposals({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14, ?15)",
      kProposalColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, p.id);
  st->Bind(2, p.proposer);
  st->Bind(3, p.kind);
  st->Bind(4, p.content);
  st->Bind(5, Join(p.approvers));
  st->Bind(6, p.amends);
  st->Bind(7, static_cast<int64_t>(p.withdraw ? 1 : 0));
  st->Bind(8, p.base_version);
  st->Bind(9, Micros(p.created_at));
  st->Bind(10, Micros(p.expires_at));
  st->Bind(11, p.state);
  BindOptionalTime(*st, 12, p.closed_at);
  st->BindBlob(13, p.digest);
  st->Bind(14, p.ledger_index);
  st->Bind(15, p.close_ledger_index);
  RETURN_IF_ERROR(st->Run());
  ASSIGN_OR_RETURN(
      Statement * approver,
      txn.db().Cached("INSERT INTO proposal_approvers(party, proposal) VALUES(?1, ?2)"));
  for (const std::string& party : p.approvers) {
    approver->Bind(1, party);
    approver->Bind(2, p.id);
    RETURN_IF_ERROR(approver->Run());
  }
  return absl::OkStatus();
}

absl::Status CloseProposal(Txn& txn, const ProposalRecord& p) {
  ASSIGN_OR_RETURN(Statement * st,
                   txn.db().Cached("UPDATE proposals SET state = ?2, closed_at = ?3, "
                                   "close_ledger_index = ?4 WHERE id = ?1"));
  st->Bind(1, p.id);
  st->Bind(2, p.state);
  BindOptionalTime(*st, 3, p.closed_at);
  st->Bind(4, p.close_ledger_index);
  return st->Run();
}

absl::StatusOr<std::optional<ProposalRecord>> ReadProposal(Database& db, std::string_view id) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM proposals WHERE id = ?1", kProposalColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, id);
  ASSIGN_OR_RETURN(std::vector<ProposalRecord> rows, ReadRows<ProposalRecord>(*st, ProposalRowOf));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

absl::StatusOr<std::vector<ProposalRecord>> ListOpenProposals(Database& db) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM proposals WHERE state = 'open' ORDER BY id", kProposalColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  return ReadRows<ProposalRecord>(*st, ProposalRowOf);
}

absl::StatusOr<std::vector<ProposalRecord>> ListProposalsOf(Database& db, std::string_view party,
                                                            std::string_view after, size_t limit) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM proposals WHERE id IN (SELECT proposal FROM proposal_approvers WHERE party "
      "= ?1) AND id > ?2 ORDER BY id LIMIT ?3",
      kProposalColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, party);
  st->Bind(2, after);
  st->Bind(3, static_cast<int64_t>(limit));
  return ReadRows<ProposalRecord>(*st, ProposalRowOf);
}

// ---- decisions --------------------------------------------------------------------------------

absl::StatusOr<bool> InsertDecision(Txn& txn, const DecisionRecord& d) {
  static const std::string kSql = fmt::format(
      "INSERT OR IGNORE INTO proposal_decisions({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      kDecisionColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, d.proposal);
  st->Bind(2, d.party);
  st->Bind(3, d.decision);
  st->Bind(4, Micros(d.at));
  st->Bind(5, d.key_id);
  st->BindBlob(6, d.signature);
  st->BindBlob(7, d.statement);
  st->Bind(8, d.ledger_index);
  RETURN_IF_ERROR(st->Run());
  ASSIGN_OR_RETURN(int64_t changed, txn.db().QueryInt("SELECT changes()"));
  return changed > 0;
}

absl::StatusOr<std::vector<DecisionRecord>> ReadDecisions(Database& db, std::string_view proposal) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM proposal_decisions WHERE proposal = ?1 ORDER BY party", kDecisionColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, proposal);
  return ReadRows<DecisionRecord>(*st, DecisionRowOf);
}

// ---- agreements -------------------------------------------------------------------------------

absl::Status InsertAgreement(Txn& txn, const AgreementRecord& a) {
  static const std::string kSql =
      fmt::format("INSERT INTO agreements({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                  kAgreementColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, a.thing);
  st->Bind(2, a.version);
  st->Bind(3, a.ovn);
  st->Bind(4, a.kind);
  st->Bind(5, a.proposal);
  st->Bind(6, a.content);
  st->Bind(7, Join(a.approvers));
  st->Bind(8, static_cast<int64_t>(a.withdrawn ? 1 : 0));
  st->Bind(9, Micros(a.agreed_at));
  st->BindBlob(10, a.digest);
  st->Bind(11, a.ledger_index);
  return st->Run();
}

absl::StatusOr<std::optional<AgreementRecord>> ReadLatestAgreement(Database& db,
                                                                   std::string_view thing) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM agreements WHERE thing = ?1 ORDER BY version DESC LIMIT 1",
                  kAgreementColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, thing);
  ASSIGN_OR_RETURN(std::vector<AgreementRecord> rows,
                   ReadRows<AgreementRecord>(*st, AgreementRowOf));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

absl::StatusOr<std::vector<AgreementRecord>> ReadAgreementVersions(Database& db,
                                                                   std::string_view thing) {
  static const std::string kSql =
      fmt::format("SELECT {} FROM agreements WHERE thing = ?1 ORDER BY version", kAgreementColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, thing);
  return ReadRows<AgreementRecord>(*st, AgreementRowOf);
}

absl::StatusOr<std::vector<AgreementRecord>> ListLatestAgreements(Database& db,
                                                                  std::string_view kind) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM agreements a WHERE (?1 = '' OR kind = ?1) AND version = (SELECT "
      "MAX(version) FROM agreements b WHERE b.thing = a.thing) ORDER BY thing",
      kAgreementColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, kind);
  return ReadRows<AgreementRecord>(*st, AgreementRowOf);
}

// ---- lists ------------------------------------------------------------------------------------

absl::Status InsertListEntry(Txn& txn, const ListEntryRecord& e) {
  static const std::string kSql =
      fmt::format("INSERT INTO agreement_list_entries({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                  kListColumns);
  ASSIGN_OR_RETURN(Statement * st, txn.db().Cached(kSql));
  st->Bind(1, e.list);
  st->Bind(2, e.name);
  st->Bind(3, e.version);
  st->Bind(4, static_cast<int64_t>(e.present ? 1 : 0));
  st->Bind(5, Join(e.aliases, "\n"));
  st->Bind(6, e.notes);
  st->Bind(7, e.proposal);
  st->Bind(8, Micros(e.agreed_at));
  return st->Run();
}

absl::StatusOr<std::vector<ListEntryRecord>> ReadListAt(Database& db, std::string_view list,
                                                        Timestamp at) {
  static const std::string kSql = fmt::format(
      "SELECT {} FROM agreement_list_entries e WHERE list = ?1 AND version = (SELECT "
      "MAX(version) FROM agreement_list_entries f WHERE f.list = e.list AND f.name = e.name AND "
      "f.agreed_at <= ?2) AND present = 1 ORDER BY name",
      kListColumns);
  ASSIGN_OR_RETURN(Statement * st, db.Cached(kSql));
  st->Bind(1, list);
  st->Bind(2, Micros(at));
  return ReadRows<ListEntryRecord>(*st, ListRowOf);
}

}  // namespace deconflict::store
