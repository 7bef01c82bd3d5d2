// ledger/commitment.h: entries as salted commitments (docs/ledger_format.md, "Leaf", format 2).
//
// The tree no longer hashes an entry's readable text: its leaf is a commitment,
//
//   leaf = 0x01 || SHA-256(salt || entry)          33 bytes; salt: 32 random bytes
//
// so the public log, its checkpoints and proofs verify for everyone while telling no one who did
// what to which object, when. The opening (salt and canonical entry, ledger/entry.h) is stored
// beside the leaf and given only to parties entitled to the object; a party that holds it proves
// the entry with VerifyOpening. Leaves written before format 2 are the canonical entry itself
// (they start with "deconflict-entry/v1\n") and need no opening.
//
//   Opening opening = NewOpening(EncodeEntry(entry));
//   std::string leaf = CommitmentLeaf(opening);          // what the tree hashes
//   ASSIGN_OR_RETURN(Entry e, OpenLeaf(leaf, &opening));  // InvalidArgument if it does not match
//
// Thread-safe (pure functions; NewOpening uses libsodium's thread-safe generator).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ledger/entry.h"

namespace deconflict::ledger {

// The first byte of a commitment leaf (a format-1 leaf starts with 'd', 0x64).
inline constexpr uint8_t kCommitmentLeafVersion = 0x01;
inline constexpr size_t kSaltSize = 32;
inline constexpr size_t kCommitmentLeafSize = 33;

struct Opening {
  std::string salt;   // kSaltSize random bytes
  std::string entry;  // the committed bytes: a canonical entry (EncodeEntry)

  bool operator==(const Opening&) const = default;
};

// An opening of `entry` with a fresh random salt.
Opening NewOpening(std::string entry);

// 0x01 || SHA-256(salt || entry). REQUIRES: opening.salt is kSaltSize bytes.
std::string CommitmentLeaf(const Opening& opening);

// True when `leaf` has the commitment form (33 bytes, first byte 0x01).
bool IsCommitmentLeaf(std::string_view leaf);

// OK when `opening` opens the commitment `leaf`; InvalidArgument saying what differs otherwise
// (not a commitment leaf, salt not 32 bytes, SHA-256(salt || entry) not the committed digest).
[[nodiscard]] absl::Status VerifyOpening(std::string_view leaf, const Opening& opening);

// The entry a leaf records: a commitment leaf with its opening (VerifyOpening, then DecodeEntry
// of the opening's entry), or a format-1 leaf (DecodeEntry; `opening` must be null).
// InvalidArgument saying which check failed; NotFound when a commitment leaf comes without an
// opening.
[[nodiscard]] absl::StatusOr<Entry> OpenLeaf(std::string_view leaf, const Opening* opening);

}  // namespace deconflict::ledger
