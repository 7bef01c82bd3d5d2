#include "ledger/hash.h"

#include <sodium.h>

#include <cstring>

namespace deconflict::ledger {

// LeafHash and NodeHash call libsodium directly rather than common's Sha256: they run once per
// tree node, and hashing in place avoids two string allocations per call.
Hash LeafHash(std::string_view entry) {
  InitCrypto();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  const unsigned char prefix = 0x00;
  crypto_hash_sha256_update(&state, &prefix, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(entry.data()),
                            entry.size());
  Hash out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Hash NodeHash(const Hash& left, const Hash& right) {
  InitCrypto();
  unsigned char buffer[1 + 2 * kHashSize];
  buffer[0] = 0x01;
  std::memcpy(buffer + 1, left.data(), kHashSize);
  std::memcpy(buffer + 1 + kHashSize, right.data(), kHashSize);
  Hash out;
  crypto_hash_sha256(out.data(), buffer, sizeof(buffer));
  return out;
}

// Invariant: Sha256 always returns kHashSize bytes.
Hash EmptyRoot() { return *HashFromBytes(Sha256("")); }

std::string HashBytes(const Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

std::optional<Hash> HashFromBytes(std::string_view bytes) {
  if (bytes.size() != kHashSize) return std::nullopt;
  Hash out;
  std::memcpy(out.data(), bytes.data(), kHashSize);
  return out;
}

}  // namespace deconflict::ledger
