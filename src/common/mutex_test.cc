#include "common/mutex.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace deconflict {
namespace {

class Counter {
 public:
  void Add() {
    WriterLock lock(mu_);
    ++count_;
    cv_.SignalAll();
  }
  int count() const {
    ReaderLock lock(mu_);
    return count_;
  }
  // Waits until count() >= n.
  void WaitFor(int n) {
    WriterLock lock(mu_);
    while (count_ < n) cv_.Wait(mu_);
  }
  // False when count() stays below n for `timeout`.
  bool WaitAtMost(int n, std::chrono::milliseconds timeout) {
    WriterLock lock(mu_);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (count_ < n) {
      if (cv_.WaitFor(mu_, deadline - std::chrono::steady_clock::now())) return count_ >= n;
    }
    return true;
  }

 private:
  mutable Mutex mu_;
  CondVar cv_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(Mutex, WritersExcludeEachOther) {
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 10000; ++i) counter.Add();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.count(), 40000);
}

TEST(Mutex, ReadersShareAndAWriterWaitsForThem) {
  Mutex mu;
  mu.ReaderLock();
  mu.ReaderLock();  // a second reader does not block
  EXPECT_FALSE(mu.TryLock());
  mu.ReaderUnlock();
  EXPECT_FALSE(mu.TryLock());
  mu.ReaderUnlock();
  ASSERT_TRUE(mu.TryLock());
  mu.Unlock();
}

TEST(CondVar, WaitReturnsOnceTheConditionHolds) {
  Counter counter;
  std::atomic<bool> woke = false;
  std::thread waiter([&] {
    counter.WaitFor(3);
    woke = true;
  });
  for (int i = 0; i < 3; ++i) counter.Add();
  waiter.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(counter.count(), 3);
}

TEST(CondVar, WaitForTimesOut) {
  Counter counter;
  EXPECT_FALSE(counter.WaitAtMost(1, std::chrono::milliseconds(20)));
  counter.Add();
  EXPECT_TRUE(counter.WaitAtMost(1, std::chrono::milliseconds(20)));
}

}  // namespace
}  // namespace deconflict
