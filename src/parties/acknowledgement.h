// parties/acknowledgement.h: acknowledgements that prove themselves (design.md §3). Where a
// party must be shown to have received or agreed something (a hotline message, a humanitarian
// notification, a proposal, a case response, an encounter alert), it signs one documented byte
// string, the statement, with one of its registered Ed25519 keys (parties/signing_key.h); the
// server verifies it here and puts it in the ledger. Every module uses this one mechanism.
//
//   const AckStatement statement{.kind = "hotline.message", .object_id = "amman-hmeimim/42",
//                                .object_digest = message_sha256, .party = PartyId("RU"),
//                                .time = *ParseAckTime("2026-11-25T07:00:00Z")};
//   std::string signature = *SignAcknowledgement(private_key, statement);   // the signer's side
//   ASSIGN_OR_RETURN(VerifiedAck ack,                                       // the server's side
//                    VerifyAcknowledgement(keys_of_store, statement, signature, "", clock));
//   ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(ledger::EncodeEntry(AckLedgerEntry(ack,
//   now))));
//
// The statement (docs/acknowledgements.md), UTF-8, six lines each ended by "\n":
//
//   deconflict-ack/v1
//   <kind>            1-64 of [a-z0-9._-], starting with a letter: "hotline.message"
//   <object id>       1-256 bytes in 0x21..0x7E (no spaces): what is acknowledged
//   <object digest>   64 lowercase hex digits: the SHA-256 the server gives for the object
//   <party>           the signing party's id (common/ids.h ParsePartyId)
//   <time>            YYYY-MM-DDTHH:MM:SSZ: UTC, whole seconds, when the party signed
//
// Each field has exactly one spelling, so a statement has one encoding and DecodeAckStatement
// refuses anything else. The signature is pure Ed25519 (RFC 8032) over those bytes: libsodium's
// crypto_sign_detached, or WebCrypto's `crypto.subtle.sign("Ed25519", key, bytes)` in a browser
// (the same 64 bytes). On the wire it is base64 (standard or URL-safe, padding optional).
//
// Thread-safe (pure functions; the clock is the caller's).
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "ledger/entry.h"
#include "parties/signing_key.h"
#include "store/signing_keys_table.h"

namespace deconflict::parties {

inline constexpr char kAckStatementHeader[] = "deconflict-ack/v1";

// The kinds the design names; a module may use another well-formed kind for a new thing.
inline constexpr char kAckKindHotlineMessage[] = "hotline.message";
inline constexpr char kAckKindHumanitarianSite[] = "humanitarian.site";
inline constexpr char kAckKindHumanitarianMovement[] = "humanitarian.movement";
inline constexpr char kAckKindProposalApprove[] = "proposal.approve";
inline constexpr char kAckKindProposalReject[] = "proposal.reject";
inline constexpr char kAckKindCaseResponse[] = "case.response";
inline constexpr char kAckKindEncounter[] = "encounter";

struct AckStatement {
  std::string kind;
  std::string object_id;
  std::string object_digest;  // 32 raw bytes (SHA-256)
  PartyId party;
  Timestamp time;  // whole seconds

  bool operator==(const AckStatement&) const = default;
};

// The time as the statement writes it: "2026-11-25T07:00:00Z". REQUIRES: whole seconds.
std::string FormatAckTime(Timestamp time);

// Parses the statement's time form only (UTC 'Z', whole seconds, no fraction), so that the time
// text a signer sends is the one it signed. InvalidArgument naming `field` otherwise.
[[nodiscard]] absl::StatusOr<Timestamp> ParseAckTime(std::string_view text,
                                                     std::string_view field = "time");

// An object digest typed as hex (either case): the 32 raw bytes. InvalidArgument naming `field`.
[[nodiscard]] absl::StatusOr<std::string> ParseObjectDigest(
    std::string_view hex, std::string_view field = "object_digest");

// The statement's bytes. InvalidArgument naming the bad field ("kind", "object_id",
// "object_digest", "party", "time") when a field breaks the grammar above.
[[nodiscard]] absl::StatusOr<std::string> EncodeAckStatement(const AckStatement& statement);

// The statement of canonical bytes. InvalidArgument ("statement: ...") when `bytes` is not the
// encoding of the statement it decodes to.
[[nodiscard]] absl::StatusOr<AckStatement> DecodeAckStatement(std::string_view bytes);

// The raw 64-byte signature of the statement by `key` (for signers: the CLI, tests, clients).
// The errors of EncodeAckStatement.
[[nodiscard]] absl::StatusOr<std::string> SignAcknowledgement(const PrivateSigningKey& key,
                                                              const AckStatement& statement);

struct AckVerifyOptions {
  // Largest distance between the statement's time and the server's clock, either way; nullopt
  // checks no time (an operator checking an old acknowledgement offline). Default: 300 s.
  std::optional<std::chrono::seconds> max_skew = std::chrono::seconds(300);
};

struct VerifiedAck {
  AckStatement statement;
  std::string statement_bytes;  // EncodeAckStatement(statement)
  std::string signature;        // 64 raw bytes
  std::string key_id;           // the registered key that verified it
};

// Verifies `signature` (64 raw bytes) of `statement` against the registered `keys` (any
// parties', revoked ones included, e.g. store::ListSigningKeys). `key_id` names the key the
// signer used; empty tries every key of the statement's party. Returns which key verified it.
// Errors, each naming its field:
//   InvalidArgument     a field of the statement ("kind", ...); "signature" not 64 bytes or not
//                       verifying with the key; "time" further from clock.Now() than max_skew
//   NotFound            "key_id": no such registered key; or (no key_id) "party": the party has
//                       no active key
//   PermissionDenied    "key_id": the key belongs to another party
//   FailedPrecondition  "key_id": the key was revoked (at the time given in the message)
// Without key_id, a signature that verifies only with a revoked key or another party's key gets
// that error rather than the plain InvalidArgument, so the signer learns what to fix.
[[nodiscard]] absl::StatusOr<VerifiedAck> VerifyAcknowledgement(
    std::span<const store::SigningKeyRecord> keys, const AckStatement& statement,
    std::string_view signature, std::string_view key_id, const Clock& clock,
    const AckVerifyOptions& options = {});

// The content digest that a verified acknowledgement's ledger entry commits to: SHA-256 of
// "deconflict-ack-record/v1\n<key id>\n<128 lowercase hex digits of the signature>\n" followed by
// the statement's bytes. With the statement, the signature and the key (signing_key.add entry),
// anyone can check the entry offline.
std::string AckRecordDigest(const VerifiedAck& ack);

// The ledger entry of a verified acknowledgement: party: the signer; action: "<kind>.ack"
// (e.g. "hotline.message.ack"); object: the object id; content digest: AckRecordDigest.
ledger::Entry AckLedgerEntry(const VerifiedAck& ack, Timestamp server_time);

}  // namespace deconflict::parties
