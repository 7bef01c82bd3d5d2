// events/internal/detail_json.h: helpers of the `detail` encodings (humanitarian_event.cc,
// agreement_event.cc): an overlap as JSON, and a reader of a detail object that keeps the first
// error (DataLoss naming the module and the field), so that a decoder reads every field and then
// asks status() once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "boost/json.hpp"
#include "common/clock.h"
#include "common/ids.h"
#include "common/time.h"
#include "fmt/format.h"
#include "geo/volume.h"
#include "s2/s2latlng.h"

namespace deconflict::events::internal {

namespace json = boost::json;

inline json::value OverlapJson(const geo::Overlap& o) {
  return json::object{
      {"lat_min", o.rect.lat_lo().degrees()}, {"lng_min", o.rect.lng_lo().degrees()},
      {"lat_max", o.rect.lat_hi().degrees()}, {"lng_max", o.rect.lng_hi().degrees()},
      {"alt_lower_m", o.altitude.lower_m},    {"alt_upper_m", o.altitude.upper_m},
      {"start", Micros(o.time.start)},        {"end", Micros(o.time.end)}};
}

// Reads fields of a detail object; the first error is kept and reported by status().
class DetailReader {
 public:
  DetailReader(const json::object& o, std::string_view module) : o_(o), module_(module) {}
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
      status_ = absl::DataLossError(fmt::format("{}: '{}' {}", module_, name, what));
    }
  }
  const json::object& o_;
  std::string_view module_;
  absl::Status status_;
};

}  // namespace deconflict::events::internal
