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

#include "absl/status/statusor.h"
#include "ledger/note.h"

namespace deconflict::ledger {

inline constexpr char kServerKeyFile[] = "ledger.key";

// Loads the key from `dir`. NotFound when there is none; FailedPrecondition when the file is
// readable by group or others, or malformed.
absl::StatusOr<Signer> LoadServerKey(const std::string& dir);

// Loads the key, creating it first when `dir` has none.
absl::StatusOr<Signer> LoadOrCreateServerKey(const std::string& dir);

}  // namespace deconflict::ledger
