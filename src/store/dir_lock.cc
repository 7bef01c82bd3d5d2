#include "store/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/time.h"
#include "fmt/format.h"

namespace deconflict::store {
namespace {

absl::Status Errno(const std::string& what) {
  return absl::InternalError(fmt::format("{}: {}", what, std::strerror(errno)));
}

// What the holder wrote into the lock file, or a placeholder while it has not written yet.
std::string Holder(int fd) {
  char buf[256];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string text(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text.empty() ? "a process that has not recorded itself yet" : text;
}

std::string HostName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "unknown";
  return host;
}

}  // namespace

absl::StatusOr<DataDirLock> DataDirLock::Acquire(const std::string& dir, const Clock& clock) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Errno(fmt::format("cannot create data directory {}", dir));
  }
  const std::string path = dir + "/" + kServeLockFile;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(fmt::format("cannot open {}", path));
  DataDirLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Errno(fmt::format("cannot lock {}", path));
    return absl::FailedPreconditionError(fmt::format(
        "the data directory {} is in use by another deconflict server ({}, per {}): stop it "
        "first, or give this one another --data",
        dir, Holder(fd), path));
  }
  const std::string holder = fmt::format("pid {} on host {} since {}\n", ::getpid(), HostName(),
                                         FormatRfc3339(clock.Now()));
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, holder.data(), holder.size(), 0) != static_cast<ssize_t>(holder.size())) {
    return Errno(fmt::format("cannot write {}", path));
  }
  return lock;
}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the only descriptor releases the flock
}

}  // namespace deconflict::store
