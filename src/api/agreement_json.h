// api/agreement_json.h: the JSON of agreements (agreements/agreements.h): request bodies read
// strictly (unknown fields refused, every error naming its field) and the views the routes
// answer. Areas are GeoJSON (RFC 7946, [longitude, latitude]).
//
//   proposal body  {"kind", "content", "approvers": [party], "expires_at", "amends"?,
//                   "withdraw"?}; content per kind:
//                     list_entry             {"list", "op": "add"|"remove", "entry": {"name",
//                                             "aliases"?, "notes"?}}
//                     area_of_responsibility {"party", "area": Polygon, "altitude_lower_m",
//                                             "altitude_upper_m", "time_start", "time_end"}
//                     territory              {"party", "area": Polygon | MultiPolygon}
//                     text                   {"title", "text"}
//   decision body  {"decision": "approve"|"reject", "signature"? (base64), "key_id"?,
//                   "signed_at"? (with signature)}
//   proposal       the body + {"id", "proposer", "state", "created_at", "closed_at"?, "digest",
//                   "ledger_index", "decision_statement": {"approve": {kind, object_id,
//                   object_digest}, "reject": {...}}, "decisions": [...], "agreement"?}
//   agreement      {"id" (the thing), "version", "ovn" (approvers only), "kind", "proposal",
//                   "content", "approvers", "withdrawn", "agreed_at", "digest", "ledger_index"}
//   list           {"name", "at", "entries": [{"name", "aliases", "notes", "version",
//                   "proposal", "agreed_at"}]}
//
// Thread-safe (pure functions).
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "agreements/agreements.h"
#include "boost/json.hpp"

namespace deconflict::api {

[[nodiscard]] absl::StatusOr<agreements::ProposalRequest> ReadProposal(
    std::string_view id, const boost::json::value& body);
[[nodiscard]] absl::StatusOr<agreements::DecisionRequest> ReadDecision(std::string_view id,
                                                                       std::string_view body);

boost::json::object ProposalJson(const store::ProposalRecord& p);
boost::json::object ProposalViewJson(const agreements::ProposalView& view);
// `show_ovn`: the viewer is an approver (an AOR's token is given by its holder, not shown).
boost::json::object AgreementJson(const store::AgreementRecord& a, bool show_ovn);
boost::json::object ListJson(std::string_view name, Timestamp at,
                             const std::vector<store::ListEntryRecord>& entries);

}  // namespace deconflict::api
