// Exact conflict tests between volumes (see the contract in geo/volume.h).
#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <vector>

#include "geo/volume.h"
#include "s2/s1chord_angle.h"
#include "s2/s2boolean_operation.h"
#include "s2/s2builderutil_snap_functions.h"
#include "s2/s2closest_edge_query.h"
#include "s2/s2edge_crosser.h"
#include "s2/s2edge_distances.h"
#include "s2/s2error.h"
#include "s2/s2latlng.h"
#include "s2/s2loop.h"
#include "s2/s2pointutil.h"
#include "s2/s2polygon.h"

namespace deconflict::geo {
namespace {

// Vertices of the polygon that stands in for a circle when an overlap is measured: its
// vertices are 1/cos(pi/16) - 1 = 2% of the radius outside the circle.
constexpr int kCircumscribedVertices = 16;
// Margin added to a computed intersection's bound: S2's intersection points are within
// ~1e-15 rad of the exact ones; 1e-9 rad (6 mm) is far above that and far below any use.
constexpr double kOverlapMarginRadians = 1e-9;

// Up to this many vertices, a circle-polygon distance is a loop over the edges.
constexpr int kBruteForceEdges = 64;

bool AltitudesIntersect(const AltitudeBand& a, const AltitudeBand& b) {
  return a.lower_m <= b.upper_m && b.lower_m <= a.upper_m;
}

bool TimesIntersect(const TimeWindow& a, const TimeWindow& b) {
  return a.start < b.end && b.start < a.end;
}

// Closed cap and closed polygon share a point iff the distance from the cap's centre to the
// polygon (zero inside it) is at most the radius. Conservative by S2's error bound.
bool CapIntersectsPolygon(const S2Cap& cap, const S2Polygon& polygon) {
  // Quick accepts, common among conflicts: a vertex in the circle (a few ns), the centre in
  // the polygon (a pass over its edges).
  if (cap.Contains(polygon.loop(0)->vertex(0))) return true;
  if (polygon.Contains(cap.center())) return true;
  // Otherwise the distance to the boundary decides. For small polygons a loop over the edges
  // is several times faster than S2ClosestEdgeQuery; both compare with the same conservative
  // limit (S2ClosestEdgeQuery::IsConservativeDistanceLessOrEqual's).
  if (polygon.num_vertices() <= kBruteForceEdges) {
    const S1ChordAngle limit =
        cap.radius().Successor().PlusError(S2::GetUpdateMinDistanceMaxError(cap.radius()));
    for (int loop_idx = 0; loop_idx < polygon.num_loops(); ++loop_idx) {
      const S2Loop& loop = *polygon.loop(loop_idx);
      for (int vertex_idx = 0; vertex_idx < loop.num_vertices(); ++vertex_idx) {
        if (S2::IsDistanceLess(cap.center(), loop.vertex(vertex_idx), loop.vertex(vertex_idx + 1),
                               limit)) {
          return true;
        }
      }
    }
    return false;
  }
  S2ClosestEdgeQuery query(&polygon.index());
  S2ClosestEdgeQuery::PointTarget target(cap.center());
  return query.IsConservativeDistanceLessOrEqual(&target, cap.radius());
}

// Fast accept for two polygons: an edge of one crosses or shares a vertex with an edge of the
// other (S2's exact CrossingSign: +1 is a crossing at a point interior to both edges, 0 a vertex
// of one equal to a vertex of the other; polygons have no degenerate edges). Either way the
// closed polygons share a point. False says nothing: touching at a vertex lying on an edge,
// or one inside the other, are left to the caller.
bool EdgesCrossOrShareVertex(const S2Polygon& a, const S2Polygon& b) {
  for (int a_loop_idx = 0; a_loop_idx < a.num_loops(); ++a_loop_idx) {
    const S2Loop& a_loop = *a.loop(a_loop_idx);
    for (int a_vertex_idx = 0; a_vertex_idx < a_loop.num_vertices(); ++a_vertex_idx) {
      S2EdgeCrosser crosser(&a_loop.vertex(a_vertex_idx), &a_loop.vertex(a_vertex_idx + 1));
      for (int b_loop_idx = 0; b_loop_idx < b.num_loops(); ++b_loop_idx) {
        const S2Loop& b_loop = *b.loop(b_loop_idx);
        crosser.RestartAt(&b_loop.vertex(0));
        for (int b_vertex_idx = 1; b_vertex_idx <= b_loop.num_vertices(); ++b_vertex_idx) {
          if (crosser.CrossingSign(&b_loop.vertex(b_vertex_idx)) >= 0) return true;
        }
      }
    }
  }
  return false;
}

// Whether some vertex of `a` may lie on the boundary of `b`: true for every vertex exactly on
// an edge of `b` (and for some within ~1e-12 rad of one, which only sends the caller to the
// slow exact test). Vertices outside b's bounding cap, which holds b's closed polygon with
// 1e-9 rad to spare, are skipped without looking at b's edges.
bool AnyVertexMayTouchBoundary(const S2Polygon& a, const S2Polygon& b, const S2Cap& b_cap) {
  const S1ChordAngle limit = S1ChordAngle::Radians(1e-12);
  for (int a_loop_idx = 0; a_loop_idx < a.num_loops(); ++a_loop_idx) {
    const S2Loop& a_loop = *a.loop(a_loop_idx);
    for (int a_vertex_idx = 0; a_vertex_idx < a_loop.num_vertices(); ++a_vertex_idx) {
      const S2Point& vertex = a_loop.vertex(a_vertex_idx);
      if (!b_cap.Contains(vertex)) continue;
      for (int b_loop_idx = 0; b_loop_idx < b.num_loops(); ++b_loop_idx) {
        const S2Loop& b_loop = *b.loop(b_loop_idx);
        for (int b_vertex_idx = 0; b_vertex_idx < b_loop.num_vertices(); ++b_vertex_idx) {
          if (S2::IsDistanceLess(vertex, b_loop.vertex(b_vertex_idx),
                                 b_loop.vertex(b_vertex_idx + 1), limit)) {
            return true;
          }
        }
      }
    }
  }
  return false;
}

bool CapsIntersect(const S2Cap& a, const S2Cap& b) {
  S1ChordAngle distance(a.center(), b.center());
  // Subtract the rounding error of the distance, so that the test errs towards "intersects".
  distance = distance.PlusError(-distance.GetS2PointConstructorMaxError());
  return distance <= a.radius() + b.radius();
}

bool FootprintsIntersect(const Volume4D& a, const Volume4D& b) {
  if (!a.BoundingRect().Intersects(b.BoundingRect())) return false;
  const S2Polygon* pa = a.s2_polygon();
  const S2Polygon* pb = b.s2_polygon();
  if (pa == nullptr && pb == nullptr) return CapsIntersect(a.s2_cap(), b.s2_cap());
  // Quick reject: a polygon's bounding cap has 1e-9 rad of slack, far above the rounding of
  // this test, so it never rejects footprints that touch.
  if (!a.BoundingCap().Intersects(b.BoundingCap())) return false;
  if (pa != nullptr && pb != nullptr) {
    // Quick accept: a vertex of one inside the other (Contains is semi-open, so inside the
    // closed polygon too). The boolean operation decides the rest exactly.
    if (pa->Contains(pb->loop(0)->vertex(0)) || pb->Contains(pa->loop(0)->vertex(0))) return true;
    // Quick reject: one polygon is clear of the other's bounding cap. CapIntersectsPolygon
    // errs towards "intersects", and the cap contains its polygon, so this never rejects
    // polygons that share a point. Then a quick accept on the edges (exact). Both are loops
    // over at most kBruteForceEdges vertices, several times cheaper than the boolean
    // operation (~1 µs against ~5-10 µs with Debian's libs2), which decides the rest.
    if (pa->num_vertices() <= kBruteForceEdges && pb->num_vertices() <= kBruteForceEdges) {
      if (!CapIntersectsPolygon(b.BoundingCap(), *pa) ||
          !CapIntersectsPolygon(a.BoundingCap(), *pb)) {
        return false;
      }
      if (EdgesCrossOrShareVertex(*pa, *pb)) return true;
      // Quick reject (exact): no edge crosses another, no vertex is shared, and no vertex lies
      // on the other's boundary, so the boundaries (simple closed curves) do not meet. Then
      // the closed polygons share a point only if one holds the other's boundary, hence its
      // vertex 0, which is off that boundary, where the semi-open Contains above is exact
      // (on the sphere, also when one is the other's complement side: then it holds the
      // other's vertex 0 too). Only when a vertex may touch an edge does the boolean
      // operation decide.
      if (pa->num_loops() == 1 && pb->num_loops() == 1 &&
          !AnyVertexMayTouchBoundary(*pa, *pb, b.BoundingCap()) &&
          !AnyVertexMayTouchBoundary(*pb, *pa, a.BoundingCap())) {
        return false;
      }
    }
    S2BooleanOperation::Options options;
    options.set_polygon_model(S2BooleanOperation::PolygonModel::CLOSED);
    return S2BooleanOperation::Intersects(pa->index(), pb->index(), options);
  }
  if (pa != nullptr) return CapIntersectsPolygon(b.s2_cap(), *pa);
  return CapIntersectsPolygon(a.s2_cap(), *pb);
}

// A polygon containing the cap: a regular polygon whose edges are tangent to the circle.
std::unique_ptr<S2Polygon> Circumscribe(const S2Cap& cap) {
  const S2Point& c = cap.center();
  const S2Point u = S2::Ortho(c).Normalize();
  const S2Point v = c.CrossProd(u);
  const double theta = cap.radius().ToAngle().radians();
  // On the sphere the vertex distance phi of a tangent polygon is tan(phi) = tan(theta)/cos(pi/n).
  const double phi =
      std::atan(std::tan(theta) / std::cos(std::numbers::pi / kCircumscribedVertices));
  std::vector<S2Point> points;
  for (int i = 0; i < kCircumscribedVertices; ++i) {
    const double t = 2 * std::numbers::pi * i / kCircumscribedVertices;
    points.push_back(
        (std::cos(phi) * c + std::sin(phi) * (std::cos(t) * u + std::sin(t) * v)).Normalize());
  }
  auto loop = std::make_unique<S2Loop>(points, S2Debug::DISABLE);
  loop->Normalize();
  return std::make_unique<S2Polygon>(std::move(loop), S2Debug::DISABLE);
}

// Whether the footprint of `inner` lies inside that of `outer`, for polygon/polygon and
// circle/polygon pairs. Only the tightness of an overlap rect depends on it: the intersection is
// inside both footprints whatever this answers.
bool FootprintInside(const Volume4D& inner, const Volume4D& outer) {
  const S2Polygon* inner_polygon = inner.s2_polygon();
  const S2Polygon* outer_polygon = outer.s2_polygon();
  if (inner_polygon != nullptr && outer_polygon != nullptr) {
    return outer_polygon->Contains(*inner_polygon);
  }
  if (inner_polygon != nullptr) {
    // A cap smaller than a hemisphere is convex: it holds the polygon iff it holds its vertices.
    if (outer.s2_cap().radius() >= S1ChordAngle::Right()) return false;
    for (int loop_idx = 0; loop_idx < inner_polygon->num_loops(); ++loop_idx) {
      const S2Loop& loop = *inner_polygon->loop(loop_idx);
      for (int vertex_idx = 0; vertex_idx < loop.num_vertices(); ++vertex_idx) {
        if (!outer.s2_cap().Contains(loop.vertex(vertex_idx))) return false;
      }
    }
    return true;
  }
  if (outer_polygon != nullptr) {
    // The circle is inside iff its centre is and the boundary is farther than the radius.
    if (!outer_polygon->Contains(inner.s2_cap().center())) return false;
    S2ClosestEdgeQuery query(&outer_polygon->index());
    query.mutable_options()->set_include_interiors(false);
    S2ClosestEdgeQuery::PointTarget target(inner.s2_cap().center());
    return !query.IsDistanceLessOrEqual(&target, inner.s2_cap().radius());
  }
  return false;
}

// A conservative bound of the footprint intersection: the bound of the (circumscribed)
// polygons' intersection, clipped to both footprints' bounds. When the footprints only touch,
// the computed intersection is empty and the clipped bounds are the answer.
S2LatLngRect FootprintOverlapRect(const Volume4D& a, const Volume4D& b) {
  const S2LatLngRect both = a.BoundingRect().Intersection(b.BoundingRect());
  // Two circles: the bounds' intersection (exact when one circle is inside the other, loose by
  // at most the lens's bulge otherwise) saves building polygons.
  if (a.s2_polygon() == nullptr && b.s2_polygon() == nullptr) return both;
  // One inside the other (common: a small operation in a large one): the inner one's bound,
  // i.e. `both`, is tight, and the containment tests cost ~1 µs against ~25 µs for building
  // the intersection.
  if (FootprintInside(a, b) || FootprintInside(b, a)) return both;
  std::unique_ptr<S2Polygon> circumscribed_a, circumscribed_b;
  const S2Polygon* pa = a.s2_polygon();
  if (pa == nullptr) pa = (circumscribed_a = Circumscribe(a.s2_cap())).get();
  const S2Polygon* pb = b.s2_polygon();
  if (pb == nullptr) pb = (circumscribed_b = Circumscribe(b.s2_cap())).get();

  S2Polygon intersection;
  S2Error error;
  if (intersection.InitToIntersection(
          *pa, *pb, s2builderutil::IdentitySnapFunction(S1Angle::Zero()), &error) &&
      !intersection.is_empty()) {
    const S2LatLngRect rect = intersection.GetRectBound()
                                  .ExpandedByDistance(S1Angle::Radians(kOverlapMarginRadians))
                                  .Intersection(both);
    if (!rect.is_empty()) return rect;
  }
  return both;
}

}  // namespace

bool Intersects(const Volume4D& a, const Volume4D& b) {
  return TimesIntersect(a.time(), b.time()) && AltitudesIntersect(a.altitude(), b.altitude()) &&
         FootprintsIntersect(a, b);
}

std::optional<Overlap> OverlapOf(const Volume4D& a, const Volume4D& b) {
  if (!Intersects(a, b)) return std::nullopt;
  return Overlap{
      .rect = FootprintOverlapRect(a, b),
      .altitude = {std::max(a.altitude().lower_m, b.altitude().lower_m),
                   std::min(a.altitude().upper_m, b.altitude().upper_m)},
      .time = {std::max(a.time().start, b.time().start), std::min(a.time().end, b.time().end)},
  };
}

bool Contains(const Volume4D& v, LatLng point, double alt_m, Timestamp at) {
  if (!std::isfinite(point.lat_deg) || !std::isfinite(point.lng_deg) || !std::isfinite(alt_m)) {
    return false;
  }
  if (at < v.time().start || at >= v.time().end) return false;
  if (alt_m < v.altitude().lower_m || alt_m > v.altitude().upper_m) return false;
  const S2Point p = S2LatLng::FromDegrees(point.lat_deg, point.lng_deg).Normalized().ToPoint();
  if (const S2Polygon* polygon = v.s2_polygon()) return polygon->Contains(p);
  return v.s2_cap().Contains(p);
}

}  // namespace deconflict::geo
