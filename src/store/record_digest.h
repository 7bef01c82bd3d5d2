// store/record_digest.h: what a ledger entry commits to for a stored row.
//
// A ledger entry that records a change of a stored object carries, as its content digest, the
// digest of the row exactly as stored (every column but the ledger index, which the entry
// itself gives). `deconflict ledger check` recomputes it from the row and names any row whose
// digest differs from its entry's: an edit of the database file is caught even when SQLite's
// own integrity check passes.
//
//   entry.content_digest = OperationRecordDigest(record);
//
// Encoding (stable; changing it is a ledger format change): SHA-256 over the concatenation of
// a domain tag "deconflict/operation/v1\n" and, for each column in the order of OperationRecord,
// text and blobs as a 4-byte big-endian length followed by the bytes, integers and timestamps
// (microseconds since the Unix epoch) as 8-byte big-endian two's complement.
//
// A party row is recorded by its party.add entry, whose content digest is SHA-256 of
// "<id>\n<name>\n<role>" (the form every store since the first has written; the token hash is
// deliberately left out: the ledger never records a credential). Its revocation is recorded by a
// party.revoke entry, so `ledger check` also compares revoked_at with the presence of that entry.
#pragma once

#include <string>
#include <string_view>

#include "store/encounters_table.h"
#include "store/store.h"

namespace deconflict::store {

// SHA-256 (32 raw bytes) of the canonical encoding of `record` without its ledger_index.
std::string OperationRecordDigest(const OperationRecord& record);

// SHA-256 (32 raw bytes) of the canonical encoding of an encounter row without its ledger_index:
// tag "deconflict/encounter/v1\n", then id, party_a, track_a, party_b, track_b, opened_at,
// opening, closed_at (-1 while open), close_reason, closing, then the number of alerted parties
// and each of them, encoded as above. The content digest
// of the encounter.open and encounter.close entries (store/encounters_table.h).
std::string EncounterRecordDigest(const EncounterRecord& record);
// EncounterRecordDigest of the row as it was opened (closed_at, close_reason and closing
// cleared): the content digest of its encounter.open entry, and the object digest that a signed
// acknowledgement of the encounter signs (parties/acknowledgement.h, kind "encounter").
std::string EncounterOpeningDigest(EncounterRecord record);

// The content digest of an encounter.ack entry. Signed (signature not empty): SHA-256 of
// "deconflict-ack-record/v1\n<key id>\n<128 lowercase hex digits of the signature>\n" followed by
// the statement, which is parties::AckRecordDigest; unsigned: SHA-256 of
// "deconflict/encounter-ack/v1\n<encounter id>\n<party>\n<time, microseconds since the epoch>".
std::string EncounterAckDigest(const EncounterAckRecord& ack);

// parties::AckRecordDigest from stored columns (store/ sits below parties/): SHA-256 of
// "deconflict-ack-record/v1\n<key id>\n<128 lowercase hex digits of the signature>\n" followed
// by the statement. The content digest of every signed `<kind>.ack` entry; `signature` raw.
std::string SignedAckRecordDigest(std::string_view key_id, std::string_view signature,
                                  std::string_view statement);

// SHA-256 (32 raw bytes) of "<id>\n<name>\n<role>": the content digest of a party.add entry.
// Every writer of party.add entries must call it (so `ledger check` agrees with them).
std::string PartyRecordDigest(const PartyRecord& record);

// SHA-256 (32 raw bytes) of "<name>\n<party>\n<verifier key>": the content digest of the
// witness.add and witness.remove entries of a witness binding (sqlite_ledger.h).
std::string WitnessBindingDigest(std::string_view name, std::string_view party,
                                 std::string_view verifier_key);

// SHA-256 (32 raw bytes) of "deconflict/signing-key/v1\n<key id>\n<party>\n<64 lowercase hex
// digits of the public key>\n<name>": the content digest of the signing_key.add and
// signing_key.revoke entries of a registered signing key (store/signing_keys_table.h).
std::string SigningKeyRecordDigest(std::string_view key_id, std::string_view party,
                                   std::string_view public_key, std::string_view name);

}  // namespace deconflict::store
