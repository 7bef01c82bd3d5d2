// agreements/records.h: proposal contents as the store keeps them (the `content` column, the
// text a proposal's digest covers) and the names of the things agreements change.
//
//   std::string text = EncodeContent(request.content);      // canonical: one text per content
//   ASSIGN_OR_RETURN(Content content, DecodeContent(record.kind, text));
//
// The canonical text is a JSON object with the API's field names, in a fixed order, numbers as
// boost::json writes doubles (shortest form that reads back the same), times as microseconds:
//   list_entry             {"list","op","name","aliases":[...],"notes"}
//   area_of_responsibility {"party","area":[[lat,lng],...],"altitude_lower_m","altitude_upper_m",
//                           "time_start","time_end"}
//   territory              {"party","multi","areas":[[[lat,lng],...],...]}
//   text                   {"title","text"}
// (lat before lng, as everywhere in the store; the API's GeoJSON is lng, lat.)
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "agreements/proposal.h"

namespace deconflict::agreements {

std::string EncodeContent(const Content& content);
// DataLoss naming what is malformed (a stored row that no longer reads).
[[nodiscard]] absl::StatusOr<Content> DecodeContent(ProposalKind kind, std::string_view text);

// What an agreement of `request` makes a version of: "list/<list>/<name>", "aor/<id>",
// "territory/<host>", "text/<id>"; an amendment or withdrawal names the thing it amends.
std::string ThingOf(const ProposalRequest& request);

// The party an AOR or a territory is given to (empty for lists and texts).
PartyId HolderOf(const Content& content);

}  // namespace deconflict::agreements
