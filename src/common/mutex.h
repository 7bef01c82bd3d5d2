// common/mutex.h: a reader-writer mutex that both ThreadSanitizer and clang's thread-safety
// analysis see.
//
// Why not absl::Mutex: Debian's Abseil is not built for TSan, so the tsan preset cannot see its
// locking (false races). Why not bare std::shared_mutex: libstdc++ does not annotate it as a
// capability, so clang's -Wthread-safety cannot check ABSL_GUARDED_BY(mu_) against it (and
// refuses the attribute). This wraps std::shared_mutex (instrumented by TSan) in a class
// annotated for clang (ABSL_LOCKABLE and friends).
//
//   mutable Mutex mu_;
//   int count_ ABSL_GUARDED_BY(mu_) = 0;
//   void Add() { WriterLock lock(mu_); ++count_; }
//   int count() const { ReaderLock lock(mu_); return count_; }
//
// Waiting for a condition (the analysis sees `mu_` held in the loop):
//
//   WriterLock lock(mu_);
//   while (queue_.empty()) cv_.Wait(mu_);
//
// Thread-safety: Mutex and CondVar are thread-safe; the scoped locks belong to one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <shared_mutex>

#include "absl/base/thread_annotations.h"

namespace deconflict {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // Exclusive (writer) ownership.
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  // True when the lock was taken.
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) { return mu_.try_lock(); }

  // Shared (reader) ownership.
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() { mu_.lock_shared(); }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock_shared(); }

  // Tell the analysis that the caller holds the lock (not checked at run time), for code the
  // analysis cannot follow, such as a callback run under the lock.
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}
  void AssertReaderHeld() const ABSL_ASSERT_SHARED_LOCK() {}

  // BasicLockable, for std::condition_variable_any (CondVar). Prefer Lock/Unlock or WriterLock.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::shared_mutex mu_;
};

// Holds `mu` exclusively for its scope.
class ABSL_SCOPED_LOCKABLE WriterLock {
 public:
  explicit WriterLock(Mutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterLock() ABSL_UNLOCK_FUNCTION() { mu_.Unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  Mutex& mu_;
};

// Holds `mu` shared for its scope.
class ABSL_SCOPED_LOCKABLE ReaderLock {
 public:
  explicit ReaderLock(Mutex& mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) { mu_.ReaderLock(); }
  ~ReaderLock() ABSL_UNLOCK_FUNCTION() { mu_.ReaderUnlock(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  Mutex& mu_;
};

// A condition variable used with a Mutex held exclusively. Wake-ups may be spurious: wait in a
// loop that tests the condition.
class CondVar {
 public:
  // Releases `mu`, waits for a Signal/SignalAll (or a spurious wake-up), takes `mu` again.
  void Wait(Mutex& mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { cv_.wait(mu); }
  // Same, but returns after at most `timeout`; true when it timed out.
  bool WaitFor(Mutex& mu, std::chrono::nanoseconds timeout) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return cv_.wait_for(mu, timeout) == std::cv_status::timeout;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable_any cv_;
};

}  // namespace deconflict
