// store/dir_lock.h: one server per data directory.
//
// Two servers on one store would each keep their own in-memory index, so a filing through one
// would not meet the other's operations (the key rule broken). `deconflict serve` therefore takes
// an exclusive advisory lock (flock(2)) on `<data dir>/serve.lock` for its whole life and writes
// who holds it (pid, host, since) into the file, so that a second server is refused with a
// message naming the holder. The lock dies with the process (also on SIGKILL): no stale lock to
// clean up. CLI commands that write while a server runs (`party add`, `party revoke`) do not take
// it: SQLite serialises their transactions with the server's, and the server notices their
// commits (store.h).
//
//   ASSIGN_OR_RETURN(DataDirLock lock, DataDirLock::Acquire(dir, clock));
//   ... serve until stopped; the lock is released when `lock` is destroyed ...
//
// Thread-compatible. Movable, not copyable.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"

namespace deconflict::store {

inline constexpr char kServeLockFile[] = "serve.lock";

class DataDirLock {
 public:
  // Creates `dir` (mode 0700) and the lock file (0600) when missing, takes the lock without
  // waiting and records "pid P on host H since T". FailedPrecondition when another process holds
  // it, naming that process as its lock file records it; Internal on file system errors.
  [[nodiscard]] static absl::StatusOr<DataDirLock> Acquire(const std::string& dir,
                                                           const Clock& clock);

  DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();  // Releases the lock (the file stays; the next holder overwrites it).

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace deconflict::store
