// agreements/agreements.cc: proposals, reads and the live areas (agreements.h); decisions and
// agreements are in decisions.cc, the key rule's hook and expiry in checks.cc.
#include "agreements/agreements.h"

#include <algorithm>

#include "agreements/internal/common.h"
#include "agreements/records.h"
#include "common/status.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "ledger/entry.h"
#include "spdlog/spdlog.h"
#include "store/encounters_table.h"
#include "store/parties_table.h"

namespace deconflict::agreements {

using internal::Approves;
using internal::Parties;

Agreements::Agreements(store::Store& store, const events::EventLog& events, const Clock& clock,
                       AgreementOptions options)
    : store_(store),
      events_(events),
      clock_(clock),
      options_(std::move(options)),
      index_(std::make_unique<strategic::VolumeIndex>()) {}

size_t Agreements::open_proposals() const {
  ReaderLock lock(mu_);
  return expiry_.size();
}

size_t Agreements::live_areas() const {
  ReaderLock lock(mu_);
  return areas_.size();
}

absl::Status Agreements::Load() {
  struct Loaded {
    std::vector<store::ProposalRecord> open;
    std::vector<store::AgreementRecord> aors, territories;
  };
  ASSIGN_OR_RETURN(
      Loaded loaded, store_.WithReader([](store::Database& db) -> absl::StatusOr<Loaded> {
        Loaded l;
        ASSIGN_OR_RETURN(l.open, store::ListOpenProposals(db));
        ASSIGN_OR_RETURN(
            l.aors, store::ListLatestAgreements(db, KindName(ProposalKind::kAreaOfResponsibility)));
        ASSIGN_OR_RETURN(l.territories,
                         store::ListLatestAgreements(db, KindName(ProposalKind::kTerritory)));
        return l;
      }));
  {
    WriterLock lock(mu_);
    areas_.clear();
    index_ = std::make_unique<strategic::VolumeIndex>();
    thing_of_handle_.clear();
    expiry_.clear();
    expiry_by_time_.clear();
    claimed_.clear();
  }
  for (const store::ProposalRecord& p : loaded.open) Arm(p.id, p.expires_at);
  for (const auto* list : {&loaded.aors, &loaded.territories}) {
    for (const store::AgreementRecord& a : *list) {
      if (absl::Status s = ApplyAgreement(a); !s.ok()) {
        return absl::DataLossError(
            fmt::format("agreements: {} version {}: {}", a.thing, a.version, s.message()));
      }
    }
  }
  spdlog::info("agreements: {} open proposals, {} live areas", loaded.open.size(), live_areas());
  return absl::OkStatus();
}

// ---- live areas -------------------------------------------------------------------------------

void Agreements::Unindex(Area& area) {
  for (uint64_t h : area.handles) {
    index_->RemoveOwner(h);
    thing_of_handle_.erase(h);
  }
  area.handles.clear();
}

absl::Status Agreements::ApplyAgreement(const store::AgreementRecord& record) {
  ASSIGN_OR_RETURN(ProposalKind kind, ParseKind(record.kind));
  if (kind != ProposalKind::kAreaOfResponsibility && kind != ProposalKind::kTerritory) {
    return absl::OkStatus();
  }
  std::vector<geo::Volume4D> volumes;
  Area area{.record = record, .territory = kind == ProposalKind::kTerritory};
  const Timestamp now = clock_.Now();
  if (!record.withdrawn) {
    ASSIGN_OR_RETURN(Content content, DecodeContent(kind, record.content));
    area.holder = HolderOf(content);
    if (const auto* aor = std::get_if<AreaOfResponsibility>(&content)) {
      // Checked when proposed; read again as of its start, which may be past by now.
      if (aor->window.end > now) {
        ASSIGN_OR_RETURN(volumes,
                         AreaVolumes(*aor, std::min(now, aor->window.start), options_.limits));
      }
    } else {
      ASSIGN_OR_RETURN(volumes, AreaVolumes(std::get<Territory>(content), now, options_.limits));
    }
  }
  WriterLock lock(mu_);
  if (auto it = areas_.find(record.thing); it != areas_.end()) {
    Unindex(it->second);
    areas_.erase(it);
  }
  if (volumes.empty()) return absl::OkStatus();  // withdrawn or ended: out of the live picture
  for (geo::Volume4D& v : volumes) {
    const uint64_t handle = next_handle_++;
    auto shared = std::make_shared<const geo::Volume4D>(std::move(v));
    index_->Insert(strategic::VolumeKey{handle, 0}, shared);
    thing_of_handle_[handle] = record.thing;
    area.handles.push_back(handle);
    area.volumes.push_back(std::move(shared));
  }
  areas_.emplace(record.thing, std::move(area));
  return absl::OkStatus();
}

std::optional<TerritoryView> Agreements::TerritoryOf(const PartyId& host) const {
  const std::string thing = "territory/" + host.value();
  ReaderLock lock(mu_);
  auto it = areas_.find(thing);
  if (it == areas_.end()) return std::nullopt;
  return TerritoryView{
      .thing = thing, .version = it->second.record.version, .volumes = it->second.volumes};
}

// ---- proposals --------------------------------------------------------------------------------

void Agreements::Propose(const PartyId& proposer, ProposalRequest request,
                         Done<ProposalView> done) {
  const Timestamp now = clock_.Now();
  if (absl::Status s = ValidateProposal(request, proposer, now, options_.limits); !s.ok()) {
    return done(s);
  }
  if (store_.pending() > options_.max_pending_writes) {
    return done(Overloaded("too many writes are waiting; retry shortly"));
  }
  const std::vector<PartyId> approvers = NormalizedApprovers(request.approvers, proposer);
  const PartyId holder = HolderOf(request.content);
  if (!holder.empty() && !std::binary_search(approvers.begin(), approvers.end(), holder,
                                             [](const PartyId& a, const PartyId& b) {
                                               return a.value() < b.value();
                                             })) {
    return done(InvalidField("content.party",
                             fmt::format("{} must be an approver: an area is given with its "
                                         "holder's approval",
                                         holder.value())));
  }
  auto view = std::make_shared<ProposalView>();
  store::ProposalRecord& p = view->proposal;
  p.id = request.id;
  p.proposer = proposer.value();
  p.kind = std::string(KindName(request.kind));
  p.content = EncodeContent(request.content);
  for (const PartyId& a : approvers) p.approvers.push_back(a.value());
  p.amends = request.amends.value_or("");
  p.withdraw = request.withdraw;
  p.expires_at = request.expires_at;
  const std::string thing = ThingOf(request);
  const auto* entry = std::get_if<ListEntryChange>(&request.content);
  store_.Submit(
      [this, view, thing, entry_op = entry ? std::optional(entry->op) : std::nullopt,
       request](store::Txn& txn) -> absl::Status {
        store::ProposalRecord& p = view->proposal;
        ASSIGN_OR_RETURN(std::optional<store::ProposalRecord> existing,
                         store::ReadProposal(txn.db(), p.id));
        if (existing) {
          if (existing->proposer == p.proposer && existing->kind == p.kind &&
              existing->content == p.content && existing->approvers == p.approvers &&
              existing->amends == p.amends && existing->withdraw == p.withdraw &&
              existing->expires_at == p.expires_at) {
            p = *std::move(existing);
            ASSIGN_OR_RETURN(view->decisions, store::ReadDecisions(txn.db(), p.id));
            return absl::OkStatus();  // a retry: answer the stored one
          }
          return FieldError(absl::StatusCode::kAlreadyExists, "id",
                            fmt::format("another proposal has the id {}", p.id));
        }
        for (size_t i = 0; i < request.approvers.size(); ++i) {
          ASSIGN_OR_RETURN(std::optional<bool> revoked,
                           store::PartyIsRevoked(txn, request.approvers[i]));
          if (!revoked || *revoked) {
            return InvalidField(fmt::format("approvers[{}]", i),
                                fmt::format("{} is {}", request.approvers[i].value(),
                                            revoked ? "revoked" : "not a party of this server"));
          }
        }
        ASSIGN_OR_RETURN(std::optional<store::AgreementRecord> latest,
                         store::ReadLatestAgreement(txn.db(), thing));
        if (request.amends) {
          if (!latest || !Approves(latest->approvers, p.proposer)) {
            return FieldError(
                absl::StatusCode::kNotFound, "amends",
                fmt::format("no agreement {} of which {} is an approver", thing, p.proposer));
          }
          if (latest->withdrawn) {
            return FieldError(absl::StatusCode::kFailedPrecondition, "amends",
                              fmt::format("{} was withdrawn (version {})", thing, latest->version));
          }
          if (latest->kind != p.kind) {
            return FieldError(absl::StatusCode::kFailedPrecondition, "amends",
                              fmt::format("{} is a {}, not a {}", thing, latest->kind, p.kind));
          }
          if (latest->approvers != p.approvers) {
            return FieldError(absl::StatusCode::kFailedPrecondition, "approvers",
                              fmt::format("an amendment needs the agreement's approvers: {}",
                                          fmt::join(latest->approvers, ", ")));
          }
        } else if (latest && !latest->withdrawn && p.kind != "list_entry") {
          return FieldError(
              absl::StatusCode::kAlreadyExists, "id",
              fmt::format("{} is agreed already; amend it (amends: {})", thing, thing));
        }
        if (entry_op) {
          const bool present = latest && !latest->withdrawn;
          if (*entry_op == ListEntryChange::Op::kAdd && present) {
            return FieldError(absl::StatusCode::kFailedPrecondition, "content.entry.name",
                              "the list already has this entry");
          }
          if (*entry_op == ListEntryChange::Op::kRemove && !present) {
            return FieldError(absl::StatusCode::kFailedPrecondition, "content.entry.name",
                              "the list has no such entry");
          }
        }
        p.base_version = latest ? latest->version : 0;
        p.created_at = clock_.Now();
        p.digest = store::ProposalDigest(p);
        std::vector<std::string> others;
        for (const std::string& a : p.approvers) {
          if (a != p.proposer) others.push_back(a);
        }
        ASSIGN_OR_RETURN(
            uint64_t index,
            txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{.party = p.proposer,
                                                               .action = "proposal.create",
                                                               .object_id = p.id,
                                                               .content_digest = p.digest,
                                                               .server_time = p.created_at}),
                             others));
        p.ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::InsertProposal(txn, p));
        RETURN_IF_ERROR(
            events_
                .Append(txn, Parties(others),
                        events::AgreementNotice{.type = events::AgreementNotice::Type::kProposed,
                                                .proposal = p.id,
                                                .kind = p.kind,
                                                .thing = thing,
                                                .proposer = PartyId(p.proposer),
                                                .at = p.created_at,
                                                .expires_at = p.expires_at,
                                                .digest = p.digest,
                                                .ledger_index = p.ledger_index})
                .status());
        view->created = true;
        return absl::OkStatus();
      },
      [this, view, done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (view->created) {
          Arm(view->proposal.id, view->proposal.expires_at);
          events_.Committed();
        }
        done(*view);
      });
}

absl::StatusOr<ProposalView> Agreements::Get(const Viewer& viewer, const std::string& id) const {
  return store_.WithReader([&](store::Database& db) -> absl::StatusOr<ProposalView> {
    ASSIGN_OR_RETURN(std::optional<store::ProposalRecord> p, store::ReadProposal(db, id));
    if (!p || (!viewer.guarantor && !Approves(p->approvers, viewer.party.value()))) {
      return FieldError(absl::StatusCode::kNotFound, "id",
                        fmt::format("no proposal {} for {}", id, viewer.party.value()));
    }
    ProposalView view{.proposal = *std::move(p)};
    ASSIGN_OR_RETURN(view.decisions, store::ReadDecisions(db, id));
    if (view.proposal.state == "agreed") {
      ASSIGN_OR_RETURN(ProposalKind kind, ParseKind(view.proposal.kind));
      ASSIGN_OR_RETURN(Content content, DecodeContent(kind, view.proposal.content));
      ProposalRequest request{.id = view.proposal.id, .kind = kind, .content = content};
      if (!view.proposal.amends.empty()) request.amends = view.proposal.amends;
      ASSIGN_OR_RETURN(std::vector<store::AgreementRecord> versions,
                       store::ReadAgreementVersions(db, ThingOf(request)));
      for (store::AgreementRecord& a : versions) {
        if (a.proposal == id) view.agreement = std::move(a);
      }
    }
    return view;
  });
}

absl::StatusOr<std::vector<store::ProposalRecord>> Agreements::List(const Viewer& viewer,
                                                                    const std::string& after,
                                                                    size_t limit) const {
  return store_.WithReader([&](store::Database& db) {
    return store::ListProposalsOf(db, viewer.party.value(), after, limit);
  });
}

absl::StatusOr<AgreementView> Agreements::GetAgreement(const Viewer& viewer,
                                                       const std::string& thing) const {
  return store_.WithReader([&](store::Database& db) -> absl::StatusOr<AgreementView> {
    ASSIGN_OR_RETURN(std::vector<store::AgreementRecord> versions,
                     store::ReadAgreementVersions(db, thing));
    const bool is_list = thing.rfind("list/", 0) == 0;
    if (versions.empty() || (!is_list && !viewer.guarantor &&
                             !Approves(versions.back().approvers, viewer.party.value()))) {
      return FieldError(absl::StatusCode::kNotFound, "id", fmt::format("no agreement {}", thing));
    }
    AgreementView view{.versions = std::move(versions)};
    view.live = !view.versions.back().withdrawn;
    return view;
  });
}

absl::StatusOr<std::vector<store::ListEntryRecord>> Agreements::ListAt(const std::string& list,
                                                                       Timestamp at) const {
  RETURN_IF_ERROR(CheckSlug(list, "name"));
  return store_.WithReader([&](store::Database& db) { return store::ReadListAt(db, list, at); });
}

}  // namespace deconflict::agreements
