// ledger/hash.h: the hashes of the RFC 9162 Merkle tree. SHA-256 itself, random bytes and the
// text encodings (Base64, FromBase64, Hex, ...) are common/digest.h's, included here because
// every user of a Hash also writes it as text.
//
//   Hash leaf = LeafHash(entry_bytes);          // SHA-256(0x00 || entry)
//   Hash node = NodeHash(left, right);          // SHA-256(0x01 || left || right)
//   std::string text = Base64(HashBytes(leaf));
//
// All functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/digest.h"

namespace deconflict::ledger {

inline constexpr size_t kHashSize = kSha256Size;

// A SHA-256 digest as a fixed-size value (the tree's nodes). Value type.
using Hash = std::array<uint8_t, kHashSize>;

// RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 || entry).
Hash LeafHash(std::string_view entry);
// RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// The root of the empty tree, SHA-256("").
Hash EmptyRoot();

// The raw 32 bytes as a string, and back (nullopt unless exactly 32 bytes).
std::string HashBytes(const Hash& hash);
std::optional<Hash> HashFromBytes(std::string_view bytes);

}  // namespace deconflict::ledger
