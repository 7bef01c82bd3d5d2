#include "agreements/proposal.h"

#include <algorithm>
#include <set>

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::agreements {
namespace {

constexpr std::string_view kKindNames[] = {"list_entry", "area_of_responsibility", "territory",
                                           "text"};

absl::Status CheckText(std::string_view text, std::string_view field, size_t min, size_t max,
                       bool newlines) {
  if (text.size() < min) return InvalidField(field, "must not be empty");
  if (text.size() > max) return LimitExceeded(field, fmt::format("is over {} bytes", max));
  for (unsigned char c : text) {
    if (c == 0x7f || (c < 0x20 && !(newlines && (c == '\n' || c == '\t')))) {
      return InvalidField(field, "holds a control character");
    }
  }
  return absl::OkStatus();
}

// "volume.outline_polygon.vertices[3].lat" -> 3; nullopt for any other path.
std::optional<size_t> VertexOf(std::string_view field) {
  constexpr std::string_view kPrefix = "volume.outline_polygon.vertices[";
  if (field.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  field.remove_prefix(kPrefix.size());
  size_t i = 0, digits = 0;
  while (digits < field.size() && field[digits] >= '0' && field[digits] <= '9') {
    i = i * 10 + static_cast<size_t>(field[digits] - '0');
    ++digits;
  }
  if (digits == 0 || digits >= field.size() || field[digits] != ']') return std::nullopt;
  return i;
}

// Volume4D::Make names the ASTM fields; the API's are GeoJSON and flat numbers. `ring` is the
// GeoJSON path of the ring ("content.area.coordinates[0]").
absl::Status Renamed(const absl::Status& status, const std::string& ring) {
  const std::string field = FieldOf(status).value_or("");
  std::string_view what(status.message().data(), status.message().size());
  if (!field.empty() && what.substr(0, field.size()) == field) what.remove_prefix(field.size());
  if (what.substr(0, 2) == ": ") what.remove_prefix(2);
  std::string renamed = ring;
  if (std::optional<size_t> vertex = VertexOf(field)) {
    renamed = fmt::format("{}[{}]", ring, *vertex);
  } else if (field == "volume.altitude_lower.value") {
    renamed = "content.altitude_lower_m";
  } else if (field == "volume.altitude_upper.value") {
    renamed = "content.altitude_upper_m";
  } else if (field == "time_start.value") {
    renamed = "content.time_start";
  } else if (field == "time_end.value") {
    renamed = "content.time_end";
  }
  if (IsLimitExceeded(status)) return LimitExceeded(renamed, what);
  return FieldError(status.code(), renamed, what);
}

geo::VolumeLimits VolumeLimitsOf(const AgreementLimits& limits, size_t max_vertices) {
  geo::VolumeLimits v;
  v.max_vertices = max_vertices;
  v.max_area_km2 = limits.max_area_km2;
  v.horizon = limits.horizon;
  return v;
}

absl::StatusOr<geo::Volume4D> RingVolume(const Ring& ring, const geo::AltitudeBand& band,
                                         const geo::TimeWindow& window,
                                         const AgreementLimits& limits, size_t max_vertices,
                                         Timestamp now, const std::string& path) {
  absl::StatusOr<geo::Volume4D> v = geo::Volume4D::Make(
      geo::Polygon{ring}, band, window, VolumeLimitsOf(limits, max_vertices), now, "");
  if (!v.ok()) return Renamed(v.status(), path);
  return v;
}

absl::Status CheckListEntry(const ListEntryChange& c, const AgreementLimits& limits) {
  RETURN_IF_ERROR(CheckSlug(c.list, "content.list"));
  RETURN_IF_ERROR(CheckText(c.entry.name, "content.entry.name", 1, limits.max_name, false));
  if (c.entry.aliases.size() > limits.max_aliases) {
    return LimitExceeded(
        "content.entry.aliases",
        fmt::format("has {} aliases; at most {}", c.entry.aliases.size(), limits.max_aliases));
  }
  std::set<std::string_view> seen{c.entry.name};
  for (size_t i = 0; i < c.entry.aliases.size(); ++i) {
    const std::string field = fmt::format("content.entry.aliases[{}]", i);
    RETURN_IF_ERROR(CheckText(c.entry.aliases[i], field, 1, limits.max_name, false));
    if (!seen.insert(c.entry.aliases[i]).second) {
      return InvalidField(field, "repeats the name or another alias");
    }
  }
  return CheckText(c.entry.notes, "content.entry.notes", 0, limits.max_notes, true);
}

}  // namespace

std::string_view KindName(ProposalKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

absl::StatusOr<ProposalKind> ParseKind(std::string_view text, std::string_view field) {
  for (size_t i = 0; i < std::size(kKindNames); ++i) {
    if (text == kKindNames[i]) return static_cast<ProposalKind>(i);
  }
  return InvalidField(field, "must be list_entry, area_of_responsibility, territory or text");
}

absl::Status CheckSlug(std::string_view id, std::string_view field) {
  if (id.empty() || id.size() > 64) return InvalidField(field, "must be 1 to 64 characters");
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
      return InvalidField(field, "must be of [a-z0-9._-], starting with a letter or digit");
    }
  }
  return absl::OkStatus();
}

std::vector<PartyId> NormalizedApprovers(std::vector<PartyId> approvers, const PartyId& proposer) {
  approvers.push_back(proposer);
  std::sort(approvers.begin(), approvers.end(),
            [](const PartyId& a, const PartyId& b) { return a.value() < b.value(); });
  approvers.erase(std::unique(approvers.begin(), approvers.end()), approvers.end());
  return approvers;
}

absl::Status ValidateProposal(const ProposalRequest& r, const PartyId& proposer, Timestamp now,
                              const AgreementLimits& limits) {
  RETURN_IF_ERROR(CheckSlug(r.id, "id"));
  if (r.content.index() != static_cast<size_t>(r.kind)) {
    return InvalidField("content", fmt::format("does not hold a {}", KindName(r.kind)));
  }
  if (r.approvers.size() > limits.max_approvers) {
    return LimitExceeded("approvers", fmt::format("has {} parties; at most {}", r.approvers.size(),
                                                  limits.max_approvers));
  }
  std::set<std::string_view> seen;
  for (size_t i = 0; i < r.approvers.size(); ++i) {
    const std::string field = fmt::format("approvers[{}]", i);
    if (!ParsePartyId(r.approvers[i].value()).ok()) {
      return InvalidField(field, "must be a party id: 1-32 of [A-Za-z0-9_-]");
    }
    if (!seen.insert(r.approvers[i].value()).second) return InvalidField(field, "is repeated");
  }
  if (seen.size() == 1 && seen.contains(proposer.value())) {
    return InvalidField("approvers", "must name a party other than the proposer");
  }
  if (r.approvers.empty()) return InvalidField("approvers", "must name at least one party");
  if (r.expires_at <= now) return InvalidField("expires_at", "must be in the future");
  if (r.expires_at > now + limits.max_open) {
    return InvalidField("expires_at",
                        fmt::format("must be at most {} days ahead", limits.max_open.count() / 24));
  }
  if (r.amends) {
    if (r.kind == ProposalKind::kListEntry) {
      return InvalidField("amends", "does not apply to a list entry: propose op remove or add");
    }
    if (r.amends->empty() || r.amends->size() > 200) {
      return InvalidField("amends", "must be an agreement id");
    }
  } else if (r.withdraw) {
    return InvalidField("withdraw", "needs amends: the agreement to withdraw");
  }

  switch (r.kind) {
    case ProposalKind::kListEntry:
      return CheckListEntry(std::get<ListEntryChange>(r.content), limits);
    case ProposalKind::kAreaOfResponsibility: {
      const auto& aor = std::get<AreaOfResponsibility>(r.content);
      if (!ParsePartyId(aor.party.value()).ok()) {
        return InvalidField("content.party", "must be a party id: 1-32 of [A-Za-z0-9_-]");
      }
      return AreaVolumes(aor, now, limits).status();
    }
    case ProposalKind::kTerritory: {
      const auto& t = std::get<Territory>(r.content);
      if (!ParsePartyId(t.party.value()).ok()) {
        return InvalidField("content.party", "must be a party id: 1-32 of [A-Za-z0-9_-]");
      }
      return AreaVolumes(t, now, limits).status();
    }
    case ProposalKind::kText: {
      const auto& t = std::get<TextAgreement>(r.content);
      RETURN_IF_ERROR(CheckText(t.title, "content.title", 1, limits.max_name, false));
      return CheckText(t.text, "content.text", 1, limits.max_text, true);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<geo::Volume4D>> AreaVolumes(const AreaOfResponsibility& aor,
                                                       Timestamp now,
                                                       const AgreementLimits& limits) {
  ASSIGN_OR_RETURN(geo::Volume4D v,
                   RingVolume(aor.area, aor.altitude, aor.window, limits, limits.max_vertices, now,
                              "content.area.coordinates[0]"));
  return std::vector<geo::Volume4D>{std::move(v)};
}

absl::StatusOr<std::vector<geo::Volume4D>> AreaVolumes(const Territory& territory, Timestamp now,
                                                       const AgreementLimits& limits) {
  if (territory.areas.empty()) return InvalidField("content.area", "must hold a polygon");
  if (territory.areas.size() > limits.max_polygons) {
    return LimitExceeded("content.area", fmt::format("has {} polygons; at most {}",
                                                     territory.areas.size(), limits.max_polygons));
  }
  size_t total = 0;
  for (const Ring& ring : territory.areas) total += ring.size();
  if (total > limits.max_vertices) {
    return LimitExceeded("content.area", fmt::format("has {} vertices in all; at most {}", total,
                                                     limits.max_vertices));
  }
  const geo::VolumeLimits defaults;
  const geo::AltitudeBand all{defaults.min_alt_m, defaults.max_alt_m};
  const geo::TimeWindow always{now, now + limits.horizon};
  std::vector<geo::Volume4D> out;
  for (size_t i = 0; i < territory.areas.size(); ++i) {
    const std::string ring = territory.multi ? fmt::format("content.area.coordinates[{}][0]", i)
                                             : std::string("content.area.coordinates[0]");
    ASSIGN_OR_RETURN(geo::Volume4D v, RingVolume(territory.areas[i], all, always, limits,
                                                 limits.max_vertices, now, ring));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace deconflict::agreements
