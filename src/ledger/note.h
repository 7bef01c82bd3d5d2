// ledger/note.h: C2SP signed notes (signed-note), checkpoints (tlog-checkpoint) and witness
// cosignatures (tlog-cosignature, Ed25519 "cosignature/v1"). docs/ledger_format.md gives the
// grammar; the C2SP specifications at c2sp.org are the reference.
//
//   Signer server = Signer::Generate("deconflict/4f2a...", KeyType::kEd25519);
//   std::string body = FormatCheckpoint({.origin = server.name(), .size = 8, .root = root});
//   std::string note = body + "\n" + server.SignNote(body);
//   ASSIGN_OR_RETURN(Note parsed, ParseNote(note));
//   RETURN_IF_ERROR(VerifyNote(parsed, server.verifier()));
//
// Thread-safety: all types are values; Signer's methods are const and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/hash.h"

namespace deconflict::ledger {

// The signature type byte of a verifier key (C2SP signed-note).
enum class KeyType : uint8_t {
  kEd25519 = 0x01,        // signs the note text (the log's own checkpoint signature)
  kCosignatureV1 = 0x04,  // tlog-cosignature: signs "cosignature/v1\ntime T\n" || note text
};

// A public key with its name: `<name>+<key id hex>+<base64(type || public key)>`.
struct VerifierKey {
  std::string name;
  KeyType type = KeyType::kEd25519;
  std::array<uint8_t, 32> public_key{};

  // SHA-256(name || "\n" || type || public key)[:4].
  std::string KeyId() const;
  // The text form above.
  std::string ToString() const;
};

// Parses the text form; InvalidArgument saying which part is wrong (name, key id that does not
// match the key, type other than 0x01/0x04, key not 32 bytes, bad base64).
[[nodiscard]] absl::StatusOr<VerifierKey> ParseVerifierKey(std::string_view text);

// An Ed25519 private key with its name and signature type. Stored as
// `PRIVATE+KEY+<name>+<key id hex>+<base64(type || 32-byte seed)>` (the Go note format).
class Signer {
 public:
  // A fresh random key. REQUIRES: `name` is a valid key name (ValidKeyName).
  static Signer Generate(std::string name, KeyType type);
  // InvalidArgument when `text` is not the stored form above.
  [[nodiscard]] static absl::StatusOr<Signer> Parse(std::string_view text);
  std::string ToString() const;

  const std::string& name() const { return verifier_.name; }
  const VerifierKey& verifier() const { return verifier_; }

  // One signature line "— <name> <base64(key id || signature)>\n" over the note text `text`
  // (which must end with '\n'). For kCosignatureV1 keys the signed message is the tlog-cosignature
  // one with `timestamp` (POSIX seconds) and the signature carries the timestamp.
  std::string SignNote(std::string_view text, uint64_t timestamp = 0) const;

 private:
  Signer(VerifierKey verifier, std::array<uint8_t, 32> seed);
  VerifierKey verifier_;
  std::array<uint8_t, 32> seed_{};
  std::array<uint8_t, 64> secret_{};  // libsodium's expanded form of seed_
};

// A key name: non-empty, no whitespace, no '+', printable.
bool ValidKeyName(std::string_view name);

struct NoteSignature {
  std::string name;
  std::string key_id;     // 4 bytes
  std::string signature;  // what follows the key id: 64 bytes, or 8 + 64 for cosignatures
  std::string line;       // the whole line with its '\n'
};

struct Note {
  std::string text;  // ends with '\n'
  std::vector<NoteSignature> signatures;

  // text + "\n" + every signature line.
  std::string ToString() const;
};

// Parses a signed note: text (UTF-8 lines, no control characters but '\n', ending with '\n'),
// a blank line, then one or more signature lines. InvalidArgument naming what is malformed.
[[nodiscard]] absl::StatusOr<Note> ParseNote(std::string_view note);

// Verifies the signature that `key` made on `note`: finds the line with the key's name and key
// id and checks it. NotFound when the note carries no signature of that key; InvalidArgument
// when it carries one that does not verify. For cosignatures `*cosigned_at` (if given) receives
// the timestamp.
[[nodiscard]] absl::Status VerifyNote(const Note& note, const VerifierKey& key,
                                      uint64_t* cosigned_at = nullptr);

// The body of a tlog-checkpoint: origin, size, root, optional extension lines.
struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;
};

// "<origin>\n<size>\n<base64 root>\n" then each extension line and '\n'.
std::string FormatCheckpoint(const Checkpoint& checkpoint);
// Parses note text as a checkpoint. InvalidArgument naming the bad line.
[[nodiscard]] absl::StatusOr<Checkpoint> ParseCheckpoint(std::string_view text);

}  // namespace deconflict::ledger
