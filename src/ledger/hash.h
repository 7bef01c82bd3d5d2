// ledger/hash.h: the hashes of the RFC 9162 Merkle tree (SHA-256, libsodium) and the text
// encodings the ledger's formats use (standard base64 with padding, lowercase hex).
//
//   Hash leaf = LeafHash(entry_bytes);          // SHA-256(0x00 || entry)
//   Hash node = NodeHash(left, right);          // SHA-256(0x01 || left || right)
//   std::string text = Base64(leaf);
//
// All functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace deconflict::ledger {

inline constexpr size_t kHashSize = 32;

// A SHA-256 digest. Value type.
using Hash = std::array<uint8_t, kHashSize>;

// SHA-256 of `bytes`.
Hash Sha256(std::string_view bytes);
// RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 || entry).
Hash LeafHash(std::string_view entry);
// RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// The root of the empty tree, SHA-256("").
Hash EmptyRoot();

// The raw 32 bytes as a string, and back (nullopt unless exactly 32 bytes).
std::string HashBytes(const Hash& hash);
std::optional<Hash> HashFromBytes(std::string_view bytes);

// Standard base64 (RFC 4648 §4) with padding.
std::string Base64(std::string_view bytes);
inline std::string Base64(const Hash& hash) { return Base64(HashBytes(hash)); }
// Strict decoding: nullopt on any character outside the alphabet, wrong padding, whitespace
// or trailing data.
std::optional<std::string> FromBase64(std::string_view text);

// Lowercase hex.
std::string Hex(std::string_view bytes);

// Initialises libsodium once (idempotent, thread-safe). Every function of this module that
// uses libsodium calls it; other modules call it before using libsodium directly.
void InitCrypto();

}  // namespace deconflict::ledger
