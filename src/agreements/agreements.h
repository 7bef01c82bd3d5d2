// agreements/agreements.h: coordination, not only deconfliction (design.md §2; issue 12). Any
// party proposes (proposal.h) an entry of an agreed list, an area of responsibility (AOR), a
// host's territory or a text, naming the parties that must all approve it; each approver decides
// once, approve or reject, optionally signing the documented statement with its registered key
// (parties/acknowledgement.h, kind proposal.approve / proposal.reject, object the proposal id,
// digest the proposal's). When every approver approved, the proposal becomes an agreement: a
// new version of the thing it changes ("list/<list>/<name>", "aor/<id>", "territory/<host>",
// "text/<id>"). One rejection, or the expiry, fails it. An agreement is amended or withdrawn
// only by a new proposal (`amends`) with the same approvers; if the thing changed meanwhile, the
// later proposal fails as superseded. Knows neither HTTP, SQL nor JSON: api/agreement_routes.cc
// speaks to it in the types below, store/agreements_table.h holds its rows.
//
//   agreements::Agreements agreements(store, event_log, clock);
//   RETURN_IF_ERROR(agreements.Load());
//   operations.AddProtectedVolumes(agreements);    // AORs and territories in the key rule
//   hotline.AddDeadlineSource(agreements);         // proposal expiry, on the hotline's clock
//   agreements.Propose(PartyId("RU"), std::move(request), [](absl::StatusOr<ProposalView>) {...});
//
// Every step is a ledger entry readable by the approvers (proposal.create, proposal.approve /
// .reject or their signed .ack form, agreement.<kind>.agree / .withdraw, proposal.fail) and an
// event to them (proposal.created, proposal.decided, agreement.made, proposal.failed).
//
// Operations (strategic/protected_volumes.h): another party's operation whose volumes meet a
// live AOR (its area, band and window) is refused unless its key carries the AOR version's
// `ovn`, which the holder gives to whom it coordinates with (the refusal names the AOR, not the
// token); accepted, the holder is told (agreement.aor.conflict, with the overlap only). An
// operation that meets a host's territory is never refused by it; the host is told of each one
// filed, as its overlap with the territory (agreement.territory.operation), and of nothing
// outside it.
//
// Equal footing: nothing here gives a party power over another beyond what an agreement says.
//
// Thread-safety: thread-safe. Callbacks (`done`) run on the store's writer thread, or on the
// calling thread for a refusal made before any write.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "agreements/proposal.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/mutex.h"
#include "events/event_log.h"
#include "hotline/deadline_source.h"
#include "store/agreements_table.h"
#include "store/store.h"
#include "strategic/protected_volumes.h"
#include "strategic/volume_index.h"

namespace deconflict::agreements {

struct AgreementOptions {
  AgreementLimits limits;
  // Writes waiting for the store above which proposals and decisions are refused with
  // Overloaded (HTTP 429). Default: 20,000.
  size_t max_pending_writes = 20000;
};

// Who asks: guarantors read every proposal and agreement.
struct Viewer {
  PartyId party;
  bool guarantor = false;
};

struct ProposalView {
  store::ProposalRecord proposal;
  std::vector<store::DecisionRecord> decisions;     // by party
  std::optional<store::AgreementRecord> agreement;  // once agreed
  bool created = false;  // Propose: false when the same proposal was filed before (a retry)
};

struct DecisionSignature {
  std::string signature;  // 64 raw bytes
  std::string key_id;     // empty: any active key of the party
  Timestamp signed_at;    // the statement's time (whole seconds)
};

struct DecisionRequest {
  std::string proposal;
  bool approve = true;
  std::optional<DecisionSignature> signature;
};

struct AgreementView {
  std::vector<store::AgreementRecord> versions;  // oldest first
  bool live = false;  // the newest is not a withdrawal (and, for an AOR, its window not ended)
};

// A host's live territory (Agreements::TerritoryOf).
struct TerritoryView {
  std::string thing;  // "territory/<host>"
  int64_t version = 0;
  std::vector<std::shared_ptr<const geo::Volume4D>> volumes;  // one per polygon
};

class Agreements final : public strategic::ProtectedVolumes, public hotline::DeadlineSource {
 public:
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // `events` and `clock` must outlive it; `store` must be stopped before it is destroyed.
  Agreements(store::Store& store, const events::EventLog& events, const Clock& clock,
             AgreementOptions options = {});
  Agreements(const Agreements&) = delete;
  Agreements& operator=(const Agreements&) = delete;

  // Reads the open proposals (their expiry) and the live AORs and territories. Call once,
  // before any other call. DataLoss naming the row when a stored content no longer reads.
  [[nodiscard]] absl::Status Load() ABSL_LOCKS_EXCLUDED(mu_);

  // PUT /v1/proposals/{id} by `proposer`. Errors, each naming the field:
  //   InvalidArgument / LimitExceeded  ValidateProposal's; "approvers[i]" (not a party, or
  //                    revoked); "content.party" (not an approver: an AOR or a territory is
  //                    given with its holder's approval, or not a party)
  //   NotFound         "amends": no such agreement, or the proposer is none of its approvers
  //   FailedPrecondition  "amends": the agreement is withdrawn, of another kind, or its approvers
  //                    differ from the proposal's; "content.entry.name": the list already has
  //                    (add) or lacks (remove) the entry
  //   AlreadyExists    "id": another proposal has this id
  //   ResourceExhausted (Overloaded)
  // The same proposal again (same proposer and content) answers the stored one (created false).
  void Propose(const PartyId& proposer, ProposalRequest request, Done<ProposalView> done);

  // POST /v1/proposals/{id}/decision by `party`. Errors: NotFound "id" (no such proposal);
  // PermissionDenied "id" (the caller is no approver);
  // FailedPrecondition "decision" (decided before, or the proposal is no longer open: the
  // message says which); the errors of parties::VerifyAcknowledgement ("signature", "key_id",
  // "time"). The answer is the proposal after the decision (agreed, if it was the last).
  void Decide(const PartyId& party, DecisionRequest request, Done<ProposalView> done);

  // GET /v1/proposals/{id}: approvers and guarantors; NotFound "id" for anyone else.
  [[nodiscard]] absl::StatusOr<ProposalView> Get(const Viewer& viewer, const std::string& id) const;
  // GET /v1/proposals: the proposals the viewer approves, by id, `limit` after id `after`.
  [[nodiscard]] absl::StatusOr<std::vector<store::ProposalRecord>> List(const Viewer& viewer,
                                                                        const std::string& after,
                                                                        size_t limit) const;
  // GET /v1/agreements/{thing}: its approvers and guarantors; lists are public (any party).
  [[nodiscard]] absl::StatusOr<AgreementView> GetAgreement(const Viewer& viewer,
                                                           const std::string& thing) const;
  // GET /v1/lists/{name}?at=: the entries agreed at `at`. Any party.
  [[nodiscard]] absl::StatusOr<std::vector<store::ListEntryRecord>> ListAt(const std::string& list,
                                                                           Timestamp at) const;

  // strategic::ProtectedVolumes: live AORs (key required unless the filer holds it) and
  // territories (recorded only, unless the filer is the host).
  std::vector<strategic::ProtectedHit> Meet(
      const PartyId& filer, std::span<const std::shared_ptr<const geo::Volume4D>> volumes,
      Timestamp now) const override ABSL_LOCKS_EXCLUDED(mu_);
  [[nodiscard]] absl::Status Record(store::Txn& txn, const PartyId& filer,
                                    const OperationId& operation,
                                    const std::vector<strategic::ProtectedHit>& hits,
                                    Timestamp now) const override ABSL_LOCKS_EXCLUDED(mu_);

  // hotline::DeadlineSource: open proposals past expires_at fail as expired.
  std::vector<std::string> ClaimDue(Timestamp now) override ABSL_LOCKS_EXCLUDED(mu_);
  [[nodiscard]] absl::Status Judge(store::Txn& txn, const std::string& id, Timestamp now,
                                   const hotline::Escalate& escalate) override;
  void Judged(const std::vector<std::string>& ids, const absl::Status& committed) override
      ABSL_LOCKS_EXCLUDED(mu_);

  // The live territory agreed for `host` ("territory/<host>"): the host's read view (issue 12),
  // through which it sees other parties' operations as their overlap with it and their live
  // tracks inside it. nullopt when none is agreed (or it was withdrawn). Each volume is one
  // polygon of the agreed area, every altitude, from when the agreement was applied.
  [[nodiscard]] std::optional<TerritoryView> TerritoryOf(const PartyId& host) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // The service's clock (the time a list is read at when none is asked).
  Timestamp Now() const { return clock_.Now(); }

  // Tests and stats.
  size_t open_proposals() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t live_areas() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Area {
    store::AgreementRecord record;
    PartyId holder;
    bool territory = false;
    std::vector<uint64_t> handles;                              // in index_, one per volume
    std::vector<std::shared_ptr<const geo::Volume4D>> volumes;  // the same, by handle order
  };

  // Adds or replaces the live area of `record` (an AOR or territory version), or removes it
  // when withdrawn or ended.
  [[nodiscard]] absl::Status ApplyAgreement(const store::AgreementRecord& record)
      ABSL_LOCKS_EXCLUDED(mu_);
  void Unindex(Area& area) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Closes `p` (state already set) in `txn`: its ledger entry and events to the approvers.
  [[nodiscard]] absl::Status CloseFailed(store::Txn& txn, store::ProposalRecord& p) const;
  // Makes the agreement of fully approved `p` in `txn`; superseded when its thing moved on.
  [[nodiscard]] absl::Status MakeAgreement(store::Txn& txn, store::ProposalRecord& p,
                                           ProposalView& view) const;
  void Arm(const std::string& id, Timestamp at) ABSL_LOCKS_EXCLUDED(mu_);
  void Disarm(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);

  store::Store& store_;
  const events::EventLog& events_;
  const Clock& clock_;
  const AgreementOptions options_;

  mutable Mutex mu_;
  std::map<std::string, Area> areas_ ABSL_GUARDED_BY(mu_);  // by thing
  std::unique_ptr<strategic::VolumeIndex> index_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, std::string> thing_of_handle_ ABSL_GUARDED_BY(mu_);
  uint64_t next_handle_ ABSL_GUARDED_BY(mu_) = 1;
  // Open proposals: expiry by id and by time; claims of the deadline unit under way.
  std::map<std::string, Timestamp> expiry_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<Timestamp, std::string>> expiry_by_time_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> claimed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace deconflict::agreements
