#include "live/picture.h"

#include <algorithm>
#include <cmath>
#include <future>

#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "spdlog/spdlog.h"
#include "store/record_digest.h"

namespace deconflict::live {
namespace {

using Key = std::pair<std::string, std::string>;

constexpr std::chrono::seconds kPruneEvery{60};
constexpr size_t kCycleWindow = 1000;

std::string CloseReasonName(tactical::CloseReason reason) {
  return reason == tactical::CloseReason::kTrackLost ? "track_lost" : "clear";
}

// Whether `now` moved beyond the thresholds from what was last alerted (`sent`), once the
// time between the two predictions is taken off the times (a steady encounter's tcpa falls by
// one second per second and is not news).
bool Moved(const events::EncounterPrediction& sent, const events::EncounterPrediction& now,
           double time_threshold_s, double dcpa_threshold_m) {
  const double elapsed = std::chrono::duration<double>(now.at - sent.at).count();
  auto shifted = [&](double before, double after) {
    if (!std::isfinite(before) || !std::isfinite(after))
      return std::isfinite(before) != std::isfinite(after);
    return std::abs((after + elapsed) - before) > time_threshold_s;
  };
  return shifted(sent.t_in_s, now.t_in_s) || shifted(sent.tcpa_s, now.tcpa_s) ||
         std::abs(now.dcpa_m - sent.dcpa_m) > dcpa_threshold_m;
}

}  // namespace

absl::Status ValidateLivePictureOptions(const LivePictureOptions& o) {
  if (o.cycle < std::chrono::milliseconds(10) || o.cycle > std::chrono::seconds(60)) {
    return InvalidField("cycle", "must be between 10 ms and 60 s");
  }
  if (!(o.track_max_age.count() > 0) || !std::isfinite(o.track_max_age.count())) {
    return InvalidField("track_max_age", "must be positive");
  }
  if (!(o.ack_deadline.count() > 0) || !std::isfinite(o.ack_deadline.count())) {
    return InvalidField("ack_deadline", "must be positive");
  }
  if (!(o.history_interval.count() > 0) || !(o.history_window.count() > 0)) {
    return InvalidField("history_interval", "and history_window must be positive");
  }
  if (o.close_after_clear_cycles < 1) {
    return InvalidField("close_after_clear_cycles", "must be at least 1");
  }
  return tactical::ValidateDetectorOptions(o.detector);
}

class LivePicture::TableIntake final : public Intake {
 public:
  explicit TableIntake(LivePicture& picture) ABSL_EXCLUSIVE_LOCKS_REQUIRED(picture.table_mu_)
      : p_(picture) {}
  std::optional<Timestamp> Newest(const PartyId& party, const TrackId& id) const override
      ABSL_NO_THREAD_SAFETY_ANALYSIS {  // Ingest holds table_mu_ for the intake's lifetime
    const tactical::Track* held = p_.table_.Find(party, id);
    if (held == nullptr) return std::nullopt;
    return held->time;
  }
  absl::Status Apply(feeds::TrackReport report) override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    const tactical::Track& t = report.track;
    Key key(t.party.value(), t.id.value());
    const bool known = p_.table_.Find(t.party, t.id) != nullptr;
    if (!known && p_.table_.size() >= p_.options_.max_tracks) {
      return LimitExceeded("id", fmt::format("is a new track, and the live picture holds {} "
                                             "tracks, its limit",
                                             p_.options_.max_tracks));
    }
    RETURN_IF_ERROR(p_.table_.Upsert(t));
    Extra& extra = p_.extra_[key];
    if (!report.callsign.empty()) extra.callsign = report.callsign;
    if (!extra.last_history ||
        t.time - *extra.last_history >=
            std::chrono::duration_cast<std::chrono::microseconds>(p_.options_.history_interval)) {
      extra.last_history = t.time;
      p_.sampled_.push_back({.party = key.first,
                             .track = key.second,
                             .time = t.time,
                             .lat_deg = t.lat_deg,
                             .lng_deg = t.lon_deg,
                             .alt_m = t.alt_m,
                             .gs_mps = t.ground_speed_mps,
                             .trk_deg = t.track_deg,
                             .vs_mps = t.vertical_rate_mps});
    }
    ++p_.reports_applied_;
    return absl::OkStatus();
  }

 private:
  LivePicture& p_;
};

LivePicture::LivePicture(store::Store& store, const events::EventLog& events, const Clock& clock,
                         LivePictureOptions options)
    : store_(store),
      events_(events),
      clock_(clock),
      options_(std::move(options)),
      table_({.max_age = options_.track_max_age}),
      detector_(options_.detector),
      tracker_(std::make_unique<tactical::EncounterTracker>(tactical::EncounterTrackerOptions{
          .close_after_clear_cycles = options_.close_after_clear_cycles})) {}

LivePicture::~LivePicture() { Stop(); }

absl::Status LivePicture::Load() {
  RETURN_IF_ERROR(ValidateLivePictureOptions(options_));
  ASSIGN_OR_RETURN(int64_t max_id, store_.WithReader([](store::Database& db) {
    return store::MaxEncounterId(db);
  }));
  {
    WriterLock lock(cycle_mu_);
    tracker_ = std::make_unique<tactical::EncounterTracker>(tactical::EncounterTrackerOptions{
        .close_after_clear_cycles = options_.close_after_clear_cycles,
        .first_id = static_cast<uint64_t>(max_id) + 1});
    last_prune_ = clock_.Now();
  }
  // Encounters left open by an earlier run: their tracks are gone with that run's memory.
  ASSIGN_OR_RETURN(std::vector<store::EncounterRecord> left_open,
                   store_.WithReader([](store::Database& db) {
                     return store::ListEncounters(
                         db, {.state = store::EncounterState::kOpen, .limit = 1'000'000});
                   }));
  if (left_open.empty()) return absl::OkStatus();
  CycleWrite write;
  const Timestamp now = clock_.Now();
  for (store::EncounterRecord& row : left_open) {
    absl::StatusOr<events::EncounterAlert> alert = events::DecodeAlert(row.opening);
    if (!alert.ok()) {
      return absl::DataLossError(
          fmt::format("encounters row {}: opening: {}", row.id, alert.status().message()));
    }
    row.closed_at = now;
    row.close_reason = "restart";
    row.closing = row.opening;
    write.events.push_back(
        {{PartyId(row.party_a), PartyId(row.party_b)}, events::EncounterClosed{*alert, "restart"}});
    write.rows.push_back(std::move(row));
  }
  auto committed = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> done = committed->get_future();
  Submit(std::move(write), [committed](absl::Status s) { committed->set_value(std::move(s)); });
  RETURN_IF_ERROR(done.get());
  spdlog::info("live: closed {} encounters left open by the previous run", left_open.size());
  return absl::OkStatus();
}

absl::Status LivePicture::Start() {
  RETURN_IF_ERROR(ValidateLivePictureOptions(options_));
  {
    WriterLock lock(stop_mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { CycleLoop(); });
  return absl::OkStatus();
}

void LivePicture::Stop() {
  {
    WriterLock lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void LivePicture::CycleLoop() {
  auto next = std::chrono::steady_clock::now();
  while (true) {
    next += options_.cycle;
    {
      WriterLock lock(stop_mu_);
      while (!stopping_) {
        auto left = next - std::chrono::steady_clock::now();
        if (left <= std::chrono::nanoseconds::zero()) break;
        stop_cv_.WaitFor(stop_mu_, left);
      }
      if (stopping_) return;
    }
    // A cycle that overran: start the next one now rather than run a burst to catch up.
    if (std::chrono::steady_clock::now() > next + options_.cycle)
      next = std::chrono::steady_clock::now();
    CycleWrite write = Cycle(clock_.Now());
    Submit(std::move(write), [](absl::Status) {});
  }
}

absl::Status LivePicture::RunCycle() {
  CycleWrite write = Cycle(clock_.Now());
  auto committed = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> done = committed->get_future();
  Submit(std::move(write), [committed](absl::Status s) { committed->set_value(std::move(s)); });
  return done.get();
}

void LivePicture::Ingest(const std::function<void(Intake&)>& fn) {
  WriterLock lock(table_mu_);
  TableIntake intake(*this);
  fn(intake);
}

absl::Status LivePicture::Offer(feeds::TrackReport report) {
  absl::Status result;
  Ingest([&](Intake& intake) {
    result = feeds::ValidateTrackReport(report, clock_.Now(),
                                        intake.Newest(report.track.party, report.track.id));
    if (result.ok()) result = intake.Apply(std::move(report));
  });
  if (!result.ok()) {
    WriterLock lock(table_mu_);
    ++feed_reports_refused_;
  }
  return result;
}

events::EncounterPrediction LivePicture::PredictionOf(const tactical::EncounterEvent& e) {
  return {.at = e.time,
          .t_in_s = e.latest.t_in_s,
          .t_out_s = e.latest.t_out_s,
          .tcpa_s = e.latest.tcpa_s,
          .dcpa_m = e.latest.dcpa_m,
          .distance_m = e.latest.distance_m,
          .vertical_separation_m = e.latest.vertical_separation_m};
}

events::EncounterAlert LivePicture::AlertOf(const tactical::EncounterEvent& e,
                                            std::span<const tactical::Track> snapshot) const {
  auto state = [&](uint32_t index) {
    const tactical::Track& t = snapshot[index];
    return events::AircraftState{.party = t.party,
                                 .track = t.id,
                                 .time = t.time,
                                 .lat_deg = t.lat_deg,
                                 .lng_deg = t.lon_deg,
                                 .alt_m = t.alt_m,
                                 .gs_mps = t.ground_speed_mps,
                                 .trk_deg = t.track_deg,
                                 .vs_mps = t.vertical_rate_mps};
  };
  events::AircraftState first = state(e.latest.a), second = state(e.latest.b);
  if (std::tie(first.party, first.track) > std::tie(second.party, second.track)) {
    std::swap(first, second);
  }
  return events::EncounterAlert{.encounter = static_cast<int64_t>(e.encounter_id),
                                .opened_at = e.opened_at,
                                .a = std::move(first),
                                .b = std::move(second),
                                .prediction = PredictionOf(e)};
}

LivePicture::CycleWrite LivePicture::Cycle(Timestamp now) {
  WriterLock cycle_lock(cycle_mu_);
  const auto started = std::chrono::steady_clock::now();
  CycleWrite write;

  // 1. Expire and copy.
  {
    WriterLock lock(table_mu_);
    if (table_.Expire(now) > 0) {
      for (auto it = extra_.begin(); it != extra_.end();) {
        auto here = it++;
        if (table_.Find(PartyId(here->first.first), TrackId(here->first.second)) == nullptr) {
          extra_.erase(here);
        }
      }
    }
    snapshot_.assign(table_.tracks().begin(), table_.tracks().end());
    write.points.swap(sampled_);
  }

  // 2. Detect, track.
  absl::StatusOr<std::vector<tactical::Conflict>> conflicts = detector_.Detect(snapshot_, now);
  if (!conflicts.ok()) {
    // Invariant: reports were validated at intake, so only a bug gets here; skip the cycle.
    spdlog::error("live: detection failed: {}", conflicts.status().ToString());
    conflicts = std::vector<tactical::Conflict>();
  }
  std::vector<tactical::EncounterEvent> happened = tracker_->Update(snapshot_, *conflicts, now);

  // 3. What to write and tell.
  // New alerts are told first: a cycle's opened encounters, then closings, then updates.
  std::vector<std::pair<std::vector<PartyId>, events::Payload>> updates;
  for (const tactical::EncounterEvent& e : happened) {
    const std::vector<PartyId> pair{e.party_a, e.party_b};
    if (e.kind == tactical::EncounterEventKind::kOpened) {
      events::EncounterAlert alert = AlertOf(e, snapshot_);
      write.rows.push_back({.id = alert.encounter,
                            .party_a = alert.a.party.value(),
                            .track_a = alert.a.track.value(),
                            .party_b = alert.b.party.value(),
                            .track_b = alert.b.track.value(),
                            .opened_at = alert.opened_at,
                            .opening = events::EncodeAlert(alert)});
      write.events.push_back({pair, events::EncounterOpened{alert}});
      write.opened_or_updated.push_back(alert);
      alerted_[alert.encounter] = alert;
    } else if (e.kind == tactical::EncounterEventKind::kUpdated) {
      // Most updates are not news: judge the prediction before building the alert.
      auto sent = alerted_.find(static_cast<int64_t>(e.encounter_id));
      if (sent != alerted_.end() &&
          !Moved(sent->second.prediction, PredictionOf(e), options_.update_time_threshold_s,
                 options_.update_dcpa_threshold_m)) {
        continue;
      }
      events::EncounterAlert alert = AlertOf(e, snapshot_);
      updates.push_back({pair, events::EncounterUpdated{alert}});
      write.opened_or_updated.push_back(alert);
      alerted_[alert.encounter] = alert;
    } else {
      const int64_t id = static_cast<int64_t>(e.encounter_id);
      auto sent = alerted_.find(id);
      // The last alert is the closing's prediction (the snapshot no longer holds a lost track).
      events::EncounterAlert last =
          sent != alerted_.end() ? sent->second : events::EncounterAlert{};
      const std::string reason = CloseReasonName(e.reason);
      store::EncounterRecord row{.id = id,
                                 .party_a = last.a.party.value(),
                                 .track_a = last.a.track.value(),
                                 .party_b = last.b.party.value(),
                                 .track_b = last.b.track.value(),
                                 .opened_at = last.opened_at,
                                 .closed_at = now,
                                 .close_reason = reason,
                                 .closing = events::EncodeAlert(last)};
      write.rows.push_back(std::move(row));
      write.events.push_back({pair, events::EncounterClosed{last, reason}});
      write.closed.push_back(id);
      alerted_.erase(id);
    }
  }

  for (auto& update : updates) write.events.push_back(std::move(update));

  // Acknowledgement deadlines: each committed encounter is judged once, when its deadline
  // passes (deadlines_ is in opening order), so a cycle costs O(encounters reaching it).
  {
    WriterLock lock(view_mu_);
    const auto deadline =
        std::chrono::duration_cast<std::chrono::microseconds>(options_.ack_deadline);
    while (!deadlines_.empty() && now - deadlines_.front().first >= deadline) {
      const int64_t id = deadlines_.front().second;
      deadlines_.pop_front();
      auto it = open_.find(id);
      if (it == open_.end()) continue;  // closed before its deadline
      const Published& published = it->second;
      std::vector<PartyId> silent;
      for (const PartyId& party : {published.latest.a.party, published.latest.b.party}) {
        if (!published.acked.contains(party.value())) silent.push_back(party);
      }
      if (silent.empty()) continue;
      write.events.push_back(
          {{published.latest.a.party, published.latest.b.party},
           events::EncounterUnacknowledged{.alert = published.latest, .parties = silent}});
    }
  }

  if (now - last_prune_ >= kPruneEvery) {
    write.prune_before =
        now - std::chrono::duration_cast<std::chrono::microseconds>(options_.history_window);
    last_prune_ = now;
  }

  const int64_t took_us = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
  WriterLock lock(stats_mu_);
  ++stats_.cycles;
  stats_.tracks = snapshot_.size();
  stats_.open_encounters = tracker_->open_count();
  stats_.last_cycle_us = took_us;
  cycle_us_.push_back(took_us);
  if (cycle_us_.size() > kCycleWindow) cycle_us_.pop_front();
  return write;
}

void LivePicture::Submit(CycleWrite write, std::function<void(absl::Status)> done) {
  std::vector<CycleWrite> writes;
  {
    WriterLock lock(retry_mu_);
    while (!retry_.empty()) {
      writes.push_back(std::move(retry_.front()));
      retry_.pop_front();
    }
  }
  if (!write.empty()) writes.push_back(std::move(write));
  if (writes.empty()) {
    done(absl::OkStatus());
    return;
  }
  auto shared = std::make_shared<std::vector<CycleWrite>>(std::move(writes));
  store_.Submit(
      [this, shared](store::Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(std::vector<std::string> guarantor_ids,
                         store::ActivePartiesWithRole(txn.db(), "guarantor"));
        const Timestamp now = clock_.Now();
        for (CycleWrite& w : *shared) {
          for (store::EncounterRecord& row : w.rows) {
            const bool closing = row.closed_at.has_value();
            if (closing) {
              // The row keeps what it recorded at the opening.
              ASSIGN_OR_RETURN(std::optional<store::EncounterRecord> opened,
                               store::ReadEncounter(txn.db(), row.id));
              if (opened) {
                row.opening = opened->opening;
                row.alerted = opened->alerted;
              }
            } else {
              row.alerted = {row.party_a, row.party_b};
              for (const std::string& g : guarantor_ids) row.alerted.push_back(g);
            }
            ledger::Entry entry{
                .party = row.party_a,
                .action = closing ? ledger::kActionEncounterClose : ledger::kActionEncounterOpen,
                .object_id = std::to_string(row.id),
                .content_digest = store::EncounterRecordDigest(row),
                .server_time = now};
            ASSIGN_OR_RETURN(uint64_t index,
                             txn.AppendLedger(ledger::EncodeEntry(entry), {row.party_b}));
            row.ledger_index = static_cast<int64_t>(index);
            RETURN_IF_ERROR(store::PutEncounter(txn, row));
          }
          for (auto& [pair, payload] : w.events) {
            std::vector<PartyId> recipients = pair;
            for (const std::string& g : guarantor_ids) recipients.emplace_back(g);
            RETURN_IF_ERROR(events_.Append(txn, recipients, payload).status());
          }
          if (!w.points.empty()) RETURN_IF_ERROR(store::InsertTrackPoints(txn, w.points));
          if (w.prune_before) {
            RETURN_IF_ERROR(store::PruneTrackHistory(txn, *w.prune_before).status());
          }
        }
        return absl::OkStatus();
      },
      [this, shared, done = std::move(done)](absl::Status committed) {
        if (committed.ok()) {
          for (const CycleWrite& w : *shared) Publish(w);
          events_.Committed();
        } else {
          spdlog::error("live: a cycle's write failed, kept for the next cycle: {}",
                        committed.ToString());
          {
            WriterLock lock(stats_mu_);
            ++stats_.commit_failures;
          }
          WriterLock lock(retry_mu_);
          // Written again before anything newer; the ledger indices are set again then.
          for (auto it = shared->rbegin(); it != shared->rend(); ++it) {
            retry_.push_front(std::move(*it));
          }
        }
        done(committed);
      });
}

void LivePicture::Show(const events::EncounterAlert& a, bool add) {
  const Key ka(a.a.party.value(), a.a.track.value()), kb(a.b.party.value(), a.b.track.value());
  if (add) {
    shown_to_[ka].insert(kb.first);
    shown_to_[kb].insert(ka.first);
    return;
  }
  for (const auto& [key, viewer] : {std::pair{ka, kb.first}, std::pair{kb, ka.first}}) {
    auto it = shown_to_.find(key);
    if (it == shown_to_.end()) continue;
    if (auto one = it->second.find(viewer); one != it->second.end()) it->second.erase(one);
    if (it->second.empty()) shown_to_.erase(it);
  }
}

void LivePicture::Publish(const CycleWrite& w) {
  WriterLock lock(view_mu_);
  for (const events::EncounterAlert& alert : w.opened_or_updated) {
    auto [it, inserted] = open_.try_emplace(alert.encounter);
    it->second.latest = alert;
    if (inserted) {
      Show(alert, true);
      deadlines_.emplace_back(alert.opened_at, alert.encounter);
    }
  }
  for (int64_t id : w.closed) {
    auto it = open_.find(id);
    if (it == open_.end()) continue;
    Show(it->second.latest, false);
    open_.erase(it);
  }
}

std::vector<VisibleTrack> LivePicture::Tracks(const Viewer& viewer) const {
  std::vector<VisibleTrack> out;
  ReaderLock table_lock(table_mu_);
  ReaderLock view_lock(view_mu_);
  for (const tactical::Track& t : table_.tracks()) {
    const bool own = t.party == viewer.party;
    bool in_territory = false;
    if (!own && !viewer.sees_everything) {
      auto it = shown_to_.find(Key(t.party.value(), t.id.value()));
      if (it == shown_to_.end() || !it->second.contains(viewer.party.value())) {
        in_territory =
            std::any_of(viewer.territory.begin(), viewer.territory.end(), [&](const auto& area) {
              return geo::Contains(*area, {t.lat_deg, t.lon_deg}, t.alt_m, t.time);
            });
        if (!in_territory) continue;
      }
    }
    VisibleTrack v{.report = {.track = t}, .own = own, .in_territory = in_territory};
    if (own || viewer.sees_everything) {
      if (auto e = extra_.find(Key(t.party.value(), t.id.value())); e != extra_.end()) {
        v.report.callsign = e->second.callsign;
      }
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const VisibleTrack& x, const VisibleTrack& y) {
    return std::tie(x.report.track.party, x.report.track.id) <
           std::tie(y.report.track.party, y.report.track.id);
  });
  return out;
}

bool LivePicture::Visible(const Viewer& viewer, const store::EncounterRecord& r) const {
  return viewer.sees_everything || r.party_a == viewer.party.value() ||
         r.party_b == viewer.party.value();
}

absl::StatusOr<EncounterView> LivePicture::ViewOf(store::Database& db,
                                                  store::EncounterRecord record) const {
  EncounterView view;
  ASSIGN_OR_RETURN(view.latest,
                   events::DecodeAlert(record.closed_at ? record.closing : record.opening));
  ASSIGN_OR_RETURN(view.acks, store::ReadEncounterAcks(db, record.id));
  view.object_digest = store::EncounterOpeningDigest(record);
  if (!record.closed_at) {
    ReaderLock lock(view_mu_);
    if (auto it = open_.find(record.id); it != open_.end()) view.latest = it->second.latest;
  }
  view.record = std::move(record);
  return view;
}

absl::StatusOr<std::vector<EncounterView>> LivePicture::Encounters(const Viewer& viewer,
                                                                   store::EncounterFilter filter) {
  filter.party = viewer.sees_everything ? "" : viewer.party.value();
  return store_.WithReader([&](store::Database& db) -> absl::StatusOr<std::vector<EncounterView>> {
    ASSIGN_OR_RETURN(std::vector<store::EncounterRecord> rows, store::ListEncounters(db, filter));
    std::vector<EncounterView> views;
    for (store::EncounterRecord& row : rows) {
      ASSIGN_OR_RETURN(EncounterView view, ViewOf(db, std::move(row)));
      views.push_back(std::move(view));
    }
    return views;
  });
}

absl::StatusOr<EncounterView> LivePicture::Encounter(const Viewer& viewer, int64_t id) {
  return store_.WithReader([&](store::Database& db) -> absl::StatusOr<EncounterView> {
    ASSIGN_OR_RETURN(std::optional<store::EncounterRecord> row, store::ReadEncounter(db, id));
    if (!row || !Visible(viewer, *row)) {
      return absl::NotFoundError(fmt::format("encounter: no encounter {} of yours", id));
    }
    return ViewOf(db, *std::move(row));
  });
}

absl::StatusOr<std::vector<store::TrackPointRecord>> LivePicture::History(
    const Viewer& viewer, store::TrackHistoryQuery query) {
  query.viewer = viewer.party.value();
  query.everything = viewer.sees_everything;
  query.now = clock_.Now();
  return store_.WithReader(
      [&](store::Database& db) { return store::QueryTrackHistory(db, query); });
}

LiveStats LivePicture::stats() const {
  LiveStats out;
  int64_t applied = 0, refused = 0;
  {
    ReaderLock lock(table_mu_);
    applied = reports_applied_;
    refused = feed_reports_refused_;
  }
  ReaderLock lock(stats_mu_);
  out = stats_;
  out.reports_applied = applied;
  out.feed_reports_refused = refused;
  if (!cycle_us_.empty()) {
    std::vector<int64_t> sorted(cycle_us_.begin(), cycle_us_.end());
    std::sort(sorted.begin(), sorted.end());
    out.cycle_p50_us = sorted[sorted.size() / 2];
    out.cycle_p99_us = sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
    out.cycle_max_us = sorted.back();
  }
  return out;
}

}  // namespace deconflict::live
