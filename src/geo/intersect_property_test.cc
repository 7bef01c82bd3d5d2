// Properties of the geo contract (volume.h) over random volumes near the antimeridian, the
// poles and in a dense area. Each property draws a sample seed; the rapidcheck seed is fixed
// and printed on failure along with the failing sample seed.
#include <cstdint>
#include <random>
#include <variant>

#include "common/time.h"
#include "geo/internal/fixed_seed_property.h"
#include "geo/internal/random_volumes.h"
#include "geo/volume.h"
#include "s2/s2boolean_operation.h"
#include "s2/s2closest_edge_query.h"
#include "s2/s2latlng.h"
#include "s2/s2polygon.h"

namespace deconflict::geo {
namespace {

const Timestamp kNow = *ParseRfc3339("2026-11-21T09:00:00Z");

struct Pair {
  Volume4D a, b;
};

Pair DrawPair(uint64_t sample_seed) {
  std::mt19937_64 rng(sample_seed);
  const testing::VolumeSampler sampler(testing::kAllRegions[sample_seed % 4], kNow,
                                       /*spread=*/0.15);
  Volume4D a = sampler.Next(rng);
  Volume4D b = sampler.Next(rng);
  // Three times in four, b takes a's band and window, so that the footprints decide.
  if (rng() % 4 != 0) {
    b = *Volume4D::Make(b.footprint(), a.altitude(), a.time(), VolumeLimits{}, kNow, "");
  }
  return {std::move(a), std::move(b)};
}

bool FootprintContains(const Volume4D& v, const S2Point& p) {
  if (const S2Polygon* polygon = v.s2_polygon()) return polygon->Contains(p);
  return v.s2_cap().Contains(p);
}

// A point uniformly in `rect` (in lat/lng), wrapping across the antimeridian.
S2Point PointIn(const S2LatLngRect& rect, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  const double lat = rect.lat_lo().radians() + unit(rng) * rect.lat().GetLength();
  double lng = rect.lng_lo().radians() + unit(rng) * rect.lng().GetLength();
  if (lng > M_PI) lng -= 2 * M_PI;
  return S2LatLng::FromRadians(lat, lng).Normalized().ToPoint();
}

DC_PROP(IntersectsProperty, IsSymmetric, 1, 400, (uint64_t sample_seed)) {
  const Pair pair = DrawPair(sample_seed);
  const bool intersects = Intersects(pair.a, pair.b);
  RC_TAG(intersects ? "conflict" : "no conflict");
  RC_ASSERT(intersects == Intersects(pair.b, pair.a));
}

DC_PROP(IntersectsProperty, VolumeIntersectsItself, 2, 200, (uint64_t sample_seed)) {
  const Pair pair = DrawPair(sample_seed);
  RC_ASSERT(Intersects(pair.a, pair.a));
}

DC_PROP(IntersectsProperty, CommonSampledPointImpliesConflictInsideTheOverlapRect, 3, 300,
        (uint64_t sample_seed)) {
  const Pair pair = DrawPair(sample_seed);
  const auto overlap = OverlapOf(pair.a, pair.b);
  const bool bands_and_windows_meet = pair.a.altitude().lower_m <= pair.b.altitude().upper_m &&
                                      pair.b.altitude().lower_m <= pair.a.altitude().upper_m &&
                                      pair.a.time().start < pair.b.time().end &&
                                      pair.b.time().start < pair.a.time().end;
  std::mt19937_64 rng(sample_seed ^ 0x5eed);
  for (int point_idx = 0; point_idx < 200; ++point_idx) {
    const S2Point p = PointIn(pair.a.BoundingRect(), rng);
    if (FootprintContains(pair.a, p) && FootprintContains(pair.b, p) && bands_and_windows_meet) {
      RC_ASSERT(overlap.has_value());
      RC_ASSERT(overlap->rect.Contains(S2LatLng(p)));
    }
  }
}

DC_PROP(IntersectsProperty, CirclePolygonAgreesWithS2ClosestEdgeQuery, 6, 1000,
        (uint64_t sample_seed)) {
  const Pair pair = DrawPair(sample_seed);
  const Volume4D* circle = pair.a.s2_polygon() == nullptr ? &pair.a : &pair.b;
  const Volume4D* polygon = pair.a.s2_polygon() != nullptr ? &pair.a : &pair.b;
  // Only pairs of a circle and a polygon sharing band and window say anything here.
  if (circle->s2_polygon() != nullptr || polygon->s2_polygon() == nullptr) return;
  if (circle->altitude() != polygon->altitude() || circle->time() != polygon->time()) return;
  S2ClosestEdgeQuery query(&polygon->s2_polygon()->index());
  S2ClosestEdgeQuery::PointTarget target(circle->s2_cap().center());
  const bool oracle = query.IsConservativeDistanceLessOrEqual(&target, circle->s2_cap().radius());
  RC_TAG(oracle ? "conflict" : "no conflict");
  RC_ASSERT(Intersects(*circle, *polygon) == oracle);
}

// The polygon/polygon fast paths (bounding-cap reject, edge-crossing accept) against the
// exact boolean operation they stand in front of. Half of the pairs are made to touch: b is
// rebuilt so that one of its vertices is a vertex of a, or the midpoint of one of a's edges
// (on the geodesic up to rounding), so that shared vertices and T-junctions occur.
DC_PROP(IntersectsProperty, PolygonPolygonAgreesWithS2BooleanOperation, 7, 6000,
        (uint64_t sample_seed)) {
  Pair pair = DrawPair(sample_seed);
  if (pair.a.s2_polygon() == nullptr || pair.b.s2_polygon() == nullptr) return;
  std::mt19937_64 rng(sample_seed ^ 0x70c4);
  if (rng() % 2 == 0) {
    const auto& a_ring = std::get<Polygon>(pair.a.footprint()).vertices;
    auto b_ring = std::get<Polygon>(pair.b.footprint()).vertices;
    const size_t a_idx = rng() % a_ring.size();
    const size_t b_idx = rng() % b_ring.size();
    if (rng() % 2 == 0) {
      b_ring[b_idx] = a_ring[a_idx];
    } else {
      const S2Point u =
          S2LatLng::FromDegrees(a_ring[a_idx].lat_deg, a_ring[a_idx].lng_deg).ToPoint();
      const auto& next = a_ring[(a_idx + 1) % a_ring.size()];
      const S2Point w = S2LatLng::FromDegrees(next.lat_deg, next.lng_deg).ToPoint();
      b_ring[b_idx] = testing::ToLatLng((u + w).Normalize());
    }
    auto touching =
        Volume4D::Make(Polygon{b_ring}, pair.b.altitude(), pair.b.time(), VolumeLimits{}, kNow, "");
    if (!touching.ok()) return;  // The moved vertex made b self-intersecting: no sample.
    pair.b = *std::move(touching);
  }
  if (pair.a.altitude() != pair.b.altitude() || pair.a.time() != pair.b.time()) return;
  S2BooleanOperation::Options options;
  options.set_polygon_model(S2BooleanOperation::PolygonModel::CLOSED);
  const bool oracle = S2BooleanOperation::Intersects(pair.a.s2_polygon()->index(),
                                                     pair.b.s2_polygon()->index(), options);
  RC_TAG(oracle ? "conflict" : "no conflict");
  RC_ASSERT(Intersects(pair.a, pair.b) == oracle);
  RC_ASSERT(Intersects(pair.b, pair.a) == oracle);
}

DC_PROP(OverlapProperty, ExistsIffIntersectsAndIsWithinBoth, 4, 300, (uint64_t sample_seed)) {
  const Pair pair = DrawPair(sample_seed);
  const auto overlap = OverlapOf(pair.a, pair.b);
  RC_ASSERT(overlap.has_value() == Intersects(pair.a, pair.b));
  if (overlap) {
    RC_ASSERT(!overlap->rect.is_empty());
    RC_ASSERT(pair.a.BoundingRect().Contains(overlap->rect));
    RC_ASSERT(pair.b.BoundingRect().Contains(overlap->rect));
    RC_ASSERT(overlap->altitude.lower_m <= overlap->altitude.upper_m);
    RC_ASSERT(overlap->time.start < overlap->time.end);
  }
}

DC_PROP(VolumeJsonProperty, RoundTrips, 5, 200, (uint64_t sample_seed)) {
  const Pair pair = DrawPair(sample_seed);
  auto again = Volume4D::FromJson(pair.a.ToJson(), "extents[0]", VolumeLimits{}, kNow);
  RC_ASSERT(again.ok());
  RC_ASSERT(*again == pair.a);
}

}  // namespace
}  // namespace deconflict::geo
