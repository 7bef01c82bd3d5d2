// events/hub.h: pushes stored events to subscribers, only once their transaction is durable.
//
//   events::Hub hub(store, {});
//   RETURN_IF_ERROR(hub.Start());
//   uint64_t id = hub.Subscribe(PartyId("RU"), /*after_seq=*/41, socket);  // 42, 43, ... follow
//   ...
//   hub.Unsubscribe(id);
//
// The hub never receives events from the code that writes them: it reads committed rows of the
// `events` table (store/event_log.h), in id (commit) order, on its own thread. So an event is
// pushed only after its transaction is durable, a unit that rolled back pushes nothing, and events
// written by another process (`deconflict party revoke` while the server runs) arrive too. The
// hub reads when told (Notify(), called after an in-process commit) and otherwise whenever the
// store's data version changes (checked every `poll_interval`).
//
// Ordering and resumption: a subscriber receives its party's events in sequence order from
// after_seq + 1, with no gap and no duplicate: it first catches up from the store (only as many
// as it has room for, so a long backlog never overflows it), then receives live rows; a live row
// whose seq is not the next expected one sends it back to catching up.
//
// Revocation: when any copy of a party.revoked event about party P is read, every subscriber of
// P is closed at once with kRevoked (it may have received its own copy first, or not).
//
// Thread-safety: thread-safe. Subscriber callbacks run on the hub's thread, one at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/ids.h"
#include "common/mutex.h"
#include "events/event.h"
#include "store/store.h"

namespace deconflict::events {

enum class CloseReason {
  kSlow,      // the subscriber's queue was full: it should reconnect with after=<last seq>
  kRevoked,   // its party was revoked
  kStopping,  // the server is stopping
};

// A receiver of one party's events (a WebSocket session). Its methods are called on the hub's
// thread and must not block.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // How many more events Deliver would accept now.
  virtual size_t Room() const = 0;
  // Queues one event. Returns false when the queue is full: the hub then drops the subscription
  // and calls Close(kSlow).
  virtual bool Deliver(const Event& event) = 0;
  // The hub has dropped this subscription; `last_seq` is the last event it delivered.
  virtual void Close(CloseReason reason, int64_t last_seq) = 0;
};

struct HubOptions {
  // How often the store's data version is checked for other processes' commits. Default: 20 ms.
  std::chrono::milliseconds poll_interval{20};
  // Most rows read from the store at once. Default: 512.
  int64_t read_batch = 512;
};

class Hub {
 public:
  // `store` must outlive the hub.
  Hub(store::Store& store, HubOptions options = {});
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;
  // Stop().
  ~Hub();

  // Starts at the end of the table (older events reach subscribers by catching up) and starts
  // the thread. Errors from the store.
  [[nodiscard]] absl::Status Start();

  // Stops the thread and closes every subscriber with kStopping. Idempotent. Afterwards Notify
  // does nothing and Subscribe closes its subscriber at once.
  void Stop();

  // Wakes the hub to read what has just been committed. Thread-safe, cheap, never blocks.
  void Notify();

  // Subscribes `subscriber` to `party`'s events with seq > after_seq. Returns the id for
  // Unsubscribe. REQUIRES: after_seq >= 0.
  uint64_t Subscribe(const PartyId& party, int64_t after_seq,
                     std::shared_ptr<Subscriber> subscriber);
  // Ends the subscription. A call already under way on the hub's thread may still reach the
  // subscriber (the hub holds its shared_ptr until then); none starts after this returns.
  void Unsubscribe(uint64_t id);
  size_t subscribers() const;

  // The page form: up to `limit` events of `party` with seq > after_seq, in order. Errors from
  // the store (Internal), DataLoss for a damaged row.
  [[nodiscard]] absl::StatusOr<std::vector<Event>> Page(const PartyId& party, int64_t after_seq,
                                                        int64_t limit);

 private:
  struct Subscription {
    PartyId party;
    std::shared_ptr<Subscriber> subscriber;
    int64_t next_seq = 1;     // hub thread only
    bool catching_up = true;  // hub thread only
  };

  void Loop();
  // One pass: new rows to live subscribers, then catch-up reads. Hub thread only.
  void Cycle();
  // Delivers `event` if it is `sub`'s next; returns false when the subscriber is to be dropped
  // (queue full or revoked). Hub thread only.
  bool Offer(Subscription& sub, const Event& event, CloseReason& why);
  void Drop(uint64_t id, CloseReason why);

  store::Store& store_;
  const HubOptions options_;

  mutable Mutex mu_;  // guards the fields below; never held while calling a Subscriber
  CondVar cv_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::shared_ptr<Subscription>> subscriptions_ ABSL_GUARDED_BY(mu_);

  // Hub thread only (after Start).
  int64_t cursor_ = 0;         // largest event id read
  int64_t data_version_ = -1;  // store data version at the last read
  std::thread thread_;
};

}  // namespace deconflict::events
