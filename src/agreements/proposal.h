// agreements/proposal.h: what a party proposes (issue 12): an entry added to or removed from an
// agreed list, an area of responsibility, a host's territory, or a text, with the parties that
// must all approve it. The typed request and its validation; errors name the JSON field of the
// API (`content.area.coordinates[0][3]`, `approvers[1]`) so that the API can pass them on.
//
//   ProposalRequest p{.id = "designate-hts", .kind = ProposalKind::kListEntry,
//                     .content = ListEntryChange{.list = "designated-groups", ...},
//                     .approvers = {PartyId("RU"), PartyId("TR"), PartyId("US")}, ...};
//   RETURN_IF_ERROR(ValidateProposal(p, PartyId("RU"), clock.Now()));
//   ASSIGN_OR_RETURN(std::vector<geo::Volume4D> volumes, AreaVolumes(aor, limits, now));
//
// Rules (the service adds those that need the store: parties exist, the amended agreement):
//  - id: 1-64 of [a-z0-9._-], first a letter or digit (a UUID is one);
//  - approvers: 1-50 distinct party ids; the proposer is added if missing (it must approve too:
//    its PUT is not its approval, so every approver leaves one decision, signed or not);
//  - expires_at: after now, at most max_open after now;
//  - list_entry: list 1-64 of [a-z0-9._-]; op add|remove; entry.name 1-200 bytes, no control
//    characters; up to 20 aliases of 1-200 bytes, distinct; notes up to 4 KiB;
//  - area_of_responsibility: party (the holder); area a GeoJSON Polygon (one ring, 3-1,000
//    vertices, closed, no holes), altitude band and [time_start, time_end) as geo::Volume4D's
//    rules, with AgreementLimits' larger area and horizon;
//  - territory: party (the host); area a Polygon or MultiPolygon (up to 20 polygons, 1,000
//    vertices in all), each as above, over all altitudes and no end in time;
//  - text: title 1-200 bytes, text 1 byte to 64 KiB.
// Geometry conventions are geo/volume.h's (S2 sphere, geodesic edges, closed sets).
//
// Thread-safety: value types, thread-compatible.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "geo/volume.h"

namespace deconflict::agreements {

enum class ProposalKind { kListEntry, kAreaOfResponsibility, kTerritory, kText };
// "list_entry", "area_of_responsibility", "territory", "text".
std::string_view KindName(ProposalKind kind);
// InvalidArgument naming `field` for any other text.
[[nodiscard]] absl::StatusOr<ProposalKind> ParseKind(std::string_view text,
                                                     std::string_view field = "kind");

struct ListEntry {
  std::string name;
  std::vector<std::string> aliases;  // in the order given, distinct
  std::string notes;
  bool operator==(const ListEntry&) const = default;
};

struct ListEntryChange {
  enum class Op { kAdd, kRemove };
  std::string list;  // the list's name, e.g. "designated-groups"
  Op op = Op::kAdd;
  ListEntry entry;  // for a removal only entry.name counts
  bool operator==(const ListEntryChange&) const = default;
};

// A ring as GeoJSON gives it, without the repeated closing position.
using Ring = std::vector<geo::LatLng>;

struct AreaOfResponsibility {
  PartyId party;  // the holder
  Ring area;
  geo::AltitudeBand altitude{0, 0};
  geo::TimeWindow window;
  bool operator==(const AreaOfResponsibility&) const = default;
};

struct Territory {
  PartyId party;            // the host
  std::vector<Ring> areas;  // one per polygon (a Polygon gives one)
  bool multi = false;       // given as a MultiPolygon (so that it is answered as one)
  bool operator==(const Territory&) const = default;
};

struct TextAgreement {
  std::string title;
  std::string text;
  bool operator==(const TextAgreement&) const = default;
};

using Content = std::variant<ListEntryChange, AreaOfResponsibility, Territory, TextAgreement>;

struct ProposalRequest {
  std::string id;
  ProposalKind kind = ProposalKind::kText;
  Content content;                 // the alternative that matches kind
  std::vector<PartyId> approvers;  // as given; NormalizedApprovers sorts and adds the proposer
  Timestamp expires_at;
  // Changes an agreement made before (its id, e.g. "aor/north-palmyra"): the new content
  // replaces it, or with `withdraw` ends it. Lists need neither: an entry is removed by a
  // list_entry proposal with op remove.
  std::optional<std::string> amends;
  bool withdraw = false;
  bool operator==(const ProposalRequest&) const = default;
};

struct AgreementLimits {
  size_t max_approvers = 50;
  std::chrono::hours max_open{24 * 90};  // Default: a proposal stays open at most 90 days.
  size_t max_name = 200;                 // list entry names, aliases, titles
  size_t max_aliases = 20;
  size_t max_notes = 4096;
  size_t max_text = 64 * 1024;
  size_t max_vertices = 1000;  // per AOR; in all for a territory
  size_t max_polygons = 20;
  double max_area_km2 = 1e6;              // "Raqqa" alone is ~19,600 km²; a country is larger
  std::chrono::hours horizon{24 * 3660};  // Default: an AOR ends at most ~10 years ahead.
};

// The approvers sorted and distinct, with `proposer` among them.
std::vector<PartyId> NormalizedApprovers(std::vector<PartyId> approvers, const PartyId& proposer);

// Checks everything but what needs the store. Errors (each naming the field):
//   InvalidArgument  a malformed id, kind/content mismatch, approver, expires_at, list, op,
//                    name, alias, area, band, window, title or text; `withdraw` without
//                    `amends`, or with new content on a list entry
//   LimitExceeded    more than the limit of approvers, aliases, vertices, polygons, bytes of
//                    text, or too large an area
[[nodiscard]] absl::Status ValidateProposal(const ProposalRequest& request, const PartyId& proposer,
                                            Timestamp now, const AgreementLimits& limits = {});

// The id rule alone (proposals, lists). InvalidArgument naming `field`.
[[nodiscard]] absl::Status CheckSlug(std::string_view id, std::string_view field);

// The volumes an AOR or a territory covers (one per polygon), as the strategic index and the
// key rule take them. A territory covers all altitudes, from `now` to now + limits.horizon.
// REQUIRES: ValidateProposal OK. Errors as ValidateProposal's for the area.
[[nodiscard]] absl::StatusOr<std::vector<geo::Volume4D>> AreaVolumes(
    const AreaOfResponsibility& aor, Timestamp now, const AgreementLimits& limits = {});
[[nodiscard]] absl::StatusOr<std::vector<geo::Volume4D>> AreaVolumes(
    const Territory& territory, Timestamp now, const AgreementLimits& limits = {});

}  // namespace deconflict::agreements
