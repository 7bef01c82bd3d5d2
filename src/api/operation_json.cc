#include "api/operation_json.h"

#include "absl/strings/escaping.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "geo/volume.h"

namespace deconflict::api {
namespace {

boost::json::value ExtentsJson(const std::string& stored) {
  // The store keeps the extents as the ASTM JSON array serialised at filing.
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(stored, ec);
  return ec ? boost::json::value(boost::json::array()) : v;
}

absl::StatusOr<strategic::PageRequest> Page(std::string_view list, std::optional<int64_t> limit,
                                            const std::string* cursor) {
  strategic::PageRequest page{.limit = kDefaultPageLimit, .after = ""};
  if (limit) {
    if (*limit < 1 || *limit > static_cast<int64_t>(kMaxPageLimit)) {
      return InvalidField("limit",
                          fmt::format("must be an integer between 1 and {}", kMaxPageLimit));
    }
    page.limit = static_cast<size_t>(*limit);
  }
  if (cursor != nullptr) {
    std::string decoded;
    const std::string prefix = fmt::format("{}:", list);
    if (cursor->empty() || cursor->size() > 512 ||
        !absl::WebSafeBase64Unescape(*cursor, &decoded) || decoded.rfind(prefix, 0) != 0 ||
        decoded.size() == prefix.size()) {
      return InvalidField("cursor", "is not a cursor of this list; pass next_cursor as given");
    }
    page.after = decoded.substr(prefix.size());
  }
  return page;
}

}  // namespace

absl::StatusOr<strategic::OperationRequest> ParseOperationRequest(
    const boost::json::value& body, const strategic::OperationLimits& limits, Timestamp now) {
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(body, ""));

  // extents: counted before any volume is parsed (a huge array costs nothing).
  ASSIGN_OR_RETURN(const boost::json::array* extents_json, object.Array("extents"));
  if (extents_json->empty()) return InvalidField("extents", "must hold at least one volume");
  if (extents_json->size() > limits.max_volumes) {
    return LimitExceeded("extents", fmt::format("has {} volumes; at most {} are allowed",
                                                extents_json->size(), limits.max_volumes));
  }
  std::vector<geo::Volume4D> extents;
  extents.reserve(extents_json->size());
  for (size_t i = 0; i < extents_json->size(); ++i) {
    ASSIGN_OR_RETURN(
        geo::Volume4D volume,
        geo::Volume4D::FromJson((*extents_json)[i], IndexPath("extents", i), limits.volume, now));
    extents.push_back(std::move(volume));
  }

  // state: Accepted or Activated when filed (Nonconforming and Contingent are set by updates).
  ASSIGN_OR_RETURN(std::string state_name, object.String("state"));
  absl::StatusOr<strategic::OperationState> state = strategic::ParseState(state_name);
  if (!state.ok() || *state == strategic::OperationState::kEnded) {
    return InvalidField("state",
                        fmt::format("'{}' is not one of Accepted, Activated, "
                                    "Nonconforming, Contingent (end an operation with DELETE)",
                                    state_name.substr(0, 64)));
  }

  // key: OVNs, optional (an empty key is fine when nothing overlaps).
  std::vector<std::string> key;
  if (const boost::json::value* key_json = object.Find("key")) {
    if (!key_json->is_array()) return InvalidField("key", "must be an array of OVN strings");
    const boost::json::array& ovns = key_json->get_array();
    if (ovns.size() > limits.max_key) {
      return LimitExceeded(
          "key", fmt::format("has {} OVNs; at most {} are allowed", ovns.size(), limits.max_key));
    }
    for (size_t i = 0; i < ovns.size(); ++i) {
      if (!ovns[i].is_string())
        return InvalidField(IndexPath("key", i), "must be a non-empty OVN string");
      key.emplace_back(ovns[i].get_string());
    }
  }

  std::string label;
  if (const boost::json::value* label_json = object.Find("label")) {
    if (!label_json->is_string()) return InvalidField("label", "must be a string");
    label = std::string(label_json->get_string());
  }
  RETURN_IF_ERROR(object.NoOtherFields());
  return strategic::MakeOperationRequest(std::move(extents), *state, std::move(key),
                                         std::move(label), limits);
}

boost::json::object OperationJson(const store::OperationRecord& r) {
  return boost::json::object{{"id", r.id},
                             {"party", r.party},
                             {"version", r.version},
                             {"ovn", r.ovn},
                             {"state", r.state},
                             {"label", r.label},
                             {"extents", ExtentsJson(r.extents)},
                             {"created_at", FormatRfc3339(r.created_at)},
                             {"updated_at", FormatRfc3339(r.updated_at)},
                             {"ledger_index", r.ledger_index}};
}

boost::json::object RefJson(const strategic::OperationRef& r) {
  return boost::json::object{
      {"id", r.id.value()}, {"party", r.party.value()}, {"state", r.state}, {"ovn", r.ovn}};
}

boost::json::array ProtectedHitsJson(const std::vector<strategic::ProtectedHit>& hits) {
  boost::json::array out;
  for (const strategic::ProtectedHit& h : hits) {
    boost::json::array per_volume;
    for (const auto& e : h.overlaps) {
      per_volume.push_back({{"extent", e.extent}, {"overlap", geo::OverlapToJson(e.overlap)}});
    }
    boost::json::object hit{{"ref", h.ref},
                            {"overlap", geo::OverlapToJson(h.overlap)},
                            {"overlaps", std::move(per_volume)}};
    // A token given out of band (an AOR's, by its holder) is named, never shown.
    hit["version"] = h.disclose_version ? boost::json::value(h.version) : nullptr;
    out.push_back(std::move(hit));
  }
  return out;
}

boost::json::object PutResultJson(const strategic::WriteResult& result) {
  boost::json::array conflicts;
  for (const strategic::Conflict& c : result.conflicts) {
    boost::json::object ref = RefJson(c.other);
    ref["overlap"] = geo::OverlapToJson(c.overlap);
    conflicts.push_back(std::move(ref));
  }
  return boost::json::object{{"operation", OperationJson(result.operation)},
                             {"conflicts", std::move(conflicts)},
                             {"protected", ProtectedHitsJson(result.protected_hits)},
                             {"ledger_index", result.ledger_index}};
}

boost::json::object EndResultJson(const strategic::WriteResult& result) {
  return boost::json::object{{"operation", OperationJson(result.operation)},
                             {"ledger_index", result.ledger_index}};
}

boost::json::array MissingJson(const strategic::KeyRuleRefusal& refusal) {
  boost::json::array missing;
  for (const strategic::MissingOperation& m : refusal.missing) {
    boost::json::object item = RefJson(m.other);
    item["overlap"] = geo::OverlapToJson(m.overlap);
    boost::json::array per_volume;
    for (const auto& e : m.overlaps) {
      per_volume.push_back({{"extent", e.extent}, {"overlap", geo::OverlapToJson(e.overlap)}});
    }
    item["overlaps"] = std::move(per_volume);
    missing.push_back(std::move(item));
  }
  return missing;
}

boost::json::object OperationViewJson(const strategic::OperationView& view) {
  if (view.whole) return OperationJson(*view.whole);
  boost::json::object ref = RefJson(view.ref);
  boost::json::array overlaps;
  for (const auto& o : view.overlaps) {
    overlaps.push_back(
        {{"operation", o.operation.value()}, {"overlap", geo::OverlapToJson(o.overlap)}});
  }
  ref["overlaps"] = std::move(overlaps);
  if (view.territory) {
    ref["territory_overlap"] = geo::OverlapToJson(*view.territory);
    // Seen only through a territory: the host learns where, not the token for a key.
    if (view.overlaps.empty()) ref.erase("ovn");
  }
  return ref;
}

boost::json::object OwnPageJson(const strategic::Page<store::OperationRecord>& page) {
  boost::json::array operations;
  for (const store::OperationRecord& r : page.items) operations.push_back(OperationJson(r));
  boost::json::object out{{"operations", std::move(operations)}};
  if (!page.next.empty()) out["next_cursor"] = EncodeCursor("own", page.next);
  return out;
}

boost::json::object TerritoryPageJson(const std::string& thing,
                                      const strategic::Page<strategic::QueryHit>& page) {
  boost::json::array operations;
  for (const strategic::QueryHit& hit : page.items) {
    boost::json::object ref = RefJson(hit.ref);
    ref.erase("ovn");
    if (hit.overlap) ref["overlap"] = geo::OverlapToJson(*hit.overlap);
    operations.push_back(std::move(ref));
  }
  boost::json::object out{{"territory", thing}, {"operations", std::move(operations)}};
  if (!page.next.empty()) out["next_cursor"] = EncodeCursor("territory", page.next);
  return out;
}

boost::json::object QueryPageJson(const strategic::Page<strategic::QueryHit>& page) {
  boost::json::array operations;
  for (const strategic::QueryHit& hit : page.items) {
    if (hit.whole) {
      operations.push_back(OperationJson(*hit.whole));
    } else {
      boost::json::object ref = RefJson(hit.ref);
      if (hit.overlap) ref["overlap"] = geo::OverlapToJson(*hit.overlap);
      if (hit.coarsened) ref["coarsened"] = true;
      operations.push_back(std::move(ref));
    }
  }
  boost::json::object out{{"operations", std::move(operations)}};
  if (!page.next.empty()) out["next_cursor"] = EncodeCursor("query", page.next);
  return out;
}

boost::json::object ProbesJson(const std::vector<strategic::ProbeRecord>& probes) {
  boost::json::array items;
  for (const strategic::ProbeRecord& p : probes) {
    items.push_back({{"operation", p.operation.value()},
                     {"party", p.party.value()},
                     {"count", p.count},
                     {"last", FormatRfc3339(p.last)}});
  }
  return boost::json::object{{"probes", std::move(items)}};
}

boost::json::object ConflictsPageJson(const strategic::Page<strategic::OwnConflict>& page) {
  boost::json::array conflicts;
  for (const strategic::OwnConflict& c : page.items) {
    conflicts.push_back({{"operation", c.operation.value()},
                         {"other", RefJson(c.other)},
                         {"overlap", geo::OverlapToJson(c.overlap)}});
  }
  boost::json::object out{{"conflicts", std::move(conflicts)}};
  if (!page.next.empty()) out["next_cursor"] = EncodeCursor("conflicts", page.next);
  return out;
}

std::string EncodeCursor(std::string_view list, const std::string& next) {
  if (next.empty()) return "";
  return absl::WebSafeBase64Escape(fmt::format("{}:{}", list, next));
}

absl::StatusOr<strategic::PageRequest> PageRequestOf(std::string_view list,
                                                     const boost::json::value* limit,
                                                     const boost::json::value* cursor) {
  std::optional<int64_t> n;
  if (limit != nullptr) {
    if (!limit->is_int64() && !limit->is_uint64())
      return InvalidField("limit", "must be an integer");
    n = limit->is_int64()
            ? limit->get_int64()
            : static_cast<int64_t>(std::min<uint64_t>(limit->get_uint64(), INT64_MAX));
  }
  std::string cursor_text;
  if (cursor != nullptr) {
    if (!cursor->is_string()) return InvalidField("cursor", "must be a string");
    cursor_text = std::string(cursor->get_string());
  }
  return Page(list, n, cursor != nullptr ? &cursor_text : nullptr);
}

absl::StatusOr<strategic::PageRequest> PageRequestOf(std::string_view list,
                                                     const std::string* limit,
                                                     const std::string* cursor) {
  std::optional<int64_t> n;
  if (limit != nullptr) {
    if (limit->empty() || limit->size() > 9 ||
        limit->find_first_not_of("0123456789") != std::string::npos) {
      return InvalidField("limit",
                          fmt::format("must be an integer between 1 and {}", kMaxPageLimit));
    }
    n = std::stoll(*limit);
  }
  return Page(list, n, cursor);
}

}  // namespace deconflict::api
