#include "parties/signing_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>

#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "store/parties_table.h"
#include "store/record_digest.h"

namespace deconflict::parties {

// ---------------------------------------------------------------------------------------------
// Encodings

namespace {

// FromAnyBase64, or InvalidArgument naming `field`.
absl::StatusOr<std::string> DecodeBase64Field(std::string_view text, std::string_view field) {
  std::optional<std::string> bytes = FromAnyBase64(text);
  if (!bytes) return InvalidField(field, "is not base64");
  return *std::move(bytes);
}

}  // namespace

std::string SigningKeyId(std::string_view public_key) {
  return HexEncode(Sha256(public_key).substr(0, kKeyIdSize / 2));
}

absl::StatusOr<std::string> ParseKeyId(std::string_view text, std::string_view field) {
  if (text.size() != kKeyIdSize) return InvalidField(field, "must be 16 hex digits");
  std::string id;
  for (char c : text) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return InvalidField(field, "must be 16 hex digits");
    }
    id.push_back(c);
  }
  return id;
}

absl::StatusOr<std::string> ParsePublicKey(std::string_view base64, std::string_view field) {
  ASSIGN_OR_RETURN(std::string key, DecodeBase64Field(base64, field));
  if (key.size() != kPublicKeySize) {
    return InvalidField(field, fmt::format("must be a 32-byte Ed25519 public key in base64, not "
                                           "{} bytes",
                                           key.size()));
  }
  // libsodium's verify refuses small-order and non-canonical keys; refuse them at registration
  // rather than register a key that can never verify.
  if (crypto_core_ed25519_is_valid_point(reinterpret_cast<const unsigned char*>(key.data())) != 1) {
    return InvalidField(field, "is not a valid Ed25519 public key");
  }
  return key;
}

absl::Status CheckKeyName(std::string_view name, std::string_view field) {
  if (name.size() > kMaxKeyNameSize) return InvalidField(field, "must have at most 100 bytes");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return InvalidField(field, "must not contain control characters");
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Private keys

PrivateSigningKey GenerateSigningKey() {
  // Invariant: a fresh random seed always makes a key pair (SigningKeyFromSeed fails only on size).
  return *SigningKeyFromSeed(RandomBytes(kSeedSize));
}

absl::StatusOr<PrivateSigningKey> SigningKeyFromSeed(std::string_view seed) {
  if (seed.size() != kSeedSize) return InvalidField("seed", "must be 32 bytes");
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
  sodium_memzero(sk, sizeof(sk));
  return PrivateSigningKey{.seed = std::string(seed),
                           .public_key = std::string(reinterpret_cast<char*>(pk), sizeof(pk))};
}

absl::Status WritePrivateKeyFile(const std::string& path, const PrivateSigningKey& key) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(fmt::format("{} exists; it is never overwritten", path));
    }
    return absl::InternalError(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  }
  const std::string text = fmt::format("{}\n{}\n", kPrivateKeyHeader, Base64(key.seed));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int saved_errno = errno;
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    ::unlink(path.c_str());
    return absl::InternalError(
        fmt::format("cannot write {}: {}", path, std::strerror(saved_errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<PrivateSigningKey> ReadPrivateKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError(fmt::format("no key file {}", path));
    return absl::InternalError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        fmt::format("{} is readable by group or others: chmod 600 it", path));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::InternalError(fmt::format("cannot read {}", path));
  const std::string content = text.str();
  const std::string header = std::string(kPrivateKeyHeader) + "\n";
  if (content.size() < header.size() + 2 || content.compare(0, header.size(), header) != 0 ||
      content.back() != '\n') {
    return absl::FailedPreconditionError(fmt::format(
        "{} is not a deconflict private key file (first line '{}')", path, kPrivateKeyHeader));
  }
  const std::string_view body(content.data() + header.size(), content.size() - header.size() - 1);
  absl::StatusOr<std::string> seed = DecodeBase64Field(body, "seed");
  if (!seed.ok() || seed->size() != kSeedSize) {
    return absl::FailedPreconditionError(
        fmt::format("{}: the second line must be the base64 of a 32-byte seed", path));
  }
  return SigningKeyFromSeed(*seed);
}

std::string SignBytes(const PrivateSigningKey& key, std::string_view message) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(key.seed.data()));
  std::string signature(kSignatureSize, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(), sk);
  sodium_memzero(sk, sizeof(sk));
  return signature;
}

bool VerifyBytes(std::string_view public_key, std::string_view message,
                 std::string_view signature) {
  if (public_key.size() != kPublicKeySize || signature.size() != kSignatureSize) return false;
  return crypto_sign_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
             reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

// ---------------------------------------------------------------------------------------------
// Registration

void SubmitAddSigningKey(store::Store& store, const Clock& clock, const PartyId& party,
                         std::string_view public_key, std::string_view name,
                         std::function<void(absl::StatusOr<store::SigningKeyRecord>)> done) {
  if (public_key.size() != kPublicKeySize) return done(InvalidField("key", "must be 32 bytes"));
  if (absl::Status valid = CheckKeyName(name); !valid.ok()) return done(valid);
  auto record = std::make_shared<store::SigningKeyRecord>(
      store::SigningKeyRecord{.key_id = SigningKeyId(public_key),
                              .party = party.value(),
                              .public_key = std::string(public_key),
                              .name = std::string(name)});
  store.Submit(
      [&clock, party, record](store::Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<bool> revoked, store::PartyIsRevoked(txn, party));
        if (!revoked) {
          return FieldError(absl::StatusCode::kNotFound, "party",
                            fmt::format("no party '{}'", party.value()));
        }
        if (*revoked) {
          return absl::FailedPreconditionError(fmt::format("party '{}' is revoked", party.value()));
        }
        record->added_at = clock.Now();
        ASSIGN_OR_RETURN(uint64_t index,
                         txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                             .party = record->party,
                             .action = store::kActionSigningKeyAdd,
                             .object_id = record->key_id,
                             .content_digest = store::SigningKeyRecordDigest(
                                 record->key_id, record->party, record->public_key, record->name),
                             .server_time = record->added_at})));
        record->ledger_index = static_cast<int64_t>(index);
        return store::InsertSigningKey(txn, *record);
      },
      [record, done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        done(*record);
      });
}

absl::StatusOr<store::SigningKeyRecord> AddSigningKey(store::Store& store, const Clock& clock,
                                                      const PartyId& party,
                                                      std::string_view public_key,
                                                      std::string_view name) {
  // The promise lives in the completion (set_value may still run when get() returns; store.h).
  auto added = std::make_shared<std::promise<absl::StatusOr<store::SigningKeyRecord>>>();
  std::future<absl::StatusOr<store::SigningKeyRecord>> result = added->get_future();
  SubmitAddSigningKey(
      store, clock, party, public_key, name,
      [added](absl::StatusOr<store::SigningKeyRecord> r) { added->set_value(std::move(r)); });
  return result.get();
}

absl::StatusOr<RevokedSigningKey> RevokeSigningKey(store::Store& store, const Clock& clock,
                                                   const std::string& key_id) {
  const Timestamp now = clock.Now();
  RevokedSigningKey revoked;
  RETURN_IF_ERROR(store.Write([&](store::Txn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<store::SigningKeyRecord> key, store::GetSigningKey(txn, key_id));
    if (!key) {
      return FieldError(absl::StatusCode::kNotFound, "key_id",
                        fmt::format("no signing key {}", key_id));
    }
    RETURN_IF_ERROR(store::RevokeSigningKey(txn, key_id, now));
    ASSIGN_OR_RETURN(revoked.ledger_index,
                     txn.AppendLedger(ledger::EncodeEntry(
                         ledger::Entry{.party = key->party,
                                       .action = store::kActionSigningKeyRevoke,
                                       .object_id = key->key_id,
                                       .content_digest = store::SigningKeyRecordDigest(
                                           key->key_id, key->party, key->public_key, key->name),
                                       .server_time = now})));
    revoked.key = *std::move(key);
    revoked.key.revoked_at = now;
    return absl::OkStatus();
  }));
  return revoked;
}

}  // namespace deconflict::parties
