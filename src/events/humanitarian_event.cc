// events/humanitarian_event.cc: the storage form of the humanitarian.* event types (event.h): one
// JSON object per row in the `detail` column with every field of HumanitarianNotice; times in
// microseconds, the digest in hex, the overlap as its corners, band and window.
#include <array>

#include "boost/json.hpp"
#include "common/digest.h"
#include "common/status.h"
#include "events/event.h"
#include "fmt/format.h"
#include "s2/s2latlng.h"

namespace deconflict::events {
namespace {

namespace json = boost::json;
using Type = HumanitarianNotice::Type;

constexpr std::array<std::pair<Type, std::string_view>, 5> kTypes = {{
    {Type::kNotified, kHumanitarianNotified},
    {Type::kDelivered, kHumanitarianDelivered},
    {Type::kAcknowledged, kHumanitarianAcknowledged},
    {Type::kOverdue, kHumanitarianOverdue},
    {Type::kConflict, kHumanitarianConflict},
}};

json::value OverlapJson(const geo::Overlap& o) {
  return json::object{
      {"lat_min", o.rect.lat_lo().degrees()}, {"lng_min", o.rect.lng_lo().degrees()},
      {"lat_max", o.rect.lat_hi().degrees()}, {"lng_max", o.rect.lng_hi().degrees()},
      {"alt_lower_m", o.altitude.lower_m},    {"alt_upper_m", o.altitude.upper_m},
      {"start", Micros(o.time.start)},        {"end", Micros(o.time.end)}};
}

// Reads fields of a detail object; the first error is kept and reported by status().
class Reader {
 public:
  explicit Reader(const json::object& o) : o_(o) {}
  std::string Text(std::string_view name) {
    const json::value* v = o_.if_contains(name);
    if (v == nullptr || !v->is_string()) return Fail(name, "is not a string"), std::string();
    return std::string(v->get_string());
  }
  int64_t Int(std::string_view name) {
    const json::value* v = o_.if_contains(name);
    if (v == nullptr || !v->is_int64()) return Fail(name, "is not an integer"), 0;
    return v->get_int64();
  }
  double Number(const json::object& o, std::string_view name) {
    const json::value* v = o.if_contains(name);
    if (v != nullptr && v->is_double()) return v->get_double();
    if (v != nullptr && v->is_int64()) return static_cast<double>(v->get_int64());
    Fail(name, "is not a number");
    return 0;
  }
  bool Bool(std::string_view name) {
    const json::value* v = o_.if_contains(name);
    return v != nullptr && v->is_bool() && v->get_bool();
  }
  std::vector<PartyId> Parties(std::string_view name) {
    std::vector<PartyId> out;
    const json::value* v = o_.if_contains(name);
    if (v == nullptr || !v->is_array()) return Fail(name, "is not an array"), out;
    for (const json::value& item : v->get_array()) {
      if (!item.is_string()) return Fail(name, "holds a non-string"), out;
      out.emplace_back(std::string(item.get_string()));
    }
    return out;
  }
  std::optional<Timestamp> OptionalTime(std::string_view name) {
    const json::value* v = o_.if_contains(name);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_int64()) return Fail(name, "is not an integer"), std::nullopt;
    return FromMicros(v->get_int64());
  }
  std::optional<geo::Overlap> Overlap(std::string_view name) {
    const json::value* v = o_.if_contains(name);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_object()) return Fail(name, "is not an object"), std::nullopt;
    const json::object& o = v->get_object();
    const json::value* start = o.if_contains("start");
    const json::value* end = o.if_contains("end");
    if (start == nullptr || !start->is_int64() || end == nullptr || !end->is_int64()) {
      return Fail(name, "has no window"), std::nullopt;
    }
    // Rebuilt from its corners (a lng_lo > lng_hi box crosses the antimeridian, as stored).
    return geo::Overlap{
        .rect = S2LatLngRect(S2LatLng::FromDegrees(Number(o, "lat_min"), Number(o, "lng_min")),
                             S2LatLng::FromDegrees(Number(o, "lat_max"), Number(o, "lng_max"))),
        .altitude = {.lower_m = Number(o, "alt_lower_m"), .upper_m = Number(o, "alt_upper_m")},
        .time = {.start = FromMicros(start->get_int64()), .end = FromMicros(end->get_int64())}};
  }
  absl::Status status() const { return status_; }

 private:
  void Fail(std::string_view name, std::string_view what) {
    if (status_.ok()) {
      status_ = absl::DataLossError(fmt::format("humanitarian: '{}' {}", name, what));
    }
  }
  const json::object& o_;
  absl::Status status_;
};

}  // namespace

bool IsHumanitarianType(std::string_view type) { return type.rfind("humanitarian.", 0) == 0; }

std::string_view HumanitarianTypeName(Type type) {
  for (const auto& [t, name] : kTypes) {
    if (t == type) return name;
  }
  return kHumanitarianNotified;  // Invariant: kTypes names every Type.
}

std::string EncodeHumanitarianDetail(const HumanitarianNotice& n) {
  json::array laggards;
  for (const PartyId& p : n.laggards) laggards.emplace_back(p.value());
  json::object o{{"kind", n.kind},
                 {"id", n.id},
                 {"version", n.version},
                 {"ovn", n.ovn},
                 {"notifier", n.notifier.value()},
                 {"party", n.party.value()},
                 {"change", n.change},
                 {"name", n.name},
                 {"at", Micros(n.at)},
                 {"deadline", n.deadline ? json::value(Micros(*n.deadline)) : json::value()},
                 {"laggards", std::move(laggards)},
                 {"escalated_to", n.escalated_to},
                 {"operation", n.operation.value()},
                 {"filer_is_recipient", n.filer_is_recipient},
                 {"overlap", n.overlap ? OverlapJson(*n.overlap) : json::value()},
                 {"signed", n.is_signed},
                 {"digest", Hex(n.digest)},
                 {"ledger_index", n.ledger_index}};
  return json::serialize(o);
}

absl::StatusOr<HumanitarianNotice> DecodeHumanitarianDetail(std::string_view type,
                                                            std::string_view detail) {
  std::optional<Type> t;
  for (const auto& [candidate, name] : kTypes) {
    if (name == type) t = candidate;
  }
  if (!t) return absl::DataLossError(fmt::format("unknown humanitarian event type '{}'", type));
  boost::system::error_code ec;
  json::value v = json::parse(detail, ec);
  if (ec || !v.is_object()) return absl::DataLossError("humanitarian: detail is not JSON");
  Reader r(v.as_object());
  HumanitarianNotice n{.type = *t,
                       .kind = r.Text("kind"),
                       .id = r.Text("id"),
                       .version = r.Int("version"),
                       .ovn = r.Text("ovn"),
                       .notifier = PartyId(r.Text("notifier")),
                       .party = PartyId(r.Text("party")),
                       .change = r.Text("change"),
                       .name = r.Text("name"),
                       .at = FromMicros(r.Int("at")),
                       .deadline = r.OptionalTime("deadline"),
                       .laggards = r.Parties("laggards"),
                       .escalated_to = r.Text("escalated_to"),
                       .operation = OperationId(r.Text("operation")),
                       .filer_is_recipient = r.Bool("filer_is_recipient"),
                       .overlap = r.Overlap("overlap"),
                       .is_signed = r.Bool("signed"),
                       .digest = {},
                       .ledger_index = r.Int("ledger_index")};
  std::optional<std::string> digest = FromHex(r.Text("digest"));
  if (!digest) return absl::DataLossError("humanitarian: 'digest' is not hex");
  n.digest = *std::move(digest);
  RETURN_IF_ERROR(r.status());
  return n;
}

}  // namespace deconflict::events
