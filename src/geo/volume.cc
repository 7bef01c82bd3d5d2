// Construction and validation of Volume4D (the JSON mapping is in volume_json.cc, the
// intersection tests in intersect.cc).
#include "geo/volume.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "s2/s1chord_angle.h"
#include "s2/s2earth.h"
#include "s2/s2error.h"
#include "s2/s2latlng.h"
#include "s2/s2loop.h"
#include "s2/s2point.h"
#include "s2/s2pointutil.h"
#include "s2/s2polygon.h"

namespace deconflict::geo {

namespace {

// The S2 side of a footprint.
struct Shape {
  std::unique_ptr<S2Polygon> polygon;  // Set iff the footprint is a Polygon.
  S2Cap cap;                           // Meaningful iff the footprint is a Circle.
  S2LatLngRect rect;
  S2Cap cap_bound;  // The circle itself, or a cap containing the polygon (grown by 1e-9 rad).
  double area_km2 = 0;
  bool ring_reversed = false;  // The client's ring was clockwise around the region.
};

}  // namespace

struct Volume4D::Rep : Shape {
  Footprint footprint;
  AltitudeBand altitude;
  TimeWindow time;
};

namespace {

constexpr double kEarthRadiusKm = S2Earth::RadiusKm();
// Below this a polygon is degenerate (collinear vertices): it encloses nothing usable.
constexpr double kMinPolygonAreaM2 = 1.0;

std::string Field(std::string_view path, std::string_view rest) { return JoinPath(path, rest); }

std::string VertexField(std::string_view path, size_t vertex_idx, std::string_view member) {
  return fmt::format("{}.{}", IndexPath(Field(path, "volume.outline_polygon.vertices"), vertex_idx),
                     member);
}

absl::Status CheckLatLng(const LatLng& p, const std::string& lat_field,
                         const std::string& lng_field) {
  if (!std::isfinite(p.lat_deg)) return InvalidField(lat_field, "must be a finite number");
  if (!std::isfinite(p.lng_deg)) return InvalidField(lng_field, "must be a finite number");
  if (p.lat_deg < -90 || p.lat_deg > 90) {
    return InvalidField(lat_field, fmt::format("{} is outside [-90, 90]", p.lat_deg));
  }
  if (p.lng_deg < -180 || p.lng_deg > 180) {
    return InvalidField(lng_field, fmt::format("{} is outside [-180, 180]", p.lng_deg));
  }
  return absl::OkStatus();
}

// The poles are single points whatever the longitude, so that a repeated pole is detected.
S2Point ToPoint(const LatLng& p) {
  if (p.lat_deg == 90) return S2Point(0, 0, 1);
  if (p.lat_deg == -90) return S2Point(0, 0, -1);
  return S2LatLng::FromDegrees(p.lat_deg, p.lng_deg).ToPoint();
}

absl::Status CheckAltitude(const AltitudeBand& band, const VolumeLimits& limits,
                           std::string_view path) {
  const std::string lower = Field(path, "volume.altitude_lower.value");
  const std::string upper = Field(path, "volume.altitude_upper.value");
  if (!std::isfinite(band.lower_m)) return InvalidField(lower, "must be a finite number");
  if (!std::isfinite(band.upper_m)) return InvalidField(upper, "must be a finite number");
  auto in_range = [&](double v, const std::string& field) -> absl::Status {
    if (v < limits.min_alt_m || v > limits.max_alt_m) {
      return InvalidField(
          field, fmt::format("{} m is outside [{}, {}] m", v, limits.min_alt_m, limits.max_alt_m));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(in_range(band.lower_m, lower));
  RETURN_IF_ERROR(in_range(band.upper_m, upper));
  if (band.lower_m > band.upper_m) {
    return InvalidField(
        upper, fmt::format("{} m is below altitude_lower ({} m)", band.upper_m, band.lower_m));
  }
  return absl::OkStatus();
}

absl::Status CheckTime(const TimeWindow& window, const VolumeLimits& limits, Timestamp now,
                       std::string_view path) {
  const std::string end = Field(path, "time_end.value");
  if (window.end <= window.start) {
    return InvalidField(end, fmt::format("{} is not after time_start ({})",
                                         FormatRfc3339(window.end), FormatRfc3339(window.start)));
  }
  if (window.start < now - limits.max_start_age) {
    return InvalidField(
        Field(path, "time_start.value"),
        fmt::format("{} is more than {} h before now ({}); a window under way may start later "
                    "than it did",
                    FormatRfc3339(window.start), limits.max_start_age.count(), FormatRfc3339(now)));
  }
  if (window.end <= now) {
    return InvalidField(end, fmt::format("{} is in the past (now is {})", FormatRfc3339(window.end),
                                         FormatRfc3339(now)));
  }
  if (window.end > now + limits.horizon) {
    return InvalidField(end, fmt::format("{} is beyond the planning horizon of {} days",
                                         FormatRfc3339(window.end), limits.horizon.count() / 24.0));
  }
  return absl::OkStatus();
}

absl::Status CheckArea(double area_km2, const VolumeLimits& limits, const std::string& field) {
  if (area_km2 > limits.max_area_km2) {
    return LimitExceeded(field, fmt::format("area {:.1f} km² exceeds the limit of {} km²", area_km2,
                                            limits.max_area_km2));
  }
  return absl::OkStatus();
}

// Maps an S2Loop validation error to the vertex it concerns where S2 says which.
absl::Status LoopError(const S2Error& error, std::string_view path) {
  const std::string vertices = Field(path, "volume.outline_polygon.vertices");
  int edge_a = -1, edge_b = -1;
  if (error.code() == S2Error::LOOP_SELF_INTERSECTION &&
      std::sscanf(error.text().c_str(), "Edge %d crosses edge %d", &edge_a, &edge_b) == 2) {
    return InvalidField(
        IndexPath(vertices, static_cast<size_t>(edge_a)),
        fmt::format("polygon is self-intersecting: the edge from vertices[{}] crosses the edge "
                    "from vertices[{}]",
                    edge_a, edge_b));
  }
  return InvalidField(vertices, fmt::format("invalid polygon: {}", error.text()));
}

// Validates a polygon footprint and fills rep->polygon, rect, area_km2, ring_reversed.
absl::Status BuildPolygon(const Polygon& polygon, const VolumeLimits& limits, std::string_view path,
                          Shape* rep) {
  const std::string vertices_field = Field(path, "volume.outline_polygon.vertices");
  const size_t n = polygon.vertices.size();
  if (n > limits.max_vertices) {
    return LimitExceeded(vertices_field, fmt::format("has {} vertices; at most {} are allowed", n,
                                                     limits.max_vertices));
  }
  if (n < 3) {
    return InvalidField(vertices_field, fmt::format("has {} vertices; a polygon needs 3", n));
  }

  // Coordinates, repeated and antipodal vertices: S2 would only say "invalid loop".
  std::vector<S2Point> points;
  points.reserve(n);
  absl::flat_hash_map<S2Point, size_t, S2PointHash> first_seen;
  for (size_t vertex_idx = 0; vertex_idx < n; ++vertex_idx) {
    const LatLng& v = polygon.vertices[vertex_idx];
    RETURN_IF_ERROR(
        CheckLatLng(v, VertexField(path, vertex_idx, "lat"), VertexField(path, vertex_idx, "lng")));
    points.push_back(ToPoint(v));
    auto [it, inserted] = first_seen.emplace(points.back(), vertex_idx);
    if (!inserted) {
      return InvalidField(IndexPath(vertices_field, vertex_idx),
                          fmt::format("repeats vertices[{}] (the ring is closed implicitly: do "
                                      "not repeat the first vertex)",
                                      it->second));
    }
  }
  for (size_t vertex_idx = 0; vertex_idx < n; ++vertex_idx) {
    const size_t next = (vertex_idx + 1) % n;
    // Within ~1e-10 rad (0.6 mm) of the antipode: the edge between them is undefined. (Exact
    // equality would miss lng 0 vs 180, which differ in the last bit once on the sphere.)
    if ((points[vertex_idx] + points[next]).Norm2() < 1e-20) {
      return InvalidField(IndexPath(vertices_field, next),
                          fmt::format("is antipodal to vertices[{}]: the edge between them is "
                                      "undefined",
                                      vertex_idx));
    }
  }

  // Self-intersections and the rest of S2's loop rules.
  auto loop = std::make_unique<S2Loop>(points, S2Debug::DISABLE);
  S2Error error;
  if (loop->FindValidationError(&error)) return LoopError(error, path);

  // Either winding: keep the smaller region.
  rep->ring_reversed = !loop->IsNormalized();
  loop->Normalize();
  rep->polygon = std::make_unique<S2Polygon>(std::move(loop), S2Debug::DISABLE);
  const double area_sr = rep->polygon->GetArea();
  rep->area_km2 = area_sr * kEarthRadiusKm * kEarthRadiusKm;
  if (rep->area_km2 * 1e6 < kMinPolygonAreaM2) {
    return InvalidField(vertices_field,
                        "encloses no area (degenerate polygon: collinear vertices?)");
  }
  RETURN_IF_ERROR(CheckArea(rep->area_km2, limits, Field(path, "volume.outline_polygon")));
  rep->rect = rep->polygon->GetRectBound();
  // Grown so that a quick reject on caps never overrules S2's exact answer for touching shapes.
  rep->cap_bound = rep->polygon->GetCapBound().Expanded(S1Angle::Radians(1e-9));
  // Build the shape index now, so that concurrent readers never race to build it lazily and
  // the first query does not pay for it.
  rep->polygon->index().ForceBuild();
  return absl::OkStatus();
}

absl::Status BuildCircle(const Circle& circle, const VolumeLimits& limits, std::string_view path,
                         Shape* rep) {
  RETURN_IF_ERROR(CheckLatLng(circle.center, Field(path, "volume.outline_circle.center.lat"),
                              Field(path, "volume.outline_circle.center.lng")));
  const std::string radius_field = Field(path, "volume.outline_circle.radius.value");
  if (!std::isfinite(circle.radius_m)) return InvalidField(radius_field, "must be a finite number");
  if (circle.radius_m <= 0) {
    return InvalidField(radius_field, fmt::format("{} m is not positive", circle.radius_m));
  }
  rep->cap = S2Cap(ToPoint(circle.center), MetersToChordAngle(circle.radius_m));
  rep->area_km2 = rep->cap.GetArea() * kEarthRadiusKm * kEarthRadiusKm;
  RETURN_IF_ERROR(CheckArea(rep->area_km2, limits, radius_field));
  rep->rect = rep->cap.GetRectBound();
  rep->cap_bound = rep->cap;
  return absl::OkStatus();
}

}  // namespace

S1ChordAngle MetersToChordAngle(double meters) {
  return S1ChordAngle(S2Earth::MetersToAngle(meters));
}

absl::StatusOr<Volume4D> Volume4D::Make(Footprint footprint, AltitudeBand altitude, TimeWindow time,
                                        const VolumeLimits& limits, Timestamp now,
                                        std::string_view path) {
  auto rep = std::make_shared<Rep>();
  if (const Polygon* polygon = std::get_if<Polygon>(&footprint)) {
    RETURN_IF_ERROR(BuildPolygon(*polygon, limits, path, rep.get()));
  } else {
    RETURN_IF_ERROR(BuildCircle(std::get<Circle>(footprint), limits, path, rep.get()));
  }
  RETURN_IF_ERROR(CheckAltitude(altitude, limits, path));
  RETURN_IF_ERROR(CheckTime(time, limits, now, path));
  rep->footprint = std::move(footprint);
  rep->altitude = altitude;
  rep->time = time;
  return Volume4D(std::move(rep));
}

const Footprint& Volume4D::footprint() const { return rep_->footprint; }
const AltitudeBand& Volume4D::altitude() const { return rep_->altitude; }
const TimeWindow& Volume4D::time() const { return rep_->time; }
S2LatLngRect Volume4D::BoundingRect() const { return rep_->rect; }
const S2Cap& Volume4D::BoundingCap() const { return rep_->cap_bound; }

void Volume4D::Prefetch() const {
  const char* rep = reinterpret_cast<const char*>(rep_.get());
  for (size_t offset = 0; offset < sizeof(Rep); offset += 64) __builtin_prefetch(rep + offset);
}
double Volume4D::AreaKm2() const { return rep_->area_km2; }
const S2Polygon* Volume4D::s2_polygon() const { return rep_->polygon.get(); }
const S2Cap& Volume4D::s2_cap() const { return rep_->cap; }
const S2Region& Volume4D::s2_region() const {
  if (rep_->polygon) return *rep_->polygon;
  return rep_->cap;
}

bool operator==(const Volume4D& a, const Volume4D& b) {
  return a.footprint() == b.footprint() && a.altitude() == b.altitude() && a.time() == b.time();
}

// ---- GeoJSON -------------------------------------------------------------------------------

namespace {

constexpr int kCircleGeoJsonVertices = 64;

boost::json::array Position(const S2LatLng& ll) {
  return boost::json::array{ll.lng().degrees(), ll.lat().degrees()};
}

// The counter-clockwise ring of a circle, vertices on the circle.
boost::json::array CircleRing(const S2Cap& cap) {
  const S2Point& c = cap.center();
  const S2Point u = S2::Ortho(c).Normalize();
  const S2Point v = c.CrossProd(u);  // (u, v) turns counter-clockwise seen from outside.
  const double theta = cap.radius().ToAngle().radians();
  boost::json::array ring;
  for (int i = 0; i <= kCircleGeoJsonVertices; ++i) {
    const double t = 2 * std::numbers::pi * (i % kCircleGeoJsonVertices) / kCircleGeoJsonVertices;
    const S2Point p =
        (std::cos(theta) * c + std::sin(theta) * (std::cos(t) * u + std::sin(t) * v)).Normalize();
    ring.push_back(Position(S2LatLng(p)));
  }
  return ring;
}

}  // namespace

boost::json::value Volume4D::ToGeoJson() const {
  boost::json::array ring;
  boost::json::object properties;
  if (const Polygon* polygon = std::get_if<Polygon>(&rep_->footprint)) {
    std::vector<LatLng> vertices = polygon->vertices;
    if (rep_->ring_reversed) std::reverse(vertices.begin(), vertices.end());
    vertices.push_back(vertices.front());
    for (const LatLng& v : vertices) ring.push_back(boost::json::array{v.lng_deg, v.lat_deg});
  } else {
    const Circle& circle = std::get<Circle>(rep_->footprint);
    ring = CircleRing(rep_->cap);
    properties["center"] = boost::json::array{circle.center.lng_deg, circle.center.lat_deg};
    properties["radius_m"] = circle.radius_m;
  }
  properties["altitude_lower_m"] = rep_->altitude.lower_m;
  properties["altitude_upper_m"] = rep_->altitude.upper_m;
  properties["time_start"] = FormatRfc3339(rep_->time.start);
  properties["time_end"] = FormatRfc3339(rep_->time.end);
  // Not `array{std::move(ring)}`: a braced list of one array may be taken as its copy (CWG 1467,
  // as clang does), which would lose the ring's nesting.
  boost::json::array rings;
  rings.emplace_back(std::move(ring));
  return boost::json::object{
      {"type", "Feature"},
      {"geometry", {{"type", "Polygon"}, {"coordinates", std::move(rings)}}},
      {"properties", std::move(properties)},
  };
}

}  // namespace deconflict::geo
