#include "ledger/server_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::ledger {
namespace {

std::string KeyPath(const std::string& dir) { return dir + "/" + kServerKeyFile; }

absl::Status Errno(std::string what) {
  return absl::InternalError(fmt::format("{}: {}", what, std::strerror(errno)));
}

absl::Status WriteNewKey(const std::string& dir) {
  InitCrypto();
  unsigned char id[8];
  randombytes_buf(id, sizeof(id));
  const Signer signer = Signer::Generate(
      fmt::format("deconflict/{}", Hex(std::string_view(reinterpret_cast<char*>(id), sizeof(id)))),
      KeyType::kEd25519);
  const std::string text = signer.ToString() + "\n";
  const std::string tmp = fmt::format("{}.tmp.{}", KeyPath(dir), ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(fmt::format("cannot create {}", tmp));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return Errno(fmt::format("cannot write {}", tmp));
  }
  // link(2) fails with EEXIST when another process created the key first: theirs wins.
  const int linked = ::link(tmp.c_str(), KeyPath(dir).c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    errno = link_errno;
    return Errno(fmt::format("cannot create {}", KeyPath(dir)));
  }
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Signer> LoadServerKey(const std::string& dir) {
  const std::string path = KeyPath(dir);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(fmt::format("no server key at {}", path));
    return Errno(fmt::format("cannot stat {}", path));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(fmt::format(
        "{} is readable by others (mode {:o}): it must be 0600", path, st.st_mode & 0777));
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Errno(fmt::format("cannot read {}", path));
  absl::StatusOr<Signer> signer = Signer::Parse(text.str());
  if (!signer.ok()) {
    return absl::FailedPreconditionError(
        fmt::format("{} is not a valid key: {}", path, signer.status().message()));
  }
  if (signer->verifier().type != KeyType::kEd25519) {
    return absl::FailedPreconditionError(fmt::format("{} is not an Ed25519 note key", path));
  }
  return signer;
}

absl::Status CheckServerKey(const std::string& dir, std::string_view checkpoint_note) {
  absl::StatusOr<Note> note = ParseNote(checkpoint_note);
  absl::StatusOr<Checkpoint> body =
      note.ok() ? ParseCheckpoint(note->text) : absl::StatusOr<Checkpoint>(note.status());
  const std::string log = body.ok() ? body->origin : "unknown";
  const std::string size = body.ok() ? std::to_string(body->size) : "unknown";
  absl::StatusOr<Signer> signer = LoadServerKey(dir);
  if (absl::IsNotFound(signer.status())) {
    return absl::FailedPreconditionError(fmt::format(
        "{} is missing, but the store holds checkpoints signed with it (log {}, {} entries): "
        "restore the file {} from a backup of {}; a new key could not verify the ledger",
        KeyPath(dir), log, size, kServerKeyFile, dir));
  }
  if (!signer.ok()) return signer.status();
  const absl::Status verified = note.ok() ? VerifyNote(*note, signer->verifier()) : note.status();
  if (!verified.ok()) {
    return absl::FailedPreconditionError(fmt::format(
        "{} (key {}) did not sign the store's checkpoints (log {}, {} entries): it was replaced "
        "or comes from another deployment; restore the file {} from a backup of {}",
        KeyPath(dir), signer->name(), log, size, kServerKeyFile, dir));
  }
  return absl::OkStatus();
}

absl::StatusOr<Signer> LoadOrCreateServerKey(const std::string& dir) {
  absl::StatusOr<Signer> signer = LoadServerKey(dir);
  if (!absl::IsNotFound(signer.status())) return signer;
  RETURN_IF_ERROR(WriteNewKey(dir));
  return LoadServerKey(dir);
}

}  // namespace deconflict::ledger
