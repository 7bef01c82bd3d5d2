#include "ledger/hash.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

namespace deconflict::ledger {
void InitCrypto() {
  static const bool initialised = [] {
    // Invariant: sodium_init fails only when the system has no entropy source at all, which no
    // supported system lacks.
    if (sodium_init() < 0) std::abort();
    return true;
  }();
  (void)initialised;
}

namespace {
// libsodium must be initialised once before use; the static in InitCrypto makes the check cheap.
inline void EnsureSodium() { InitCrypto(); }
}  // namespace

Hash Sha256(std::string_view bytes) {
  EnsureSodium();
  Hash out;
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  return out;
}

Hash LeafHash(std::string_view entry) {
  EnsureSodium();
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
  EnsureSodium();
  unsigned char buffer[1 + 2 * kHashSize];
  buffer[0] = 0x01;
  std::memcpy(buffer + 1, left.data(), kHashSize);
  std::memcpy(buffer + 1 + kHashSize, right.data(), kHashSize);
  Hash out;
  crypto_hash_sha256(out.data(), buffer, sizeof(buffer));
  return out;
}

Hash EmptyRoot() { return Sha256(""); }

std::string HashBytes(const Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

std::optional<Hash> HashFromBytes(std::string_view bytes) {
  if (bytes.size() != kHashSize) return std::nullopt;
  Hash out;
  std::memcpy(out.data(), bytes.data(), kHashSize);
  return out;
}

std::string Base64(std::string_view bytes) {
  EnsureSodium();
  const size_t len = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), len, reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(len - 1);  // drop the terminating NUL
  return out;
}

std::optional<std::string> FromBase64(std::string_view text) {
  EnsureSodium();
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  // Canonical form only: the encoding of the decoded bytes must be the input (this refuses
  // non-zero padding bits, so every byte string has exactly one accepted text).
  if (Base64(out) != text) return std::nullopt;
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

}  // namespace deconflict::ledger
