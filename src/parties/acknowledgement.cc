#include "parties/acknowledgement.h"

#include <vector>

#include "common/digest.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"

namespace deconflict::parties {
namespace {

constexpr size_t kMaxKindSize = 64;
constexpr size_t kMaxObjectIdSize = 256;
constexpr size_t kAckTimeSize = 20;  // "YYYY-MM-DDTHH:MM:SSZ"

bool IsWholeSecond(Timestamp t) { return t.time_since_epoch().count() % 1'000'000 == 0; }

absl::Status CheckKind(std::string_view kind) {
  if (kind.empty() || kind.size() > kMaxKindSize)
    return InvalidField("kind", "must have 1 to 64 bytes");
  if (!(kind[0] >= 'a' && kind[0] <= 'z'))
    return InvalidField("kind", "must start with a letter a-z");
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      return InvalidField("kind", "may contain only a-z, 0-9, '.', '_' and '-'");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckObjectId(std::string_view id) {
  if (id.empty() || id.size() > kMaxObjectIdSize) {
    return InvalidField("object_id", "must have 1 to 256 bytes");
  }
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidField("object_id", "may contain only printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

// Lower-case hex digits to bytes; nullopt unless exactly 2 * `size` of them.
std::optional<std::string> HexDecode(std::string_view hex, size_t size) {
  if (hex.size() != 2 * size) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string Describe(const store::SigningKeyRecord& key) {
  return fmt::format("key {} of party {}", key.key_id, key.party);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The statement

std::string FormatAckTime(Timestamp time) { return FormatRfc3339(time); }

absl::StatusOr<std::string> ParseObjectDigest(std::string_view hex, std::string_view field) {
  std::string lower(hex);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  std::optional<std::string> digest = HexDecode(lower, 32);
  if (!digest) return InvalidField(field, "must be 64 hex digits (a SHA-256 digest)");
  return *std::move(digest);
}

absl::StatusOr<Timestamp> ParseAckTime(std::string_view text, std::string_view field) {
  constexpr char kForm[] = "must be UTC in whole seconds, YYYY-MM-DDTHH:MM:SSZ";
  if (text.size() != kAckTimeSize || text.back() != 'Z') return InvalidField(field, kForm);
  absl::StatusOr<Timestamp> time = ParseRfc3339(text);
  // The round trip refuses every other spelling of the same instant.
  if (!time.ok() || !IsWholeSecond(*time) || FormatRfc3339(*time) != text) {
    return InvalidField(field, kForm);
  }
  return *time;
}

absl::StatusOr<std::string> EncodeAckStatement(const AckStatement& s) {
  RETURN_IF_ERROR(CheckKind(s.kind));
  RETURN_IF_ERROR(CheckObjectId(s.object_id));
  if (s.object_digest.size() != 32) {
    return InvalidField("object_digest", "must be a SHA-256 digest (32 bytes, 64 hex digits)");
  }
  if (absl::StatusOr<PartyId> party = ParsePartyId(s.party.value()); !party.ok()) {
    return InvalidField("party", std::string(party.status().message()));
  }
  if (!IsWholeSecond(s.time)) return InvalidField("time", "must be whole seconds");
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n", kAckStatementHeader, s.kind, s.object_id,
                     HexEncode(s.object_digest), s.party.value(), FormatAckTime(s.time));
}

absl::StatusOr<AckStatement> DecodeAckStatement(std::string_view bytes) {
  std::vector<std::string_view> lines;
  while (!bytes.empty()) {
    const size_t end = bytes.find('\n');
    if (end == std::string_view::npos) return InvalidField("statement", "must end with a newline");
    lines.push_back(bytes.substr(0, end));
    bytes.remove_prefix(end + 1);
  }
  if (lines.size() != 6 || lines[0] != kAckStatementHeader) {
    return InvalidField("statement",
                        fmt::format("must be six lines, the first '{}'", kAckStatementHeader));
  }
  std::optional<std::string> digest = HexDecode(lines[3], 32);
  if (!digest) return InvalidField("object_digest", "must be 64 lowercase hex digits");
  absl::StatusOr<Timestamp> time = ParseAckTime(lines[5]);
  if (!time.ok()) return time.status();
  AckStatement statement{.kind = std::string(lines[1]),
                         .object_id = std::string(lines[2]),
                         .object_digest = *std::move(digest),
                         .party = PartyId(std::string(lines[4])),
                         .time = *time};
  // Encoding checks every field; lines that encode differently are not canonical.
  RETURN_IF_ERROR(EncodeAckStatement(statement).status());
  return statement;
}

absl::StatusOr<std::string> SignAcknowledgement(const PrivateSigningKey& key,
                                                const AckStatement& statement) {
  ASSIGN_OR_RETURN(std::string bytes, EncodeAckStatement(statement));
  return SignBytes(key, bytes);
}

// ---------------------------------------------------------------------------------------------
// Verification

absl::StatusOr<VerifiedAck> VerifyAcknowledgement(std::span<const store::SigningKeyRecord> keys,
                                                  const AckStatement& statement,
                                                  std::string_view signature,
                                                  std::string_view key_id, const Clock& clock,
                                                  const AckVerifyOptions& options) {
  ASSIGN_OR_RETURN(std::string bytes, EncodeAckStatement(statement));
  if (signature.size() != kSignatureSize) {
    return InvalidField("signature", fmt::format("must be 64 bytes (an Ed25519 signature), not {}",
                                                 signature.size()));
  }
  if (options.max_skew) {
    const auto skew = std::chrono::abs(statement.time - clock.Now());
    if (skew > *options.max_skew) {
      return InvalidField(
          "time", fmt::format("{} is {} s from the server's clock ({}); at most {} s "
                              "are allowed",
                              FormatAckTime(statement.time),
                              std::chrono::duration_cast<std::chrono::seconds>(skew).count(),
                              FormatRfc3339(clock.Now()), options.max_skew->count()));
    }
  }
  auto verified = [&](const store::SigningKeyRecord& key) {
    return VerifiedAck{.statement = statement,
                       .statement_bytes = bytes,
                       .signature = std::string(signature),
                       .key_id = key.key_id};
  };
  // Checks a key that verified the signature: it must be the party's and active.
  auto usable = [&](const store::SigningKeyRecord& key) -> absl::Status {
    if (key.party != statement.party.value()) {
      return FieldError(
          absl::StatusCode::kPermissionDenied, "key_id",
          fmt::format("{} cannot sign for party {}", Describe(key), statement.party.value()));
    }
    if (key.revoked_at) {
      return FieldError(
          absl::StatusCode::kFailedPrecondition, "key_id",
          fmt::format("{} was revoked at {}", Describe(key), FormatRfc3339(*key.revoked_at)));
    }
    return absl::OkStatus();
  };

  // The signer named its key.
  if (!key_id.empty()) {
    for (const store::SigningKeyRecord& key : keys) {
      if (key.key_id != key_id) continue;
      RETURN_IF_ERROR(usable(key));
      if (!VerifyBytes(key.public_key, bytes, signature)) {
        return InvalidField("signature", fmt::format("does not verify with {}", Describe(key)));
      }
      return verified(key);
    }
    return FieldError(absl::StatusCode::kNotFound, "key_id",
                      fmt::format("no registered signing key {}", key_id));
  }

  // No key named: an active key of the party must verify it. Otherwise say why the closest
  // candidate fails (a revoked key of the party, another party's key) before "does not verify".
  bool party_has_active_key = false;
  for (const store::SigningKeyRecord& key : keys) {
    if (key.party != statement.party.value() || key.revoked_at) continue;
    party_has_active_key = true;
    if (VerifyBytes(key.public_key, bytes, signature)) return verified(key);
  }
  for (const store::SigningKeyRecord& key : keys) {
    if ((key.party != statement.party.value() || key.revoked_at) &&
        VerifyBytes(key.public_key, bytes, signature)) {
      return usable(key);
    }
  }
  if (!party_has_active_key) {
    return FieldError(
        absl::StatusCode::kNotFound, "party",
        fmt::format("party {} has no active registered signing key", statement.party.value()));
  }
  return InvalidField("signature", fmt::format("does not verify with any active key of party {}",
                                               statement.party.value()));
}

std::string AckRecordDigest(const VerifiedAck& ack) {
  return Sha256(fmt::format("deconflict-ack-record/v1\n{}\n{}\n{}", ack.key_id,
                            HexEncode(ack.signature), ack.statement_bytes));
}

ledger::Entry AckLedgerEntry(const VerifiedAck& ack, Timestamp server_time) {
  return ledger::Entry{.party = ack.statement.party.value(),
                       .action = ack.statement.kind + ".ack",
                       .object_id = ack.statement.object_id,
                       .content_digest = AckRecordDigest(ack),
                       .server_time = server_time};
}

}  // namespace deconflict::parties
