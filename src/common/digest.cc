#include "common/digest.h"

#include <sodium.h>

#include <cstdlib>

namespace deconflict {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string EncodeBase64(std::string_view bytes, int variant) {
  InitCrypto();
  const size_t len = sodium_base64_encoded_len(bytes.size(), variant);  // counts the NUL
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), len, Bytes(bytes), bytes.size(), variant);
  out.resize(len - 1);
  return out;
}

// libsodium's decoder with no ignored characters, then the canonical check: libsodium accepts
// non-zero bits in the last character, so the re-encoding must equal the input.
std::optional<std::string> DecodeBase64(std::string_view text, int variant) {
  InitCrypto();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), /*ignore=*/nullptr, &len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  if (EncodeBase64(out, variant) != text) return std::nullopt;
  return out;
}

}  // namespace

void InitCrypto() {
  static const bool initialised = [] {
    // Invariant: sodium_init fails only when the system has no entropy source at all, which no
    // supported system lacks.
    if (sodium_init() < 0) std::abort();
    return true;
  }();
  (void)initialised;
}

std::string Sha256(std::string_view data) {
  InitCrypto();
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()), Bytes(data), data.size());
  return out;
}

std::string RandomBytes(size_t n) {
  InitCrypto();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string Hex(std::string_view bytes) {
  InitCrypto();
  std::string out(bytes.size() * 2 + 1, '\0');  // + the NUL sodium_bin2hex writes
  sodium_bin2hex(out.data(), out.size(), Bytes(bytes), bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

std::optional<std::string> FromHex(std::string_view text) {
  InitCrypto();
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out(text.size() / 2, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                     text.size(), /*ignore=*/nullptr, &len, &end) != 0 ||
      end != text.data() + text.size() || len != out.size()) {
    return std::nullopt;
  }
  // libsodium accepts upper case too; only the lowercase text is canonical.
  if (Hex(out) != text) return std::nullopt;
  return out;
}

std::string Base64(std::string_view bytes) {
  return EncodeBase64(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::optional<std::string> FromBase64(std::string_view text) {
  return DecodeBase64(text, sodium_base64_VARIANT_ORIGINAL);
}

std::string Base64Url(std::string_view bytes) {
  return EncodeBase64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  return DecodeBase64(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::string> FromAnyBase64(std::string_view text) {
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    if (std::optional<std::string> bytes = DecodeBase64(text, variant)) return bytes;
  }
  return std::nullopt;
}

}  // namespace deconflict
