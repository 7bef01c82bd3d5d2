// common/digest.h: SHA-256 (libsodium) and the text encodings used on the wire.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace deconflict {

// SHA-256 of `data`: 32 raw bytes.
std::string Sha256(std::string_view data);

// Lower-case hex of raw bytes.
std::string HexEncode(std::string_view bytes);

// `n` cryptographically random bytes (libsodium randombytes).
std::string RandomBytes(size_t n);

// Base64 URL-safe without padding (RFC 4648 §5), for tokens.
std::string Base64UrlEncode(std::string_view bytes);

}  // namespace deconflict
