#include "api/incident_json.h"

#include <cmath>

#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "parties/acknowledgement.h"

namespace deconflict::api {
namespace {

namespace json = boost::json;
using monitoring::IncidentRequest;

absl::StatusOr<Timestamp> TimeAt(JsonObject& o, std::string_view key) {
  ASSIGN_OR_RETURN(std::string text, o.String(key));
  absl::StatusOr<Timestamp> t = ParseRfc3339(text);
  if (!t.ok()) return InvalidField(o.PathOf(key), "must be an RFC 3339 time");
  return *t;
}

absl::StatusOr<int64_t> IntAt(JsonObject& o, std::string_view key) {
  ASSIGN_OR_RETURN(double d, o.Number(key));
  if (d != std::floor(d) || std::fabs(d) > 9e15) {
    return InvalidField(o.PathOf(key), "must be an integer");
  }
  return static_cast<int64_t>(d);
}

// An optional string field: "" when absent.
absl::StatusOr<std::string> OptionalString(JsonObject& o, std::string_view key) {
  if (o.Find(key) == nullptr) return std::string();
  return o.String(key);
}

absl::StatusOr<geo::LatLng> LatLngAt(JsonObject& o, std::string_view key) {
  ASSIGN_OR_RETURN(JsonObject p, o.Object(key));
  geo::LatLng out{0, 0};
  ASSIGN_OR_RETURN(out.lat_deg, p.Number("lat"));
  ASSIGN_OR_RETURN(out.lng_deg, p.Number("lng"));
  RETURN_IF_ERROR(p.NoOtherFields());
  return out;
}

constexpr std::string_view kAcledFields[] = {
    "disorder_type", "assoc_actor_1",      "inter1", "assoc_actor_2", "inter2",
    "interaction",   "civilian_targeting", "iso",    "region",        "country",
    "admin3",        "source_scale",       "tags",   "timestamp"};

std::array<std::string*, 14> AcledFieldsOf(monitoring::AcledExtras& a) {
  return {&a.disorder_type, &a.assoc_actor_1,      &a.inter1, &a.assoc_actor_2, &a.inter2,
          &a.interaction,   &a.civilian_targeting, &a.iso,    &a.region,        &a.country,
          &a.admin3,        &a.source_scale,       &a.tags,   &a.timestamp};
}

}  // namespace

absl::StatusOr<monitoring::Signature> ReadSignature(JsonObject& o) {
  ASSIGN_OR_RETURN(std::string b64, o.String("signature"));
  std::optional<std::string> raw = FromAnyBase64(b64);
  if (!raw) return InvalidField("signature", "must be base64 of the 64-byte Ed25519 signature");
  ASSIGN_OR_RETURN(std::string signed_at, o.String("signed_at"));
  ASSIGN_OR_RETURN(Timestamp at, parties::ParseAckTime(signed_at, "signed_at"));
  monitoring::Signature out{.signature = *std::move(raw), .signed_at = at};
  if (o.Find("key_id") != nullptr) {
    ASSIGN_OR_RETURN(out.key_id, o.String("key_id"));
  }
  return out;
}

namespace {

absl::StatusOr<std::optional<int64_t>> OptionalVersion(JsonObject& o) {
  if (o.Find("version") == nullptr) return std::nullopt;
  ASSIGN_OR_RETURN(int64_t v, IntAt(o, "version"));
  return v;
}

json::value Optional(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::object FatalitiesJson(int64_t best, int64_t low, int64_t high) {
  return json::object{{"best", best}, {"low", low}, {"high", high}};
}

json::object TotalsJson(const monitoring::Totals& t) {
  return json::object{{"count", t.count}, {"fatalities", FatalitiesJson(t.best, t.low, t.high)}};
}

json::object ChangeJson(const monitoring::Totals& now, const monitoring::Totals& before) {
  return json::object{
      {"count", now.count - before.count},
      {"count_pct",
       before.count == 0
           ? json::value(nullptr)
           : json::value(std::round(1000.0 * static_cast<double>(now.count - before.count) /
                                    static_cast<double>(before.count)) /
                         10.0)},
      {"fatalities_best", now.best - before.best}};
}

}  // namespace

absl::StatusOr<IncidentRequest> ReadIncident(std::string_view id, const json::value& body) {
  IncidentRequest r{.id = std::string(id)};
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(body, ""));
  ASSIGN_OR_RETURN(r.occurred_at, TimeAt(o, "occurred_at"));
  if (o.Find("time_precision") != nullptr) {
    ASSIGN_OR_RETURN(int64_t p, IntAt(o, "time_precision"));
    r.time_precision = static_cast<int>(std::clamp<int64_t>(p, -1, 99));
  }
  ASSIGN_OR_RETURN(r.location, LatLngAt(o, "location"));
  if (o.Find("geo_precision") != nullptr) {
    ASSIGN_OR_RETURN(int64_t p, IntAt(o, "geo_precision"));
    r.geo_precision = static_cast<int>(std::clamp<int64_t>(p, -1, 99));
  }
  if (o.Find("observation") != nullptr) {
    ASSIGN_OR_RETURN(JsonObject ob, o.Object("observation"));
    monitoring::Observation obs;
    ASSIGN_OR_RETURN(obs.observer, LatLngAt(ob, "observer"));
    ASSIGN_OR_RETURN(obs.bearing_deg, ob.Number("bearing_deg"));
    ASSIGN_OR_RETURN(const json::array* d, ob.Array("distance_m"));
    if (d->size() != 2) {
      return InvalidField("observation.distance_m", "must be [min, max] in metres");
    }
    ASSIGN_OR_RETURN(obs.distance_min_m, NumberAt((*d)[0], "observation.distance_m[0]"));
    ASSIGN_OR_RETURN(obs.distance_max_m, NumberAt((*d)[1], "observation.distance_m[1]"));
    ASSIGN_OR_RETURN(obs.mode, ob.String("mode"));
    RETURN_IF_ERROR(ob.NoOtherFields());
    r.observation = std::move(obs);
  }
  ASSIGN_OR_RETURN(r.event_type, o.String("event_type"));
  ASSIGN_OR_RETURN(r.sub_event_type, o.String("sub_event_type"));
  ASSIGN_OR_RETURN(r.alleged_party, OptionalString(o, "alleged_party"));
  ASSIGN_OR_RETURN(r.target, OptionalString(o, "target"));
  if (o.Find("fatalities") != nullptr) {
    ASSIGN_OR_RETURN(JsonObject f, o.Object("fatalities"));
    ASSIGN_OR_RETURN(r.fatalities.best, IntAt(f, "best"));
    r.fatalities.low = r.fatalities.high = r.fatalities.best;
    if (f.Find("low") != nullptr) {
      ASSIGN_OR_RETURN(r.fatalities.low, IntAt(f, "low"));
    }
    if (f.Find("high") != nullptr) {
      ASSIGN_OR_RETURN(r.fatalities.high, IntAt(f, "high"));
    }
    RETURN_IF_ERROR(f.NoOtherFields());
  }
  ASSIGN_OR_RETURN(r.notes, OptionalString(o, "notes"));
  if (o.Find("sources") != nullptr) {
    ASSIGN_OR_RETURN(const json::array* a, o.Array("sources"));
    for (size_t i = 0; i < a->size(); ++i) {
      if (!(*a)[i].is_string()) return InvalidField(fmt::format("sources[{}]", i), "must be text");
      r.sources.emplace_back((*a)[i].get_string());
    }
  }
  ASSIGN_OR_RETURN(r.admin1, OptionalString(o, "admin1"));
  ASSIGN_OR_RETURN(r.admin2, OptionalString(o, "admin2"));
  ASSIGN_OR_RETURN(r.location_name, OptionalString(o, "location_name"));
  if (o.Find("acled") != nullptr) {
    ASSIGN_OR_RETURN(JsonObject a, o.Object("acled"));
    const auto fields = AcledFieldsOf(r.acled);
    for (size_t i = 0; i < fields.size(); ++i) {
      ASSIGN_OR_RETURN(*fields[i], OptionalString(a, kAcledFields[i]));
    }
    RETURN_IF_ERROR(a.NoOtherFields());
  }
  RETURN_IF_ERROR(o.NoOtherFields());
  return r;
}

absl::StatusOr<monitoring::FindingRequest> ReadFinding(std::string_view id, std::string_view body) {
  monitoring::FindingRequest r{.incident = std::string(id)};
  if (body.empty())
    return InvalidField("finding", "is required: verified, disputed or unverifiable");
  ASSIGN_OR_RETURN(json::value doc, ParseJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  ASSIGN_OR_RETURN(r.finding, o.String("finding"));
  ASSIGN_OR_RETURN(r.attributed_party, OptionalString(o, "attributed_party"));
  ASSIGN_OR_RETURN(r.confidence, o.String("confidence"));
  ASSIGN_OR_RETURN(r.notes, OptionalString(o, "notes"));
  ASSIGN_OR_RETURN(r.version, OptionalVersion(o));
  if (o.Find("signature") == nullptr) {
    return InvalidField("signature",
                        "is required: sign the statement in the incident's 'sign.finding' with "
                        "the guarantor's registered key");
  }
  ASSIGN_OR_RETURN(r.signature, ReadSignature(o));
  RETURN_IF_ERROR(o.NoOtherFields());
  return r;
}

absl::StatusOr<monitoring::StatementRequest> ReadStatement(std::string_view id,
                                                           std::string_view body) {
  monitoring::StatementRequest r{.incident = std::string(id)};
  if (body.empty()) return InvalidField("text", "is required");
  ASSIGN_OR_RETURN(json::value doc, ParseJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  ASSIGN_OR_RETURN(r.text, o.String("text"));
  ASSIGN_OR_RETURN(r.version, OptionalVersion(o));
  if (o.Find("signature") != nullptr) {
    ASSIGN_OR_RETURN(r.signature, ReadSignature(o));
  }
  RETURN_IF_ERROR(o.NoOtherFields());
  return r;
}

json::object IncidentJson(const store::IncidentRecord& r, monitoring::Status status) {
  json::array sources;
  for (const std::string& s : r.sources) sources.emplace_back(s);
  json::object acled;
  for (size_t i = 0; i < store::kIncidentAcledCount && i < r.acled.size(); ++i) {
    if (!r.acled[i].empty()) acled[kAcledFields[i]] = r.acled[i];
  }
  json::object out{
      {"id", r.id},
      {"version", r.version},
      {"reporter", r.reporter},
      {"origin", r.origin},
      {"created_at", FormatRfc3339(r.created_at)},
      {"status", std::string(monitoring::StatusName(status))},
      {"occurred_at", FormatRfc3339(r.occurred_at)},
      {"time_precision", r.time_precision},
      {"location", json::object{{"lat", r.lat}, {"lng", r.lng}}},
      {"geo_precision", r.geo_precision},
      {"event_type", r.event_type},
      {"sub_event_type", r.sub_event_type},
      {"alleged_party", Optional(r.alleged_party)},
      {"target", Optional(r.target)},
      {"fatalities", FatalitiesJson(r.fatalities_best, r.fatalities_low, r.fatalities_high)},
      {"notes", r.notes},
      {"sources", std::move(sources)},
      {"admin1", Optional(r.admin1)},
      {"admin2", Optional(r.admin2)},
      {"location_name", Optional(r.location_name)},
      {"acled", std::move(acled)},
      {"digest", Hex(r.digest)},
      {"ledger_index", r.ledger_index}};
  if (r.has_observation) {
    out["observation"] =
        json::object{{"observer", json::object{{"lat", r.observer_lat}, {"lng", r.observer_lng}}},
                     {"bearing_deg", r.bearing_deg},
                     {"distance_m", json::array{r.distance_min_m, r.distance_max_m}},
                     {"mode", r.observation_mode}};
  }
  return out;
}

json::object IncidentViewJson(const monitoring::IncidentView& view) {
  const store::IncidentRecord& current = view.versions.back();
  json::array versions, findings, statements;
  for (const store::IncidentRecord& r : view.versions) {
    versions.push_back(IncidentJson(r, view.status));
  }
  for (const store::IncidentFindingRecord& f : view.findings) {
    findings.push_back(json::object{{"seq", f.seq},
                                    {"version", f.incident_version},
                                    {"guarantor", f.guarantor},
                                    {"finding", f.finding},
                                    {"attributed_party", Optional(f.attributed_party)},
                                    {"confidence", f.confidence},
                                    {"notes", f.notes},
                                    {"at", FormatRfc3339(f.at)},
                                    {"key_id", f.key_id},
                                    {"signature", Base64(f.signature)},
                                    {"statement", f.statement},
                                    {"object_digest", Hex(f.digest)},
                                    {"ledger_index", f.ledger_index}});
  }
  for (const store::IncidentStatementRecord& s : view.statements) {
    json::object o{{"seq", s.seq},
                   {"version", s.incident_version},
                   {"party", s.party},
                   {"text", s.text},
                   {"at", FormatRfc3339(s.at)},
                   {"signed", !s.signature.empty()},
                   {"object_digest", Hex(s.digest)},
                   {"ledger_index", s.ledger_index}};
    if (!s.signature.empty()) {
      o["key_id"] = s.key_id;
      o["signature"] = Base64(s.signature);
      o["statement"] = s.statement;
    }
    statements.push_back(std::move(o));
  }
  const std::string object_id = store::IncidentObjectId(current.id, current.version);
  return json::object{
      {"id", current.id},
      {"status", std::string(monitoring::StatusName(view.status))},
      {"attributed_party", Optional(view.attributed_party)},
      {"incident", IncidentJson(current, view.status)},
      {"versions", std::move(versions)},
      {"findings", std::move(findings)},
      {"statements", std::move(statements)},
      // What a signer needs besides its own fields (docs/incidents_format.md computes the object
      // digest from them and incident_digest).
      {"sign",
       json::object{
           {"finding", json::object{{"kind", "incident.finding"}, {"object_id", object_id}}},
           {"statement", json::object{{"kind", "incident.statement"}, {"object_id", object_id}}},
           {"incident_digest", Hex(current.digest)}}}};
}

json::object IncidentsGeoJson(const monitoring::IncidentPage& page) {
  json::array features;
  for (size_t i = 0; i < page.incidents.size(); ++i) {
    const store::IncidentRecord& r = page.incidents[i];
    json::object properties = IncidentJson(r, page.statuses[i]);
    properties.erase("location");
    features.push_back(json::object{
        {"type", "Feature"},
        {"id", r.id},
        {"geometry", json::object{{"type", "Point"}, {"coordinates", json::array{r.lng, r.lat}}}},
        {"properties", std::move(properties)}});
  }
  return json::object{{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

json::object StatsJson(const monitoring::Stats& s, std::string_view group_by) {
  json::array groups;
  for (const monitoring::Group& g : s.groups) {
    json::object o = TotalsJson(g.current);
    o["key"] = g.key;
    o["previous"] = TotalsJson(g.previous);
    o["change"] = ChangeJson(g.current, g.previous);
    groups.push_back(std::move(o));
  }
  return json::object{{"from", FormatRfc3339(s.from)},
                      {"to", FormatRfc3339(s.to)},
                      {"previous_from", FormatRfc3339(s.previous_from)},
                      {"group_by", group_by},
                      {"total", TotalsJson(s.total)},
                      {"previous_total", TotalsJson(s.previous_total)},
                      {"change", ChangeJson(s.total, s.previous_total)},
                      {"groups", std::move(groups)}};
}

json::object ImportJson(const monitoring::ImportResult& r) {
  json::array refused;
  for (const monitoring::ImportRefusal& x : r.refused) {
    refused.push_back(json::object{{"line", x.line}, {"column", x.column}, {"message", x.message}});
  }
  return json::object{
      {"created", r.created},
      {"changed", r.changed},
      {"unchanged", r.unchanged},
      {"refused", std::move(refused)},
      {"first_ledger_index",
       r.first_ledger_index < 0 ? json::value(nullptr) : json::value(r.first_ledger_index)},
      {"last_ledger_index",
       r.last_ledger_index < 0 ? json::value(nullptr) : json::value(r.last_ledger_index)}};
}

}  // namespace deconflict::api
