// common/clock.h: injected time, so that tests never sleep (design.md §3, Envoy's TimeSource).
//
//   SystemClock clock;             // production
//   FakeClock fake(Timestamp(...)); // tests: fake.Advance(std::chrono::seconds(5));
//
// Timestamps are microseconds since the Unix epoch, UTC (std::chrono::sys_time<microseconds>).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace deconflict {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// A Timestamp as stored (an integer of microseconds since the epoch) and back. Exact.
inline int64_t Micros(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromMicros(int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

// A source of the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The wall clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

// The wall clock shifted by a fixed offset (a test and demo seam of `deconflict serve
// --clock-offset-s`: a run "two days later" against the same store). Thread-safe.
class OffsetClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now()) +
           std::chrono::microseconds(offset_us_.load());
  }
  void SetOffset(std::chrono::microseconds offset) { offset_us_.store(offset.count()); }

 private:
  std::atomic<int64_t> offset_us_{0};
};

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_us_(start.time_since_epoch().count()) {}
  Timestamp Now() const override { return Timestamp(std::chrono::microseconds(now_us_.load())); }
  void Set(Timestamp t) { now_us_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::microseconds d) { now_us_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace deconflict
