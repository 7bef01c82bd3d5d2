#include "geo/volume.h"

#include <cmath>
#include <numbers>

#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "s2/s2latlng.h"
#include "s2/s2loop.h"
#include "s2/s2polygon.h"

namespace deconflict::geo {
namespace {

using ::testing::HasSubstr;

Timestamp T(const char* text) { return *ParseRfc3339(text); }

const Timestamp kNow = T("2026-11-21T09:00:00Z");

boost::json::value Json(const char* text) {
  auto v = ParseJson(text);
  EXPECT_TRUE(v.ok()) << v.status();
  return *v;
}

constexpr char kPolygonJson[] = R"({
  "volume": {
    "outline_polygon": {"vertices": [{"lat": 33.5, "lng": 36.2}, {"lat": 33.5, "lng": 36.3},
                                     {"lat": 33.6, "lng": 36.3}, {"lat": 33.6, "lng": 36.2}]},
    "altitude_lower": {"value": 0, "reference": "W84", "units": "M"},
    "altitude_upper": {"value": 120.5, "reference": "W84", "units": "M"}},
  "time_start": {"value": "2026-11-21T10:00:00Z", "format": "RFC3339"},
  "time_end": {"value": "2026-11-21T11:00:00Z", "format": "RFC3339"}})";

constexpr char kCircleJson[] = R"({
  "volume": {
    "outline_circle": {"center": {"lat": 33.5, "lng": 36.2}, "radius": {"value": 5000, "units": "M"}},
    "altitude_lower": {"value": -10, "reference": "W84", "units": "M"},
    "altitude_upper": {"value": 300, "reference": "W84", "units": "M"}},
  "time_start": {"value": "2026-11-21T10:00:00Z", "format": "RFC3339"},
  "time_end": {"value": "2026-11-21T11:00:00Z", "format": "RFC3339"}})";

absl::StatusOr<Volume4D> Parse(const boost::json::value& v, std::string_view path = "extents[0]") {
  return Volume4D::FromJson(v, path, VolumeLimits{}, kNow);
}

// The parsed document with `edit` applied.
absl::StatusOr<Volume4D> ParseEdited(const char* text,
                                     const std::function<void(boost::json::object&)>& edit) {
  boost::json::value v = Json(text);
  edit(v.as_object());
  return Parse(v);
}

boost::json::object& VolumeOf(boost::json::object& root) { return root["volume"].as_object(); }
boost::json::array& VerticesOf(boost::json::object& root) {
  return VolumeOf(root)["outline_polygon"].as_object()["vertices"].as_array();
}

absl::StatusOr<Volume4D> MakePolygon(std::vector<LatLng> vertices,
                                     VolumeLimits limits = VolumeLimits{}) {
  return Volume4D::Make(Polygon{std::move(vertices)}, {0, 100},
                        {T("2026-11-21T10:00:00Z"), T("2026-11-21T11:00:00Z")}, limits, kNow,
                        "extents[0]");
}

absl::StatusOr<Volume4D> MakeCircle(LatLng center, double radius_m) {
  return Volume4D::Make(Circle{center, radius_m}, {0, 100},
                        {T("2026-11-21T10:00:00Z"), T("2026-11-21T11:00:00Z")}, VolumeLimits{},
                        kNow, "extents[0]");
}

TEST(VolumeJson, PolygonRoundTrips) {
  auto v = Parse(Json(kPolygonJson));
  ASSERT_TRUE(v.ok()) << v.status();
  const auto& polygon = std::get<Polygon>(v->footprint());
  ASSERT_EQ(polygon.vertices.size(), 4u);
  EXPECT_EQ(polygon.vertices[1], (LatLng{33.5, 36.3}));
  EXPECT_EQ(v->altitude(), (AltitudeBand{0, 120.5}));
  EXPECT_EQ(v->time().start, T("2026-11-21T10:00:00Z"));
  auto again = Parse(v->ToJson());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *v);
  EXPECT_EQ(boost::json::serialize(again->ToJson()), boost::json::serialize(v->ToJson()));
}

TEST(VolumeJson, CircleRoundTrips) {
  auto v = Parse(Json(kCircleJson));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(std::get<Circle>(v->footprint()), (Circle{{33.5, 36.2}, 5000}));
  auto again = Parse(v->ToJson());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *v);
}

TEST(VolumeJson, UnknownFieldsAreRefusedAtEveryLevel) {
  auto top = ParseEdited(kPolygonJson, [](auto& root) { root["extra"] = 1; });
  EXPECT_EQ(FieldOf(top.status()), "extents[0].extra");
  auto volume = ParseEdited(kPolygonJson, [](auto& root) { VolumeOf(root)["name"] = "x"; });
  EXPECT_EQ(FieldOf(volume.status()), "extents[0].volume.name");
  auto vertex =
      ParseEdited(kPolygonJson, [](auto& root) { VerticesOf(root)[2].as_object()["alt"] = 3; });
  EXPECT_EQ(FieldOf(vertex.status()), "extents[0].volume.outline_polygon.vertices[2].alt");
  auto altitude = ParseEdited(kPolygonJson, [](auto& root) {
    VolumeOf(root)["altitude_upper"].as_object()["datum"] = "x";
  });
  EXPECT_EQ(FieldOf(altitude.status()), "extents[0].volume.altitude_upper.datum");
  auto time =
      ParseEdited(kPolygonJson, [](auto& root) { root["time_end"].as_object()["zone"] = "Z"; });
  EXPECT_EQ(FieldOf(time.status()), "extents[0].time_end.zone");
}

TEST(VolumeJson, ExactlyOneOutlineIsRequired) {
  auto both = ParseEdited(kPolygonJson, [](auto& root) {
    VolumeOf(root)["outline_circle"] = Json(kCircleJson).at("volume").at("outline_circle");
  });
  EXPECT_EQ(FieldOf(both.status()), "extents[0].volume.outline_circle");
  auto none =
      ParseEdited(kPolygonJson, [](auto& root) { VolumeOf(root).erase("outline_polygon"); });
  EXPECT_EQ(FieldOf(none.status()), "extents[0].volume");
  EXPECT_THAT(none.status().message(), HasSubstr("outline_polygon or outline_circle"));
}

TEST(VolumeJson, ReferenceUnitsAndFormatMustBeTheAstmOnes) {
  auto reference = ParseEdited(kPolygonJson, [](auto& root) {
    VolumeOf(root)["altitude_lower"].as_object()["reference"] = "AGL";
  });
  EXPECT_EQ(FieldOf(reference.status()), "extents[0].volume.altitude_lower.reference");
  auto units = ParseEdited(kCircleJson, [](auto& root) {
    VolumeOf(root)["outline_circle"].as_object()["radius"].as_object()["units"] = "FT";
  });
  EXPECT_EQ(FieldOf(units.status()), "extents[0].volume.outline_circle.radius.units");
  auto format = ParseEdited(kPolygonJson,
                            [](auto& root) { root["time_start"].as_object()["format"] = "unix"; });
  EXPECT_EQ(FieldOf(format.status()), "extents[0].time_start.format");
  auto bad_time = ParseEdited(
      kPolygonJson, [](auto& root) { root["time_start"].as_object()["value"] = "tomorrow"; });
  EXPECT_EQ(FieldOf(bad_time.status()), "extents[0].time_start.value");
}

TEST(VolumeJson, BadLatitudeIsNamedWithThePrefix) {
  auto v =
      ParseEdited(kPolygonJson, [](auto& root) { VerticesOf(root)[3].as_object()["lat"] = 91.0; });
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(v.status()), "extents[0].volume.outline_polygon.vertices[3].lat");
  auto lng = ParseEdited(kPolygonJson,
                         [](auto& root) { VerticesOf(root)[1].as_object()["lng"] = "east"; });
  EXPECT_EQ(FieldOf(lng.status()), "extents[0].volume.outline_polygon.vertices[1].lng");
  auto no_prefix = Volume4D::FromJson(Json(kCircleJson).at("volume").at("outline_circle"), "",
                                      VolumeLimits{}, kNow);
  EXPECT_EQ(FieldOf(no_prefix.status()), "volume");
}

TEST(VolumeJson, TooManyVerticesIsLimitExceededBeforeParsingThem) {
  auto v = ParseEdited(kPolygonJson, [](auto& root) {
    auto& vertices = VerticesOf(root);
    for (int i = 0; i < 1000; ++i) vertices.push_back("not even a vertex");
  });
  EXPECT_TRUE(IsLimitExceeded(v.status())) << v.status();
  EXPECT_EQ(FieldOf(v.status()), "extents[0].volume.outline_polygon.vertices");
}

TEST(VolumeValidation, NonFiniteNumbersAreRefused) {
  auto lat = MakePolygon({{NAN, 0}, {0, 1}, {1, 1}});
  EXPECT_EQ(FieldOf(lat.status()), "extents[0].volume.outline_polygon.vertices[0].lat");
  auto radius = MakeCircle({0, 0}, INFINITY);
  EXPECT_EQ(FieldOf(radius.status()), "extents[0].volume.outline_circle.radius.value");
  auto altitude = Volume4D::Make(Circle{{0, 0}, 10}, {NAN, 10},
                                 {T("2026-11-21T10:00:00Z"), T("2026-11-21T11:00:00Z")},
                                 VolumeLimits{}, kNow, "");
  EXPECT_EQ(FieldOf(altitude.status()), "volume.altitude_lower.value");
}

TEST(VolumeValidation, LongitudeAndLatitudeRanges) {
  EXPECT_EQ(FieldOf(MakeCircle({0, 180.5}, 10).status()),
            "extents[0].volume.outline_circle.center.lng");
  EXPECT_EQ(FieldOf(MakeCircle({-90.01, 0}, 10).status()),
            "extents[0].volume.outline_circle.center.lat");
  EXPECT_TRUE(MakeCircle({90, 0}, 10).ok());
  EXPECT_TRUE(MakeCircle({0, -180}, 10).ok());
}

TEST(VolumeValidation, RadiusMustBePositive) {
  for (double radius : {0.0, -5.0}) {
    auto v = MakeCircle({33, 36}, radius);
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldOf(v.status()), "extents[0].volume.outline_circle.radius.value");
  }
}

TEST(VolumeValidation, SelfIntersectingPolygonNamesAVertex) {
  // A bow tie: edges 0-1 and 2-3 cross.
  auto v = MakePolygon({{0, 0}, {0.1, 0.1}, {0, 0.1}, {0.1, 0}});
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), HasSubstr("self-intersecting"));
  EXPECT_THAT(*FieldOf(v.status()),
              ::testing::StartsWith("extents[0].volume.outline_polygon.vertices["));
}

TEST(VolumeValidation, RepeatedVerticesAreRefused) {
  auto closed = MakePolygon({{0, 0}, {0, 0.1}, {0.1, 0.1}, {0, 0}});
  EXPECT_EQ(FieldOf(closed.status()), "extents[0].volume.outline_polygon.vertices[3]");
  EXPECT_THAT(closed.status().message(), HasSubstr("repeats vertices[0]"));
  auto inner = MakePolygon({{0, 0}, {0, 0.1}, {0.1, 0.1}, {0, 0.1}, {0.1, 0}});
  EXPECT_EQ(FieldOf(inner.status()), "extents[0].volume.outline_polygon.vertices[3]");
  // The pole is one point whatever its longitude.
  auto pole = MakePolygon({{90, 0}, {89.9, 10}, {90, 45}, {89.9, 50}});
  EXPECT_EQ(FieldOf(pole.status()), "extents[0].volume.outline_polygon.vertices[2]");
}

TEST(VolumeValidation, DegeneratePolygonsAreRefused) {
  EXPECT_EQ(FieldOf(MakePolygon({{0, 0}, {0, 0.1}}).status()),
            "extents[0].volume.outline_polygon.vertices");
  EXPECT_EQ(FieldOf(MakePolygon({}).status()), "extents[0].volume.outline_polygon.vertices");
  // Three vertices on the equator enclose nothing.
  auto collinear = MakePolygon({{0, 0}, {0, 0.1}, {0, 0.2}});
  EXPECT_FALSE(collinear.ok());
  EXPECT_THAT(*FieldOf(collinear.status()),
              ::testing::StartsWith("extents[0].volume.outline_polygon.vertices"));
  auto antipodal = MakePolygon({{0, 0}, {0, 180}, {10, 90}});
  EXPECT_FALSE(antipodal.ok());
  EXPECT_EQ(FieldOf(antipodal.status()), "extents[0].volume.outline_polygon.vertices[1]");
}

TEST(VolumeValidation, TooManyVerticesIsLimitExceeded) {
  std::vector<LatLng> vertices;
  for (int i = 0; i < 1001; ++i) {
    const double t = 2 * std::numbers::pi * i / 1001;
    vertices.push_back({0.1 * std::sin(t), 0.1 * std::cos(t)});
  }
  auto v = MakePolygon(vertices);
  EXPECT_TRUE(IsLimitExceeded(v.status())) << v.status();
  vertices.pop_back();
  EXPECT_TRUE(MakePolygon(vertices).ok());
}

TEST(VolumeValidation, TooLargeAreaIsLimitExceeded) {
  // 1° x 1° at the equator is about 12,364 km².
  auto big = MakePolygon({{0, 0}, {0, 1}, {1, 1}, {1, 0}});
  EXPECT_TRUE(IsLimitExceeded(big.status())) << big.status();
  EXPECT_EQ(FieldOf(big.status()), "extents[0].volume.outline_polygon");
  // A 56 km circle is 9,852 km²; 57 km is 10,207 km².
  EXPECT_TRUE(MakeCircle({0, 0}, 56000).ok());
  auto circle = MakeCircle({0, 0}, 57000);
  EXPECT_TRUE(IsLimitExceeded(circle.status())) << circle.status();
  EXPECT_EQ(FieldOf(circle.status()), "extents[0].volume.outline_circle.radius.value");
  // A huge radius (beyond the antipode) is still just too large.
  EXPECT_TRUE(IsLimitExceeded(MakeCircle({0, 0}, 1e9).status()));
}

TEST(VolumeValidation, AltitudeBandLimits) {
  auto make = [](AltitudeBand band) {
    return Volume4D::Make(Circle{{0, 0}, 10}, band,
                          {T("2026-11-21T10:00:00Z"), T("2026-11-21T11:00:00Z")}, VolumeLimits{},
                          kNow, "x");
  };
  EXPECT_TRUE(make({-8000, 100000}).ok());
  EXPECT_TRUE(make({50, 50}).ok());
  EXPECT_EQ(FieldOf(make({-8001, 0}).status()), "x.volume.altitude_lower.value");
  EXPECT_EQ(FieldOf(make({0, 100001}).status()), "x.volume.altitude_upper.value");
  EXPECT_EQ(FieldOf(make({60, 50}).status()), "x.volume.altitude_upper.value");
}

TEST(VolumeValidation, TimeWindowMustEndAfterStartAndNowWithinTheHorizon) {
  auto make = [](const char* start, const char* end) {
    return Volume4D::Make(Circle{{0, 0}, 10}, {0, 10}, {T(start), T(end)}, VolumeLimits{}, kNow,
                          "x");
  };
  EXPECT_TRUE(make("2026-11-21T00:00:00Z", "2026-11-21T09:00:01Z").ok());  // already started
  EXPECT_EQ(FieldOf(make("2026-11-21T10:00:00Z", "2026-11-21T10:00:00Z").status()),
            "x.time_end.value");
  EXPECT_EQ(FieldOf(make("2026-11-21T08:00:00Z", "2026-11-21T09:00:00Z").status()),
            "x.time_end.value");                                           // ended exactly now
  EXPECT_TRUE(make("2026-12-21T08:00:00Z", "2026-12-21T09:00:00Z").ok());  // now + 30 days
  auto beyond = make("2026-12-21T08:00:00Z", "2026-12-21T09:00:01Z");
  EXPECT_EQ(FieldOf(beyond.status()), "x.time_end.value");
  EXPECT_THAT(beyond.status().message(), HasSubstr("planning horizon"));
}

TEST(VolumeValidation, TimeWindowMayNotStartLongBeforeNow) {
  auto make = [](const char* start, VolumeLimits limits = {}) {
    return Volume4D::Make(Circle{{0, 0}, 500}, {0, 10}, {T(start), T("2026-11-21T10:00:00Z")},
                          limits, kNow, "extents[2]");
  };
  EXPECT_TRUE(make("2026-11-20T09:00:00Z").ok());  // exactly 24 h before now
  auto day_and_a_bit = make("2026-11-20T08:59:59.999999Z");
  EXPECT_EQ(FieldOf(day_and_a_bit.status()), "extents[2].time_start.value");
  EXPECT_EQ(day_and_a_bit.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(day_and_a_bit.status().message(), HasSubstr("more than 24 h before now"));
  // The year-0001 window that once cost ~3 million index buckets.
  EXPECT_EQ(FieldOf(make("0001-01-01T00:00:00Z").status()), "extents[2].time_start.value");
  // Through FromJson too, with the same field.
  auto json = boost::json::parse(R"({"volume": {"outline_circle": {"center": {"lat": 0, "lng": 0},
      "radius": {"value": 500, "units": "M"}}, "altitude_lower": {"value": 0, "reference": "W84",
      "units": "M"}, "altitude_upper": {"value": 10, "reference": "W84", "units": "M"}},
      "time_start": {"value": "0001-01-01T00:00:00Z", "format": "RFC3339"},
      "time_end": {"value": "2026-11-21T11:00:00Z", "format": "RFC3339"}})");
  EXPECT_EQ(FieldOf(Volume4D::FromJson(json, "extents[0]", VolumeLimits{}, kNow).status()),
            "extents[0].time_start.value");
  // A larger limit (as for volumes read back from the store) accepts what it covers.
  EXPECT_TRUE(make("0001-01-01T00:00:00Z",
                   VolumeLimits{.max_start_age = std::chrono::hours(24 * 366 * 3000)})
                  .ok());
}

TEST(VolumeGeometry, EitherWindingGivesTheSmallerRegion) {
  auto ccw = MakePolygon({{0, 0}, {0, 0.1}, {0.1, 0.1}, {0.1, 0}});
  auto cw = MakePolygon({{0.1, 0}, {0.1, 0.1}, {0, 0.1}, {0, 0}});
  ASSERT_TRUE(ccw.ok() && cw.ok());
  EXPECT_NEAR(ccw->AreaKm2(), 123.6, 0.2);
  EXPECT_DOUBLE_EQ(ccw->AreaKm2(), cw->AreaKm2());
  EXPECT_TRUE(cw->s2_polygon()->Contains(S2LatLng::FromDegrees(0.05, 0.05).ToPoint()));
}

TEST(VolumeGeometry, AntimeridianPolygonIsTheSmallOne) {
  auto v = MakePolygon({{-0.1, 179.9}, {-0.1, -179.9}, {0.1, -179.9}, {0.1, 179.9}});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_NEAR(v->AreaKm2(), 494.5, 1);
  EXPECT_TRUE(v->s2_polygon()->Contains(S2LatLng::FromDegrees(0, 180).ToPoint()));
  EXPECT_FALSE(v->s2_polygon()->Contains(S2LatLng::FromDegrees(0, 0).ToPoint()));
  const S2LatLngRect rect = v->BoundingRect();
  EXPECT_TRUE(rect.lng().is_inverted());  // crosses the antimeridian
  EXPECT_NEAR(rect.lng().GetLength(), S1Angle::Degrees(0.2).radians(), 1e-6);
}

TEST(VolumeGeometry, PolygonAroundAPoleContainsIt) {
  auto north = MakePolygon({{89.5, 0}, {89.5, 90}, {89.5, 180}, {89.5, -90}});
  ASSERT_TRUE(north.ok()) << north.status();
  EXPECT_TRUE(north->s2_polygon()->Contains(S2Point(0, 0, 1)));
  EXPECT_TRUE(north->BoundingRect().lng().is_full());
  auto south = MakePolygon({{-89.5, 0}, {-89.5, 90}, {-89.5, 180}, {-89.5, -90}});
  ASSERT_TRUE(south.ok()) << south.status();
  EXPECT_TRUE(south->s2_polygon()->Contains(S2Point(0, 0, -1)));
  // Square inscribed in the 0.5° polar cap: 2 r², r = 55.6 km.
  EXPECT_NEAR(north->AreaKm2(), 6182, 20);
}

TEST(VolumeGeometry, CircleAreaIsTheSphericalCapArea) {
  auto v = MakeCircle({45, 10}, 5000);
  ASSERT_TRUE(v.ok());
  EXPECT_NEAR(v->AreaKm2(), std::numbers::pi * 25, 0.01);
}

TEST(VolumeGeoJson, PolygonRingIsClosedAndCounterClockwise) {
  auto cw = MakePolygon({{0.1, 0}, {0.1, 0.1}, {0, 0.1}, {0, 0}});
  ASSERT_TRUE(cw.ok());
  boost::json::value feature = cw->ToGeoJson();
  EXPECT_EQ(feature.at("type"), "Feature");
  EXPECT_EQ(feature.at("geometry").at("type"), "Polygon");
  const auto& ring = feature.at("geometry").at("coordinates").at(0).as_array();
  ASSERT_EQ(ring.size(), 5u);
  EXPECT_EQ(ring.front(), ring.back());
  std::vector<S2Point> points;
  for (size_t i = 0; i + 1 < ring.size(); ++i) {
    points.push_back(
        S2LatLng::FromDegrees(ring[i].at(1).to_number<double>(), ring[i].at(0).to_number<double>())
            .ToPoint());
  }
  EXPECT_TRUE(S2Loop(points).IsNormalized());  // counter-clockwise around the small region
  EXPECT_EQ(feature.at("properties").at("time_end"), "2026-11-21T11:00:00Z");
}

TEST(VolumeGeoJson, CircleIsA64GonOnTheCircle) {
  auto v = MakeCircle({-89.99, 0}, 3000);  // near a pole, where lat/lng frames break
  ASSERT_TRUE(v.ok());
  boost::json::value feature = v->ToGeoJson();
  const auto& ring = feature.at("geometry").at("coordinates").at(0).as_array();
  ASSERT_EQ(ring.size(), 65u);
  EXPECT_EQ(ring.front(), ring.back());
  std::vector<S2Point> points;
  for (size_t i = 0; i + 1 < ring.size(); ++i) {
    S2Point p =
        S2LatLng::FromDegrees(ring[i].at(1).to_number<double>(), ring[i].at(0).to_number<double>())
            .ToPoint();
    EXPECT_NEAR(S1Angle(p, v->s2_cap().center()).radians() * 6371010.0, 3000, 0.01);
    points.push_back(p);
  }
  EXPECT_TRUE(S2Loop(points).IsNormalized());
  EXPECT_TRUE(S2Loop(points).Contains(v->s2_cap().center()));
}

}  // namespace
}  // namespace deconflict::geo
