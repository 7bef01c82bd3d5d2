// common/digest.h: the one vocabulary for SHA-256, random bytes and the text encodings used on
// the wire and in the ledger's formats (hex, base64, base64url). libsodium underneath.
//
//   std::string digest = Sha256(body);                 // 32 raw bytes
//   std::string text = Hex(digest);                    // 64 lowercase hex digits
//   std::optional<std::string> raw = FromBase64(b64);  // nullopt unless canonical base64
//
// Every encoder has a strict decoder: a decoder accepts exactly the texts its encoder produces
// (no whitespace, no other alphabet, no missing or extra padding, no non-zero padding bits, no
// trailing data), so each byte string has one accepted text. The ledger's checkpoints, entries
// and bundles depend on that (docs/ledger_format.md), and so does comparing texts as bytes.
//
// All functions are thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace deconflict {

inline constexpr size_t kSha256Size = 32;

// SHA-256 of `data`: kSha256Size raw bytes.
std::string Sha256(std::string_view data);

// `n` cryptographically random bytes (libsodium's generator).
std::string RandomBytes(size_t n);

// Lowercase hex of raw bytes ("" for no bytes).
std::string Hex(std::string_view bytes);
// Strict decoding of lowercase hex: nullopt on an odd length or any character outside
// [0-9a-f] (upper case included, so the text is canonical).
std::optional<std::string> FromHex(std::string_view text);
// The former name of Hex, kept so older callers compile. Same output.
inline std::string HexEncode(std::string_view bytes) { return Hex(bytes); }

// Standard base64 (RFC 4648 §4) with padding.
std::string Base64(std::string_view bytes);
// Strict decoding of Base64's output: nullopt on a character outside the alphabet, whitespace,
// a length that is not a multiple of 4, wrong or missing padding, non-zero padding bits or
// trailing data.
std::optional<std::string> FromBase64(std::string_view text);

// URL-safe base64 (RFC 4648 §5) without padding, for tokens.
std::string Base64Url(std::string_view bytes);
// Strict decoding of Base64Url's output: nullopt on a character outside the URL-safe alphabet
// ('+', '/' and '=' included), whitespace, an impossible length (4k+1) or non-zero padding bits.
std::optional<std::string> FromBase64Url(std::string_view text);
// What a client may send where the format says "base64" (signatures, keys): the standard or the
// URL-safe alphabet, with or without padding, each in its one canonical form (no whitespace, no
// non-zero padding bits). nullopt otherwise.
std::optional<std::string> FromAnyBase64(std::string_view text);
// The former name of Base64Url, kept so older callers compile. Same output.
inline std::string Base64UrlEncode(std::string_view bytes) { return Base64Url(bytes); }

// Initialises libsodium once (idempotent, thread-safe). Every function above calls it; code
// that uses libsodium directly calls it first.
void InitCrypto();

}  // namespace deconflict
