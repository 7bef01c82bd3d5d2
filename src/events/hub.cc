#include "events/hub.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "spdlog/spdlog.h"
#include "store/event_log.h"

namespace deconflict::events {
namespace {

// Whether two rows carry the same event (for different recipients): every column but the
// recipient, its seq and the row id.
bool SameContent(const store::EventRow& a, const store::EventRow& b) {
  auto overlap = [](const std::optional<store::EventOverlapColumns>& o) {
    return o ? std::make_tuple(true, o->lat_min, o->lng_min, o->lat_max, o->lng_max,
                               o->altitude_lower_m, o->altitude_upper_m, o->time_start, o->time_end)
             : std::make_tuple(false, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, Timestamp(), Timestamp());
  };
  return a.type == b.type && a.time == b.time && a.subject == b.subject &&
         a.subject_party == b.subject_party && a.ovn == b.ovn &&
         a.your_operation == b.your_operation && a.detail == b.detail &&
         overlap(a.overlap) == overlap(b.overlap);
}

}  // namespace

Hub::Hub(store::Store& store, HubOptions options) : store_(store), options_(options) {}

Hub::~Hub() { Stop(); }

void Hub::Stop() {
  {
    WriterLock lock(mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
  std::map<uint64_t, std::shared_ptr<Subscription>> left;
  {
    WriterLock lock(mu_);
    left.swap(subscriptions_);
  }
  for (auto& [id, sub] : left) sub->subscriber->Close(CloseReason::kStopping, sub->next_seq - 1);
}

absl::Status Hub::Start() {
  absl::StatusOr<int64_t> max_id =
      store_.WithReader([](store::Database& db) { return store::MaxEventId(db); });
  if (!max_id.ok()) return max_id.status();
  cursor_ = *max_id;
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void Hub::Notify() {
  {
    WriterLock lock(mu_);
    notified_ = true;
  }
  cv_.Signal();
}

uint64_t Hub::Subscribe(const PartyId& party, int64_t after_seq,
                        std::shared_ptr<Subscriber> subscriber) {
  auto sub = std::make_shared<Subscription>(
      Subscription{.party = party, .subscriber = std::move(subscriber), .next_seq = after_seq + 1});
  uint64_t id;
  bool stopping;
  {
    WriterLock lock(mu_);
    id = next_id_++;
    stopping = stopping_;
    if (!stopping) {
      subscriptions_.emplace(id, sub);
      notified_ = true;  // catch up at once
    }
  }
  if (stopping) {
    sub->subscriber->Close(CloseReason::kStopping, after_seq);
    return id;
  }
  cv_.Signal();
  return id;
}

void Hub::Unsubscribe(uint64_t id) {
  WriterLock lock(mu_);
  subscriptions_.erase(id);
}

size_t Hub::subscribers() const {
  WriterLock lock(mu_);
  return subscriptions_.size();
}

absl::StatusOr<std::vector<Event>> Hub::Page(const PartyId& party, int64_t after_seq,
                                             int64_t limit) {
  absl::StatusOr<std::vector<store::EventRow>> rows = store_.WithReader([&](store::Database& db) {
    return store::ReadPartyEvents(db, party.value(), after_seq, limit);
  });
  if (!rows.ok()) return rows.status();
  std::vector<Event> events;
  events.reserve(rows->size());
  for (const store::EventRow& row : *rows) {
    absl::StatusOr<Event> event = FromRow(row);
    if (!event.ok()) return event.status();
    events.push_back(*std::move(event));
  }
  return events;
}

void Hub::Loop() {
  mu_.Lock();
  while (!stopping_) {
    // Wait for a Notify, a Stop or the poll interval (a spurious wake-up waits again).
    const auto deadline = std::chrono::steady_clock::now() + options_.poll_interval;
    while (!notified_ && !stopping_) {
      const auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::nanoseconds::zero()) break;
      cv_.WaitFor(mu_, left);
    }
    if (stopping_) break;
    const bool notified = std::exchange(notified_, false);
    bool catching_up = false;
    for (const auto& [id, sub] : subscriptions_) catching_up = catching_up || sub->catching_up;
    mu_.Unlock();
    // Read the version before the rows: a commit after this read changes it again, so the next
    // poll reads that commit's rows.
    absl::StatusOr<int64_t> version = store_.DataVersion();
    const bool changed = !version.ok() || *version != data_version_;
    if (version.ok()) data_version_ = *version;
    if (notified || catching_up || changed) Cycle();
    mu_.Lock();
  }
  mu_.Unlock();
}

bool Hub::Offer(Subscription& sub, const Event& event, CloseReason& why) {
  if (event.seq < sub.next_seq) return true;  // delivered already (caught up past it)
  if (event.seq > sub.next_seq) {             // a gap: fill it from the store
    sub.catching_up = true;
    return true;
  }
  if (!sub.subscriber->Deliver(event)) {
    why = CloseReason::kSlow;
    return false;
  }
  ++sub.next_seq;
  return true;
}

void Hub::Cycle() {
  std::vector<std::pair<uint64_t, std::shared_ptr<Subscription>>> subs;
  {
    WriterLock lock(mu_);
    subs.assign(subscriptions_.begin(), subscriptions_.end());
  }
  std::vector<std::pair<uint64_t, CloseReason>> drops;
  absl::flat_hash_set<uint64_t> dropped;
  auto drop = [&](uint64_t id, CloseReason why) {
    if (dropped.insert(id).second) drops.emplace_back(id, why);
  };
  // A party.revoked copy read again while a subscriber catches up is history, but closing that
  // party's subscribers is still right: a revoked party stays revoked (ids are never reused).
  auto revoke = [&](const Event& event) {
    const auto* revoked = std::get_if<PartyRevoked>(&event.payload);
    if (revoked == nullptr) return;
    for (auto& [id, sub] : subs) {
      if (sub->party == revoked->party) drop(id, CloseReason::kRevoked);
    }
  };

  // 1. Rows committed since the last pass, in commit order, to live subscribers. A row whose
  // recipient has no live subscriber is not decoded (a catching-up one reads it again itself),
  // except party.revoked, which closes sockets; a row that repeats the previous decoded row's
  // content for another recipient (one event to many parties) reuses its payload.
  absl::flat_hash_set<std::string> live;
  for (const auto& [id, sub] : subs) {
    if (!sub->catching_up) live.insert(sub->party.value());
  }
  std::optional<store::EventRow> decoded_row;  // the last row decoded, and its payload
  Payload decoded_payload;
  while (true) {
    absl::StatusOr<std::vector<store::EventRow>> rows = store_.WithReader([&](store::Database& db) {
      return store::ReadEventsAfterId(db, cursor_, options_.read_batch);
    });
    if (!rows.ok()) {
      spdlog::error("events: cannot read the event table: {}", rows.status().ToString());
      break;
    }
    for (store::EventRow& row : *rows) {
      cursor_ = row.id;
      if (!live.contains(row.recipient) && row.type != kPartyRevoked) continue;
      absl::StatusOr<Event> event;
      if (decoded_row && SameContent(*decoded_row, row)) {
        event = Event{.recipient = PartyId(row.recipient),
                      .seq = row.seq,
                      .time = row.time,
                      .payload = decoded_payload};
      } else {
        event = FromRow(row);
        if (!event.ok()) {
          spdlog::error("events: skipping row {}: {}", row.id, event.status().ToString());
          continue;
        }
        decoded_payload = event->payload;
        decoded_row = std::move(row);
      }
      for (auto& [id, sub] : subs) {
        if (sub->party != event->recipient || sub->catching_up || dropped.contains(id)) continue;
        CloseReason why;
        if (!Offer(*sub, *event, why)) drop(id, why);
      }
      revoke(*event);
    }
    if (static_cast<int64_t>(rows->size()) < options_.read_batch) break;
  }

  // 2. Subscribers catching up read their own rows, as many as they have room for.
  for (auto& [id, sub] : subs) {
    if (!sub->catching_up || dropped.contains(id)) continue;
    const int64_t limit =
        std::min<int64_t>(static_cast<int64_t>(sub->subscriber->Room()), options_.read_batch);
    if (limit == 0) continue;  // try again at the next pass
    absl::StatusOr<std::vector<Event>> events = Page(sub->party, sub->next_seq - 1, limit);
    if (!events.ok()) {
      spdlog::error("events: cannot read {}'s events: {}", sub->party.value(),
                    events.status().ToString());
      continue;
    }
    // Rows committed after this read have ids above cursor_ (read before it): pass 1 of the
    // next cycle brings them, so the subscriber may go live without missing any.
    if (static_cast<int64_t>(events->size()) < limit) sub->catching_up = false;
    for (const Event& event : *events) {
      CloseReason why;
      if (!Offer(*sub, event, why)) {
        drop(id, why);
        break;
      }
      revoke(event);
    }
  }

  // 3. Closed subscribers leave (outside the loops: Close may call back into Unsubscribe).
  for (auto& [id, why] : drops) Drop(id, why);
}

void Hub::Drop(uint64_t id, CloseReason why) {
  std::shared_ptr<Subscription> sub;
  {
    WriterLock lock(mu_);
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return;
    sub = std::move(it->second);
    subscriptions_.erase(it);
  }
  sub->subscriber->Close(why, sub->next_seq - 1);
}

}  // namespace deconflict::events
