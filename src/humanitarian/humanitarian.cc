// humanitarian/humanitarian.cc: versions, visibility and reads (humanitarian.h). Receipts are in
// receipts.cc, the operations' check in checks.cc, deadlines in deadlines.cc.
#include "humanitarian/humanitarian.h"

#include <algorithm>

#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "humanitarian/internal/records.h"
#include "ledger/entry.h"
#include "spdlog/spdlog.h"
#include "store/hotline_table.h"
#include "store/parties_table.h"

namespace deconflict::humanitarian {
namespace {

bool IsRecipient(const store::HumanitarianRecord& r, std::string_view party) {
  return std::binary_search(r.recipients.begin(), r.recipients.end(), party);
}

// The content a retry must repeat (everything the notifier chose).
bool SameContent(const store::HumanitarianRecord& a, const store::HumanitarianRecord& b) {
  return a.category == b.category && a.name == b.name && a.geometry == b.geometry &&
         a.coordinates == b.coordinates && a.buffer_m == b.buffer_m &&
         a.time_start == b.time_start && a.time_end == b.time_end && a.recipients == b.recipients &&
         a.notes == b.notes && a.vehicles == b.vehicles && a.markings == b.markings &&
         a.escalation_channel == b.escalation_channel;
}

absl::Status Unknown(Kind kind, const std::string& id) {
  return FieldError(absl::StatusCode::kNotFound, "id", fmt::format("no {} {}", KindName(kind), id));
}

}  // namespace

Notifications::Notifications(store::Store& store, const events::EventLog& events,
                             const Clock& clock, NotificationOptions options)
    : store_(store),
      events_(events),
      clock_(clock),
      options_(std::move(options)),
      index_(std::make_unique<strategic::VolumeIndex>()),
      history_(std::make_unique<strategic::VolumeIndex>()) {}

std::string Notifications::KeyOf(std::string_view kind, std::string_view id) {
  return fmt::format("{}/{}", kind, id);
}

bool Notifications::MayRead(const Viewer& viewer, const store::HumanitarianRecord& r) {
  return viewer.party.value() == r.notifier || viewer.guarantor ||
         IsRecipient(r, viewer.party.value());
}

Timestamp Notifications::DeadlineOf(Kind kind, Timestamp start, Timestamp now) const {
  if (kind == Kind::kSite) return now + options_.site_deadline;
  return now + (start - now <= options_.soon ? options_.movement_deadline
                                             : options_.movement_later_deadline);
}

size_t Notifications::live_places() const {
  ReaderLock lock(mu_);
  return key_of_handle_.size();
}

size_t Notifications::pending_deadlines() const {
  ReaderLock lock(mu_);
  return due_.size();
}

// ---- memory -----------------------------------------------------------------------------------

void Notifications::Index(std::pair<const std::string, Entry>& node) {
  Entry& e = node.second;
  const store::HumanitarianRecord& r = e.record;
  if (!e.place) return;
  absl::StatusOr<geo::Volume4D> bound = internal::BoundVolume(*e.place);
  if (!bound.ok()) {
    // Invariant: a cap of at most the limits' size with a valid window always builds.
    spdlog::error("humanitarian: {}/{} cannot be indexed: {}", r.kind, r.id, bound.status());
    return;
  }
  e.handle = next_handle_++;
  index_->Insert(strategic::VolumeKey{e.handle, 0},
                 std::make_shared<const geo::Volume4D>(*std::move(bound)));
  key_of_handle_[e.handle] = &node;
}

void Notifications::Unindex(Entry& e) {
  if (e.handle == 0) return;
  index_->RemoveOwner(e.handle);
  key_of_handle_.erase(e.handle);
  e.handle = 0;
}

absl::Status Notifications::Apply(const store::HumanitarianRecord& record) {
  Entry entry{.record = record};
  std::shared_ptr<const ProtectedPlace> place;  // also for an expired version: the history
  if (record.change != "removed") {
    ASSIGN_OR_RETURN(NotificationRequest request, internal::RequestOf(record));
    ASSIGN_OR_RETURN(place, ProtectedPlace::Make(request));
    if (record.time_end > clock_.Now()) entry.place = place;
  }
  const std::string key = KeyOf(record.kind, record.id);
  WriterLock lock(mu_);
  Remember(record, std::move(place));
  auto it = places_.find(key);
  if (it != places_.end()) {
    Unindex(it->second);
    if (it->second.record.version == record.version) {  // the same version: keep its receipts
      entry.delivered = std::move(it->second.delivered);
      entry.acked = std::move(it->second.acked);
    }
  }
  if (!record.overdue_at && !record.settled_at) {
    due_.Set(key, record.deadline_at);
  } else {
    due_.Clear(key);
  }
  Index(*places_.insert_or_assign(key, std::move(entry)).first);
  return absl::OkStatus();
}

absl::Status Notifications::Load() {
  struct Loaded {
    store::HumanitarianRecord record;
    std::vector<store::HumanitarianReceiptRecord> receipts;
  };
  ASSIGN_OR_RETURN(
      std::vector<Loaded> loaded,
      store_.WithReader([](store::Database& db) -> absl::StatusOr<std::vector<Loaded>> {
        ASSIGN_OR_RETURN(std::vector<store::HumanitarianRecord> all,
                         store::ListHumanitarianVersions(db));
        std::vector<Loaded> out;
        out.reserve(all.size());
        for (size_t i = 0; i < all.size(); ++i) {
          const bool newest =
              i + 1 == all.size() || all[i + 1].kind != all[i].kind || all[i + 1].id != all[i].id;
          Loaded l{.record = std::move(all[i])};
          // An older version only enters the history (InForceAt): its receipts are not needed.
          if (!newest) {
            out.push_back(std::move(l));
            continue;
          }
          ASSIGN_OR_RETURN(l.receipts, store::ReadHumanitarianReceipts(
                                           db, l.record.kind, l.record.id, l.record.version));
          out.push_back(std::move(l));
        }
        return out;
      }));
  {
    WriterLock lock(mu_);
    places_.clear();
    index_ = std::make_unique<strategic::VolumeIndex>();
    history_ = std::make_unique<strategic::VolumeIndex>();
    spans_.clear();
    newest_span_.clear();
    key_of_handle_.clear();
    due_.clear();
  }
  for (const Loaded& l : loaded) {
    if (absl::Status s = Apply(l.record); !s.ok()) {
      return absl::DataLossError(fmt::format("humanitarian_versions row {}/{}/{}: {}",
                                             l.record.kind, l.record.id, l.record.version,
                                             s.message()));
    }
    WriterLock lock(mu_);
    Entry& e = places_.at(KeyOf(l.record.kind, l.record.id));
    for (const store::HumanitarianReceiptRecord& r : l.receipts) {
      (r.type == "ack" ? e.acked : e.delivered).insert(r.party);
    }
  }
  spdlog::info("humanitarian: {} versions loaded, {} live places", loaded.size(), live_places());
  return absl::OkStatus();
}

void Notifications::AfterCommit(const absl::Status& committed, bool changed_memory) {
  if (committed.ok() || !changed_memory) return;
  spdlog::error("humanitarian: commit failed ({}); reloading", committed.message());
  if (absl::Status s = Load(); !s.ok()) {
    spdlog::critical("humanitarian: reload failed, the live picture may be stale: {}", s.message());
  }
}

// ---- versions ---------------------------------------------------------------------------------

absl::Status Notifications::Persist(store::Txn& txn, store::HumanitarianRecord& r) const {
  r.digest = store::HumanitarianVersionDigest(r);
  const std::string what = r.change == "removed"   ? "remove"
                           : r.change == "changed" ? "change"
                                                   : "notify";
  ASSIGN_OR_RETURN(uint64_t index,
                   txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                        .party = r.notifier,
                                        .action = store::HumanitarianAction(r.kind, what),
                                        .object_id = store::HumanitarianObjectId(r.id, r.version),
                                        .content_digest = r.digest,
                                        .server_time = r.created_at}),
                                    r.recipients));
  r.ledger_index = static_cast<int64_t>(index);
  RETURN_IF_ERROR(store::InsertHumanitarianVersion(txn, r));
  std::vector<PartyId> recipients;
  for (const std::string& p : r.recipients) recipients.emplace_back(p);
  return events_
      .Append(txn, recipients,
              events::HumanitarianNotice{.type = events::HumanitarianNotice::Type::kNotified,
                                         .kind = r.kind,
                                         .id = r.id,
                                         .version = r.version,
                                         .ovn = r.ovn,
                                         .notifier = PartyId(r.notifier),
                                         .change = r.change,
                                         .name = r.name,
                                         .at = r.created_at,
                                         .deadline = r.deadline_at,
                                         .digest = r.digest,
                                         .ledger_index = r.ledger_index})
      .status();
}

void Notifications::Put(const PartyId& caller, NotificationRequest request, Done<PutResult> done) {
  const Timestamp now = clock_.Now();
  if (absl::Status s = ValidateNotification(request, now, options_.limits); !s.ok()) {
    return done(s);
  }
  if (absl::StatusOr<std::shared_ptr<const ProtectedPlace>> place = ProtectedPlace::Make(request);
      !place.ok()) {
    return done(place.status());
  }
  for (size_t i = 0; i < request.recipients.size(); ++i) {
    if (request.recipients[i] == caller) {
      return done(InvalidField(fmt::format("recipients[{}]", i), "is the notifier itself"));
    }
  }
  if (store_.pending() > options_.max_pending_writes) {
    return done(Overloaded("too many writes are waiting; retry shortly"));
  }
  auto result = std::make_shared<PutResult>();
  result->record = internal::RecordOf(caller, request);
  store_.Submit(
      [this, result, kind = request.kind,
       start = request.window.start](store::Txn& txn) -> absl::Status {
        store::HumanitarianRecord& r = result->record;
        ASSIGN_OR_RETURN(std::optional<store::HumanitarianRecord> latest,
                         store::ReadLatestHumanitarian(txn.db(), r.kind, r.id));
        if (latest && latest->notifier != r.notifier) {
          return FieldError(
              absl::StatusCode::kPermissionDenied, "id",
              fmt::format("{} {} was notified by another party; choose another id", r.kind, r.id));
        }
        if (latest && latest->change != "removed" && SameContent(*latest, r)) {
          r = *std::move(latest);
          return absl::OkStatus();
        }
        for (size_t i = 0; i < r.recipients.size(); ++i) {
          ASSIGN_OR_RETURN(std::optional<bool> revoked,
                           store::PartyIsRevoked(txn, PartyId(r.recipients[i])));
          if (!revoked || *revoked) {
            return InvalidField(fmt::format("recipients[{}]", i),
                                fmt::format("{} is {}", r.recipients[i],
                                            revoked ? "revoked" : "not a party of this server"));
          }
        }
        if (!r.escalation_channel.empty()) {
          ASSIGN_OR_RETURN(std::optional<store::HotlineChannelRecord> channel,
                           store::ReadHotlineChannel(txn.db(), r.escalation_channel));
          if (!channel || std::find(channel->members.begin(), channel->members.end(), r.notifier) ==
                              channel->members.end()) {
            return InvalidField("escalation_channel",
                                fmt::format("no hotline channel {} of which {} is a member",
                                            r.escalation_channel, r.notifier));
          }
        }
        r.version = latest ? latest->version + 1 : 1;
        r.change = latest && latest->change != "removed" ? "changed" : "notified";
        r.ovn = NewUuid();
        r.created_at = clock_.Now();
        r.deadline_at = DeadlineOf(kind, start, r.created_at);
        RETURN_IF_ERROR(Persist(txn, r));
        RETURN_IF_ERROR(Apply(r));
        result->created = true;
        return absl::OkStatus();
      },
      [this, result, done = std::move(done)](absl::Status committed) {
        AfterCommit(committed, result->created);
        if (!committed.ok()) return done(committed);
        if (result->created) events_.Committed();
        done(*result);
      });
}

void Notifications::Remove(const PartyId& caller, Kind kind, const std::string& id,
                           Done<PutResult> done) {
  if (absl::Status s = CheckPlaceId(id); !s.ok()) return done(s);
  auto result = std::make_shared<PutResult>();
  store_.Submit(
      [this, caller, kind, id, result](store::Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<store::HumanitarianRecord> latest,
                         store::ReadLatestHumanitarian(txn.db(), KindName(kind), id));
        if (!latest || !MayRead(Viewer{.party = caller}, *latest)) return Unknown(kind, id);
        if (latest->notifier != caller.value()) {
          return FieldError(absl::StatusCode::kPermissionDenied, "id",
                            "only the notifier requests a removal");
        }
        store::HumanitarianRecord& r = result->record = *std::move(latest);
        if (r.change == "removed") return absl::OkStatus();  // asked before
        r.version += 1;
        r.change = "removed";
        r.ovn = NewUuid();
        r.created_at = clock_.Now();
        // Recipients acknowledge a removal as any version, within a site's deadline.
        r.deadline_at = r.created_at + options_.site_deadline;
        r.overdue_at.reset();
        r.overdue_ledger_index = -1;
        r.escalated_to.clear();
        r.settled_at.reset();
        RETURN_IF_ERROR(Persist(txn, r));
        RETURN_IF_ERROR(Apply(r));
        result->created = true;
        return absl::OkStatus();
      },
      [this, result, done = std::move(done)](absl::Status committed) {
        AfterCommit(committed, result->created);
        if (!committed.ok()) return done(committed);
        if (result->created) events_.Committed();
        done(*result);
      });
}

// ---- reads ------------------------------------------------------------------------------------

void Notifications::Get(const Viewer& viewer, Kind kind, const std::string& id,
                        Done<PlaceView> done) {
  if (absl::Status s = CheckPlaceId(id); !s.ok()) return done(Unknown(kind, id));
  auto view = std::make_shared<PlaceView>();
  auto refused = std::make_shared<bool>(false);
  auto delivered = std::make_shared<bool>(false);
  store_.Submit(
      [this, viewer, kind, id, view, refused, delivered](store::Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(view->history,
                         store::ReadHumanitarianVersions(txn.db(), KindName(kind), id));
        if (view->history.empty()) return absl::OkStatus();
        const store::HumanitarianRecord& current = view->current = view->history.back();
        const Timestamp now = clock_.Now();
        *refused = !MayRead(viewer, current);
        if (viewer.party.value() != current.notifier) {
          // Recorded before anything is shown, and also when nothing is.
          RETURN_IF_ERROR(store::InsertHumanitarianRead(
              txn, store::HumanitarianReadRecord{.kind = current.kind,
                                                 .id = current.id,
                                                 .version = current.version,
                                                 .party = viewer.party.value(),
                                                 .at = now,
                                                 .refused = *refused}));
        }
        if (*refused) return absl::OkStatus();
        if (IsRecipient(current, viewer.party.value())) {
          ASSIGN_OR_RETURN(*delivered, RecordDelivery(txn, current, viewer.party.value()));
        }
        ASSIGN_OR_RETURN(
            std::vector<store::HumanitarianReceiptRecord> receipts,
            store::ReadHumanitarianReceipts(txn.db(), current.kind, current.id, current.version));
        const bool sees_all = viewer.guarantor || viewer.party.value() == current.notifier;
        for (const std::string& p : current.recipients) {
          if (!sees_all && p != viewer.party.value()) continue;
          RecipientStatus status{.party = PartyId(p)};
          for (const store::HumanitarianReceiptRecord& r : receipts) {
            if (r.party != p) continue;
            if (r.type == "deliver") {
              status.delivered_at = r.at;
            } else {
              status.acknowledged_at = r.at;
              status.signature_valid = !r.signature.empty();
              status.key_id = r.key_id;
              status.ack_ledger_index = r.ledger_index;
            }
          }
          view->recipients.push_back(std::move(status));
        }
        view->live = current.change != "removed" && current.time_end > now;
        return absl::OkStatus();
      },
      [this, viewer, kind, id, view, refused, delivered,
       done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (*delivered) {
          {
            WriterLock lock(mu_);
            if (auto it = places_.find(KeyOf(view->current.kind, id));
                it != places_.end() && it->second.record.version == view->current.version) {
              it->second.delivered.insert(viewer.party.value());
            }
          }
          events_.Committed();
        }
        if (view->history.empty() || *refused) return done(Unknown(kind, id));
        done(*view);
      });
}

void Notifications::List(const Viewer& viewer, Kind kind,
                         Done<std::vector<store::HumanitarianRecord>> done) {
  const Timestamp now = clock_.Now();
  auto visible = std::make_shared<std::vector<store::HumanitarianRecord>>();
  {
    ReaderLock lock(mu_);
    for (const auto& [key, e] : places_) {
      if (e.record.kind != KindName(kind) || !e.place || e.record.time_end <= now) continue;
      if (MayRead(viewer, e.record)) visible->push_back(e.record);
    }
  }
  auto delivered = std::make_shared<std::vector<std::string>>();  // keys
  store_.Submit(
      [this, viewer, visible, delivered, now](store::Txn& txn) -> absl::Status {
        for (const store::HumanitarianRecord& r : *visible) {
          if (r.notifier == viewer.party.value()) continue;
          RETURN_IF_ERROR(store::InsertHumanitarianRead(
              txn, store::HumanitarianReadRecord{.kind = r.kind,
                                                 .id = r.id,
                                                 .version = r.version,
                                                 .party = viewer.party.value(),
                                                 .at = now}));
          if (IsRecipient(r, viewer.party.value())) {
            ASSIGN_OR_RETURN(bool first, RecordDelivery(txn, r, viewer.party.value()));
            if (first) delivered->push_back(KeyOf(r.kind, r.id));
          }
        }
        return absl::OkStatus();
      },
      [this, viewer, visible, delivered, done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (!delivered->empty()) {
          {
            WriterLock lock(mu_);
            for (const std::string& key : *delivered) {
              if (auto it = places_.find(key); it != places_.end()) {
                it->second.delivered.insert(viewer.party.value());
              }
            }
          }
          events_.Committed();
        }
        done(*visible);
      });
}

absl::StatusOr<std::vector<store::HumanitarianReadRecord>> Notifications::Reads(
    const PartyId& caller, Kind kind, const std::string& id) const {
  if (!CheckPlaceId(id).ok()) return Unknown(kind, id);
  {
    ReaderLock lock(mu_);
    auto it = places_.find(KeyOf(KindName(kind), id));
    if (it == places_.end() || it->second.record.notifier != caller.value()) {
      return Unknown(kind, id);
    }
  }
  return store_.WithReader(
      [&](store::Database& db) { return store::ListHumanitarianReads(db, KindName(kind), id); });
}

absl::StatusOr<std::vector<store::HumanitarianConflictRecord>> Notifications::Conflicts(
    const PartyId& notifier) const {
  return store_.WithReader(
      [&](store::Database& db) { return store::ListHumanitarianConflicts(db, notifier.value()); });
}

}  // namespace deconflict::humanitarian
