// ledger/entry.h: the canonical bytes of one ledger entry (who did what, to what, when).
//
//   std::string bytes = EncodeEntry(Entry{.party = "RU", .action = "operation.create",
//                                         .object_id = op_id, .content_digest = digest,
//                                         .server_time = clock.Now()});
//   ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(bytes));
//
// The encoding (docs/ledger_format.md, "Entry") is UTF-8 text, one field per line:
//
//   deconflict-entry/v1\n
//   party <party>\n
//   action <action>\n
//   object <object id>\n
//   digest <64 lowercase hex digits of the SHA-256 content digest>\n
//   time <YYYY-MM-DDTHH:MM:SS.ffffffZ, always 6 fractional digits>\n
//
// Since ledger format 2 the tree hashes a salted commitment to these bytes, and the bytes are
// given only to the parties entitled to them (ledger/commitment.h); callers are unchanged.
//
// Field values are percent-encoded: every byte outside 0x21..0x7E, and '%' itself, is written
// as %XX (uppercase hex); nothing else is. So every Entry has exactly one encoding, and
// DecodeEntry refuses any byte string that is not the encoding of what it decodes to.
//
// Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/clock.h"

namespace deconflict::ledger {

// Actions of the entries written so far; later features add theirs (lowercase, dotted).
inline constexpr char kActionPartyAdd[] = "party.add";
inline constexpr char kActionPartyRevoke[] = "party.revoke";
inline constexpr char kActionOperationCreate[] = "operation.create";
inline constexpr char kActionOperationUpdate[] = "operation.update";
inline constexpr char kActionOperationEnd[] = "operation.end";
// The server's operator bound a witness name to a party and key, or removed the binding
// (`deconflict ledger witness add|remove`). party: the witness's party; object: the witness name.
inline constexpr char kActionWitnessAdd[] = "witness.add";
inline constexpr char kActionWitnessRemove[] = "witness.remove";
// The live picture (store/encounters_table.h): an encounter opened or closed (party: the pair's
// first party; object: the encounter's decimal id), and a party's acknowledgement of it.
inline constexpr char kActionEncounterOpen[] = "encounter.open";
inline constexpr char kActionEncounterClose[] = "encounter.close";
inline constexpr char kActionEncounterAck[] = "encounter.ack";

struct Entry {
  std::string party;           // the party that made the change (its id)
  std::string action;          // e.g. "operation.create"
  std::string object_id;       // the id of the object changed
  std::string content_digest;  // SHA-256 of the canonical content of the change: 32 raw bytes
  Timestamp server_time;       // when the server accepted the change

  bool operator==(const Entry&) const = default;
};

// The canonical bytes. REQUIRES: content_digest is 32 bytes (a different length is encoded
// as is, but DecodeEntry refuses it).
std::string EncodeEntry(const Entry& entry);

// Parses canonical bytes. InvalidArgument naming the line when `bytes` is not the canonical
// encoding of an Entry.
[[nodiscard]] absl::StatusOr<Entry> DecodeEntry(std::string_view bytes);

// The party of canonical entry bytes, read from their first two lines only (what the store
// needs per append, without DecodeEntry's full parse and canonical check); nullopt when those
// lines are not a header and a well-escaped "party <id>" line.
[[nodiscard]] std::optional<std::string> EntryParty(std::string_view bytes);

}  // namespace deconflict::ledger
