// geo/volume.h: Volume4D, the unit of strategic deconfliction (design.md §2), and the exact
// conflict test between two of them.
//
//   ASSIGN_OR_RETURN(geo::Volume4D a, geo::Volume4D::FromJson(json, "extents[0]", limits, now));
//   ASSIGN_OR_RETURN(geo::Volume4D b, geo::Volume4D::Make(
//       geo::Circle{{33.5, 36.2}, 5000}, {0, 120}, {start, end}, limits, now, "extents[1]"));
//   if (std::optional<geo::Overlap> o = geo::OverlapOf(a, b)) {
//     body["overlap"] = geo::OverlapToJson(*o);
//   }
//
// A Volume4D is a footprint (a polygon or a circle on the sphere), a closed altitude band in
// metres above the WGS84 ellipsoid and a half-open time window [start, end). Conventions,
// written down in docs/geometry.md and tested in volume_test.cc / intersect_test.cc:
//  - The Earth is the S2 sphere of radius S2Earth::RadiusMeters() (6,371,010 m). Distances,
//    radii and areas are measured on it.
//  - Polygon edges are geodesics (great-circle arcs), not lines of constant latitude.
//  - Either winding is accepted: the polygon is the smaller of the two regions its ring bounds
//    (S2Loop::Normalize). So a ring around a pole contains the pole, and a ring whose vertices
//    sit at lng 179.9 and -179.9 is the small polygon across the antimeridian.
//  - Footprints are closed sets: two footprints that only touch (a shared edge or vertex, a
//    circle tangent to an edge) intersect. Altitude bands are closed. Time windows are
//    half-open, so [10:00, 11:00) and [11:00, 12:00) do not conflict.
//  - The predicates are S2's exact ones for polygon/polygon; distance tests (circles) use S2's
//    conservative comparisons, which may answer "intersects" for a gap below ~1e-15 rad (nm).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/json.hpp"
#include "common/clock.h"
#include "s2/s2cap.h"
#include "s2/s2latlng_rect.h"

class S2Polygon;
class S2Region;

namespace deconflict::geo {

// A position in degrees, WGS84 latitude and longitude (taken as-is onto the S2 sphere).
struct LatLng {
  double lat_deg;
  double lng_deg;
  friend bool operator==(const LatLng&, const LatLng&) = default;
};

// All points within radius_m (on the sphere, closed) of center.
struct Circle {
  LatLng center;
  double radius_m;
  friend bool operator==(const Circle&, const Circle&) = default;
};

// A simple polygon as given by the client: the ring is implicitly closed (do not repeat the
// first vertex), either winding (see the file comment).
struct Polygon {
  std::vector<LatLng> vertices;
  friend bool operator==(const Polygon&, const Polygon&) = default;
};

using Footprint = std::variant<Polygon, Circle>;

// Closed band [lower_m, upper_m], metres above the WGS84 ellipsoid.
struct AltitudeBand {
  double lower_m;
  double upper_m;
  friend bool operator==(const AltitudeBand&, const AltitudeBand&) = default;
};

// Half-open window [start, end).
struct TimeWindow {
  Timestamp start;
  Timestamp end;
  friend bool operator==(const TimeWindow&, const TimeWindow&) = default;
};

// What a volume may be. Exceeding max_vertices or max_area_km2 is LimitExceeded (HTTP 413);
// everything else is InvalidArgument (HTTP 400).
struct VolumeLimits {
  size_t max_vertices = 1000;           // Default: 1,000 polygon vertices.
  double max_area_km2 = 10000;          // Default: 10,000 km² of footprint.
  std::chrono::hours horizon{24 * 30};  // Default: time_end at most 30 days after now.
  // How long before now a window may start: an operation under way is accepted, a window from
  // the distant past is not (it could only conflict from now on anyway; a client whose window
  // started earlier files it with a later time_start). Volumes read back from the store were
  // checked when filed and are re-read with a larger value (strategic/operation_service.cc).
  std::chrono::hours max_start_age{24};  // Default: time_start at most 24 h before now.
  double min_alt_m = -8000;              // Default: -8,000 m.
  double max_alt_m = 100000;             // Default: 100,000 m.
};

// A validated 4D volume. Immutable after construction; copies share the S2 representation
// (S2Polygon with its built shape index, or S2Cap), so they are cheap. Thread-safe.
class Volume4D {
 public:
  // Parses the ASTM F3548 Volume4D shape (design.md §5) and validates it as Make() does.
  // `path` prefixes every field name in errors: with "extents[0]" a bad latitude is reported
  // as "extents[0].volume.outline_polygon.vertices[3].lat". Unknown fields are refused.
  // Returns InvalidArgument (400) or LimitExceeded (413, too many vertices or too large an area),
  // always naming the field (common/status.h FieldOf).
  [[nodiscard]] static absl::StatusOr<Volume4D> FromJson(const boost::json::value& v,
                                                         std::string_view path,
                                                         const VolumeLimits& limits, Timestamp now);

  // Validates and builds. Errors name the same JSON paths as FromJson():
  //  - latitude in [-90, 90], longitude in [-180, 180], all numbers finite;
  //  - polygon: 3..max_vertices vertices (LimitExceeded above), no repeated vertex, no two
  //    consecutive antipodal vertices, no self-intersection, a non-zero area;
  //  - circle: radius > 0;
  //  - area <= max_area_km2 (LimitExceeded);
  //  - min_alt_m <= lower <= upper <= max_alt_m;
  //  - start < end, now - max_start_age <= start (field time_start.value), now < end (not
  //    ended), end <= now + horizon.
  [[nodiscard]] static absl::StatusOr<Volume4D> Make(Footprint footprint, AltitudeBand altitude,
                                                     TimeWindow time, const VolumeLimits& limits,
                                                     Timestamp now, std::string_view path);

  // The ASTM shape again; FromJson(ToJson()) gives an equal volume (same `now`).
  boost::json::value ToJson() const;
  // An RFC 7946 Feature: a Polygon geometry whose ring is closed and counter-clockwise around
  // the region; a circle becomes a 64-gon with its vertices on the circle. Properties carry the
  // altitude band and the time window. Rings crossing the antimeridian are not split.
  boost::json::value ToGeoJson() const;

  const Footprint& footprint() const;
  const AltitudeBand& altitude() const;
  const TimeWindow& time() const;
  // A conservative (slightly expanded) latitude/longitude bound of the footprint. Its longitude
  // interval is inverted (lo > hi) when it crosses the antimeridian; full around a pole.
  S2LatLngRect BoundingRect() const;
  // A cap containing the footprint: the circle itself, or a bound of the polygon grown by
  // 1e-9 rad (6 mm) beyond S2's own conservative bound.
  const S2Cap& BoundingCap() const;
  // Area of the footprint on the sphere, km².
  double AreaKm2() const;

  // The S2 view of the footprint. s2_polygon() is non-null iff the footprint is a Polygon (its
  // loop normalised, its shape index built); s2_cap() is meaningful iff it is a Circle.
  // Both live as long as any copy of this volume.
  const S2Polygon* s2_polygon() const;
  const S2Cap& s2_cap() const;
  const S2Region& s2_region() const;

  // Asks the processor to start loading this volume's representation (bounds, band, window)
  // into cache, for loops that test many volumes in turn (strategic::VolumeIndex::Query).
  // No observable effect.
  void Prefetch() const;

  // Same footprint, altitude band and time window.
  friend bool operator==(const Volume4D& a, const Volume4D& b);

 private:
  struct Rep;
  explicit Volume4D(std::shared_ptr<const Rep> rep) : rep_(std::move(rep)) {}
  // Invariant: never null (only Make() constructs).
  std::shared_ptr<const Rep> rep_;
};

// The part two conflicting volumes share: a conservative lat/lng rectangle of the footprint
// intersection, the common altitude band and the common time window. The rectangle is tight
// for two polygons, within 2% of the radius where a circle meets a polygon (the circle is
// replaced by a circumscribed 16-gon), and the intersection of the two bounds for two circles.
struct Overlap {
  S2LatLngRect rect;
  AltitudeBand altitude;
  TimeWindow time;
};

// True iff the footprints intersect (closed, on the sphere), the altitude bands intersect
// (closed) and the time windows intersect (half-open). Symmetric: Intersects(a, b) ==
// Intersects(b, a). Thread-safe.
bool Intersects(const Volume4D& a, const Volume4D& b);

// The overlap of a and b; nullopt iff !Intersects(a, b). Thread-safe.
std::optional<Overlap> OverlapOf(const Volume4D& a, const Volume4D& b);

// True iff the point lies in v: inside the footprint (closed, as S2 decides for a point on the
// boundary), within the altitude band (closed) and `at` within the window (half-open). A point
// with a non-finite coordinate is in no volume. Thread-safe.
bool Contains(const Volume4D& v, LatLng point, double alt_m, Timestamp at);

// {"bounding_box": {"lat_min", "lng_min", "lat_max", "lng_max"},
//  "altitude_lower": {"value", "reference": "W84", "units": "M"}, "altitude_upper": {...},
//  "time_start": {"value", "format": "RFC3339"}, "time_end": {...}}.
// As in RFC 7946 §5.2, lng_min > lng_max means the box crosses the antimeridian.
boost::json::value OverlapToJson(const Overlap& o);

// Metres on the S2 sphere to an angle, and back.
S1ChordAngle MetersToChordAngle(double meters);

}  // namespace deconflict::geo
