#include <cmath>
#include <string>

#include "common/time.h"
#include "geo/volume.h"
#include "gtest/gtest.h"
#include "s2/s2boolean_operation.h"
#include "s2/s2latlng.h"
#include "s2/s2polygon.h"

namespace deconflict::geo {
namespace {

Timestamp T(const char* text) { return *ParseRfc3339(text); }

const Timestamp kNow = T("2026-11-21T09:00:00Z");
const TimeWindow kTenToEleven{T("2026-11-21T10:00:00Z"), T("2026-11-21T11:00:00Z")};

Volume4D Make(Footprint footprint, AltitudeBand band = {0, 100}, TimeWindow window = kTenToEleven) {
  auto v = Volume4D::Make(std::move(footprint), band, window, VolumeLimits{}, kNow, "");
  EXPECT_TRUE(v.ok()) << v.status();
  return *v;
}

// Axis-aligned (in lat/lng) quadrilateral with geodesic edges.
Polygon Box(double lat0, double lng0, double lat1, double lng1) {
  return Polygon{{{lat0, lng0}, {lat0, lng1}, {lat1, lng1}, {lat1, lng0}}};
}

void ExpectConflict(const Volume4D& a, const Volume4D& b, bool expected) {
  EXPECT_EQ(Intersects(a, b), expected);
  EXPECT_EQ(Intersects(b, a), expected);
  EXPECT_EQ(OverlapOf(a, b).has_value(), expected);
}

TEST(Intersects, TouchingTimeWindowsDoNotConflict) {
  const Volume4D a = Make(Circle{{33.5, 36.2}, 1000});
  const Volume4D b = Make(Circle{{33.5, 36.2}, 1000}, {0, 100},
                          {T("2026-11-21T11:00:00Z"), T("2026-11-21T12:00:00Z")});
  ExpectConflict(a, b, false);
  const Volume4D c = Make(Circle{{33.5, 36.2}, 1000}, {0, 100},
                          {T("2026-11-21T10:59:59.999999Z"), T("2026-11-21T12:00:00Z")});
  ExpectConflict(a, c, true);
}

TEST(Intersects, TouchingAltitudeBandsConflict) {
  const Volume4D a = Make(Circle{{33.5, 36.2}, 1000}, {0, 100});
  ExpectConflict(a, Make(Circle{{33.5, 36.2}, 1000}, {100, 200}), true);
  ExpectConflict(a, Make(Circle{{33.5, 36.2}, 1000}, {100.001, 200}), false);
}

TEST(Intersects, PolygonsSharingAnEdgeConflict) {
  ExpectConflict(Make(Box(33.5, 36.2, 33.6, 36.3)), Make(Box(33.5, 36.3, 33.6, 36.4)), true);
  // Along the prime meridian and the equator, which are S2 cell boundaries at every level.
  ExpectConflict(Make(Box(10, -0.1, 10.1, 0)), Make(Box(10, 0, 10.1, 0.1)), true);
  ExpectConflict(Make(Box(-0.1, 20, 0, 20.1)), Make(Box(0, 20, 0.1, 20.1)), true);
  // Sharing a single vertex.
  ExpectConflict(Make(Box(33.5, 36.2, 33.6, 36.3)), Make(Box(33.6, 36.3, 33.7, 36.4)), true);
}

TEST(Intersects, PolygonWithAVertexExactlyOnAnotherPolygonsEdgeAgreesWithS2) {
  // Points on the equator or on the prime meridian lie exactly on the great circle of an edge
  // along it (one S2Point coordinate is exactly 0), so these pairs touch at one point only,
  // where no edges cross and no vertex is shared. S2 resolves such a touch by symbolic
  // perturbation (the vertex is taken to lie on one side), so the answer is S2BooleanOperation's
  // (CLOSED model); the fast paths must give the same, in either order. The touching vertex is
  // never vertex 0; both sides of the perturbation occur.
  auto s2_answer = [](const Volume4D& a, const Volume4D& b) {
    S2BooleanOperation::Options options;
    options.set_polygon_model(S2BooleanOperation::PolygonModel::CLOSED);
    return S2BooleanOperation::Intersects(a.s2_polygon()->index(), b.s2_polygon()->index(),
                                          options);
  };
  auto expect_agreement = [&](const Polygon& pa, const Polygon& pb) {
    const Volume4D a = Make(pa), b = Make(pb);
    const bool expected = s2_answer(a, b);
    EXPECT_EQ(Intersects(a, b), expected);
    EXPECT_EQ(Intersects(b, a), expected);
    return expected;
  };
  const Polygon south{{{-0.5, 0}, {-0.5, 1}, {0, 1}, {0, 0}}};         // top edge on the equator
  const Polygon north{{{0.5, 0}, {0.5, 1}, {0, 1}, {0, 0}}};           // bottom edge on it
  const Polygon west{{{0.2, -0.5}, {0.2, 0}, {0.8, 0}, {0.8, -0.5}}};  // east edge on lng 0
  const Polygon east{{{0.2, 0.5}, {0.2, 0}, {0.8, 0}, {0.8, 0.5}}};    // west edge on it
  int touching = 0, apart = 0;
  for (double t : {0.25, 0.5, 0.75}) {
    SCOPED_TRACE(t);
    for (const auto& [box, triangle] :
         {std::pair{south, Polygon{{{0.5, t + 0.2}, {0, t}, {0.5, t - 0.2}}}},
          std::pair{north, Polygon{{{-0.5, t + 0.2}, {0, t}, {-0.5, t - 0.2}}}},
          std::pair{west, Polygon{{{t + 0.1, 0.3}, {t, 0}, {t - 0.1, 0.3}}}},
          std::pair{east, Polygon{{{t + 0.1, -0.3}, {t, 0}, {t - 0.1, -0.3}}}}}) {
      (expect_agreement(box, triangle) ? touching : apart)++;
    }
  }
  EXPECT_GT(touching, 0);
  EXPECT_GT(apart, 0);
  // A hair away (1e-7 degrees, ~1 cm): no conflict.
  ExpectConflict(Make(west), Make(Polygon{{{0.6, 0.3}, {0.5, 1e-7}, {0.4, 0.3}}}), false);
}

TEST(Intersects, SeparatedPolygonsDoNotConflict) {
  ExpectConflict(Make(Box(33.5, 36.2, 33.6, 36.3)), Make(Box(33.5, 36.3001, 33.6, 36.4)), false);
}

TEST(Intersects, PolygonInsideAnotherConflicts) {
  ExpectConflict(Make(Box(33.5, 36.2, 33.6, 36.3)), Make(Box(33.52, 36.22, 33.53, 36.23)), true);
}

TEST(Intersects, CirclesConflictWhenCentresAreWithinTheSumOfRadii) {
  // Centres 0.1° of latitude apart: 11,119.5 m.
  const Volume4D a = Make(Circle{{33.5, 36.2}, 5000});
  ExpectConflict(a, Make(Circle{{33.6, 36.2}, 6200}), true);
  ExpectConflict(a, Make(Circle{{33.6, 36.2}, 6000}), false);
  ExpectConflict(a, Make(Circle{{33.5, 36.2}, 10}), true);  // one inside the other
}

TEST(Intersects, CircleAndPolygon) {
  const Volume4D box = Make(Box(33.5, 36.2, 33.6, 36.3));
  // Edge at lat 33.6 (geodesic, so it bulges a little north between its ends); 0.01° ~ 1,112 m.
  ExpectConflict(box, Make(Circle{{33.61, 36.25}, 1200}), true);
  ExpectConflict(box, Make(Circle{{33.61, 36.25}, 1000}), false);
  ExpectConflict(box, Make(Circle{{33.55, 36.25}, 10}), true);     // circle inside
  ExpectConflict(box, Make(Circle{{33.55, 36.25}, 50000}), true);  // polygon inside the circle
}

TEST(Intersects, AcrossTheAntimeridian) {
  const Volume4D box = Make(Polygon{{{-0.1, 179.9}, {-0.1, -179.9}, {0.1, -179.9}, {0.1, 179.9}}});
  ExpectConflict(box, Make(Circle{{0, 180}, 100}), true);
  ExpectConflict(box, Make(Circle{{0, -180}, 100}), true);
  ExpectConflict(box, Make(Circle{{0.05, -179.95}, 100}), true);
  ExpectConflict(box, Make(Box(-0.05, -179.95, 0.05, -179.8)), true);
  ExpectConflict(box, Make(Box(-0.05, 179.5, 0.05, 179.8)), false);
  ExpectConflict(box, Make(Circle{{0, 0}, 100}), false);
}

TEST(Intersects, AroundThePoles) {
  const Volume4D north = Make(Polygon{{{89.5, 0}, {89.5, 90}, {89.5, 180}, {89.5, -90}}});
  ExpectConflict(north, Make(Circle{{90, 0}, 100}), true);
  ExpectConflict(north, Make(Circle{{89.9, 123}, 100}), true);
  ExpectConflict(north, Make(Circle{{-90, 0}, 100}), false);
  ExpectConflict(north, Make(Polygon{{{89.8, 10}, {89.8, 20}, {89.9, 15}}}), true);
  ExpectConflict(north, Make(Circle{{88, 45}, 1000}), false);
  // Two circles on either side of the pole.
  // (each 1,112 m from the pole).
  ExpectConflict(Make(Circle{{89.99, 0}, 1150}), Make(Circle{{89.99, 180}, 1150}), true);
  ExpectConflict(Make(Circle{{89.99, 0}, 1100}), Make(Circle{{89.99, 180}, 1100}), false);
}

TEST(OverlapOf, IsTheCommonBandWindowAndATightRect) {
  const Volume4D a = Make(Box(33.5, 36.2, 33.6, 36.3), {0, 150});
  const Volume4D b = Make(Box(33.55, 36.25, 33.65, 36.35), {100, 300},
                          {T("2026-11-21T10:30:00Z"), T("2026-11-21T12:00:00Z")});
  auto o = OverlapOf(a, b);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->altitude, (AltitudeBand{100, 150}));
  EXPECT_EQ(o->time.start, T("2026-11-21T10:30:00Z"));
  EXPECT_EQ(o->time.end, T("2026-11-21T11:00:00Z"));
  EXPECT_NEAR(o->rect.lat_lo().degrees(), 33.55, 1e-3);
  EXPECT_NEAR(o->rect.lng_lo().degrees(), 36.25, 1e-6);
  EXPECT_NEAR(o->rect.lat_hi().degrees(), 33.6, 1e-3);
  EXPECT_NEAR(o->rect.lng_hi().degrees(), 36.3, 1e-6);
}

TEST(OverlapOf, OfACircleIsWithinItsBound) {
  const Volume4D box = Make(Box(33.5, 36.2, 33.6, 36.3));
  const Volume4D circle = Make(Circle{{33.6, 36.3}, 2000});
  auto o = OverlapOf(box, circle);
  ASSERT_TRUE(o.has_value());
  EXPECT_TRUE(box.BoundingRect().Contains(o->rect));
  EXPECT_TRUE(circle.BoundingRect().Contains(o->rect));
  // The quarter disc near the corner: ~2 km = 0.018° of latitude.
  EXPECT_NEAR(o->rect.lat_lo().degrees(), 33.6 - 0.018, 1e-3);
  EXPECT_NEAR(o->rect.lng_hi().degrees(), 36.3, 1e-4);
}

TEST(OverlapOf, OfAFootprintInsideAnotherIsTheInnerBound) {
  const Volume4D big = Make(Box(33.5, 36.2, 33.6, 36.3));
  const Volume4D small = Make(Box(33.52, 36.22, 33.53, 36.23));
  const Volume4D circle = Make(Circle{{33.55, 36.25}, 1000});
  const Volume4D huge_circle = Make(Circle{{33.55, 36.25}, 30000});
  for (const auto& [inner, outer] :
       {std::pair{&small, &big}, std::pair{&circle, &big}, std::pair{&small, &huge_circle}}) {
    for (bool swap : {false, true}) {
      auto o = swap ? OverlapOf(*outer, *inner) : OverlapOf(*inner, *outer);
      ASSERT_TRUE(o.has_value());
      EXPECT_TRUE(inner->BoundingRect().ApproxEquals(o->rect, S1Angle::Radians(1e-12)))
          << o->rect << " vs " << inner->BoundingRect();
    }
  }
}

TEST(OverlapOf, TouchingFootprintsGiveADegenerateRect) {
  auto o = OverlapOf(Make(Box(33.5, 36.2, 33.6, 36.3)), Make(Box(33.5, 36.3, 33.6, 36.4)));
  ASSERT_TRUE(o.has_value());
  EXPECT_FALSE(o->rect.is_empty());
  EXPECT_NEAR(o->rect.lng_lo().degrees(), 36.3, 1e-6);
  EXPECT_NEAR(o->rect.lng_hi().degrees(), 36.3, 1e-6);
}

TEST(OverlapToJson, HasTheAstmShapeAndInvertedLongitudesAcrossTheAntimeridian) {
  const Volume4D a = Make(Polygon{{{-0.1, 179.9}, {-0.1, -179.9}, {0.1, -179.9}, {0.1, 179.9}}});
  const Volume4D b = Make(Circle{{0, 180}, 1000}, {50, 60});
  auto o = OverlapOf(a, b);
  ASSERT_TRUE(o.has_value());
  boost::json::value json = OverlapToJson(*o);
  const auto& box = json.at("bounding_box");
  EXPECT_GT(box.at("lng_min").as_double(), box.at("lng_max").as_double());
  EXPECT_NEAR(box.at("lng_min").as_double(), 180 - 0.009, 1e-3);
  EXPECT_NEAR(box.at("lng_max").as_double(), -180 + 0.009, 1e-3);
  EXPECT_EQ(json.at("altitude_lower").at("value").as_double(), 50);
  EXPECT_EQ(json.at("altitude_upper").at("reference"), "W84");
  EXPECT_EQ(json.at("altitude_upper").at("units"), "M");
  EXPECT_EQ(json.at("time_start").at("value"), "2026-11-21T10:00:00Z");
  EXPECT_EQ(json.at("time_end").at("format"), "RFC3339");
}

TEST(Contains, PointInPolygonBandAndWindow) {
  const Volume4D v = Make(Box(33.0, 36.0, 33.8, 36.8), {0, 3000});
  const Timestamp inside = T("2026-11-21T10:30:00Z");
  EXPECT_TRUE(Contains(v, {33.5, 36.5}, 1000, inside));
  EXPECT_FALSE(Contains(v, {33.9, 36.5}, 1000, inside));                     // north of it
  EXPECT_FALSE(Contains(v, {33.5, 36.5}, 3001, inside));                     // above the band
  EXPECT_TRUE(Contains(v, {33.5, 36.5}, 3000, inside));                      // the band is closed
  EXPECT_FALSE(Contains(v, {33.5, 36.5}, 1000, T("2026-11-21T11:00:00Z")));  // half-open
  EXPECT_TRUE(Contains(v, {33.5, 36.5}, 1000, T("2026-11-21T10:00:00Z")));
  EXPECT_FALSE(Contains(v, {std::nan(""), 36.5}, 1000, inside));
}

TEST(Contains, PointInCircle) {
  const Volume4D v = Make(Circle{{33.5, 36.2}, 1000});
  const Timestamp inside = T("2026-11-21T10:30:00Z");
  EXPECT_TRUE(Contains(v, {33.5, 36.2}, 50, inside));
  EXPECT_TRUE(Contains(v, {33.5 + 0.008, 36.2}, 50, inside));    // ~890 m north
  EXPECT_FALSE(Contains(v, {33.5 + 0.0095, 36.2}, 50, inside));  // ~1,056 m north
}

}  // namespace
}  // namespace deconflict::geo
