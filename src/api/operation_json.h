// api/operation_json.h: the JSON views of strategic's typed answers (the wire format of the
// /v1/operations and /v1/conflicts routes, design.md §5 and openapi.json), and the opaque page
// cursor.
//
//   Whole operation: {"id","party","version","ovn","state","label","extents","created_at",
//                     "updated_at","ledger_index"}
//   Reference:       {"id","party","state","ovn"} (+ "overlap" or "overlaps" as the view says)
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "boost/json.hpp"
#include "store/store.h"
#include "strategic/operation_service.h"

namespace deconflict::api {

// The body of PUT /v1/operations/{id}[/{ovn}]:
//   {"extents": [Volume4D, ...], "state": "Accepted"|"Activated"|"Nonconforming"|"Contingent",
//    "key": [OVN, ...]?, "label": "..."?}
// Volumes through geo's ASTM codec at `now`, then strategic::MakeOperationRequest. Unknown
// fields refused. InvalidArgument (400) or LimitExceeded (413) naming the field
// ("extents[2].time_end.value", "key[0]", "label").
[[nodiscard]] absl::StatusOr<strategic::OperationRequest> ParseOperationRequest(
    const boost::json::value& body, const strategic::OperationLimits& limits, Timestamp now);

boost::json::object OperationJson(const store::OperationRecord& record);
boost::json::object RefJson(const strategic::OperationRef& ref);

// PUT: {"operation", "conflicts": [ref + "overlap"], "protected": ProtectedHitsJson,
// "ledger_index"}.
boost::json::object PutResultJson(const strategic::WriteResult& result);
// DELETE: {"operation", "ledger_index"}.
boost::json::object EndResultJson(const strategic::WriteResult& result);
// Protected places met (strategic/protected_volumes.h): [{"ref", "version", "overlap",
// "overlaps": [{"extent", "overlap"}]}], the "protected" of a PUT's answer and the
// "protected_missing" of a key rule refusal.
boost::json::array ProtectedHitsJson(const std::vector<strategic::ProtectedHit>& hits);
// The key rule's refusal: [ref + "overlap" + "overlaps": [{"extent", "overlap"}]].
boost::json::array MissingJson(const strategic::KeyRuleRefusal& refusal);
// GET: whole, or ref + "overlaps": [{"operation", "overlap"}] (+ "territory_overlap" for a host,
// without "ovn" when the territory alone shows it).
boost::json::object OperationViewJson(const strategic::OperationView& view);
// POST /v1/operations/query: {"operations": [...], "next_cursor"?}; another party's operation
// shown coarsened carries "coarsened": true.
boost::json::object QueryPageJson(const strategic::Page<strategic::QueryHit>& page);
// GET /v1/operations: {"operations": [whole operation], "next_cursor"?}.
boost::json::object OwnPageJson(const strategic::Page<store::OperationRecord>& page);
// GET /v1/territory/operations: {"territory": thing, "operations": [{"id", "party", "state",
// "overlap"}], "next_cursor"?}: no OVN (a host learns where, not the token for a key).
boost::json::object TerritoryPageJson(const std::string& thing,
                                      const strategic::Page<strategic::QueryHit>& page);
// GET /v1/probes: {"probes": [{"operation", "party", "count", "last"}]}.
boost::json::object ProbesJson(const std::vector<strategic::ProbeRecord>& probes);
// GET /v1/conflicts: {"conflicts": [{"operation", "other", "overlap"}], "next_cursor"?}.
boost::json::object ConflictsPageJson(const strategic::Page<strategic::OwnConflict>& page);

// Pagination parameters of a list (design.md §5): `limit` (default 100, 1..1000) and `cursor`
// (opaque, from a previous page's next_cursor; bound to the list it came from by `list`).
// InvalidArgument naming "limit" or "cursor".
inline constexpr size_t kDefaultPageLimit = 100;
inline constexpr size_t kMaxPageLimit = 1000;
// From a JSON body (null pointers: absent).
[[nodiscard]] absl::StatusOr<strategic::PageRequest> PageRequestOf(
    std::string_view list, const boost::json::value* limit, const boost::json::value* cursor);
// From query parameters (nullptr: absent).
[[nodiscard]] absl::StatusOr<strategic::PageRequest> PageRequestOf(std::string_view list,
                                                                   const std::string* limit,
                                                                   const std::string* cursor);
// The cursor for position `next` of list `list` ("" when `next` is empty).
std::string EncodeCursor(std::string_view list, const std::string& next);

}  // namespace deconflict::api
