// parties/signing_key.h: the Ed25519 signing keys of parties (design.md §3, "Acknowledgements
// that prove themselves"; the statement they sign is in parties/acknowledgement.h and
// docs/acknowledgements.md).
//
// The server's operator registers a party's public keys (`deconflict party key add`); a party
// may have several (one per duty desk, say), each active until revoked. Registration and
// revocation each commit with a ledger entry (store/signing_keys_table.h: signing_key.add and
// signing_key.revoke, content digest store::SigningKeyRecordDigest), so the log shows which keys
// could speak for a party, and when.
//
//   ASSIGN_OR_RETURN(std::string key, ParsePublicKey(base64_text));
//   ASSIGN_OR_RETURN(store::SigningKeyRecord added, AddSigningKey(store, clock, party, key,
//   "desk")); std::cout << added.key_id;   // e.g. "3f9a0c1d2e4b5a69"
//
// Key id: the 16 lowercase hex digits of the first 8 bytes of SHA-256(raw 32-byte public key).
// Public keys are written in standard base64 (RFC 4648 §4, 44 characters with padding); input may
// also be URL-safe base64, with or without padding.
//
// Private key file (`deconflict party key generate --out FILE`, mode 0600): two lines,
//   deconflict-ed25519-seed/v1\n
//   <standard base64 of the 32-byte Ed25519 seed (RFC 8032 private key)>\n
//
// Thread-safety: the functions are thread-safe (the store serialises the writes).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "store/signing_keys_table.h"
#include "store/store.h"

namespace deconflict::parties {

inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSeedSize = 32;
inline constexpr size_t kSignatureSize = 64;
inline constexpr size_t kKeyIdSize = 16;  // hex digits
inline constexpr size_t kMaxKeyNameSize = 100;
inline constexpr char kPrivateKeyHeader[] = "deconflict-ed25519-seed/v1";

// Keys and signatures are written with common/digest.h Base64 and read with FromAnyBase64.

// The key id of a raw 32-byte public key.
std::string SigningKeyId(std::string_view public_key);

// A key id as typed by a person: 16 hex digits (upper case is lowered). InvalidArgument naming
// `field` otherwise.
[[nodiscard]] absl::StatusOr<std::string> ParseKeyId(std::string_view text,
                                                     std::string_view field = "key_id");

// A public key in base64 (see above): the raw 32 bytes. InvalidArgument naming `field` when it is
// not base64, not 32 bytes, or not a valid Ed25519 point of the main subgroup (such a key could
// never verify a signature).
[[nodiscard]] absl::StatusOr<std::string> ParsePublicKey(std::string_view base64,
                                                         std::string_view field = "key");

// The operator's label of a key: 0 to 100 bytes, no control characters. InvalidArgument naming
// `field` otherwise.
[[nodiscard]] absl::Status CheckKeyName(std::string_view name, std::string_view field = "name");

// ---------------------------------------------------------------------------------------------
// Private keys (for signers: duty officers' tools, tests; the server never holds them)

struct PrivateSigningKey {
  std::string seed;        // 32 raw bytes (RFC 8032 private key)
  std::string public_key;  // 32 raw bytes
};

// A new random key pair (libsodium crypto_sign_keypair).
PrivateSigningKey GenerateSigningKey();

// The key pair of a 32-byte seed. InvalidArgument naming "seed" when it is not 32 bytes.
[[nodiscard]] absl::StatusOr<PrivateSigningKey> SigningKeyFromSeed(std::string_view seed);

// Writes the private key file at `path`, created with mode 0600. AlreadyExists when a file is
// there (never overwritten); Internal with the system's reason when it cannot be written.
[[nodiscard]] absl::Status WritePrivateKeyFile(const std::string& path,
                                               const PrivateSigningKey& key);

// Reads a private key file. NotFound when there is no file; FailedPrecondition when it is
// readable by group or others, or malformed (the message says which).
[[nodiscard]] absl::StatusOr<PrivateSigningKey> ReadPrivateKeyFile(const std::string& path);

// Raw 64-byte Ed25519 signature (RFC 8032, pure) of `message`.
std::string SignBytes(const PrivateSigningKey& key, std::string_view message);

// True when `signature` (64 raw bytes) is a valid signature of `message` by `public_key`.
bool VerifyBytes(std::string_view public_key, std::string_view message, std::string_view signature);

// ---------------------------------------------------------------------------------------------
// Registration by the server's operator

// Registers `public_key` (raw 32 bytes, from ParsePublicKey) for `party`, with its
// signing_key.add entry, in one transaction. Returns the stored row. NotFound naming "party"
// when there is no such party; FailedPrecondition when the party is revoked; AlreadyExists when
// the key is registered already; InvalidArgument naming "key" or "name"; the store's error
// otherwise.
[[nodiscard]] absl::StatusOr<store::SigningKeyRecord> AddSigningKey(store::Store& store,
                                                                    const Clock& clock,
                                                                    const PartyId& party,
                                                                    std::string_view public_key,
                                                                    std::string_view name = "");

// AddSigningKey without waiting: `done` gets the stored row (or the errors above) once durable,
// on the store's writer thread (or at once for a malformed key or name). For routes, whose
// handlers must not block (PUT /v1/me/keys/{key_id}). `clock` must outlive the write.
void SubmitAddSigningKey(store::Store& store, const Clock& clock, const PartyId& party,
                         std::string_view public_key, std::string_view name,
                         std::function<void(absl::StatusOr<store::SigningKeyRecord>)> done);

struct RevokedSigningKey {
  store::SigningKeyRecord key;  // revoked_at set
  uint64_t ledger_index = 0;    // the signing_key.revoke entry
};

// Revokes the key with its signing_key.revoke entry, in one transaction. NotFound naming
// "key_id" when there is no such key; FailedPrecondition when it is already revoked; the
// store's error otherwise.
[[nodiscard]] absl::StatusOr<RevokedSigningKey> RevokeSigningKey(store::Store& store,
                                                                 const Clock& clock,
                                                                 const std::string& key_id);

}  // namespace deconflict::parties
