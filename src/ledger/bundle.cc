#include "ledger/bundle.h"

#include "boost/json.hpp"
#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/merkle.h"

namespace deconflict::ledger {
namespace {

absl::StatusOr<uint64_t> Unsigned(JsonObject& object, std::string_view key) {
  ASSIGN_OR_RETURN(const boost::json::value* v, object.Required(key));
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  return InvalidField(object.PathOf(key), "must be a non-negative integer");
}

absl::Status Prefixed(const absl::Status& status, std::string_view step) {
  return absl::Status(status.code(), fmt::format("{}: {}", step, status.message()));
}

}  // namespace

std::string FormatBundle(const Bundle& bundle) {
  boost::json::array proof;
  for (const std::string& h : bundle.proof) proof.emplace_back(Base64(h));
  boost::json::object out;
  out["format"] = kBundleFormat;
  out["index"] = bundle.index;
  out["entry"] = Base64(bundle.entry);
  if (bundle.opening) {
    out["opening"] = boost::json::object{{"salt", Base64(bundle.opening->salt)},
                                         {"entry", Base64(bundle.opening->entry)}};
  }
  out["size"] = bundle.size;
  out["proof"] = std::move(proof);
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
  ASSIGN_OR_RETURN(std::string entry, object.String("entry"));
  std::optional<std::string> entry_bytes = FromBase64(entry);
  if (!entry_bytes) return InvalidField("entry", "is not valid base64");
  bundle.entry = std::move(*entry_bytes);
  if (format == kBundleFormat && object.Find("opening") != nullptr) {
    ASSIGN_OR_RETURN(JsonObject opening, object.Object("opening"));
    ASSIGN_OR_RETURN(std::string salt, opening.String("salt"));
    ASSIGN_OR_RETURN(std::string opened, opening.String("entry"));
    RETURN_IF_ERROR(opening.NoOtherFields());
    std::optional<std::string> salt_bytes = FromBase64(salt);
    if (!salt_bytes) return InvalidField("opening.salt", "is not valid base64");
    std::optional<std::string> opened_bytes = FromBase64(opened);
    if (!opened_bytes) return InvalidField("opening.entry", "is not valid base64");
    bundle.opening = Opening{.salt = std::move(*salt_bytes), .entry = std::move(*opened_bytes)};
  }
  ASSIGN_OR_RETURN(const boost::json::array* proof, object.Array("proof"));
  for (size_t i = 0; i < proof->size(); ++i) {
    const boost::json::value& h = (*proof)[i];
    std::optional<std::string> bytes =
        h.is_string() ? FromBase64(std::string_view(h.as_string())) : std::nullopt;
    if (!bytes) return InvalidField(IndexPath("proof", i), "is not a base64 string");
    bundle.proof.push_back(std::move(*bytes));
  }
  ASSIGN_OR_RETURN(bundle.checkpoint, object.String("checkpoint"));
  RETURN_IF_ERROR(object.NoOtherFields());
  return bundle;
}

absl::StatusOr<VerifiedBundle> VerifyBundle(const Bundle& bundle, const VerifierKey& log_key,
                                            const std::vector<VerifierKey>& witnesses) {
  VerifiedBundle out;
  // 1. The log's signature on the checkpoint.
  absl::StatusOr<Note> note = ParseNote(bundle.checkpoint);
  if (!note.ok()) return Prefixed(note.status(), "checkpoint");
  if (absl::Status s = VerifyNote(*note, log_key); !s.ok()) {
    return Prefixed(s, "checkpoint signature");
  }
  // 2. The checkpoint itself.
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(note->text);
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->origin != log_key.name) {
    return absl::InvalidArgumentError(
        fmt::format("checkpoint: origin '{}' is not the log key's name '{}'", checkpoint->origin,
                    log_key.name));
  }
  if (checkpoint->size != bundle.size) {
    return absl::InvalidArgumentError(fmt::format(
        "checkpoint: size {} differs from the bundle's size {}", checkpoint->size, bundle.size));
  }
  // 3. The entry is in the tree the checkpoint signs.
  if (absl::Status s = VerifyInclusion(HashBytes(LeafHash(bundle.entry)), bundle.index, bundle.size,
                                       bundle.proof, HashBytes(checkpoint->root));
      !s.ok()) {
    return Prefixed(
        s, fmt::format("inclusion proof of entry {} in tree size {}", bundle.index, bundle.size));
  }
  // 4. The entry says who did what, when: through its opening when it is a commitment.
  absl::StatusOr<Entry> entry = OpenLeaf(bundle.entry, bundle.opening ? &*bundle.opening : nullptr);
  if (!entry.ok()) return entry.status();
  out.entry = std::move(*entry);
  // 5. Witnesses.
  for (const VerifierKey& witness : witnesses) {
    if (witness.type != KeyType::kCosignatureV1) {
      return absl::InvalidArgumentError(
          fmt::format("witness {}: the key is not a cosignature/v1 key (type 0x04)", witness.name));
    }
    uint64_t at = 0;
    if (absl::Status s = VerifyNote(*note, witness, &at); !s.ok()) {
      return Prefixed(s, fmt::format("witness {}", witness.name));
    }
    out.witnesses.emplace_back(witness.name, at);
  }
  out.checkpoint = std::move(*checkpoint);
  return out;
}

}  // namespace deconflict::ledger
