// ledger/server_key.h: the server's checkpoint signing key, kept in the data directory.
//
// The key lives in `<data dir>/ledger.key` (mode 0600, owner only) in the signed-note private
// key form `PRIVATE+KEY+<name>+<id>+<base64>` (note.h). It is created at first start with the
// name "deconflict/<16 random hex digits>", which is also the log's origin line, so that two
// deployments never share an origin.
//
// Thread-safe (the functions touch only the file system; creation is atomic through link(2),
// so the server and a CLI command starting together end with one key).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ledger/note.h"

namespace deconflict::ledger {

inline constexpr char kServerKeyFile[] = "ledger.key";

// Loads the key from `dir`. NotFound when there is none; FailedPrecondition when the file is
// readable by group or others, or malformed.
[[nodiscard]] absl::StatusOr<Signer> LoadServerKey(const std::string& dir);

// Loads the key, creating it first when `dir` has none. REQUIRES: the store in `dir` has no
// checkpoint yet, or CheckServerKey accepted the key (a new key cannot verify old checkpoints).
[[nodiscard]] absl::StatusOr<Signer> LoadOrCreateServerKey(const std::string& dir);

// Checks that the key in `dir` signed `checkpoint_note`, a checkpoint of the store in `dir` (its
// newest). FailedPrecondition saying what to restore when the key is missing or is not the one
// that signed it (replaced, or copied from another deployment); LoadServerKey's errors otherwise.
// The store calls this at Open, before the ledger would create a key, so a lost key is never
// silently replaced by a new one that `ledger check` then rejects.
[[nodiscard]] absl::Status CheckServerKey(const std::string& dir, std::string_view checkpoint_note);

}  // namespace deconflict::ledger
