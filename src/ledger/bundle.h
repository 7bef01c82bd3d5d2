// ledger/bundle.h: the self-contained proof bundle that `deconflict ledger export` writes and
// `deconflict ledger verify` checks offline (docs/ledger_format.md, "Proof bundle").
//
// A bundle is one JSON object:
//   {"format": "deconflict-ledger-bundle/v2", "index": 5, "entry": "<base64 of the leaf bytes>",
//    "opening": {"salt": "<base64>", "entry": "<base64 of the canonical entry>"},
//    "size": 12, "proof": ["<base64 hash>", ...], "checkpoint": "<the signed note, verbatim>"}
// "opening" is present when the leaf is a commitment (ledger/commitment.h), absent for a
// format-1 leaf. Version 1 bundles (no "opening") are still read.
//
//   ASSIGN_OR_RETURN(Bundle bundle, ParseBundle(text));
//   ASSIGN_OR_RETURN(VerifiedBundle ok, VerifyBundle(bundle, log_key, {witness_key}));
//
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/commitment.h"
#include "ledger/entry.h"
#include "ledger/note.h"

namespace deconflict::ledger {

inline constexpr char kBundleFormat[] = "deconflict-ledger-bundle/v2";
inline constexpr char kBundleFormatV1[] = "deconflict-ledger-bundle/v1";  // read, never written

struct Bundle {
  uint64_t index = 0;
  std::string entry;               // the exact leaf bytes that were hashed
  std::optional<Opening> opening;  // the commitment's opening (format 2 leaves)
  uint64_t size = 0;               // the tree size of the checkpoint
  std::vector<std::string> proof;  // raw 32-byte hashes, RFC 9162 inclusion proof
  std::string checkpoint;          // the signed note text
};

// The JSON text of the bundle (ends with '\n').
std::string FormatBundle(const Bundle& bundle);
// InvalidArgument naming the field when `text` is not a bundle.
[[nodiscard]] absl::StatusOr<Bundle> ParseBundle(std::string_view text);

struct VerifiedBundle {
  Entry entry;
  Checkpoint checkpoint;
  // The witnesses whose cosignature verified, with the time they cosigned (POSIX seconds).
  std::vector<std::pair<std::string, uint64_t>> witnesses;
};

// Verifies, in this order, and stops at the first failure with an InvalidArgument (NotFound for
// a missing signature) whose message says exactly what failed:
//   1. the checkpoint is a signed note carrying a valid signature of `log_key`;
//   2. it is a checkpoint whose origin is the key's name and whose size is the bundle's size;
//   3. the inclusion proof leads from SHA-256(0x00 || entry) at `index` to the checkpoint root;
//   4. the entry is a commitment and the opening hashes to it (SHA-256(salt || entry)), and the
//      opened entry is a canonical deconflict entry; or the entry is a canonical format-1 entry;
//   5. every key in `witnesses` (type 0x04) has a valid cosignature on the checkpoint.
[[nodiscard]] absl::StatusOr<VerifiedBundle> VerifyBundle(
    const Bundle& bundle, const VerifierKey& log_key, const std::vector<VerifierKey>& witnesses);

}  // namespace deconflict::ledger
