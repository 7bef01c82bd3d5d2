#include "ledger/commitment.h"

#include "common/digest.h"
#include "fmt/format.h"
#include "ledger/hash.h"

namespace deconflict::ledger {

Opening NewOpening(std::string entry) {
  return Opening{.salt = RandomBytes(kSaltSize), .entry = std::move(entry)};
}

std::string CommitmentLeaf(const Opening& opening) {
  std::string committed;
  committed.reserve(opening.salt.size() + opening.entry.size());
  committed += opening.salt;
  committed += opening.entry;
  std::string leaf(1, static_cast<char>(kCommitmentLeafVersion));
  leaf += Sha256(committed);
  return leaf;
}

bool IsCommitmentLeaf(std::string_view leaf) {
  return leaf.size() == kCommitmentLeafSize &&
         static_cast<uint8_t>(leaf[0]) == kCommitmentLeafVersion;
}

absl::Status VerifyOpening(std::string_view leaf, const Opening& opening) {
  if (!IsCommitmentLeaf(leaf)) {
    return absl::InvalidArgumentError("opening: the entry is not a commitment (0x01 || SHA-256)");
  }
  if (opening.salt.size() != kSaltSize) {
    return absl::InvalidArgumentError(
        fmt::format("opening: the salt has {} bytes, expected {}", opening.salt.size(), kSaltSize));
  }
  if (CommitmentLeaf(opening) != leaf) {
    return absl::InvalidArgumentError(
        "opening: SHA-256(salt || entry) is not the digest the entry commits to");
  }
  return absl::OkStatus();
}

absl::StatusOr<Entry> OpenLeaf(std::string_view leaf, const Opening* opening) {
  if (!IsCommitmentLeaf(leaf)) {
    if (opening != nullptr) {
      return absl::InvalidArgumentError("opening: given for an entry that is not a commitment");
    }
    return DecodeEntry(leaf);
  }
  if (opening == nullptr) {
    return absl::NotFoundError("the entry is a commitment and its opening is missing");
  }
  if (absl::Status s = VerifyOpening(leaf, *opening); !s.ok()) return s;
  absl::StatusOr<Entry> entry = DecodeEntry(opening->entry);
  if (!entry.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("opening: {}", std::string(entry.status().message())));
  }
  return entry;
}

}  // namespace deconflict::ledger
