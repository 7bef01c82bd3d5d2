#include "ledger/bundle.h"

#include <set>

#include "boost/json.hpp"
#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/merkle.h"

namespace deconflict::ledger {
namespace {

// --- Reading: the fields a bundle and a bundle set's items share. Errors name object.PathOf.

absl::StatusOr<uint64_t> Unsigned(JsonObject& object, std::string_view key) {
  ASSIGN_OR_RETURN(const boost::json::value* v, object.Required(key));
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  return InvalidField(object.PathOf(key), "must be a non-negative integer");
}

absl::StatusOr<std::string> Base64Field(JsonObject& object, std::string_view key) {
  ASSIGN_OR_RETURN(std::string text, object.String(key));
  std::optional<std::string> bytes = FromBase64(text);
  if (!bytes) return InvalidField(object.PathOf(key), "is not valid base64");
  return *std::move(bytes);
}

absl::StatusOr<std::string> PrintableField(JsonObject& object, std::string_view key) {
  ASSIGN_OR_RETURN(std::string text, object.String(key));
  RETURN_IF_ERROR(CheckBundleSetText(object.PathOf(key), text));
  return text;
}

// The optional "opening" member of `object`.
absl::StatusOr<std::optional<Opening>> OpeningField(JsonObject& object) {
  if (object.Find("opening") == nullptr) return std::nullopt;
  ASSIGN_OR_RETURN(JsonObject opening, object.Object("opening"));
  Opening out;
  ASSIGN_OR_RETURN(out.salt, Base64Field(opening, "salt"));
  ASSIGN_OR_RETURN(out.entry, Base64Field(opening, "entry"));
  RETURN_IF_ERROR(opening.NoOtherFields());
  return out;
}

absl::StatusOr<std::vector<std::string>> ProofField(JsonObject& object) {
  ASSIGN_OR_RETURN(const boost::json::array* proof, object.Array("proof"));
  std::vector<std::string> out;
  out.reserve(proof->size());
  for (size_t hash_idx = 0; hash_idx < proof->size(); ++hash_idx) {
    const boost::json::value& h = (*proof)[hash_idx];
    std::optional<std::string> bytes =
        h.is_string() ? FromBase64(std::string_view(h.as_string())) : std::nullopt;
    if (!bytes) {
      return InvalidField(IndexPath(object.PathOf("proof"), hash_idx), "is not a base64 string");
    }
    out.push_back(*std::move(bytes));
  }
  return out;
}

// --- Writing.

boost::json::object OpeningJson(const Opening& opening) {
  return boost::json::object{{"salt", Base64(opening.salt)}, {"entry", Base64(opening.entry)}};
}

boost::json::array ProofJson(const std::vector<std::string>& proof) {
  boost::json::array out;
  for (const std::string& h : proof) out.emplace_back(Base64(h));
  return out;
}

// --- Verifying: the steps of VerifyBundle (bundle.h), shared with VerifyBundleSet.

absl::Status Prefixed(const absl::Status& status, std::string_view step) {
  return absl::Status(status.code(), fmt::format("{}: {}", step, status.message()));
}

struct SignedCheckpoint {
  Note note;
  Checkpoint checkpoint;
};

// Steps 1 and 2: `text` is a note signed by `log_key`, and a checkpoint of the log's origin and
// of `size` (the size that `holder`, "bundle" or "bundle set", claims).
absl::StatusOr<SignedCheckpoint> CheckCheckpoint(std::string_view text, uint64_t size,
                                                 const VerifierKey& log_key,
                                                 std::string_view holder) {
  absl::StatusOr<Note> note = ParseNote(text);
  if (!note.ok()) return Prefixed(note.status(), "checkpoint");
  if (absl::Status s = VerifyNote(*note, log_key); !s.ok()) {
    return Prefixed(s, "checkpoint signature");
  }
  ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseCheckpoint(note->text));
  if (checkpoint.origin != log_key.name) {
    return absl::InvalidArgumentError(fmt::format(
        "checkpoint: origin '{}' is not the log key's name '{}'", checkpoint.origin, log_key.name));
  }
  if (checkpoint.size != size) {
    return absl::InvalidArgumentError(fmt::format(
        "checkpoint: size {} differs from the {}'s size {}", checkpoint.size, holder, size));
  }
  return SignedCheckpoint{.note = *std::move(note), .checkpoint = std::move(checkpoint)};
}

// Step 3: the leaf `entry` is at `index` in the tree the checkpoint signs. The message says
// what differs (VerifyInclusion), without prefix.
absl::Status CheckInclusion(std::string_view entry, uint64_t index,
                            const std::vector<std::string>& proof, const Checkpoint& checkpoint) {
  return VerifyInclusion(HashBytes(LeafHash(entry)), index, checkpoint.size, proof,
                         HashBytes(checkpoint.root));
}

// Step 5: every key in `witnesses` cosigned the note; their names and cosigning times.
absl::StatusOr<std::vector<std::pair<std::string, uint64_t>>> CheckWitnesses(
    const Note& note, const std::vector<VerifierKey>& witnesses) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const VerifierKey& witness : witnesses) {
    if (witness.type != KeyType::kCosignatureV1) {
      return absl::InvalidArgumentError(
          fmt::format("witness {}: the key is not a cosignature/v1 key (type 0x04)", witness.name));
    }
    uint64_t at = 0;
    if (absl::Status s = VerifyNote(note, witness, &at); !s.ok()) {
      return Prefixed(s, fmt::format("witness {}", witness.name));
    }
    out.emplace_back(witness.name, at);
  }
  return out;
}

// One item of a bundle set, read from `value` at `path` (e.g. "items[2]").
absl::StatusOr<BundleSetItem> ParseItem(const boost::json::value& value, std::string path) {
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(value, std::move(path)));
  BundleSetItem item;
  ASSIGN_OR_RETURN(item.index, Unsigned(object, "index"));
  ASSIGN_OR_RETURN(item.label, PrintableField(object, "label"));
  ASSIGN_OR_RETURN(item.entry, Base64Field(object, "entry"));
  ASSIGN_OR_RETURN(item.opening, OpeningField(object));
  ASSIGN_OR_RETURN(item.proof, ProofField(object));
  RETURN_IF_ERROR(object.NoOtherFields());
  return item;
}

}  // namespace

std::string FormatBundle(const Bundle& bundle) {
  boost::json::object out;
  out["format"] = kBundleFormat;
  out["index"] = bundle.index;
  out["entry"] = Base64(bundle.entry);
  if (bundle.opening) out["opening"] = OpeningJson(*bundle.opening);
  out["size"] = bundle.size;
  out["proof"] = ProofJson(bundle.proof);
  out["checkpoint"] = bundle.checkpoint;
  return boost::json::serialize(out) + "\n";
}

absl::StatusOr<Bundle> ParseBundle(std::string_view text) {
  ASSIGN_OR_RETURN(boost::json::value value, ParseJson(text));
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(value, ""));
  ASSIGN_OR_RETURN(std::string format, object.String("format"));
  if (format != kBundleFormat && format != kBundleFormatV1) {
    return InvalidField("format", fmt::format("is '{}', expected '{}'", format, kBundleFormat));
  }
  Bundle bundle;
  ASSIGN_OR_RETURN(bundle.index, Unsigned(object, "index"));
  ASSIGN_OR_RETURN(bundle.size, Unsigned(object, "size"));
  ASSIGN_OR_RETURN(bundle.entry, Base64Field(object, "entry"));
  if (format == kBundleFormat) {  // a version-1 bundle has no opening: the field is unknown
    ASSIGN_OR_RETURN(bundle.opening, OpeningField(object));
  }
  ASSIGN_OR_RETURN(bundle.proof, ProofField(object));
  ASSIGN_OR_RETURN(bundle.checkpoint, object.String("checkpoint"));
  RETURN_IF_ERROR(object.NoOtherFields());
  return bundle;
}

absl::StatusOr<VerifiedBundle> VerifyBundle(const Bundle& bundle, const VerifierKey& log_key,
                                            const std::vector<VerifierKey>& witnesses) {
  // 1 and 2. The log's signature on the checkpoint, its origin and size.
  ASSIGN_OR_RETURN(SignedCheckpoint signed_checkpoint,
                   CheckCheckpoint(bundle.checkpoint, bundle.size, log_key, "bundle"));
  // 3. The entry is in the tree the checkpoint signs.
  if (absl::Status s =
          CheckInclusion(bundle.entry, bundle.index, bundle.proof, signed_checkpoint.checkpoint);
      !s.ok()) {
    return Prefixed(
        s, fmt::format("inclusion proof of entry {} in tree size {}", bundle.index, bundle.size));
  }
  // 4. The entry says who did what, when: through its opening when it is a commitment.
  VerifiedBundle out;
  ASSIGN_OR_RETURN(out.entry, OpenLeaf(bundle.entry, bundle.opening ? &*bundle.opening : nullptr));
  // 5. Witnesses.
  ASSIGN_OR_RETURN(out.witnesses, CheckWitnesses(signed_checkpoint.note, witnesses));
  out.checkpoint = std::move(signed_checkpoint.checkpoint);
  return out;
}

absl::Status CheckBundleSetText(std::string_view field, std::string_view text) {
  if (text.empty()) return InvalidField(field, "is empty");
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<uint8_t>(text[i]);
    const bool c1 = byte == 0xC2 && i + 1 < text.size() &&
                    static_cast<uint8_t>(text[i + 1]) >= 0x80 &&
                    static_cast<uint8_t>(text[i + 1]) <= 0x9F;  // U+0080..U+009F in UTF-8
    if (byte < 0x20 || byte == 0x7F || c1) return InvalidField(field, "holds a control character");
  }
  return absl::OkStatus();
}

std::string FormatBundleSet(const BundleSet& set) {
  boost::json::array items;
  for (const BundleSetItem& item : set.items) {
    boost::json::object o;
    o["index"] = item.index;
    o["label"] = item.label;
    o["entry"] = Base64(item.entry);
    if (item.opening) o["opening"] = OpeningJson(*item.opening);
    o["proof"] = ProofJson(item.proof);
    items.push_back(std::move(o));
  }
  boost::json::object out;
  out["format"] = kBundleSetFormat;
  out["subject"] = set.subject;
  out["size"] = set.size;
  out["checkpoint"] = set.checkpoint;
  out["items"] = std::move(items);
  return boost::json::serialize(out) + "\n";
}

bool LooksLikeBundleSet(std::string_view text) {
  absl::StatusOr<boost::json::value> value = ParseJson(text);
  if (!value.ok() || !value->is_object()) return false;
  const boost::json::value* format = value->as_object().if_contains("format");
  return format != nullptr && format->is_string() &&
         std::string_view(format->as_string()).starts_with("deconflict-ledger-bundle-set/");
}

absl::StatusOr<BundleSet> ParseBundleSet(std::string_view text) {
  ASSIGN_OR_RETURN(boost::json::value value, ParseJson(text));
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(value, ""));
  ASSIGN_OR_RETURN(std::string format, object.String("format"));
  if (format != kBundleSetFormat) {
    return InvalidField("format", fmt::format("is '{}', expected '{}'", format, kBundleSetFormat));
  }
  BundleSet set;
  ASSIGN_OR_RETURN(set.subject, PrintableField(object, "subject"));
  ASSIGN_OR_RETURN(set.size, Unsigned(object, "size"));
  ASSIGN_OR_RETURN(set.checkpoint, object.String("checkpoint"));
  ASSIGN_OR_RETURN(const boost::json::array* items, object.Array("items"));
  if (items->empty()) return InvalidField("items", "is empty: a bundle set proves some entry");
  std::set<uint64_t> indexes;
  for (size_t item_idx = 0; item_idx < items->size(); ++item_idx) {
    const std::string path = IndexPath("items", item_idx);
    ASSIGN_OR_RETURN(BundleSetItem item, ParseItem((*items)[item_idx], path));
    if (!indexes.insert(item.index).second) {
      return InvalidField(JoinPath(path, "index"),
                          fmt::format("entry {} is in the set already", item.index));
    }
    set.items.push_back(std::move(item));
  }
  RETURN_IF_ERROR(object.NoOtherFields());
  return set;
}

absl::StatusOr<VerifiedBundleSet> VerifyBundleSet(const BundleSet& set, const VerifierKey& log_key,
                                                  const std::vector<VerifierKey>& witnesses) {
  if (set.items.empty()) return InvalidField("items", "is empty: a bundle set proves some entry");
  // 1 and 2, once: every item is proved against this one checkpoint.
  ASSIGN_OR_RETURN(SignedCheckpoint signed_checkpoint,
                   CheckCheckpoint(set.checkpoint, set.size, log_key, "bundle set"));
  VerifiedBundleSet out;
  for (size_t item_idx = 0; item_idx < set.items.size(); ++item_idx) {
    const BundleSetItem& item = set.items[item_idx];
    const std::string name =
        fmt::format("items[{}] ({}, entry {})", item_idx, item.label, item.index);
    // 3. The leaf is in the signed tree.
    if (absl::Status s =
            CheckInclusion(item.entry, item.index, item.proof, signed_checkpoint.checkpoint);
        !s.ok()) {
      return Prefixed(s, fmt::format("{}: inclusion proof in tree size {}", name, set.size));
    }
    // 4. What it says, when the set lets its holder read it: a commitment with its opening, or
    // a format-1 leaf (the entry itself). A commitment without opening is proved present only.
    VerifiedSetItem verified{.index = item.index, .label = item.label};
    if (item.opening || !IsCommitmentLeaf(item.entry)) {
      absl::StatusOr<Entry> entry = OpenLeaf(item.entry, item.opening ? &*item.opening : nullptr);
      if (!entry.ok()) return Prefixed(entry.status(), name);
      verified.entry = *std::move(entry);
    }
    out.items.push_back(std::move(verified));
  }
  // 5. Witnesses.
  ASSIGN_OR_RETURN(out.witnesses, CheckWitnesses(signed_checkpoint.note, witnesses));
  out.checkpoint = std::move(signed_checkpoint.checkpoint);
  return out;
}

}  // namespace deconflict::ledger
