#include "api/ledger_routes.h"

#include <optional>

#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/merkle.h"
#include "store/sqlite_ledger.h"

namespace deconflict::api {
namespace {

// A non-negative decimal integer parameter; nullopt when absent.
absl::StatusOr<std::optional<uint64_t>> Param(const QueryParams& query, const std::string& name) {
  auto it = query.find(name);
  if (it == query.end()) return std::optional<uint64_t>();
  const std::string& text = it->second;
  if (text.empty() || text.size() > 19) {
    return InvalidField(name, "must be a non-negative integer below 10^19");
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return InvalidField(name, "must be a non-negative integer");
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return std::optional<uint64_t>(value);
}

absl::StatusOr<uint64_t> Required(const QueryParams& query, const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> value, Param(query, name));
  if (!value) return InvalidField(name, "is required");
  return *value;
}

boost::json::array ProofJson(const std::vector<ledger::Hash>& proof) {
  boost::json::array out;
  for (const ledger::Hash& h : proof) out.emplace_back(Base64(ledger::HashBytes(h)));
  return out;
}

// Runs `fn(reader)` on the store's read connection; errors become error replies.
template <typename Fn>
Reply WithLedger(store::Store& store, Fn&& fn) {
  absl::StatusOr<Reply> reply = store.WithReader([&](store::Database& db) -> absl::StatusOr<Reply> {
    store::ReadSnapshot snapshot(db);
    store::LedgerReader reader(db);
    return fn(reader);
  });
  return reply.ok() ? *reply : ErrorReply(reply.status());
}

// The newest checkpoint size: proofs default to it and may not go beyond it.
absl::StatusOr<uint64_t> SignedSize(store::LedgerReader& reader) {
  ASSIGN_OR_RETURN(store::StoredCheckpoint cp, reader.LatestCheckpoint());
  return cp.size;
}

}  // namespace

Reply GetCheckpoint(store::Store& store) { return GetCheckpoint(store, QueryParams()); }

Reply GetCheckpoint(store::Store& store, const QueryParams& query) {
  return WithLedger(store, [&](store::LedgerReader& reader) -> absl::StatusOr<Reply> {
    ASSIGN_OR_RETURN(std::optional<uint64_t> size, Param(query, "size"));
    absl::StatusOr<store::StoredCheckpoint> cp =
        size ? reader.CheckpointAt(*size) : reader.LatestCheckpoint();
    if (size && absl::IsNotFound(cp.status())) {
      return FieldError(absl::StatusCode::kNotFound, "size",
                        fmt::format("there is no checkpoint of size {}", *size));
    }
    if (!cp.ok()) return cp.status();
    return Reply{.status = 200, .content_type = "text/plain; charset=utf-8", .body = cp->note};
  });
}

Reply GetEntries(store::Store& store, const QueryParams& query, const LedgerCaller& caller) {
  return WithLedger(store, [&](store::LedgerReader& reader) -> absl::StatusOr<Reply> {
    ASSIGN_OR_RETURN(uint64_t start, Required(query, "start"));
    ASSIGN_OR_RETURN(std::optional<uint64_t> end, Param(query, "end"));
    ASSIGN_OR_RETURN(uint64_t size, SignedSize(reader));
    if (start >= size) {
      return InvalidField("start", fmt::format("must be below the tree size {}", size));
    }
    if (end && *end <= start) return InvalidField("end", "must be greater than start");
    const uint64_t last = std::min({end.value_or(size), size, start + kMaxLedgerEntriesPerPage});
    ASSIGN_OR_RETURN(std::vector<std::string> entries, reader.Entries(start, last));
    ASSIGN_OR_RETURN(std::vector<std::optional<store::StoredOpening>> openings,
                     reader.Openings(start, last));
    boost::json::array items;
    for (size_t i = 0; i < entries.size(); ++i) {
      boost::json::object item{{"index", start + i}, {"data", Base64(entries[i])}};
      if (openings[i] && openings[i]->Entitles(caller.party, caller.role)) {
        item["opening"] = boost::json::object{{"salt", Base64(openings[i]->opening.salt)},
                                              {"entry", Base64(openings[i]->opening.entry)}};
      }
      items.push_back(std::move(item));
    }
    return JsonReply(200, boost::json::object{{"entries", std::move(items)}});
  });
}

Reply GetInclusionProof(store::Store& store, const QueryParams& query) {
  return WithLedger(store, [&](store::LedgerReader& reader) -> absl::StatusOr<Reply> {
    ASSIGN_OR_RETURN(uint64_t index, Required(query, "index"));
    ASSIGN_OR_RETURN(std::optional<uint64_t> size_param, Param(query, "size"));
    ASSIGN_OR_RETURN(uint64_t signed_size, SignedSize(reader));
    const uint64_t size = size_param.value_or(signed_size);
    if (size > signed_size) {
      return InvalidField("size",
                          fmt::format("must be at most the signed tree size {}", signed_size));
    }
    if (index >= size) return InvalidField("index", fmt::format("must be below the size {}", size));
    ASSIGN_OR_RETURN(std::vector<ledger::Hash> proof, ledger::InclusionProof(reader, index, size));
    return JsonReply(
        200, boost::json::object{{"index", index}, {"size", size}, {"proof", ProofJson(proof)}});
  });
}

Reply GetConsistencyProof(store::Store& store, const QueryParams& query) {
  return WithLedger(store, [&](store::LedgerReader& reader) -> absl::StatusOr<Reply> {
    ASSIGN_OR_RETURN(uint64_t from, Required(query, "from"));
    ASSIGN_OR_RETURN(std::optional<uint64_t> to_param, Param(query, "to"));
    ASSIGN_OR_RETURN(uint64_t signed_size, SignedSize(reader));
    const uint64_t to = to_param.value_or(signed_size);
    if (to > signed_size) {
      return InvalidField("to",
                          fmt::format("must be at most the signed tree size {}", signed_size));
    }
    if (from == 0) return InvalidField("from", "must be at least 1");
    if (from > to) return InvalidField("from", fmt::format("must be at most to ({})", to));
    ASSIGN_OR_RETURN(std::vector<ledger::Hash> proof, ledger::ConsistencyProof(reader, from, to));
    return JsonReply(200,
                     boost::json::object{{"from", from}, {"to", to}, {"proof", ProofJson(proof)}});
  });
}

void PostCosignature(store::Store& store, std::string_view body, const std::string& party_id,
                     std::function<void(Reply)> respond) {
  struct Cosignature {
    std::string witness_key, witness_name, line;
    uint64_t size = 0;
  };
  auto cosig = std::make_shared<Cosignature>();
  absl::Status parsed = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(boost::json::value value, ParseJson(body));
    ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(value, ""));
    ASSIGN_OR_RETURN(cosig->witness_key, object.String("witness_key"));
    ASSIGN_OR_RETURN(const boost::json::value* size_value, object.Required("size"));
    ASSIGN_OR_RETURN(cosig->line, object.String("cosignature"));
    RETURN_IF_ERROR(object.NoOtherFields());
    if (!size_value->is_uint64() && !(size_value->is_int64() && size_value->as_int64() >= 0)) {
      return InvalidField("size", "must be a non-negative integer");
    }
    cosig->size = size_value->to_number<uint64_t>();
    cosig->witness_name = cosig->witness_key.substr(0, cosig->witness_key.find('+'));
    if (size_t pending = store.pending(); pending >= kMaxPendingLedgerWrites) {
      return Overloaded(
          fmt::format("overloaded: {} writes are waiting for the store; retry "
                      "shortly",
                      pending));
    }
    return absl::OkStatus();
  }();
  if (!parsed.ok()) return respond(ErrorReply(parsed));
  // The refusal of the unit itself (bad signature, unknown size, ...) is kept apart from the
  // commit's outcome, so that a refused cosignature is not reported as a failed commit.
  auto refused = std::make_shared<absl::Status>();
  store.Submit(
      [&store, party_id, cosig, refused](store::Txn& txn) {
        *refused = store.ledger().AddCosignature(txn.db(), party_id, cosig->witness_key,
                                                 cosig->size, cosig->line);
        return *refused;
      },
      [cosig, refused, respond = std::move(respond)](absl::Status committed) {
        if (!refused->ok()) return respond(ErrorReply(*refused));
        if (!committed.ok()) return respond(ErrorReply(committed));
        respond(JsonReply(
            201, boost::json::object{{"size", cosig->size}, {"witness", cosig->witness_name}}));
      });
}

}  // namespace deconflict::api
