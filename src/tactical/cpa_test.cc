// Analytic cases of the narrow phase (tactical/cpa.h) with known answers, its symmetry, and
// the error bound of its geometry.
#include "tactical/cpa.h"

#include <cmath>
#include <iostream>
#include <limits>
#include <random>

#include "gtest/gtest.h"
#include "tactical/internal/test_tracks.h"

namespace deconflict::tactical {
namespace {

using testing::kT0;
using testing::MakeTrack;
using testing::Offset;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLookahead = 300;
constexpr double kFl300 = 9144;  // 30,000 ft
const SeparationMinima kDefault;

// Judges a at (0, 0) and b at (east, north) metres from (lat0, lon0). The flat-earth answers
// below are exact on the equator, where east and north are both geodesics; elsewhere aircraft
// flying great circles really do converge (meridians meet at the poles) and the engine says so.
struct Geometry {
  double lat0 = 0, lon0 = 5;
};
PairOutcome Judge(Geometry g, double a_e, double a_n, double a_alt, double a_gs, double a_trk,
                  double a_vs, double b_e, double b_n, double b_alt, double b_gs, double b_trk,
                  double b_vs, SeparationMinima minima = kDefault) {
  auto [alat, alon] = Offset(g.lat0, g.lon0, a_e, a_n);
  auto [blat, blon] = Offset(g.lat0, g.lon0, b_e, b_n);
  KinematicState a = PrepareTrack(MakeTrack("A", "a", alat, alon, a_alt, a_gs, a_trk, a_vs), kT0);
  KinematicState b = PrepareTrack(MakeTrack("B", "b", blat, blon, b_alt, b_gs, b_trk, b_vs), kT0);
  return EvaluatePair(a, b, minima, kLookahead);
}

TEST(EvaluatePair, HeadOnConflictHasTcpaAtMeetingAndZeroMiss) {
  PairOutcome o = Judge({}, 0, 0, kFl300, 200, 90, 0, 40000, 0, kFl300, 200, 270, 0);
  ASSERT_TRUE(o.conflict);
  EXPECT_NEAR(o.tcpa_s, 100, 0.02);
  EXPECT_NEAR(o.dcpa_m, 0, 2);
  EXPECT_NEAR(o.t_in_s, (40000 - 9260) / 400.0, 0.02);
  EXPECT_NEAR(o.t_out_s, (40000 + 9260) / 400.0, 0.02);
  EXPECT_NEAR(o.distance_m, 40000, 3);
  EXPECT_EQ(o.vertical_separation_m, 0);
}

TEST(EvaluatePair, CrossingAtRightAnglesMeetsAtTheCrossingPoint) {
  PairOutcome o = Judge({}, -30000, 0, kFl300, 200, 90, 0, 0, -30000, kFl300, 200, 0, 0);
  ASSERT_TRUE(o.conflict);
  EXPECT_NEAR(o.tcpa_s, 150, 0.05);
  EXPECT_NEAR(o.dcpa_m, 0, 3);
  EXPECT_NEAR(o.t_in_s, 150 - 9260 / std::sqrt(2 * 200.0 * 200.0), 0.05);
}

TEST(EvaluatePair, CrossingWithOffsetHasTheFlatEarthMissDistance) {
  // b - a = (30 km, -35 km), relative velocity (-200, 200): tcpa = 162.5 s, dcpa = 3535.5 m.
  PairOutcome o = Judge({}, -30000, 0, kFl300, 200, 90, 0, 0, -35000, kFl300, 200, 0, 0);
  ASSERT_TRUE(o.conflict);
  EXPECT_NEAR(o.tcpa_s, 162.5, 0.1);
  EXPECT_NEAR(o.dcpa_m, 3535.5, 3);
}

TEST(EvaluatePair, OvertakingClosesAtTheSpeedDifference) {
  PairOutcome o = Judge({}, 0, 0, kFl300, 150, 0, 0, 0, -20000, kFl300, 250, 0, 0);
  ASSERT_TRUE(o.conflict);
  EXPECT_NEAR(o.tcpa_s, 200, 0.1);
  EXPECT_NEAR(o.t_in_s, (20000 - 9260) / 100.0, 0.1);
  EXPECT_NEAR(o.t_out_s, (20000 + 9260) / 100.0, 0.1);
}

TEST(EvaluatePair, ParallelAtTheSameSpeedIsJudgedOnTheCurrentDistance) {
  // Both fly north on the equator: their ground velocities are equal vectors.
  PairOutcome clear = Judge({}, 0, 0, kFl300, 200, 0, 0, 10000, 0, kFl300, 200, 0, 0);
  EXPECT_FALSE(clear.conflict);
  PairOutcome close = Judge({}, 0, 0, kFl300, 200, 0, 0, 8000, 0, kFl300, 200, 0, 0);
  ASSERT_TRUE(close.conflict);
  EXPECT_EQ(close.t_in_s, -kInf);
  EXPECT_EQ(close.t_out_s, kInf);
  EXPECT_NEAR(close.dcpa_m, 8000, 2);
}

TEST(EvaluatePair, DivergingPairIsClearUnlessAlreadyTooClose) {
  EXPECT_FALSE(Judge({}, 0, 0, kFl300, 200, 270, 0, 20000, 0, kFl300, 200, 90, 0).conflict);
  PairOutcome o = Judge({}, 0, 0, kFl300, 200, 270, 0, 5000, 0, kFl300, 200, 90, 0);
  ASSERT_TRUE(o.conflict);
  EXPECT_LT(o.t_in_s, 0);
  EXPECT_NEAR(o.t_out_s, (9260 - 5000) / 400.0, 0.02);
  EXPECT_LE(o.tcpa_s, 0);
}

TEST(EvaluatePair, StationaryAircraftUseTheCurrentDistance) {
  PairOutcome close = Judge({}, 0, 0, 100, 0, 0, 0, 3000, 0, 100, 0, 0, 0);
  ASSERT_TRUE(close.conflict);
  EXPECT_EQ(close.tcpa_s, 0);
  EXPECT_NEAR(close.dcpa_m, 3000, 1);
  EXPECT_FALSE(Judge({}, 0, 0, 100, 0, 0, 0, 10000, 0, 100, 0, 0, 0).conflict);
}

TEST(EvaluatePair, LevelVersusClimbingOverlapsOnlyWhileVerticallyClose) {
  // Head-on (horizontal interval 76.85..123.15 s); b climbs from 1000 m below at 10 m/s:
  // vertically close while |-1000 + 10 t| < 304.79, i.e. 69.52..130.48 s.
  PairOutcome o = Judge({}, 0, 0, kFl300, 200, 90, 0, 40000, 0, kFl300 - 1000, 200, 270, 10);
  ASSERT_TRUE(o.conflict);
  EXPECT_NEAR(o.t_in_s, 76.85, 0.02);
  EXPECT_NEAR(o.t_out_s, 123.15, 0.02);
  // Climbing at 5 m/s from 2000 m below: vertically close at 339..461 s only, past the
  // horizontal interval.
  EXPECT_FALSE(Judge({}, 0, 0, kFl300, 200, 90, 0, 40000, 0, kFl300 - 2000, 200, 270, 5).conflict);
  // Climbing at 15 m/s from 1500 m below: the vertical interval (79.68..120.32 s) is inside
  // the horizontal one and clips both ends.
  PairOutcome late = Judge({}, 0, 0, kFl300, 200, 90, 0, 40000, 0, kFl300 - 1500, 200, 270, 15);
  ASSERT_TRUE(late.conflict);
  EXPECT_NEAR(late.t_in_s, (1500 - 304.79) / 15, 1e-6);
  EXPECT_NEAR(late.t_out_s, (1500 + 304.79) / 15, 1e-6);
}

TEST(EvaluatePair, AdjacentFlightLevelsAreSeparated) {
  const double fl200 = 200 * 30.48, fl210 = 210 * 30.48;
  EXPECT_FALSE(Judge({}, 0, 0, fl200, 200, 90, 0, 20000, 0, fl210, 200, 270, 0).conflict);
  EXPECT_FALSE(Judge({}, 0, 0, fl210, 200, 90, 0, 20000, 0, fl200, 200, 270, 0).conflict);
  EXPECT_TRUE(Judge({}, 0, 0, fl200, 200, 90, 0, 20000, 0, fl200, 200, 270, 0).conflict);
  // 2 cm less than 1000 ft is a loss of separation.
  EXPECT_TRUE(Judge({}, 0, 0, fl200, 200, 90, 0, 20000, 0, fl200 + 304.78, 200, 270, 0).conflict);
}

TEST(EvaluatePair, AlreadyInLossOfSeparation) {
  PairOutcome o = Judge({}, -1000, 0, kFl300, 200, 90, 0, 0, -1000, kFl300 + 100, 200, 0, 0);
  ASSERT_TRUE(o.conflict);
  EXPECT_LT(o.t_in_s, 0);
  EXPECT_GT(o.t_out_s, 0);
  EXPECT_NEAR(o.distance_m, std::sqrt(2.0) * 1000, 1);
  EXPECT_NEAR(o.vertical_separation_m, 100, 1e-9);
}

TEST(EvaluatePair, PerPairMinimaApply) {
  // dcpa 3535 m: a conflict at 5 NM, clear at 3 km.
  EXPECT_FALSE(Judge({}, -30000, 0, kFl300, 200, 90, 0, 0, -35000, kFl300, 200, 0, 0,
                     {.horizontal_m = 3000, .vertical_m = 304.8})
                   .conflict);
  // 500 ft apart: clear at 300 ft vertical minimum.
  EXPECT_FALSE(Judge({}, 0, 0, kFl300, 200, 90, 0, 40000, 0, kFl300 + 152.4, 200, 270, 0,
                     {.horizontal_m = 9260, .vertical_m = 91.44})
                   .conflict);
}

TEST(EvaluatePair, LookaheadBoundsTheFuture) {
  // Head-on from 140 km: t_in = (140000 - 9260) / 400 = 326.85 s > 300 s.
  EXPECT_FALSE(Judge({}, 0, 0, kFl300, 200, 90, 0, 140000, 0, kFl300, 200, 270, 0).conflict);
  EXPECT_TRUE(Judge({}, 0, 0, kFl300, 200, 90, 0, 120000, 0, kFl300, 200, 270, 0).conflict);
}

TEST(EvaluatePair, HeadOnAcrossTheAntimeridianMatchesTheSameGeometryAtGreenwich) {
  auto judge_at = [](double lon_a, double lon_b) {
    KinematicState a = PrepareTrack(MakeTrack("A", "a", 0, lon_a, kFl300, 200, 90), kT0);
    KinematicState b = PrepareTrack(MakeTrack("B", "b", 0, lon_b, kFl300, 200, 270), kT0);
    return EvaluatePair(a, b, kDefault, kLookahead);
  };
  PairOutcome across = judge_at(179.8, -179.8);
  PairOutcome greenwich = judge_at(-0.2, 0.2);
  ASSERT_TRUE(across.conflict);
  // 0.4 deg of the equator is 44,528 m of arc; the chord is shorter by s^3 / (24 a^2) = 9 cm,
  // and the two velocities are tilted by 0.2 deg in the bisector plane (cpa.h error bound).
  EXPECT_NEAR(across.distance_m, kWgs84A * 0.4 * testing::kRadPerDeg, 0.1);
  EXPECT_NEAR(across.tcpa_s, across.distance_m / 400, 1e-3);
  EXPECT_NEAR(across.dcpa_m, 0, 1e-3);
  EXPECT_NEAR(across.tcpa_s, greenwich.tcpa_s, 1e-6);
  EXPECT_NEAR(across.t_in_s, greenwich.t_in_s, 1e-6);
}

TEST(EvaluatePair, HeadOnOverTheNorthPole) {
  // Both fly north on opposite meridians, 0.15 deg from the pole: they meet at the pole.
  KinematicState a = PrepareTrack(MakeTrack("A", "a", 89.85, 0, kFl300, 200, 0), kT0);
  KinematicState b = PrepareTrack(MakeTrack("B", "b", 89.85, 180, kFl300, 200, 0), kT0);
  PairOutcome o = EvaluatePair(a, b, kDefault, kLookahead);
  ASSERT_TRUE(o.conflict);
  double arc = testing::VincentyDistance(89.85, 0, 89.85, 180);
  EXPECT_NEAR(arc, 33508, 5);
  EXPECT_NEAR(o.distance_m, arc, 0.05);  // chord: s^3 / (24 rho^2) = 4 cm
  EXPECT_NEAR(o.tcpa_s, arc / 400, 1e-3);
  EXPECT_NEAR(o.dcpa_m, 0, 1e-3);
}

TEST(EvaluatePair, CrossingAtRightAnglesOverThePole) {
  // Northbound on meridians 90 deg apart, equally far from the pole: by symmetry they cross
  // above the pole at the same moment.
  KinematicState a = PrepareTrack(MakeTrack("A", "a", 89.8, 0, kFl300, 200, 0), kT0);
  KinematicState b = PrepareTrack(MakeTrack("B", "b", 89.8, 90, kFl300, 200, 0), kT0);
  PairOutcome o = EvaluatePair(a, b, kDefault, kLookahead);
  ASSERT_TRUE(o.conflict);
  double to_pole = testing::VincentyDistance(89.8, 0, 90, 0);
  EXPECT_NEAR(o.dcpa_m, 0, 1e-3);
  EXPECT_NEAR(o.tcpa_s, to_pole / 200, 0.01);
  EXPECT_NEAR(o.distance_m, testing::VincentyDistance(89.8, 0, 89.8, 90), 0.05);
}

TEST(EvaluatePair, HeadOnAlongAMeridianAt85Degrees) {
  KinematicState a = PrepareTrack(MakeTrack("A", "a", 85, -120, kFl300, 200, 0), kT0);
  KinematicState b = PrepareTrack(MakeTrack("B", "b", 85.3, -120, kFl300, 200, 180), kT0);
  PairOutcome o = EvaluatePair(a, b, kDefault, kLookahead);
  ASSERT_TRUE(o.conflict);
  double arc = testing::VincentyDistance(85, -120, 85.3, -120);
  EXPECT_NEAR(o.distance_m, arc, 0.05);
  EXPECT_NEAR(o.dcpa_m, 0, 1e-3);
  EXPECT_NEAR(o.tcpa_s, arc / 400, 1e-3);
  EXPECT_NEAR(o.t_in_s, (arc - 9260) / 400, 1e-3);
}

TEST(EvaluatePair, TrackExactlyAtThePoleIsWellDefined) {
  // At lat 90 the track angle is measured from the meridian of the given longitude.
  KinematicState pole = PrepareTrack(MakeTrack("A", "a", 90, 0, kFl300, 0, 0), kT0);
  KinematicState b = PrepareTrack(MakeTrack("B", "b", 89.9, 30, kFl300, 200, 0), kT0);
  PairOutcome o = EvaluatePair(pole, b, kDefault, kLookahead);
  ASSERT_TRUE(o.conflict);
  EXPECT_NEAR(o.dcpa_m, 0, 0.01);
  EXPECT_NEAR(o.tcpa_s, testing::VincentyDistance(90, 0, 89.9, 30) / 200, 1e-3);
}

TEST(EvaluatePair, AntipodalPairIsNotAConflict) {
  KinematicState a = PrepareTrack(MakeTrack("A", "a", 0, 0, 0, 0, 0), kT0);
  KinematicState b = PrepareTrack(MakeTrack("B", "b", 0, 180, 0, 0, 0), kT0);
  EXPECT_FALSE(EvaluatePair(a, b, kDefault, kLookahead).conflict);
}

// Random pairs within ~60 km of each other, with degenerate values on purpose: equal speeds
// and headings, zero speeds, level, identical positions, poles and the antimeridian.
class PairMaker {
 public:
  explicit PairMaker(uint64_t seed) : rng_(seed) {}
  double Pick(std::initializer_list<double> special, double lo, double hi) {
    if (std::uniform_int_distribution<int>(0, 3)(rng_) == 0) {
      std::vector<double> values(special);
      return values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(rng_)];
    }
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }
  std::pair<Track, Track> Make() {
    double lat = Pick({0.0, 89.99, -89.99, 90.0, 84.0}, -90, 90);
    double lon = Pick({180.0, -180.0, 179.99, 0.0}, -180, 180);
    auto [blat, blon] = Offset(std::clamp(lat, -89.5, 89.5), lon, Pick({0.0, 9260.0}, -6e4, 6e4),
                               Pick({0.0}, -6e4, 6e4));
    Track a =
        MakeTrack("A", "a", lat, lon, Pick({6096.0, 9144.0}, 0, 13000), Pick({0.0, 200.0}, 0, 300),
                  Pick({0.0, 90.0, 180.0}, 0, 360), Pick({0.0, 10.0}, -20, 20));
    Track b = MakeTrack("B", "b", blat, blon, Pick({6096.0, 6400.8, 9144.0}, 0, 13000),
                        Pick({0.0, 200.0}, 0, 300), Pick({0.0, 90.0, 270.0}, 0, 360),
                        Pick({0.0, 10.0, -10.0}, -20, 20));
    return {a, b};
  }

 private:
  std::mt19937_64 rng_;
};

TEST(EvaluatePair, IsSymmetricBitForBit) {
  PairMaker maker(1);
  int conflicts = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    auto [ta, tb] = maker.Make();
    KinematicState a = PrepareTrack(ta, kT0), b = PrepareTrack(tb, kT0);
    PairOutcome ab = EvaluatePair(a, b, kDefault, kLookahead);
    PairOutcome ba = EvaluatePair(b, a, kDefault, kLookahead);
    ASSERT_EQ(ab.conflict, ba.conflict) << "trial " << trial;
    if (!ab.conflict) continue;
    ++conflicts;
    // Bit for bit: EXPECT_EQ, not EXPECT_NEAR (infinities compare equal to themselves).
    ASSERT_EQ(ab.tcpa_s, ba.tcpa_s) << "trial " << trial;
    ASSERT_EQ(ab.dcpa_m, ba.dcpa_m) << "trial " << trial;
    ASSERT_EQ(ab.t_in_s, ba.t_in_s) << "trial " << trial;
    ASSERT_EQ(ab.t_out_s, ba.t_out_s) << "trial " << trial;
    ASSERT_EQ(ab.distance_m, ba.distance_m) << "trial " << trial;
    ASSERT_TRUE(ab.t_in_s < ab.t_out_s && ab.t_out_s > 0 && ab.t_in_s < kLookahead);
  }
  EXPECT_GT(conflicts, 300);  // enough conflicting pairs to make the check bite
}

// cpa.h: current distance error <= s^3 / (24 rho^2) (+ a smaller ellipsoid term) against the
// geodesic (Vincenty); under 1 mm at 5 NM.
TEST(EvaluatePair, CurrentDistanceIsWithinTheStatedBoundOfTheGeodesic) {
  std::mt19937_64 rng(3);
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 5000; ++trial) {
    double lat = trial % 50 == 0 ? 89.99 : uniform(-89.99, 89.99);
    double lon = trial % 7 == 0 ? 180.0 : uniform(-180, 180);
    double range = trial % 3 == 0 ? 9260 : (trial % 3 == 1 ? 20000 : 160000);
    double dist = uniform(1, range), bearing = uniform(0, 360) * testing::kRadPerDeg;
    auto [blat, blon] = Offset(lat, lon, dist * std::sin(bearing), dist * std::cos(bearing));
    if (std::abs(blat) > 89.999) continue;
    KinematicState a = PrepareTrack(MakeTrack("A", "a", lat, lon, 0, 0, 0), kT0);
    KinematicState b = PrepareTrack(MakeTrack("B", "b", blat, blon, 0, 0, 0), kT0);
    PairOutcome o = EvaluatePair(a, b, {.horizontal_m = 1e6, .vertical_m = 304.8}, kLookahead);
    double s = testing::VincentyDistance(lat, lon, blat, blon);
    double rho = kWgs84MinCurvatureRadius;
    SCOPED_TRACE(::testing::Message()
                 << "trial " << trial << " at " << lat << ", " << lon << ", s = " << s);
    EXPECT_LE(std::abs(o.distance_m - s), 1.5 * s * s * s / (24 * rho * rho) + 1e-4);
    if (s <= 9260) {
      EXPECT_LT(std::abs(o.distance_m - s), 1e-3);
    }
  }
}

namespace prediction {

// ECEF -> geodetic latitude and longitude (degrees), iterating on the latitude.
std::pair<double, double> EcefToLatLon(Vec3 p) {
  double lon = std::atan2(p.y, p.x);
  double r = std::hypot(p.x, p.y);
  double lat = std::atan2(p.z, r * (1 - kWgs84E2));
  for (int iteration = 0; iteration < 6; ++iteration) {
    double s = std::sin(lat);
    double n = kWgs84A / std::sqrt(1 - kWgs84E2 * s * s);
    lat = std::atan2(p.z + kWgs84E2 * n * s, r);
  }
  return {lat / testing::kRadPerDeg, lon / testing::kRadPerDeg};
}

Vec3 Up(double lat, double lon) {
  double la = lat * testing::kRadPerDeg, lo = lon * testing::kRadPerDeg;
  return {std::cos(la) * std::cos(lo), std::cos(la) * std::sin(lo), std::sin(la)};
}

Vec3 Unit(Vec3 v) { return (1.0 / std::sqrt(Norm2(v))) * v; }

// Follows the geodesic from (lat, lon) with unit tangent `dir` for `distance` metres in small
// steps (step, drop back onto the ellipsoid, transport the direction). Returns the end point and
// the direction there.
struct Walk {
  double lat, lon;
  Vec3 dir;
};
Walk FollowGeodesic(double lat, double lon, Vec3 dir, double distance) {
  const int steps = std::max(1, static_cast<int>(distance / 20));
  const double h = distance / steps;
  for (int step = 0; step < steps; ++step) {
    Vec3 p = GeodeticToEcef(lat, lon, 0) + h * dir;
    std::tie(lat, lon) = EcefToLatLon(p);
    Vec3 up = Up(lat, lon);
    dir = Unit(dir - Dot(dir, up) * up);
  }
  return {lat, lon, dir};
}

double TrackAngle(double lat, double lon, Vec3 dir) {
  double la = lat * testing::kRadPerDeg, lo = lon * testing::kRadPerDeg;
  Vec3 east{-std::sin(lo), std::cos(lo), 0};
  Vec3 north{-std::sin(la) * std::cos(lo), -std::sin(la) * std::sin(lo), std::cos(la)};
  return std::atan2(Dot(dir, east), Dot(dir, north)) / testing::kRadPerDeg;
}

// Where an aircraft must be now to reach (lat, lon) after `seconds` at `speed` on heading
// `heading` (deg) there, flying a geodesic.
Track Origin(const std::string& party, double lat, double lon, double heading, double speed,
             double seconds) {
  double la = lat * testing::kRadPerDeg, lo = lon * testing::kRadPerDeg;
  double hd = heading * testing::kRadPerDeg;
  Vec3 east{-std::sin(lo), std::cos(lo), 0};
  Vec3 north{-std::sin(la) * std::cos(lo), -std::sin(la) * std::sin(lo), std::cos(la)};
  Vec3 back = -1.0 * (std::sin(hd) * east + std::cos(hd) * north);
  Walk start = FollowGeodesic(lat, lon, back, speed * seconds);
  double trk = TrackAngle(start.lat, start.lon, -1.0 * start.dir);
  return MakeTrack(party, party, start.lat, start.lon, 9144, speed, trk);
}

// cpa.h: the predicted separation differs from that of aircraft flying geodesics by at most
// L^3 / (4 rho^2). Two aircraft that truly meet at C after t seconds must be predicted to pass
// within that bound of each other, anywhere on Earth.
TEST(EvaluatePair, PredictedMissOfAircraftThatMeetIsWithinTheStatedBound) {
  std::mt19937_64 rng(20261121);  // fixed seed; each case prints its inputs on failure
  auto uniform = [&rng](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  double worst_ratio = 0, worst_miss = 0;
  for (int trial = 0; trial < 400; ++trial) {
    double lat = trial % 10 == 0 ? 89.9 : (trial % 10 == 1 ? -85.0 : uniform(-89, 89));
    double lon = trial % 7 == 0 ? 180.0 : uniform(-180, 180);
    double heading_a = uniform(0, 360), heading_b = uniform(0, 360);
    if (std::abs(std::remainder(heading_a - heading_b, 360.0)) < 5.0) continue;  // near-parallel
    double speed_a = uniform(120, 250), speed_b = uniform(120, 250);
    double meet_s = uniform(20, 300);
    Track a = Origin("A", lat, lon, heading_a, speed_a, meet_s);
    Track b = Origin("B", lat, lon, heading_b, speed_b, meet_s);
    PairOutcome o = EvaluatePair(PrepareTrack(a, kT0), PrepareTrack(b, kT0),
                                 {.horizontal_m = 1e6, .vertical_m = 304.8}, 1e4);
    double reach = (speed_a + speed_b) * meet_s;
    double rho = kWgs84MinCurvatureRadius;
    double bound = reach * reach * reach / (4 * rho * rho);
    SCOPED_TRACE(::testing::Message() << "trial " << trial << " meet at " << lat << ", " << lon
                                      << " after " << meet_s << " s, reach " << reach << " m");
    EXPECT_LE(o.dcpa_m, bound + 0.05);  // + the integrator's own error
    EXPECT_LT(std::abs(o.tcpa_s - meet_s), 1.0);
    worst_ratio = std::max(worst_ratio, o.dcpa_m / bound);
    worst_miss = std::max(worst_miss, o.dcpa_m);
  }
  std::cout << "worst predicted miss " << worst_miss << " m, " << worst_ratio
            << " of the stated bound\n";
}

}  // namespace prediction

}  // namespace
}  // namespace deconflict::tactical
