#include "api/humanitarian_json.h"

#include <algorithm>

#include "api/geojson.h"
#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "parties/acknowledgement.h"
#include "store/humanitarian_table.h"

namespace deconflict::api {
namespace {

namespace json = boost::json;
using humanitarian::Geometry;
using humanitarian::Kind;

// A GeoJSON geometry object: Point, Polygon (one closed ring) or LineString.
absl::StatusOr<Geometry> GeometryAt(const json::value& v, const std::string& path) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(v, path));
  ASSIGN_OR_RETURN(std::string type, o.String("type"));
  ASSIGN_OR_RETURN(const json::value* coordinates, o.Required("coordinates"));
  RETURN_IF_ERROR(o.NoOtherFields());
  const std::string cpath = o.PathOf("coordinates");
  Geometry g;
  if (type == "Point") {
    g.type = Geometry::Type::kPoint;
    ASSIGN_OR_RETURN(geo::LatLng p, PositionAt(*coordinates, cpath));
    g.points = {p};
  } else if (type == "LineString") {
    g.type = Geometry::Type::kLineString;
    ASSIGN_OR_RETURN(g.points, PositionsAt(*coordinates, cpath));
  } else if (type == "Polygon") {
    g.type = Geometry::Type::kPolygon;
    ASSIGN_OR_RETURN(g.points, RingOfPolygonAt(*coordinates, cpath));
  } else {
    return InvalidField(o.PathOf("type"), "must be Point, Polygon or LineString");
  }
  return g;
}

absl::StatusOr<Timestamp> TimeAt(JsonObject& o, std::string_view key) {
  ASSIGN_OR_RETURN(std::string text, o.String(key));
  absl::StatusOr<Timestamp> t = ParseRfc3339(text);
  if (!t.ok()) return InvalidField(o.PathOf(key), "must be an RFC 3339 time");
  return *t;
}

absl::StatusOr<std::string> OptionalString(JsonObject& o, std::string_view key) {
  if (o.Find(key) == nullptr) return std::string();
  return o.String(key);
}

// The fields of a site or movement from `o`, the geometry from `geometry` (its path `gpath`).
absl::StatusOr<humanitarian::NotificationRequest> ReadFields(Kind kind, std::string id,
                                                             JsonObject& o,
                                                             const json::value& geometry,
                                                             const std::string& gpath) {
  const humanitarian::FieldNames f = humanitarian::FieldsOf(kind);
  humanitarian::NotificationRequest r{.kind = kind, .id = std::move(id)};
  if (kind == Kind::kSite) {
    ASSIGN_OR_RETURN(r.category, o.String("kind"));
    ASSIGN_OR_RETURN(r.name, o.String("name"));
    ASSIGN_OR_RETURN(r.notes, OptionalString(o, "notes"));
    r.buffer_m = 300;
  } else {
    ASSIGN_OR_RETURN(r.name, OptionalString(o, "name"));
    ASSIGN_OR_RETURN(r.markings, OptionalString(o, "markings"));
    if (o.Find("vehicles") != nullptr) {
      ASSIGN_OR_RETURN(double vehicles, o.Number("vehicles"));
      if (vehicles != std::floor(vehicles) || vehicles < 0 || vehicles > 1e9) {
        return InvalidField(o.PathOf("vehicles"), "must be a whole number of vehicles");
      }
      r.vehicles = static_cast<int64_t>(vehicles);
    }
    r.buffer_m = 500;
  }
  ASSIGN_OR_RETURN(r.geometry, GeometryAt(geometry, gpath));
  if (o.Find(f.buffer) != nullptr) {
    ASSIGN_OR_RETURN(r.buffer_m, o.Number(f.buffer));
  }
  ASSIGN_OR_RETURN(r.window.start, TimeAt(o, f.start));
  ASSIGN_OR_RETURN(r.window.end, TimeAt(o, f.end));
  ASSIGN_OR_RETURN(const json::array* recipients, o.Array("recipients"));
  std::vector<std::pair<std::string, size_t>> sorted;
  for (size_t i = 0; i < recipients->size(); ++i) {
    const json::value& p = (*recipients)[i];
    if (!p.is_string()) return InvalidField(fmt::format("recipients[{}]", i), "must be a party id");
    sorted.emplace_back(std::string(p.get_string()), i);
  }
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i].first == sorted[i - 1].first) {
      return InvalidField(fmt::format("recipients[{}]", sorted[i].second),
                          fmt::format("names {} twice", sorted[i].first));
    }
    r.recipients.emplace_back(sorted[i].first);
  }
  if (o.Find("escalation_channel") != nullptr) {
    ASSIGN_OR_RETURN(std::string channel, o.String("escalation_channel"));
    r.escalation_channel = ChannelId(std::move(channel));
  }
  return r;
}

json::value GeometryJson(const store::HumanitarianRecord& r) {
  json::array positions;
  for (const auto& [lat, lng] : r.coordinates) positions.push_back(json::array{lng, lat});
  if (r.geometry == "point" && !positions.empty()) {
    return json::object{{"type", "Point"}, {"coordinates", positions.front()}};
  }
  if (r.geometry == "polygon" && !positions.empty()) {
    json::value first = positions.front();
    positions.push_back(first);  // RFC 7946: the ring is closed
    // Not `json::array{positions}`: a braced list of one array may copy it (CWG 1467), which
    // some compilers do, and the ring would lose its nesting.
    json::array rings;
    rings.emplace_back(std::move(positions));
    return json::object{{"type", "Polygon"}, {"coordinates", std::move(rings)}};
  }
  return json::object{{"type", "LineString"}, {"coordinates", std::move(positions)}};
}

json::value OptionalTime(const std::optional<Timestamp>& t) {
  return t ? json::value(FormatRfc3339(*t)) : json::value(nullptr);
}

void Merge(json::object& into, json::object from) {
  for (auto& [key, value] : from) into[key] = std::move(value);
}

}  // namespace

absl::StatusOr<humanitarian::NotificationRequest> ReadNotification(Kind kind, std::string_view id,
                                                                   const json::value& body) {
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(body, ""));
  const std::string_view geometry_key = humanitarian::FieldsOf(kind).geometry;
  ASSIGN_OR_RETURN(const json::value* geometry, o.Required(geometry_key));
  ASSIGN_OR_RETURN(humanitarian::NotificationRequest r,
                   ReadFields(kind, std::string(id), o, *geometry, std::string(geometry_key)));
  RETURN_IF_ERROR(o.NoOtherFields());
  return r;
}

absl::StatusOr<humanitarian::NotificationRequest> ReadNotificationFeature(
    Kind kind, const json::value& feature, std::string_view path) {
  ASSIGN_OR_RETURN(JsonObject f, JsonObject::Of(feature, std::string(path)));
  ASSIGN_OR_RETURN(std::string type, f.String("type"));
  if (type != "Feature") return InvalidField(f.PathOf("type"), "must be Feature");
  ASSIGN_OR_RETURN(const json::value* geometry, f.Required("geometry"));
  ASSIGN_OR_RETURN(JsonObject props, f.Object("properties"));
  std::string id;
  if (const json::value* fid = f.Find("id"); fid != nullptr && fid->is_string()) {
    id = std::string(fid->get_string());
  }
  if (props.Find("id") != nullptr) {
    ASSIGN_OR_RETURN(id, props.String("id"));
  }
  if (id.empty()) return InvalidField(f.PathOf("id"), "a feature needs an id (or properties.id)");
  // Fields a GeoJSON export writes and an import ignores (PlaceJson).
  for (std::string_view generated :
       {"type", "version", "ovn", "notifier", "change", "created_at", "ack_deadline", "digest",
        "ledger_index", "overdue_at", "escalated_to", "settled_at", "ack_statement"}) {
    (void)props.Find(generated);
  }
  ASSIGN_OR_RETURN(humanitarian::NotificationRequest r,
                   ReadFields(kind, id, props, *geometry, f.PathOf("geometry")));
  RETURN_IF_ERROR(props.NoOtherFields());
  RETURN_IF_ERROR(f.NoOtherFields());
  return r;
}

json::object NotificationBody(const humanitarian::NotificationRequest& r) {
  store::HumanitarianRecord record{.kind = std::string(humanitarian::KindName(r.kind)),
                                   .geometry = std::string(GeometryTypeName(r.geometry.type))};
  for (const geo::LatLng& p : r.geometry.points)
    record.coordinates.emplace_back(p.lat_deg, p.lng_deg);
  const humanitarian::FieldNames f = humanitarian::FieldsOf(r.kind);
  json::array recipients;
  for (const PartyId& p : r.recipients) recipients.emplace_back(p.value());
  json::object o{{f.geometry, GeometryJson(record)},
                 {f.buffer, r.buffer_m},
                 {f.start, FormatRfc3339(r.window.start)},
                 {f.end, FormatRfc3339(r.window.end)},
                 {"recipients", std::move(recipients)}};
  if (r.kind == Kind::kSite) {
    o["kind"] = r.category;
    o["name"] = r.name;
    if (!r.notes.empty()) o["notes"] = r.notes;
  } else {
    if (!r.name.empty()) o["name"] = r.name;
    if (r.vehicles >= 0) o["vehicles"] = r.vehicles;
    if (!r.markings.empty()) o["markings"] = r.markings;
  }
  if (r.escalation_channel) o["escalation_channel"] = r.escalation_channel->value();
  return o;
}

absl::StatusOr<humanitarian::AckRequest> ReadHumanitarianAck(Kind kind, std::string id,
                                                             std::string_view body) {
  humanitarian::AckRequest request{.kind = kind, .id = std::move(id)};
  if (body.empty()) return request;
  ASSIGN_OR_RETURN(json::value doc, ParseJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  if (o.Find("signature") != nullptr) {
    ASSIGN_OR_RETURN(std::string b64, o.String("signature"));
    std::optional<std::string> raw = FromAnyBase64(b64);
    if (!raw) return InvalidField("signature", "must be base64 of the 64-byte Ed25519 signature");
    ASSIGN_OR_RETURN(std::string signed_at, o.String("signed_at"));
    ASSIGN_OR_RETURN(Timestamp at, parties::ParseAckTime(signed_at, "signed_at"));
    request.signature = humanitarian::AckSignature{.signature = *std::move(raw), .signed_at = at};
    if (o.Find("key_id") != nullptr) {
      ASSIGN_OR_RETURN(request.signature->key_id, o.String("key_id"));
    }
  }
  if (o.Find("version") != nullptr) {
    ASSIGN_OR_RETURN(double version, o.Number("version"));
    if (version != std::floor(version) || version < 1 || version > 1e15) {
      return InvalidField("version", "must be a version number (1, 2, ...)");
    }
    request.version = static_cast<int64_t>(version);
  }
  RETURN_IF_ERROR(o.NoOtherFields());
  return request;
}

json::object PlaceJson(const store::HumanitarianRecord& r) {
  const bool site = r.kind == "site";
  const humanitarian::FieldNames f = humanitarian::FieldsOf(site ? Kind::kSite : Kind::kMovement);
  json::array recipients;
  for (const std::string& p : r.recipients) recipients.emplace_back(p);
  json::object o{
      {"id", r.id},
      {"type", r.kind},
      {"version", r.version},
      {"ovn", r.ovn},
      {"notifier", r.notifier},
      {"change", r.change},
      {"name", r.name},
      {f.geometry, GeometryJson(r)},
      {f.buffer, r.buffer_m},
      {f.start, FormatRfc3339(r.time_start)},
      {f.end, FormatRfc3339(r.time_end)},
      {"recipients", std::move(recipients)},
      {"created_at", FormatRfc3339(r.created_at)},
      {"ack_deadline", FormatRfc3339(r.deadline_at)},
      {"digest", Hex(r.digest)},
      {"ledger_index", r.ledger_index},
      {"overdue_at", OptionalTime(r.overdue_at)},
      {"escalated_to", r.escalated_to.empty() ? json::value(nullptr) : json::value(r.escalated_to)},
      {"settled_at", OptionalTime(r.settled_at)},
      {"ack_statement", json::object{{"kind", site ? parties::kAckKindHumanitarianSite
                                                   : parties::kAckKindHumanitarianMovement},
                                     {"object_id", store::HumanitarianObjectId(r.id, r.version)},
                                     {"object_digest", Hex(r.digest)}}}};
  if (site) {
    o["kind"] = r.category;
    if (!r.notes.empty()) o["notes"] = r.notes;
  } else {
    if (r.vehicles >= 0) o["vehicles"] = r.vehicles;
    if (!r.markings.empty()) o["markings"] = r.markings;
  }
  if (!r.escalation_channel.empty()) o["escalation_channel"] = r.escalation_channel;
  return o;
}

json::object PlaceViewJson(const humanitarian::PlaceView& view) {
  json::object o = PlaceJson(view.current);
  o["live"] = view.live;
  json::array statuses;
  for (const humanitarian::RecipientStatus& s : view.recipients) {
    json::object item{{"party", s.party.value()},
                      {"delivered_at", OptionalTime(s.delivered_at)},
                      {"acknowledged_at", OptionalTime(s.acknowledged_at)},
                      {"signature_valid", s.signature_valid}};
    if (!s.key_id.empty()) item["key_id"] = s.key_id;
    if (s.ack_ledger_index >= 0) item["ack_ledger_index"] = s.ack_ledger_index;
    statuses.push_back(std::move(item));
  }
  o["recipient_status"] = std::move(statuses);
  json::array history;
  for (const store::HumanitarianRecord& r : view.history) history.push_back(PlaceJson(r));
  o["history"] = std::move(history);
  return o;
}

json::object ReadsJson(const std::vector<store::HumanitarianReadRecord>& reads) {
  json::array items;
  for (const store::HumanitarianReadRecord& r : reads) {
    items.push_back({{"party", r.party},
                     {"at", FormatRfc3339(r.at)},
                     {"version", r.version},
                     {"refused", r.refused}});
  }
  return json::object{{"reads", std::move(items)}};
}

json::object ConflictsJson(const std::vector<store::HumanitarianConflictRecord>& conflicts) {
  json::array items;
  for (const store::HumanitarianConflictRecord& c : conflicts) {
    items.push_back(
        {{"type", c.kind},
         {"id", c.id},
         {"version", c.version},
         {"operation", c.operation},
         {"party", c.party},
         {"party_is_recipient", c.filer_is_recipient},
         {"overlap", json::object{{"bounding_box", json::object{{"lat_min", c.lat_min},
                                                                {"lng_min", c.lng_min},
                                                                {"lat_max", c.lat_max},
                                                                {"lng_max", c.lng_max}}},
                                  {"altitude_lower_m", c.altitude_lower_m},
                                  {"altitude_upper_m", c.altitude_upper_m},
                                  {"time_start", FormatRfc3339(c.time_start)},
                                  {"time_end", FormatRfc3339(c.time_end)}}},
         {"at", FormatRfc3339(c.at)},
         {"ledger_index", c.ledger_index}});
  }
  return json::object{{"conflicts", std::move(items)}};
}

json::object HumanitarianAckJson(const humanitarian::AckResult& result) {
  const store::HumanitarianReceiptRecord& a = result.ack;
  json::object o{{"type", a.kind},
                 {"id", a.id},
                 {"version", a.version},
                 {"party", a.party},
                 {"at", FormatRfc3339(a.at)},
                 {"signed", !a.signature.empty()},
                 {"ledger_index", a.ledger_index}};
  if (!a.key_id.empty()) o["key_id"] = a.key_id;
  return o;
}

json::object PlacesGeoJson(const std::vector<store::HumanitarianRecord>& records) {
  json::array features;
  for (const store::HumanitarianRecord& r : records) {
    json::object props = PlaceJson(r);
    const std::string geometry_key(
        humanitarian::FieldsOf(r.kind == "site" ? Kind::kSite : Kind::kMovement).geometry);
    json::value geometry = props.at(geometry_key);
    props.erase(geometry_key);
    features.push_back({{"type", "Feature"},
                        {"id", r.id},
                        {"geometry", std::move(geometry)},
                        {"properties", std::move(props)}});
  }
  return json::object{{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

bool AddHumanitarianEventFields(const events::Payload& payload, json::object& out) {
  const auto* n = std::get_if<events::HumanitarianNotice>(&payload);
  if (n == nullptr) return false;
  json::object o{{"kind", n->kind},
                 {"id", n->id},
                 {"version", n->version},
                 {"ovn", n->ovn},
                 {"notifier", n->notifier.value()},
                 {"at", FormatRfc3339(n->at)},
                 {"ledger_index", n->ledger_index}};
  using Type = events::HumanitarianNotice::Type;
  switch (n->type) {
    case Type::kNotified:
      o["change"] = n->change;
      o["name"] = n->name;
      o["ack_deadline"] = OptionalTime(n->deadline);
      o["digest"] = Hex(n->digest);
      o["href"] = fmt::format("/v1/{}s/{}", n->kind, n->id);
      break;
    case Type::kDelivered:
    case Type::kAcknowledged:
      o["party"] = n->party.value();
      if (n->type == Type::kAcknowledged) o["signed"] = n->is_signed;
      break;
    case Type::kOverdue: {
      json::array laggards;
      for (const PartyId& p : n->laggards) laggards.emplace_back(p.value());
      o["laggards"] = std::move(laggards);
      o["ack_deadline"] = OptionalTime(n->deadline);
      o["escalated_to"] =
          n->escalated_to.empty() ? json::value(nullptr) : json::value(n->escalated_to);
      break;
    }
    case Type::kConflict:
      o["party"] = n->party.value();
      o["operation"] = n->operation.value();
      o["party_is_recipient"] = n->filer_is_recipient;
      if (n->overlap) o["overlap"] = geo::OverlapToJson(*n->overlap);
      break;
  }
  Merge(out, std::move(o));
  return true;
}

}  // namespace deconflict::api
