// The ASTM F3548 JSON shape of Volume4D and of an overlap (design.md §5).
#include <string>

#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "geo/volume.h"
#include "s2/s2latlng.h"

namespace deconflict::geo {
namespace {

// {"value": <number>, "units": "M"} (and "reference": "W84" when `with_reference`).
absl::StatusOr<double> ParseMeasure(JsonObject& object, bool with_reference) {
  ASSIGN_OR_RETURN(double value, object.Number("value"));
  if (with_reference) {
    ASSIGN_OR_RETURN(std::string reference, object.String("reference"));
    if (reference != "W84") {
      return InvalidField(object.PathOf("reference"),
                          fmt::format("\"{}\" is not supported; use \"W84\"", reference));
    }
  }
  ASSIGN_OR_RETURN(std::string units, object.String("units"));
  if (units != "M") {
    return InvalidField(object.PathOf("units"),
                        fmt::format("\"{}\" is not supported; use \"M\"", units));
  }
  RETURN_IF_ERROR(object.NoOtherFields());
  return value;
}

absl::StatusOr<double> ParseAltitude(JsonObject& volume, std::string_view key) {
  ASSIGN_OR_RETURN(JsonObject altitude, volume.Object(key));
  return ParseMeasure(altitude, /*with_reference=*/true);
}

// {"value": "2026-11-21T10:00:00Z", "format": "RFC3339"}
absl::StatusOr<Timestamp> ParseTime(JsonObject& root, std::string_view key) {
  ASSIGN_OR_RETURN(JsonObject time, root.Object(key));
  ASSIGN_OR_RETURN(std::string text, time.String("value"));
  ASSIGN_OR_RETURN(std::string format, time.String("format"));
  if (format != "RFC3339") {
    return InvalidField(time.PathOf("format"),
                        fmt::format("\"{}\" is not supported; use \"RFC3339\"", format));
  }
  RETURN_IF_ERROR(time.NoOtherFields());
  absl::StatusOr<Timestamp> t = ParseRfc3339(text);
  if (!t.ok()) {
    return InvalidField(time.PathOf("value"), fmt::format("is not an RFC 3339 time: {}",
                                                          std::string(t.status().message())));
  }
  return *t;
}

absl::StatusOr<LatLng> ParseLatLng(const boost::json::value& value, std::string path) {
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(value, std::move(path)));
  ASSIGN_OR_RETURN(double lat, object.Number("lat"));
  ASSIGN_OR_RETURN(double lng, object.Number("lng"));
  RETURN_IF_ERROR(object.NoOtherFields());
  return LatLng{lat, lng};
}

absl::StatusOr<Polygon> ParsePolygon(const boost::json::value& value, std::string path,
                                     const VolumeLimits& limits) {
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(value, std::move(path)));
  ASSIGN_OR_RETURN(const boost::json::array* vertices, object.Array("vertices"));
  RETURN_IF_ERROR(object.NoOtherFields());
  // Refuse a huge array before parsing it.
  if (vertices->size() > limits.max_vertices) {
    return LimitExceeded(object.PathOf("vertices"),
                         fmt::format("has {} vertices; at most {} are allowed", vertices->size(),
                                     limits.max_vertices));
  }
  Polygon polygon;
  polygon.vertices.reserve(vertices->size());
  for (size_t vertex_idx = 0; vertex_idx < vertices->size(); ++vertex_idx) {
    ASSIGN_OR_RETURN(LatLng v, ParseLatLng((*vertices)[vertex_idx],
                                           IndexPath(object.PathOf("vertices"), vertex_idx)));
    polygon.vertices.push_back(v);
  }
  return polygon;
}

absl::StatusOr<Circle> ParseCircle(const boost::json::value& value, std::string path) {
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(value, std::move(path)));
  ASSIGN_OR_RETURN(const boost::json::value* center, object.Required("center"));
  ASSIGN_OR_RETURN(LatLng c, ParseLatLng(*center, object.PathOf("center")));
  ASSIGN_OR_RETURN(JsonObject radius, object.Object("radius"));
  ASSIGN_OR_RETURN(double radius_m, ParseMeasure(radius, /*with_reference=*/false));
  RETURN_IF_ERROR(object.NoOtherFields());
  return Circle{c, radius_m};
}

absl::StatusOr<Footprint> ParseFootprint(JsonObject& volume, const VolumeLimits& limits) {
  const boost::json::value* polygon = volume.Find("outline_polygon");
  const boost::json::value* circle = volume.Find("outline_circle");
  if (polygon != nullptr && circle != nullptr) {
    return InvalidField(volume.PathOf("outline_circle"),
                        "only one of outline_polygon and outline_circle may be given");
  }
  if (polygon != nullptr) return ParsePolygon(*polygon, volume.PathOf("outline_polygon"), limits);
  if (circle != nullptr) return ParseCircle(*circle, volume.PathOf("outline_circle"));
  return InvalidField(volume.path(), "needs outline_polygon or outline_circle");
}

boost::json::object Altitude(double value) {
  return {{"value", value}, {"reference", "W84"}, {"units", "M"}};
}

boost::json::object Time(Timestamp t) {
  return {{"value", FormatRfc3339(t)}, {"format", "RFC3339"}};
}

boost::json::object LatLngJson(const LatLng& p) { return {{"lat", p.lat_deg}, {"lng", p.lng_deg}}; }

}  // namespace

absl::StatusOr<Volume4D> Volume4D::FromJson(const boost::json::value& v, std::string_view path,
                                            const VolumeLimits& limits, Timestamp now) {
  ASSIGN_OR_RETURN(JsonObject root, JsonObject::Of(v, std::string(path)));
  ASSIGN_OR_RETURN(JsonObject volume, root.Object("volume"));
  ASSIGN_OR_RETURN(Footprint footprint, ParseFootprint(volume, limits));
  ASSIGN_OR_RETURN(double lower, ParseAltitude(volume, "altitude_lower"));
  ASSIGN_OR_RETURN(double upper, ParseAltitude(volume, "altitude_upper"));
  RETURN_IF_ERROR(volume.NoOtherFields());
  ASSIGN_OR_RETURN(Timestamp start, ParseTime(root, "time_start"));
  ASSIGN_OR_RETURN(Timestamp end, ParseTime(root, "time_end"));
  RETURN_IF_ERROR(root.NoOtherFields());
  return Make(std::move(footprint), AltitudeBand{lower, upper}, TimeWindow{start, end}, limits, now,
              path);
}

boost::json::value Volume4D::ToJson() const {
  boost::json::object volume;
  if (const Polygon* polygon = std::get_if<Polygon>(&footprint())) {
    boost::json::array vertices;
    for (const LatLng& v : polygon->vertices) vertices.push_back(LatLngJson(v));
    volume["outline_polygon"] = boost::json::object{{"vertices", std::move(vertices)}};
  } else {
    const Circle& circle = std::get<Circle>(footprint());
    volume["outline_circle"] = boost::json::object{
        {"center", LatLngJson(circle.center)},
        {"radius", {{"value", circle.radius_m}, {"units", "M"}}},
    };
  }
  volume["altitude_lower"] = Altitude(altitude().lower_m);
  volume["altitude_upper"] = Altitude(altitude().upper_m);
  return boost::json::object{
      {"volume", std::move(volume)},
      {"time_start", Time(time().start)},
      {"time_end", Time(time().end)},
  };
}

boost::json::value OverlapToJson(const Overlap& o) {
  return boost::json::object{
      {"bounding_box",
       {{"lat_min", o.rect.lat_lo().degrees()},
        {"lng_min", o.rect.lng_lo().degrees()},
        {"lat_max", o.rect.lat_hi().degrees()},
        {"lng_max", o.rect.lng_hi().degrees()}}},
      {"altitude_lower", Altitude(o.altitude.lower_m)},
      {"altitude_upper", Altitude(o.altitude.upper_m)},
      {"time_start", Time(o.time.start)},
      {"time_end", Time(o.time.end)},
  };
}

}  // namespace deconflict::geo
