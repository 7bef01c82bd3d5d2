// monitoring/monitoring.cc: reports, imports, reads and memory (monitoring.h). Findings and
// statements are in findings.cc.
#include "monitoring/monitoring.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "monitoring/internal/parties.h"
#include "monitoring/records.h"
#include "monitoring/taxonomy.h"
#include "spdlog/spdlog.h"

namespace deconflict::monitoring {
namespace {

using internal::Parties;
using Type = events::IncidentNotice::Type;

uint8_t TaxonomyIndex(std::string_view event_type, std::string_view sub_event_type) {
  const auto taxonomy = Taxonomy();
  for (size_t i = 0; i < taxonomy.size(); ++i) {
    if (taxonomy[i].event_type == event_type && taxonomy[i].sub_event_type == sub_event_type) {
      return static_cast<uint8_t>(i);
    }
  }
  return 0;  // Invariant: stored versions were validated.
}

// The incident.report entry of a version (created_at is its server time).
std::string ReportEntry(const store::IncidentRecord& r) {
  return ledger::EncodeEntry(ledger::Entry{.party = r.reporter,
                                           .action = "incident.report",
                                           .object_id = store::IncidentObjectId(r.id, r.version),
                                           .content_digest = r.digest,
                                           .server_time = r.created_at});
}

int32_t Clamp32(int64_t v) { return static_cast<int32_t>(std::min<int64_t>(v, INT32_MAX)); }

}  // namespace

Incidents::Incidents(store::Store& store, const events::EventLog& events, const Clock& clock,
                     MonitoringOptions options)
    : store_(store), events_(events), clock_(clock), options_(std::move(options)) {}

size_t Incidents::incidents() const {
  ReaderLock lock(mu_);
  return rows_.size();
}

// ---- memory -----------------------------------------------------------------------------------

void Incidents::Apply(const store::IncidentRecord& r) {
  IncidentFact fact{.occurred_us = Micros(r.occurred_at),
                    .lat = static_cast<float>(r.lat),
                    .lng = static_cast<float>(r.lng),
                    .alleged = facts_.Intern(r.alleged_party),
                    .admin1 = facts_.Intern(r.admin1),
                    .best = Clamp32(r.fatalities_best),
                    .low = Clamp32(r.fatalities_low),
                    .high = Clamp32(r.fatalities_high),
                    .taxonomy = TaxonomyIndex(r.event_type, r.sub_event_type)};
  auto [it, inserted] = rows_.try_emplace(r.id);
  Row& row = it->second;
  if (inserted) {
    row.fact = facts_.Add(fact);
  } else {
    IncidentFact& stored = facts_.at(row.fact);
    fact.status = stored.status;
    fact.attributed = stored.attributed;
    stored = fact;
  }
  row.version = r.version;
  row.reporter = facts_.Intern(r.reporter);
}

void Incidents::Restate(const std::string& id) {
  auto row = rows_.find(id);
  if (row == rows_.end()) return;
  IncidentFact& fact = facts_.at(row->second.fact);
  auto it = findings_.find(id);
  if (it == findings_.end() || it->second.empty()) {
    fact.status = Status::kReported;
    fact.attributed = 0;
    return;
  }
  // The newest finding of each guarantor (the list is oldest first).
  absl::flat_hash_map<std::string, const GuarantorFinding*> newest;
  for (const GuarantorFinding& f : it->second) newest[f.guarantor] = &f;
  bool disputed = false, verified = false;
  const GuarantorFinding* attribution = nullptr;
  for (const auto& [guarantor, f] : newest) {
    if (f->finding == "disputed") disputed = true;
    if (f->finding == "verified") {
      verified = true;
      if (attribution == nullptr || f->seq > attribution->seq) attribution = f;
    }
  }
  fact.status = disputed ? Status::kDisputed : verified ? Status::kVerified : Status::kUnverifiable;
  fact.attributed = attribution ? facts_.Intern(attribution->attributed_party) : 0;
}

Status Incidents::StatusOfLocked(const std::string& id) const {
  auto it = rows_.find(id);
  return it == rows_.end() ? Status::kReported : facts_.rows()[it->second.fact].status;
}

absl::Status Incidents::Load() {
  {
    WriterLock lock(mu_);
    facts_.clear();
    rows_.clear();
    findings_.clear();
  }
  // Streamed in blocks (a million incidents never sit in memory twice), each applied under the
  // lock by ApplyLoaded.
  std::vector<store::IncidentRecord> block;
  std::vector<store::IncidentFindingRecord> found;
  absl::Status read = store_.WithReader([&](store::Database& db) -> absl::Status {
    RETURN_IF_ERROR(store::ForEachLatestIncident(db, [&](store::IncidentSummaryRow&& s) {
      block.push_back(store::IncidentRecord{.id = std::move(s.id),
                                            .version = s.version,
                                            .reporter = std::move(s.reporter),
                                            .occurred_at = s.occurred_at,
                                            .lat = s.lat,
                                            .lng = s.lng,
                                            .event_type = std::move(s.event_type),
                                            .sub_event_type = std::move(s.sub_event_type),
                                            .alleged_party = std::move(s.alleged_party),
                                            .fatalities_best = s.fatalities_best,
                                            .fatalities_low = s.fatalities_low,
                                            .fatalities_high = s.fatalities_high,
                                            .admin1 = std::move(s.admin1)});
      if (block.size() == 10000) ApplyLoaded(block, found);
    }));
    return store::ForEachIncidentFinding(
        db, [&](store::IncidentFindingRecord&& f) { found.push_back(std::move(f)); });
  });
  if (!read.ok()) return absl::DataLossError(fmt::format("incidents: {}", read.message()));
  ApplyLoaded(block, found);
  WriterLock lock(mu_);
  std::vector<std::string> with_findings;
  for (const auto& [id, list] : findings_) with_findings.push_back(id);
  for (const std::string& id : with_findings) Restate(id);
  spdlog::info("monitoring: {} incidents loaded, {} with findings", rows_.size(),
               with_findings.size());
  return absl::OkStatus();
}

void Incidents::ApplyLoaded(std::vector<store::IncidentRecord>& versions,
                            std::vector<store::IncidentFindingRecord>& findings) {
  WriterLock lock(mu_);
  for (const store::IncidentRecord& r : versions) Apply(r);
  for (store::IncidentFindingRecord& f : findings) {
    findings_[f.incident].push_back(
        GuarantorFinding{.guarantor = std::move(f.guarantor),
                         .finding = std::move(f.finding),
                         .attributed_party = std::move(f.attributed_party),
                         .seq = f.seq});
  }
  versions.clear();
  findings.clear();
}

void Incidents::AfterCommit(const absl::Status& committed, bool changed_memory) {
  if (committed.ok() || !changed_memory) return;
  spdlog::error("monitoring: commit failed ({}); reloading", committed.message());
  if (absl::Status s = Load(); !s.ok()) {
    spdlog::critical("monitoring: reload failed, statistics may be stale: {}", s.message());
  }
}

std::vector<PartyId> Incidents::Concerned(const store::IncidentRecord& r, const Parties& parties,
                                          const std::string& actor) const {
  std::vector<std::string> ids = parties.guarantors;
  ids.push_back(r.reporter);
  if (parties.Has(r.alleged_party)) ids.push_back(r.alleged_party);
  {
    ReaderLock lock(mu_);
    if (auto it = findings_.find(r.id); it != findings_.end()) {
      for (const GuarantorFinding& f : it->second) {
        if (parties.Has(f.attributed_party)) ids.push_back(f.attributed_party);
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<PartyId> out;
  for (std::string& id : ids) {
    if (id != actor) out.emplace_back(std::move(id));
  }
  return out;
}

// ---- reports and imports ----------------------------------------------------------------------

void Incidents::Report(const PartyId& caller, IncidentRequest request, Done<ReportResult> done) {
  if (absl::Status s = ValidateIncident(request, clock_.Now(), options_.limits); !s.ok()) {
    return done(s);
  }
  if (store_.pending() > options_.max_pending_writes) {
    return done(Overloaded("too many writes are waiting; retry shortly"));
  }
  absl::StatusOr<Parties> parties = Parties::Read(store_);
  if (!parties.ok()) return done(parties.status());
  auto result = std::make_shared<ReportResult>();
  result->record = RecordOf(caller, request, "report");
  store_.Submit(
      [this, result, parties = *std::move(parties)](store::Txn& txn) -> absl::Status {
        store::IncidentRecord& r = result->record;
        ASSIGN_OR_RETURN(std::optional<store::IncidentRecord> latest,
                         store::ReadLatestIncident(txn.db(), r.id));
        if (latest && latest->reporter != r.reporter) {
          return FieldError(absl::StatusCode::kPermissionDenied, "id",
                            fmt::format("incident {} was reported by another party; choose "
                                        "another id",
                                        r.id));
        }
        if (latest && SameContent(*latest, r)) {
          r = *std::move(latest);
          return absl::OkStatus();
        }
        r.version = latest ? latest->version + 1 : 1;
        r.created_at = clock_.Now();
        r.digest = store::IncidentVersionDigest(r);
        const std::vector<PartyId> told = Concerned(r, parties, r.reporter);
        const std::vector<std::string> readers = internal::IdsOf(told);
        ASSIGN_OR_RETURN(uint64_t index,
                         txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                              .party = r.reporter,
                                              .action = "incident.report",
                                              .object_id = store::IncidentObjectId(r.id, r.version),
                                              .content_digest = r.digest,
                                              .server_time = r.created_at}),
                                          readers));
        r.ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::InsertIncidentVersion(txn, r));
        if (hook_) RETURN_IF_ERROR(hook_->Recorded(txn, r));
        std::string status;
        {
          WriterLock lock(mu_);
          Apply(r);
          status = std::string(StatusName(StatusOfLocked(r.id)));
        }
        result->created = true;
        return events_
            .Append(txn, told,
                    events::IncidentNotice{.type = Type::kReported,
                                           .id = r.id,
                                           .version = r.version,
                                           .reporter = PartyId(r.reporter),
                                           .change = r.version == 1 ? "reported" : "changed",
                                           .event_type = r.event_type,
                                           .sub_event_type = r.sub_event_type,
                                           .alleged_party = r.alleged_party,
                                           .occurred_at = r.occurred_at,
                                           .status = status,
                                           .at = r.created_at,
                                           .ledger_index = r.ledger_index})
            .status();
      },
      [this, result, done = std::move(done)](absl::Status committed) {
        AfterCommit(committed, result->created);
        if (hook_) hook_->Settled(committed);
        if (!committed.ok()) return done(committed);
        if (result->created) events_.Committed();
        done(*result);
      });
}

void Incidents::Import(const PartyId& caller, std::vector<ImportRow> rows,
                       Done<ImportResult> done) {
  if (rows.size() > options_.max_import_rows) {
    return done(LimitExceeded("rows", fmt::format("{} rows in one import; at most {}", rows.size(),
                                                  options_.max_import_rows)));
  }
  if (store_.pending() > options_.max_pending_writes) {
    return done(Overloaded("too many writes are waiting; retry shortly"));
  }
  absl::StatusOr<Parties> parties = Parties::Read(store_);
  if (!parties.ok()) return done(parties.status());
  auto result = std::make_shared<ImportResult>();
  // Checked here, on the caller's thread: the writer only decides new, changed or unchanged.
  // Checked, and made ready for the ledger as new versions (the usual case), on the caller's
  // thread: the writer only decides new, changed or unchanged, and writes.
  struct Pending {
    int64_t line = 0;
    store::IncidentRecord record;
    // Its incident.report entry as version 1, salted and hashed here rather than on the writer.
    store::PreparedEntry entry;
  };
  auto records = std::make_shared<std::vector<Pending>>();
  records->reserve(rows.size());
  const Timestamp now = clock_.Now();
  {
    absl::flat_hash_set<std::string> seen;
    for (ImportRow& row : rows) {
      if (absl::Status s = ValidateIncident(row.request, now, options_.limits); !s.ok()) {
        result->refused.push_back(ImportRefusal{.line = row.line,
                                                .column = FieldOf(s).value_or(""),
                                                .message = std::string(s.message())});
        continue;
      }
      if (!seen.insert(row.request.id).second) {
        result->refused.push_back(
            ImportRefusal{.line = row.line,
                          .column = "event_id_cnty",
                          .message = fmt::format("repeats {} of an earlier row", row.request.id)});
        continue;
      }
      Pending p{.line = row.line, .record = RecordOf(caller, std::move(row.request), "import")};
      p.record.version = 1;
      p.record.created_at = now;
      p.record.digest = store::IncidentVersionDigest(p.record);
      p.entry = store::PrepareEntry(ReportEntry(p.record));
      records->push_back(std::move(p));
    }
  }
  auto changed_memory = std::make_shared<bool>(false);
  store_.Submit(
      [this, result, records, changed_memory, caller, now,
       parties = *std::move(parties)](store::Txn& txn) -> absl::Status {
        // What memory knows of each id: (newest version, reporter), 0 for none.
        std::vector<std::pair<int64_t, std::string>> known(records->size());
        {
          ReaderLock lock(mu_);
          for (size_t i = 0; i < records->size(); ++i) {
            if (auto it = rows_.find((*records)[i].record.id); it != rows_.end()) {
              known[i] = {it->second.version, facts_.Name(it->second.reporter)};
            }
          }
        }
        std::vector<const store::IncidentRecord*> written;
        std::vector<std::pair<int64_t, std::string>> refused_here;  // line, message
        for (size_t i = 0; i < records->size(); ++i) {
          auto& [line, r, entry] = (*records)[i];
          const auto& [known_version, known_reporter] = known[i];
          if (known_version > 0 && known_reporter != r.reporter) {
            refused_here.emplace_back(
                line, fmt::format("incident {} was reported by {}", r.id, known_reporter));
            continue;
          }
          if (known_version > 0) {
            ASSIGN_OR_RETURN(std::optional<store::IncidentRecord> latest,
                             store::ReadLatestIncident(txn.db(), r.id));
            if (latest && SameContent(*latest, r)) {
              ++result->unchanged;
              continue;
            }
            r.version = (latest ? latest->version : known_version) + 1;
            r.digest = store::IncidentVersionDigest(r);
            entry = store::PrepareEntry(ReportEntry(r));
          }
          ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(entry));
          r.ledger_index = static_cast<int64_t>(index);
          RETURN_IF_ERROR(store::InsertIncidentVersion(txn, r));
          if (hook_) RETURN_IF_ERROR(hook_->Recorded(txn, r));
          ++(r.version == 1 ? result->created : result->changed);
          if (result->first_ledger_index < 0) result->first_ledger_index = r.ledger_index;
          result->last_ledger_index = r.ledger_index;
          written.push_back(&r);
        }
        if (!written.empty()) {
          WriterLock lock(mu_);
          for (const store::IncidentRecord* r : written) Apply(*r);
          *changed_memory = true;
        }
        for (auto& [line, message] : refused_here) {
          result->refused.push_back(ImportRefusal{
              .line = line, .column = "event_id_cnty", .message = std::move(message)});
        }
        if (written.empty()) return absl::OkStatus();
        // Guarantors hear of the batch once; an alleged party that is a party of this server,
        // of each row about it.
        std::vector<PartyId> guarantors;
        for (const std::string& g : parties.guarantors) {
          if (g != caller.value()) guarantors.emplace_back(g);
        }
        if (!guarantors.empty()) {
          RETURN_IF_ERROR(
              events_
                  .Append(txn, guarantors,
                          events::IncidentNotice{.type = Type::kImported,
                                                 .id = written.front()->id,
                                                 .reporter = caller,
                                                 .count = static_cast<int64_t>(written.size()),
                                                 .last_id = written.back()->id,
                                                 .first_ledger_index = result->first_ledger_index,
                                                 .at = now,
                                                 .ledger_index = result->last_ledger_index})
                  .status());
        }
        for (const store::IncidentRecord* r : written) {
          if (!parties.Has(r->alleged_party) || r->alleged_party == caller.value()) continue;
          RETURN_IF_ERROR(
              events_
                  .Append(txn, {PartyId(r->alleged_party)},
                          events::IncidentNotice{.type = Type::kReported,
                                                 .id = r->id,
                                                 .version = r->version,
                                                 .reporter = caller,
                                                 .change = r->version == 1 ? "reported" : "changed",
                                                 .event_type = r->event_type,
                                                 .sub_event_type = r->sub_event_type,
                                                 .alleged_party = r->alleged_party,
                                                 .occurred_at = r->occurred_at,
                                                 .status = "reported",
                                                 .at = now,
                                                 .ledger_index = r->ledger_index})
                  .status());
        }
        return absl::OkStatus();
      },
      [this, result, changed_memory, done = std::move(done)](absl::Status committed) {
        AfterCommit(committed, *changed_memory);
        if (hook_) hook_->Settled(committed);
        if (!committed.ok()) return done(committed);
        if (*changed_memory) events_.Committed();
        std::sort(result->refused.begin(), result->refused.end(),
                  [](const ImportRefusal& a, const ImportRefusal& b) { return a.line < b.line; });
        done(*result);
      });
}

// ---- reads ------------------------------------------------------------------------------------

namespace {

void HideObservation(store::IncidentRecord& r) {
  r.has_observation = false;
  r.observer_lat = r.observer_lng = r.bearing_deg = r.distance_min_m = r.distance_max_m = 0;
  r.observation_mode.clear();
}

bool SeesObservation(const Viewer& viewer, const store::IncidentRecord& r) {
  return viewer.guarantor || viewer.party.value() == r.reporter;
}

}  // namespace

absl::StatusOr<IncidentView> Incidents::Get(const Viewer& viewer, std::string_view id) const {
  if (!CheckIncidentId(id).ok()) {
    return FieldError(absl::StatusCode::kNotFound, "id", fmt::format("no incident {}", id));
  }
  IncidentView view;
  RETURN_IF_ERROR(store_.WithReader([&](store::Database& db) -> absl::Status {
    ASSIGN_OR_RETURN(view.versions, store::ReadIncidentVersions(db, id));
    if (view.versions.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(view.findings, store::ListIncidentFindings(db, id));
    ASSIGN_OR_RETURN(view.statements, store::ListIncidentStatements(db, id));
    return absl::OkStatus();
  }));
  if (view.versions.empty()) {
    return FieldError(absl::StatusCode::kNotFound, "id", fmt::format("no incident {}", id));
  }
  for (store::IncidentRecord& r : view.versions) {
    if (!SeesObservation(viewer, r)) HideObservation(r);
  }
  ReaderLock lock(mu_);
  if (auto it = rows_.find(std::string(id)); it != rows_.end()) {
    const IncidentFact& fact = facts_.rows()[it->second.fact];
    view.status = fact.status;
    view.attributed_party = facts_.Name(fact.attributed);
  }
  return view;
}

absl::StatusOr<IncidentPage> Incidents::List(const Viewer& viewer,
                                             const store::IncidentQuery& query) const {
  store::IncidentQuery q = query;
  q.limit = query.limit + 1;
  IncidentPage page;
  ASSIGN_OR_RETURN(page.incidents, store_.WithReader([&](store::Database& db) {
    return store::ListIncidents(db, q);
  }));
  if (page.incidents.size() > query.limit) {
    page.incidents.resize(query.limit);
    page.more = true;
  }
  ReaderLock lock(mu_);
  for (store::IncidentRecord& r : page.incidents) {
    if (!SeesObservation(viewer, r)) HideObservation(r);
    page.statuses.push_back(StatusOfLocked(r.id));
  }
  return page;
}

absl::StatusOr<Stats> Incidents::ComputeStatistics(const StatsQuery& query) const {
  ReaderLock lock(mu_);
  return ComputeStats(facts_, query);
}

}  // namespace deconflict::monitoring
