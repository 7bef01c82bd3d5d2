// monitoring/cases.cc: opening cases in the incident's unit, and reading them (cases.h).
#include "monitoring/cases.h"

#include <algorithm>

#include "common/status.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "monitoring/records.h"
#include "monitoring/taxonomy.h"
#include "spdlog/spdlog.h"
#include "store/encounters_table.h"

namespace deconflict::monitoring {
namespace {

using Type = events::IncidentNotice::Type;

absl::Status NoCase(std::string_view id) {
  return FieldError(absl::StatusCode::kNotFound, "id", fmt::format("no case {}", id));
}

std::string PlacesText(const store::CaseSnapshot& s) {
  std::string out;
  for (const store::CasePlaceRecord& p : s.places) {
    out += fmt::format("{}{}/{}", out.empty() ? "" : ",", p.kind, p.place);
  }
  return out;
}

}  // namespace

Cases::Cases(store::Store& store, const events::EventLog& events, const Clock& clock,
             const humanitarian::Notifications& places, CaseOptions options)
    : store_(store), events_(events), clock_(clock), places_(places), options_(options) {}

std::set<std::string> Cases::ViewersOf(const store::CaseSnapshot& s) {
  std::set<std::string> v{s.record.reporter};
  if (!s.record.alleged_party.empty()) v.insert(s.record.alleged_party);
  for (const auto& p : s.places) v.insert(p.notifier);
  for (const auto& r : s.receipts) v.insert(r.party);
  for (const auto& o : s.operations) v.insert(o.party);
  for (const auto& p : s.track_points) v.insert(p.party);
  for (const auto& r : s.respondents) v.insert(r.party);
  return v;
}

absl::Status Cases::Load() {
  struct Loaded {
    std::vector<std::pair<std::string, std::set<std::string>>> cases;  // id, viewers
    std::vector<std::string> closed;
    std::vector<std::pair<std::string, store::CaseRespondentRecord>> pending;
  };
  ASSIGN_OR_RETURN(
      Loaded loaded, store_.WithReader([](store::Database& db) -> absl::StatusOr<Loaded> {
        Loaded out;
        ASSIGN_OR_RETURN(std::vector<store::CaseRecord> rows, store::ListCases(db));
        for (const store::CaseRecord& r : rows) {
          ASSIGN_OR_RETURN(std::optional<store::CaseSnapshot> s, store::ReadCase(db, r.id));
          if (!s) continue;
          out.cases.emplace_back(r.id, ViewersOf(*s));
          if (r.closed_at) out.closed.push_back(r.id);
        }
        ASSIGN_OR_RETURN(out.pending, store::ListPendingRespondents(db));
        return out;
      }));
  WriterLock lock(mu_);
  known_.clear();
  due_.clear();
  dirty_ = false;
  for (auto& [id, viewers] : loaded.cases) known_[id].viewers = std::move(viewers);
  for (const std::string& id : loaded.closed) known_[id].closed = true;
  for (const auto& [id, r] : loaded.pending) due_.Set(fmt::format("{}\n{}", id, r.party), r.due_at);
  return absl::OkStatus();
}

void Cases::AfterCommit(const absl::Status& committed, bool changed_memory) {
  if (committed.ok() || !changed_memory) return;
  spdlog::error("cases: a unit failed ({}); reloading", std::string(committed.message()));
  if (absl::Status s = Load(); !s.ok()) {
    spdlog::critical("cases: reload failed, the cases in memory may be stale: {}",
                     std::string(s.message()));
  }
}

absl::Status Cases::Recorded(store::Txn& txn, const store::IncidentRecord& record) {
  if (!IsViolent(record.event_type)) return absl::OkStatus();
  {
    ReaderLock lock(mu_);
    if (known_.contains(record.id)) return absl::OkStatus();  // one case per incident
  }
  const double radius_m = GeoUncertaintyM(RequestOf(record));
  std::vector<store::HumanitarianRecord> places =
      places_.InForceAt({record.lat, record.lng}, radius_m, record.occurred_at);
  if (places.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool exists, store::CaseExists(txn.db(), record.id));
  if (exists) return absl::OkStatus();
  const Timestamp now = clock_.Now();
  ASSIGN_OR_RETURN(store::CaseSnapshot s, Snapshot(txn, record, places, now));
  store::CaseRecord& c = s.record;
  const std::set<std::string> viewers = ViewersOf(s);
  ASSIGN_OR_RETURN(std::vector<std::string> guarantors,
                   store::ActivePartiesWithRole(txn.db(), "guarantor"));
  std::set<std::string> told = viewers;
  told.insert(guarantors.begin(), guarantors.end());
  const std::vector<std::string> readers(told.begin(), told.end());
  ASSIGN_OR_RETURN(uint64_t index,
                   txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{.party = c.reporter,
                                                                      .action = "case.open",
                                                                      .object_id = c.id,
                                                                      .content_digest = c.digest,
                                                                      .server_time = now}),
                                    readers));
  c.ledger_index = static_cast<int64_t>(index);
  RETURN_IF_ERROR(store::InsertCase(txn, s));
  std::vector<PartyId> recipients;
  for (const std::string& p : told) recipients.emplace_back(p);
  const int64_t links = static_cast<int64_t>(s.places.size() + s.operations.size()) +
                        static_cast<int64_t>(s.respondents.size());
  RETURN_IF_ERROR(events_
                      .Append(txn, recipients,
                              events::IncidentNotice{.type = Type::kCaseOpened,
                                                     .id = c.id,
                                                     .version = c.incident_version,
                                                     .reporter = PartyId(c.reporter),
                                                     .party = PartyId(c.reporter),
                                                     .event_type = record.event_type,
                                                     .sub_event_type = record.sub_event_type,
                                                     .alleged_party = c.alleged_party,
                                                     .occurred_at = c.occurred_at,
                                                     .status = "open",
                                                     .count = links,
                                                     .last_id = PlacesText(s),
                                                     .at = now,
                                                     .ledger_index = c.ledger_index})
                      .status());
  WriterLock lock(mu_);
  known_[c.id].viewers = viewers;
  for (const store::CaseRespondentRecord& r : s.respondents) {
    due_.Set(fmt::format("{}\n{}", c.id, r.party), r.due_at);
  }
  dirty_ = true;
  spdlog::info("cases: case {} opened ({} places, {} operations, {} track points)", c.id,
               s.places.size(), s.operations.size(), s.track_points.size());
  return absl::OkStatus();
}

void Cases::Settled(const absl::Status& committed) {
  bool dirty = false;
  {
    WriterLock lock(mu_);
    dirty = dirty_;
    dirty_ = false;
  }
  AfterCommit(committed, dirty);
}

bool Cases::MaySee(const Viewer& viewer, std::string_view id) const {
  ReaderLock lock(mu_);
  auto it = known_.find(std::string(id));
  if (it == known_.end()) return false;
  return viewer.guarantor || it->second.viewers.contains(viewer.party.value());
}

absl::StatusOr<std::vector<store::CaseRecord>> Cases::List(const Viewer& viewer) const {
  ASSIGN_OR_RETURN(std::vector<store::CaseRecord> all,
                   store_.WithReader([](store::Database& db) { return store::ListCases(db); }));
  std::vector<store::CaseRecord> out;
  for (store::CaseRecord& r : all) {
    if (MaySee(viewer, r.id)) out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(b.opened_at, b.id) < std::tie(a.opened_at, a.id);
  });
  return out;
}

absl::StatusOr<CaseView> Cases::Get(const Viewer& viewer, std::string_view id) const {
  if (!MaySee(viewer, id)) return NoCase(id);
  struct Read {
    std::optional<store::CaseSnapshot> snapshot;
    std::vector<store::CaseResponseRecord> responses;
  };
  ASSIGN_OR_RETURN(Read read, store_.WithReader([&](store::Database& db) -> absl::StatusOr<Read> {
    store::ReadSnapshot snapshot(db);
    Read out;
    ASSIGN_OR_RETURN(out.snapshot, store::ReadCase(db, id));
    ASSIGN_OR_RETURN(out.responses, store::ListCaseResponses(db, id));
    return out;
  }));
  if (!read.snapshot) return NoCase(id);
  CaseView view{.snapshot = *std::move(read.snapshot), .responses = std::move(read.responses)};
  if (viewer.guarantor) return view;
  const std::string& me = viewer.party.value();
  store::CaseSnapshot& s = view.snapshot;
  // Places: readable by their notifier and recipients; receipts: the notifier all, a recipient
  // its own.
  std::set<std::string> readable, notified;
  for (const store::CasePlaceRecord& p : s.places) {
    if (p.notifier == me) notified.insert(p.kind + "/" + p.place);
  }
  for (const store::CaseReceiptRecord& r : s.receipts) {
    if (r.party == me) readable.insert(r.kind + "/" + r.place);
  }
  readable.insert(notified.begin(), notified.end());
  for (store::CasePlaceRecord& p : s.places) {
    const std::string key = p.kind + "/" + p.place;
    if (readable.contains(key)) continue;
    view.places_withheld.insert(key);
    p.name.clear();
    p.category.clear();
    p.ovn.clear();
    p.escalation_channel.clear();
  }
  std::erase_if(s.receipts, [&](const store::CaseReceiptRecord& r) {
    return r.party != me && !notified.contains(r.kind + "/" + r.place);
  });
  for (store::CaseOperationRecord& o : s.operations) {
    if (o.party == me) continue;
    view.operations_as_overlap.insert(o.operation);
    o.extents.clear();
    o.ovn.clear();
  }
  std::erase_if(s.track_points, [&](const store::TrackPointRecord& p) { return p.party != me; });
  return view;
}

absl::StatusOr<std::vector<std::pair<std::string, int64_t>>> Cases::Entries(
    const Viewer& viewer, std::string_view id) const {
  ASSIGN_OR_RETURN(CaseView view, Get(viewer, id));
  const store::CaseSnapshot& s = view.snapshot;
  const store::CaseRecord& c = s.record;
  std::vector<std::pair<std::string, int64_t>> out;
  auto add = [&](std::string label, int64_t index) {
    if (index >= 0) out.emplace_back(std::move(label), index);
  };
  add(fmt::format("incident {}/{}", c.incident, c.incident_version), c.incident_ledger_index);
  for (const auto& p : s.places) {
    add(fmt::format("notification {}/{}/{}", p.kind, p.place, p.version), p.version_ledger_index);
  }
  for (const auto& r : s.receipts) {
    add(fmt::format("delivered {}/{}/{} to {}", r.kind, r.place, r.version, r.party),
        r.delivered_ledger_index);
    add(fmt::format("acknowledged {}/{}/{} by {}", r.kind, r.place, r.version, r.party),
        r.ack_ledger_index);
  }
  for (const auto& o : s.operations) {
    add(fmt::format("operation {} version {} of {}", o.operation, o.version, o.party),
        o.ledger_index);
  }
  add(fmt::format("case.open {}", c.id), c.ledger_index);
  for (const auto& r : view.responses) {
    add(fmt::format("response {} by {}", r.seq, r.party), r.ledger_index);
  }
  for (const auto& r : s.respondents) {
    add(fmt::format("overdue {}", r.party), r.overdue_ledger_index);
  }
  add(fmt::format("case.close by {}", c.closed_by), c.close_ledger_index);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second < b.second; });
  return out;
}

size_t Cases::cases() const {
  ReaderLock lock(mu_);
  return known_.size();
}

size_t Cases::pending_deadlines() const {
  ReaderLock lock(mu_);
  return due_.size();
}

}  // namespace deconflict::monitoring
