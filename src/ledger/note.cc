#include "ledger/note.h"

#include <sodium.h>

#include <cstring>

#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::ledger {
namespace {

constexpr std::string_view kDash = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space
constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";

absl::Status Bad(std::string what) { return absl::InvalidArgumentError(std::move(what)); }

// Splits "<name>+<id>+<base64>" at the first two '+' (base64 itself may contain '+').
std::vector<std::string_view> SplitPlus(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() < 2) {
    const size_t plus = text.find('+', start);
    if (plus == std::string_view::npos) break;
    parts.push_back(text.substr(start, plus - start));
    start = plus + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

// The message a key of `type` signs for note text `text`.
std::string SignedMessage(KeyType type, std::string_view text, uint64_t timestamp) {
  if (type == KeyType::kEd25519) return std::string(text);
  return fmt::format("cosignature/v1\ntime {}\n{}", timestamp, text);
}

// Decodes "<key id hex>+<base64(type || key)>" after the name, shared by both key forms.
absl::Status ParseKeyParts(std::string_view id_hex, std::string_view b64, VerifierKey& key,
                           std::string* material) {
  std::optional<std::string> bytes = FromBase64(b64);
  if (!bytes) return Bad("the key material is not valid base64");
  if (bytes->size() != 33) {
    return Bad(
        fmt::format("the key material is {} bytes, expected 33 (type byte + 32)", bytes->size()));
  }
  const uint8_t type = static_cast<uint8_t>((*bytes)[0]);
  if (type != static_cast<uint8_t>(KeyType::kEd25519) &&
      type != static_cast<uint8_t>(KeyType::kCosignatureV1)) {
    return Bad(
        fmt::format("key type 0x{:02x} is not supported (0x01 Ed25519 or 0x04 "
                    "cosignature/v1)",
                    type));
  }
  key.type = static_cast<KeyType>(type);
  *material = bytes->substr(1);
  return absl::OkStatus();
}

}  // namespace

bool ValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= 0x20 || c == 0x7F || c == '+') return false;
  }
  return true;
}

std::string VerifierKey::KeyId() const {
  std::string message = name;
  message.push_back('\n');
  message.push_back(static_cast<char>(type));
  message.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  return Sha256(message).substr(0, 4);
}

std::string VerifierKey::ToString() const {
  std::string material(1, static_cast<char>(type));
  material.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  return fmt::format("{}+{}+{}", name, Hex(KeyId()), Base64(material));
}

absl::StatusOr<VerifierKey> ParseVerifierKey(std::string_view text) {
  std::vector<std::string_view> parts = SplitPlus(text);
  if (parts.size() != 3) {
    return Bad("a verifier key has the form <name>+<key id hex>+<base64 key>");
  }
  VerifierKey key;
  key.name = std::string(parts[0]);
  if (!ValidKeyName(key.name)) return Bad(fmt::format("'{}' is not a valid key name", parts[0]));
  std::string material;
  RETURN_IF_ERROR(ParseKeyParts(parts[1], parts[2], key, &material));
  std::memcpy(key.public_key.data(), material.data(), 32);
  if (Hex(key.KeyId()) != parts[1]) {
    return Bad(fmt::format("the key id {} does not match the key (expected {})", parts[1],
                           Hex(key.KeyId())));
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// Signer

Signer::Signer(VerifierKey verifier, std::array<uint8_t, 32> seed)
    : verifier_(std::move(verifier)), seed_(seed) {
  InitCrypto();
  crypto_sign_seed_keypair(verifier_.public_key.data(), secret_.data(), seed_.data());
}

Signer Signer::Generate(std::string name, KeyType type) {
  InitCrypto();
  std::array<uint8_t, 32> seed;
  randombytes_buf(seed.data(), seed.size());
  VerifierKey key{.name = std::move(name), .type = type};
  return Signer(std::move(key), seed);
}

absl::StatusOr<Signer> Signer::Parse(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text.substr(0, kPrivatePrefix.size()) != kPrivatePrefix) {
    return Bad("a private key starts with PRIVATE+KEY+");
  }
  std::vector<std::string_view> parts = SplitPlus(text.substr(kPrivatePrefix.size()));
  if (parts.size() != 3) return Bad("a private key has the form PRIVATE+KEY+<name>+<id>+<key>");
  VerifierKey key;
  key.name = std::string(parts[0]);
  if (!ValidKeyName(key.name)) return Bad(fmt::format("'{}' is not a valid key name", parts[0]));
  std::string material;
  RETURN_IF_ERROR(ParseKeyParts(parts[1], parts[2], key, &material));
  std::array<uint8_t, 32> seed;
  std::memcpy(seed.data(), material.data(), 32);
  Signer signer(std::move(key), seed);
  if (Hex(signer.verifier_.KeyId()) != parts[1]) {
    return Bad("the key id of the private key does not match the key");
  }
  return signer;
}

std::string Signer::ToString() const {
  std::string material(1, static_cast<char>(verifier_.type));
  material.append(reinterpret_cast<const char*>(seed_.data()), seed_.size());
  return fmt::format("{}{}+{}+{}", kPrivatePrefix, verifier_.name, Hex(verifier_.KeyId()),
                     Base64(material));
}

std::string Signer::SignNote(std::string_view text, uint64_t timestamp) const {
  const std::string message = SignedMessage(verifier_.type, text, timestamp);
  std::array<uint8_t, 64> sig;
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_.data());
  std::string blob = verifier_.KeyId();
  if (verifier_.type == KeyType::kCosignatureV1) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      blob.push_back(static_cast<char>((timestamp >> shift) & 0xFF));
    }
  }
  blob.append(reinterpret_cast<const char*>(sig.data()), sig.size());
  return fmt::format("{}{} {}\n", kDash, verifier_.name, Base64(blob));
}

// ---------------------------------------------------------------------------------------------
// Notes

std::string Note::ToString() const {
  std::string out = text + "\n";
  for (const NoteSignature& s : signatures) out += s.line;
  return out;
}

absl::StatusOr<Note> ParseNote(std::string_view note) {
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Bad("note: no blank line between the text and the signatures");
  }
  Note out;
  out.text = std::string(note.substr(0, split + 1));
  for (unsigned char c : out.text) {
    if ((c < 0x20 && c != '\n') || c == 0x7F) {
      return Bad("note: the text contains a control character");
    }
  }
  std::string_view rest = note.substr(split + 2);
  if (rest.empty()) return Bad("note: no signature lines");
  if (rest.back() != '\n') return Bad("note: the last signature line does not end with a newline");
  size_t line_no = 0;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    ++line_no;
    if (line.substr(0, kDash.size()) != kDash) {
      return Bad(fmt::format("note: signature line {} does not start with '\u2014 '", line_no));
    }
    std::string_view body = line.substr(kDash.size());
    const size_t space = body.find(' ');
    if (space == std::string_view::npos || body.find(' ', space + 1) != std::string_view::npos) {
      return Bad(fmt::format("note: signature line {} is not '\u2014 <name> <base64>'", line_no));
    }
    NoteSignature sig;
    sig.name = std::string(body.substr(0, space));
    if (!ValidKeyName(sig.name)) {
      return Bad(fmt::format("note: signature line {} has an invalid key name", line_no));
    }
    std::optional<std::string> blob = FromBase64(body.substr(space + 1));
    if (!blob || blob->size() < 5) {
      return Bad(fmt::format("note: signature line {} has a malformed signature", line_no));
    }
    sig.key_id = blob->substr(0, 4);
    sig.signature = blob->substr(4);
    sig.line = std::string(line) + "\n";
    out.signatures.push_back(std::move(sig));
  }
  return out;
}

absl::Status VerifyNote(const Note& note, const VerifierKey& key, uint64_t* cosigned_at) {
  const std::string key_id = key.KeyId();
  for (const NoteSignature& sig : note.signatures) {
    if (sig.name != key.name || sig.key_id != key_id) continue;
    std::string_view signature = sig.signature;
    uint64_t timestamp = 0;
    if (key.type == KeyType::kCosignatureV1) {
      if (signature.size() != 8 + 64) {
        return Bad(fmt::format("the cosignature of {} is {} bytes, expected 72", key.name,
                               signature.size()));
      }
      for (int i = 0; i < 8; ++i) timestamp = (timestamp << 8) | static_cast<uint8_t>(signature[i]);
      if (timestamp > static_cast<uint64_t>(INT64_MAX)) {
        return Bad(fmt::format("the cosignature of {} has a timestamp above 2^63-1", key.name));
      }
      signature.remove_prefix(8);
    } else if (signature.size() != 64) {
      return Bad(
          fmt::format("the signature of {} is {} bytes, expected 64", key.name, signature.size()));
    }
    const std::string message = SignedMessage(key.type, note.text, timestamp);
    InitCrypto();
    if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                    reinterpret_cast<const unsigned char*>(message.data()),
                                    message.size(), key.public_key.data()) != 0) {
      return Bad(fmt::format("the signature of {} does not verify", key.name));
    }
    if (cosigned_at) *cosigned_at = timestamp;
    return absl::OkStatus();
  }
  return absl::NotFoundError(
      fmt::format("the note carries no signature of {} (key id {})", key.name, Hex(key_id)));
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

std::string FormatCheckpoint(const Checkpoint& checkpoint) {
  std::string out = fmt::format("{}\n{}\n{}\n", checkpoint.origin, checkpoint.size,
                                Base64(HashBytes(checkpoint.root)));
  for (const std::string& line : checkpoint.extensions) out += line + "\n";
  return out;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos)
      return Bad("checkpoint: the text does not end with a newline");
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() < 3) return Bad("checkpoint: fewer than three lines");
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  if (cp.origin.empty()) return Bad("checkpoint: the origin line is empty");
  std::string_view size = lines[1];
  if (size.empty() || size.size() > 20 || (size.size() > 1 && size[0] == '0')) {
    return Bad("checkpoint: the size line is not a decimal number without leading zeros");
  }
  for (char c : size) {
    if (c < '0' || c > '9') return Bad("checkpoint: the size line is not a decimal number");
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (cp.size > (UINT64_MAX - digit) / 10) return Bad("checkpoint: the size overflows 64 bits");
    cp.size = cp.size * 10 + digit;
  }
  std::optional<std::string> root = FromBase64(lines[2]);
  if (!root || root->size() != kHashSize) {
    return Bad("checkpoint: the root line is not the base64 of a 32-byte hash");
  }
  cp.root = *HashFromBytes(*root);
  for (size_t line_idx = 3; line_idx < lines.size(); ++line_idx) {
    if (lines[line_idx].empty()) return Bad("checkpoint: an extension line is empty");
    cp.extensions.emplace_back(lines[line_idx]);
  }
  return cp;
}

}  // namespace deconflict::ledger
