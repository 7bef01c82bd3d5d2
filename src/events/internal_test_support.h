// events/internal_test_support.h: a temporary store and a recording subscriber for the events
// tests. Test-only.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "events/hub.h"
#include "gtest/gtest.h"
#include "store/store.h"

namespace deconflict::events::testing {

inline std::filesystem::path TestDir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("events_test_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

inline store::PartyRecord Party(const std::string& id) {
  return store::PartyRecord{.id = id,
                            .name = id + " forces",
                            .role = "operator",
                            .token_hash = std::string(32, id[0]) + id,
                            .created_at = Timestamp{}};
}

// A fresh store in a temporary directory with parties RU, TR and US; removed after the test.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TestDir();
    auto store = store::Store::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_
                    ->Write([](store::Txn& txn) -> absl::Status {
                      for (const char* id : {"RU", "TR", "US"})
                        RETURN_IF_ERROR(txn.InsertParty(Party(id)));
                      return absl::OkStatus();
                    })
                    .ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

// Records what the hub gives it; `capacity` bounds its queue (nothing drains it unless Take()).
class RecordingSubscriber : public Subscriber {
 public:
  explicit RecordingSubscriber(size_t capacity = 1 << 20) : capacity_(capacity) {}

  size_t Room() const override {
    std::lock_guard lock(mu_);
    return capacity_ - std::min(capacity_, queued_);
  }
  bool Deliver(const Event& event) override {
    std::lock_guard lock(mu_);
    if (queued_ >= capacity_) return false;
    ++queued_;
    events_.push_back(event);
    cv_.notify_all();
    return true;
  }
  void Close(CloseReason reason, int64_t last_seq) override {
    std::lock_guard lock(mu_);
    closed_ = reason;
    last_seq_ = last_seq;
    cv_.notify_all();
  }

  // Waits (5 s at most) until `n` events have arrived; returns them all.
  std::vector<Event> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return events_.size() >= n; });
    return events_;
  }
  // Waits (5 s at most) for Close.
  std::optional<CloseReason> WaitClosed() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [&] { return closed_.has_value(); });
    return closed_;
  }
  std::vector<Event> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  int64_t last_seq() const {
    std::lock_guard lock(mu_);
    return last_seq_;
  }
  // Empties the queue (as a socket that has written everything).
  void Drain() {
    std::lock_guard lock(mu_);
    queued_ = 0;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  const size_t capacity_;
  size_t queued_ = 0;
  std::vector<Event> events_;
  std::optional<CloseReason> closed_;
  int64_t last_seq_ = -1;
};

}  // namespace deconflict::events::testing
