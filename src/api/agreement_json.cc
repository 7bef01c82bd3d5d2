#include "api/agreement_json.h"

#include <cmath>

#include "agreements/internal/common.h"
#include "agreements/records.h"
#include "api/geojson.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "parties/acknowledgement.h"

namespace deconflict::api {
namespace {

namespace json = boost::json;
using agreements::AreaOfResponsibility;
using agreements::Content;
using agreements::ListEntryChange;
using agreements::ProposalKind;
using agreements::Ring;
using agreements::Territory;
using agreements::TextAgreement;

absl::StatusOr<Timestamp> TimeAt(JsonObject& o, std::string_view key) {
  ASSIGN_OR_RETURN(std::string text, o.String(key));
  absl::StatusOr<Timestamp> t = ParseRfc3339(text);
  if (!t.ok()) return InvalidField(o.PathOf(key), "must be an RFC 3339 time");
  return *t;
}

absl::StatusOr<std::vector<std::string>> Strings(JsonObject& o, std::string_view key) {
  ASSIGN_OR_RETURN(const json::array* a, o.Array(key));
  std::vector<std::string> out;
  for (size_t i = 0; i < a->size(); ++i) {
    if (!(*a)[i].is_string()) {
      return InvalidField(fmt::format("{}[{}]", o.PathOf(key), i), "must be a string");
    }
    out.emplace_back((*a)[i].get_string());
  }
  return out;
}

// A GeoJSON Polygon (or, with `multi_ok`, MultiPolygon) at o[key]: its rings.
absl::StatusOr<std::pair<std::vector<Ring>, bool>> AreaAt(JsonObject& parent, std::string_view key,
                                                          bool multi_ok) {
  ASSIGN_OR_RETURN(JsonObject o, parent.Object(key));
  ASSIGN_OR_RETURN(std::string type, o.String("type"));
  ASSIGN_OR_RETURN(const json::value* coordinates, o.Required("coordinates"));
  RETURN_IF_ERROR(o.NoOtherFields());
  const std::string cpath = o.PathOf("coordinates");
  if (type == "Polygon") {
    ASSIGN_OR_RETURN(Ring ring, RingOfPolygonAt(*coordinates, cpath));
    return std::pair{std::vector<Ring>{std::move(ring)}, false};
  }
  if (type == "MultiPolygon" && multi_ok) {
    if (!coordinates->is_array() || coordinates->get_array().empty()) {
      return InvalidField(cpath, "must be an array of polygons");
    }
    std::vector<Ring> rings;
    for (size_t i = 0; i < coordinates->get_array().size(); ++i) {
      ASSIGN_OR_RETURN(
          Ring ring, RingOfPolygonAt(coordinates->get_array()[i], fmt::format("{}[{}]", cpath, i)));
      rings.push_back(std::move(ring));
    }
    return std::pair{std::move(rings), true};
  }
  return InvalidField(o.PathOf("type"),
                      multi_ok ? "must be Polygon or MultiPolygon" : "must be Polygon");
}

absl::StatusOr<Content> ContentAt(ProposalKind kind, JsonObject& body) {
  ASSIGN_OR_RETURN(JsonObject c, body.Object("content"));
  Content out;
  switch (kind) {
    case ProposalKind::kListEntry: {
      ListEntryChange change;
      ASSIGN_OR_RETURN(change.list, c.String("list"));
      ASSIGN_OR_RETURN(std::string op, c.String("op"));
      if (op != "add" && op != "remove")
        return InvalidField(c.PathOf("op"), "must be add or remove");
      change.op = op == "add" ? ListEntryChange::Op::kAdd : ListEntryChange::Op::kRemove;
      ASSIGN_OR_RETURN(JsonObject entry, c.Object("entry"));
      ASSIGN_OR_RETURN(change.entry.name, entry.String("name"));
      if (entry.Find("aliases") != nullptr) {
        ASSIGN_OR_RETURN(change.entry.aliases, Strings(entry, "aliases"));
      }
      if (entry.Find("notes") != nullptr) {
        ASSIGN_OR_RETURN(change.entry.notes, entry.String("notes"));
      }
      RETURN_IF_ERROR(entry.NoOtherFields());
      out = std::move(change);
      break;
    }
    case ProposalKind::kAreaOfResponsibility: {
      AreaOfResponsibility aor;
      ASSIGN_OR_RETURN(std::string party, c.String("party"));
      aor.party = PartyId(party);
      ASSIGN_OR_RETURN(auto area, AreaAt(c, "area", false));
      aor.area = std::move(area.first.front());
      ASSIGN_OR_RETURN(aor.altitude.lower_m, c.Number("altitude_lower_m"));
      ASSIGN_OR_RETURN(aor.altitude.upper_m, c.Number("altitude_upper_m"));
      ASSIGN_OR_RETURN(aor.window.start, TimeAt(c, "time_start"));
      ASSIGN_OR_RETURN(aor.window.end, TimeAt(c, "time_end"));
      out = std::move(aor);
      break;
    }
    case ProposalKind::kTerritory: {
      Territory t;
      ASSIGN_OR_RETURN(std::string party, c.String("party"));
      t.party = PartyId(party);
      ASSIGN_OR_RETURN(auto area, AreaAt(c, "area", true));
      t.areas = std::move(area.first);
      t.multi = area.second;
      out = std::move(t);
      break;
    }
    case ProposalKind::kText: {
      TextAgreement t;
      ASSIGN_OR_RETURN(t.title, c.String("title"));
      ASSIGN_OR_RETURN(t.text, c.String("text"));
      out = std::move(t);
      break;
    }
  }
  RETURN_IF_ERROR(c.NoOtherFields());
  return out;
}

json::array RingGeoJson(const Ring& ring) {
  json::array positions;
  for (const geo::LatLng& p : ring) positions.push_back(json::array{p.lng_deg, p.lat_deg});
  if (!ring.empty()) positions.push_back(json::array{ring.front().lng_deg, ring.front().lat_deg});
  json::array rings;
  rings.emplace_back(std::move(positions));  // not array{positions}: clang copies (CWG 1467)
  return rings;
}

json::value ContentJson(std::string_view kind_name, std::string_view text) {
  absl::StatusOr<ProposalKind> kind = agreements::ParseKind(kind_name);
  if (!kind.ok()) return nullptr;
  absl::StatusOr<Content> content = agreements::DecodeContent(*kind, text);
  if (!content.ok()) return nullptr;  // Invariant: stored contents read back (Load checks)
  return std::visit(
      [](const auto& c) -> json::value {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, ListEntryChange>) {
          json::array aliases;
          for (const std::string& a : c.entry.aliases) aliases.emplace_back(a);
          return json::object{{"list", c.list},
                              {"op", c.op == ListEntryChange::Op::kAdd ? "add" : "remove"},
                              {"entry",
                               {{"name", c.entry.name},
                                {"aliases", std::move(aliases)},
                                {"notes", c.entry.notes}}}};
        } else if constexpr (std::is_same_v<T, AreaOfResponsibility>) {
          return json::object{{"party", c.party.value()},
                              {"area", {{"type", "Polygon"}, {"coordinates", RingGeoJson(c.area)}}},
                              {"altitude_lower_m", c.altitude.lower_m},
                              {"altitude_upper_m", c.altitude.upper_m},
                              {"time_start", FormatRfc3339(c.window.start)},
                              {"time_end", FormatRfc3339(c.window.end)}};
        } else if constexpr (std::is_same_v<T, Territory>) {
          json::object area;
          if (c.multi) {
            json::array polygons;
            for (const Ring& ring : c.areas) polygons.push_back(RingGeoJson(ring));
            area = {{"type", "MultiPolygon"}, {"coordinates", std::move(polygons)}};
          } else {
            area = {{"type", "Polygon"},
                    {"coordinates", c.areas.empty() ? json::array() : RingGeoJson(c.areas[0])}};
          }
          return json::object{{"party", c.party.value()}, {"area", std::move(area)}};
        } else {
          return json::object{{"title", c.title}, {"text", c.text}};
        }
      },
      *content);
}

json::array PartiesJson(const std::vector<std::string>& ids) {
  json::array out;
  for (const std::string& id : ids) out.emplace_back(id);
  return out;
}

json::value OptionalTime(const std::optional<Timestamp>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}

json::object DecisionJson(const store::DecisionRecord& d) {
  json::object o{{"party", d.party},
                 {"decision", d.decision},
                 {"at", FormatRfc3339(d.at)},
                 {"signed", !d.signature.empty()},
                 {"ledger_index", d.ledger_index}};
  if (!d.signature.empty()) {
    o["key_id"] = d.key_id;
    o["signature"] = Base64(d.signature);
  }
  return o;
}

}  // namespace

absl::StatusOr<agreements::ProposalRequest> ReadProposal(std::string_view id,
                                                         const json::value& body) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(body, ""));
  agreements::ProposalRequest r{.id = std::string(id)};
  ASSIGN_OR_RETURN(std::string kind, o.String("kind"));
  ASSIGN_OR_RETURN(r.kind, agreements::ParseKind(kind, "kind"));
  ASSIGN_OR_RETURN(r.content, ContentAt(r.kind, o));
  ASSIGN_OR_RETURN(std::vector<std::string> approvers, Strings(o, "approvers"));
  for (std::string& a : approvers) r.approvers.emplace_back(std::move(a));
  ASSIGN_OR_RETURN(r.expires_at, TimeAt(o, "expires_at"));
  if (o.Find("amends") != nullptr) {
    ASSIGN_OR_RETURN(std::string amends, o.String("amends"));
    r.amends = std::move(amends);
  }
  if (const json::value* w = o.Find("withdraw"); w != nullptr) {
    if (!w->is_bool()) return InvalidField("withdraw", "must be true or false");
    r.withdraw = w->get_bool();
  }
  RETURN_IF_ERROR(o.NoOtherFields());
  return r;
}

absl::StatusOr<agreements::DecisionRequest> ReadDecision(std::string_view id,
                                                         std::string_view body) {
  agreements::DecisionRequest r{.proposal = std::string(id)};
  if (body.empty()) return InvalidField("decision", "is required: approve or reject");
  ASSIGN_OR_RETURN(json::value doc, ParseJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  ASSIGN_OR_RETURN(std::string decision, o.String("decision"));
  if (decision != "approve" && decision != "reject") {
    return InvalidField("decision", "must be approve or reject");
  }
  r.approve = decision == "approve";
  if (o.Find("signature") != nullptr) {
    ASSIGN_OR_RETURN(std::string b64, o.String("signature"));
    std::optional<std::string> raw = FromAnyBase64(b64);
    if (!raw) return InvalidField("signature", "must be base64 of the 64-byte Ed25519 signature");
    ASSIGN_OR_RETURN(std::string signed_at, o.String("signed_at"));
    ASSIGN_OR_RETURN(Timestamp at, parties::ParseAckTime(signed_at, "signed_at"));
    r.signature = agreements::DecisionSignature{.signature = *std::move(raw), .signed_at = at};
    if (o.Find("key_id") != nullptr) {
      ASSIGN_OR_RETURN(r.signature->key_id, o.String("key_id"));
    }
  }
  RETURN_IF_ERROR(o.NoOtherFields());
  return r;
}

json::object ProposalJson(const store::ProposalRecord& p) {
  json::object statements;
  for (const char* kind :
       {agreements::internal::kAckKindApprove, agreements::internal::kAckKindReject}) {
    statements[std::string(kind).substr(std::string("proposal.").size())] =
        json::object{{"kind", kind}, {"object_id", p.id}, {"object_digest", Hex(p.digest)}};
  }
  return json::object{{"id", p.id},
                      {"kind", p.kind},
                      {"content", ContentJson(p.kind, p.content)},
                      {"proposer", p.proposer},
                      {"approvers", PartiesJson(p.approvers)},
                      {"amends", p.amends.empty() ? json::value(nullptr) : json::value(p.amends)},
                      {"withdraw", p.withdraw},
                      {"expires_at", FormatRfc3339(p.expires_at)},
                      {"created_at", FormatRfc3339(p.created_at)},
                      {"state", p.state},
                      {"closed_at", OptionalTime(p.closed_at)},
                      {"digest", Hex(p.digest)},
                      {"ledger_index", p.ledger_index},
                      {"decision_statement", std::move(statements)}};
}

json::object ProposalViewJson(const agreements::ProposalView& view) {
  json::object o = ProposalJson(view.proposal);
  json::array decisions;
  for (const store::DecisionRecord& d : view.decisions) decisions.push_back(DecisionJson(d));
  o["decisions"] = std::move(decisions);
  o["agreement"] =
      view.agreement ? json::value(AgreementJson(*view.agreement, true)) : json::value(nullptr);
  return o;
}

json::object AgreementJson(const store::AgreementRecord& a, bool show_ovn) {
  return json::object{{"id", a.thing},
                      {"version", a.version},
                      {"ovn", show_ovn ? json::value(a.ovn) : json::value(nullptr)},
                      {"kind", a.kind},
                      {"proposal", a.proposal},
                      {"content", ContentJson(a.kind, a.content)},
                      {"approvers", PartiesJson(a.approvers)},
                      {"withdrawn", a.withdrawn},
                      {"agreed_at", FormatRfc3339(a.agreed_at)},
                      {"digest", Hex(a.digest)},
                      {"ledger_index", a.ledger_index}};
}

json::object ListJson(std::string_view name, Timestamp at,
                      const std::vector<store::ListEntryRecord>& entries) {
  json::array out;
  for (const store::ListEntryRecord& e : entries) {
    json::array aliases;
    for (const std::string& a : e.aliases) aliases.emplace_back(a);
    out.push_back(json::object{{"name", e.name},
                               {"aliases", std::move(aliases)},
                               {"notes", e.notes},
                               {"version", e.version},
                               {"proposal", e.proposal},
                               {"agreed_at", FormatRfc3339(e.agreed_at)}});
  }
  return json::object{{"name", name}, {"at", FormatRfc3339(at)}, {"entries", std::move(out)}};
}

}  // namespace deconflict::api
