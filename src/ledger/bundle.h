// ledger/bundle.h: the self-contained proof bundle that `deconflict ledger export` writes and
// `deconflict ledger verify` checks offline (docs/ledger_format.md, "Proof bundle").
//
// A bundle is one JSON object:
//   {"format": "deconflict-ledger-bundle/v2", "index": 5, "entry": "<base64 of the leaf bytes>",
//    "opening": {"salt": "<base64>", "entry": "<base64 of the canonical entry>"},
//    "size": 12, "proof": ["<base64 hash>", ...], "checkpoint": "<the signed note, verbatim>"}
// "opening" is present when the leaf is a commitment (ledger/commitment.h), absent for a
// format-1 leaf. Version 1 bundles (no "opening") are still read.
//
//   ASSIGN_OR_RETURN(Bundle bundle, ParseBundle(text));
//   ASSIGN_OR_RETURN(VerifiedBundle ok, VerifyBundle(bundle, log_key, {witness_key}));
//
// A bundle set (docs/ledger_format.md, "Bundle set") proves many entries against ONE signed
// checkpoint, e.g. every entry of a case (`deconflict case export`):
//   {"format": "deconflict-ledger-bundle-set/v1", "subject": "case al-shifa-strike",
//    "size": 12, "checkpoint": "<the signed note>",
//    "items": [{"index": 5, "label": "incident", "entry": "<base64>",
//               "opening": {"salt": ..., "entry": ...}, "proof": [...]}, ...]}
// An item without "opening" proves only that its leaf is at its index (the holder may not read
// the entry). "subject" and "label" are the exporter's description: no signature covers them.
//
//   if (LooksLikeBundleSet(text)) {
//     ASSIGN_OR_RETURN(BundleSet set, ParseBundleSet(text));
//     ASSIGN_OR_RETURN(VerifiedBundleSet ok, VerifyBundleSet(set, log_key, {}));
//   }
//
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/commitment.h"
#include "ledger/entry.h"
#include "ledger/note.h"

namespace deconflict::ledger {

inline constexpr char kBundleFormat[] = "deconflict-ledger-bundle/v2";
inline constexpr char kBundleFormatV1[] = "deconflict-ledger-bundle/v1";  // read, never written

struct Bundle {
  uint64_t index = 0;
  std::string entry;               // the exact leaf bytes that were hashed
  std::optional<Opening> opening;  // the commitment's opening (format 2 leaves)
  uint64_t size = 0;               // the tree size of the checkpoint
  std::vector<std::string> proof;  // raw 32-byte hashes, RFC 9162 inclusion proof
  std::string checkpoint;          // the signed note text
};

// The JSON text of the bundle (ends with '\n').
std::string FormatBundle(const Bundle& bundle);
// InvalidArgument naming the field when `text` is not a bundle.
[[nodiscard]] absl::StatusOr<Bundle> ParseBundle(std::string_view text);

struct VerifiedBundle {
  Entry entry;
  Checkpoint checkpoint;
  // The witnesses whose cosignature verified, with the time they cosigned (POSIX seconds).
  std::vector<std::pair<std::string, uint64_t>> witnesses;
};

// Verifies, in this order, and stops at the first failure with an InvalidArgument (NotFound for
// a missing signature) whose message says exactly what failed:
//   1. the checkpoint is a signed note carrying a valid signature of `log_key`;
//   2. it is a checkpoint whose origin is the key's name and whose size is the bundle's size;
//   3. the inclusion proof leads from SHA-256(0x00 || entry) at `index` to the checkpoint root;
//   4. the entry is a commitment and the opening hashes to it (SHA-256(salt || entry)), and the
//      opened entry is a canonical deconflict entry; or the entry is a canonical format-1 entry;
//   5. every key in `witnesses` (type 0x04) has a valid cosignature on the checkpoint.
[[nodiscard]] absl::StatusOr<VerifiedBundle> VerifyBundle(
    const Bundle& bundle, const VerifierKey& log_key, const std::vector<VerifierKey>& witnesses);

inline constexpr char kBundleSetFormat[] = "deconflict-ledger-bundle-set/v1";

struct BundleSetItem {
  uint64_t index = 0;
  // What this entry is in the subject, e.g. "incident", "notification", "ack:SOUTH",
  // "operation:<id>", "case.open". Not empty, no control characters.
  std::string label;
  std::string entry;  // the exact leaf bytes that were hashed
  // The commitment's opening; absent when the holder may not read the entry: then only the
  // leaf's presence at `index` is proved.
  std::optional<Opening> opening;
  std::vector<std::string> proof;  // raw 32-byte hashes, RFC 9162 inclusion proof in `size`
};

struct BundleSet {
  std::string subject;     // e.g. "case al-shifa-strike". Not empty, no control characters.
  uint64_t size = 0;       // the tree size of the checkpoint
  std::string checkpoint;  // the signed note text
  std::vector<BundleSetItem> items;  // distinct indexes, in the exporter's order
};

// OK when `text` may be a set's subject or an item's label: not empty, and no control character
// (C0, DEL, C1: the verifier prints it as is); InvalidArgument "<field>: ..." otherwise.
[[nodiscard]] absl::Status CheckBundleSetText(std::string_view field, std::string_view text);

// The JSON text of the set (ends with '\n'; bytes in base64 as in FormatBundle).
std::string FormatBundleSet(const BundleSet& set);

// True when `text` is a JSON object whose "format" names a bundle set of any version (so that
// ParseBundleSet, not ParseBundle, says what is wrong with it). Parses `text` once.
bool LooksLikeBundleSet(std::string_view text);

// InvalidArgument naming the field (e.g. "items[2].proof[0]: is not a base64 string") when
// `text` is not a bundle set: unknown fields, an empty item list, a repeated index, an empty
// label or subject, or one holding a control character are refused.
[[nodiscard]] absl::StatusOr<BundleSet> ParseBundleSet(std::string_view text);

struct VerifiedSetItem {
  uint64_t index = 0;
  std::string label;
  // The entry; nullopt when the leaf is a commitment and the set carries no opening for it
  // (its existence at `index` is proved, its content is not disclosed).
  std::optional<Entry> entry;
};

struct VerifiedBundleSet {
  Checkpoint checkpoint;
  // The witnesses whose cosignature verified, with the time they cosigned (POSIX seconds).
  std::vector<std::pair<std::string, uint64_t>> witnesses;
  std::vector<VerifiedSetItem> items;  // in the set's order
};

// Verifies the set as VerifyBundle verifies a bundle, the checkpoint once (steps 1 and 2, with
// the set's size) and then every item (steps 3 and 4; an item without an opening whose leaf is
// a commitment stops after step 3), then the witnesses (step 5). Stops at the first failure,
// with the code VerifyBundle gives; an item's failure names it, e.g.
// "items[3] (ack:SOUTH, entry 41): inclusion proof in tree size 42: ...".
// InvalidArgument ("items: ...") for a set without items.
[[nodiscard]] absl::StatusOr<VerifiedBundleSet> VerifyBundleSet(
    const BundleSet& set, const VerifierKey& log_key, const std::vector<VerifierKey>& witnesses);

}  // namespace deconflict::ledger
