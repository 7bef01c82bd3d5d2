#include "monitoring/incident.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "gtest/gtest.h"
#include "monitoring/taxonomy.h"

namespace deconflict::monitoring {
namespace {

using namespace std::chrono_literals;

const Timestamp kNow = *ParseRfc3339("2026-12-01T07:00:00Z");

IncidentRequest Shelling() {
  return IncidentRequest{.id = "syr-2026-1142",
                         .occurred_at = kNow - 6h,
                         .location = {36.2, 37.1},
                         .geo_precision = 1,
                         .observation = Observation{.observer = {36.21, 37.12},
                                                    .bearing_deg = 225,
                                                    .distance_min_m = 1000,
                                                    .distance_max_m = 3000,
                                                    .mode = "heard"},
                         .event_type = "Explosions/Remote violence",
                         .sub_event_type = "Shelling/artillery/missile attack",
                         .alleged_party = "RU",
                         .target = "Civilians (Syria)",
                         .fatalities = {.best = 2, .low = 1, .high = 4},
                         .notes = "Two shells hit the market.\n\tThe third fell short.",
                         .sources = {"SOHR", "Step News Agency"},
                         .admin1 = "Aleppo",
                         .location_name = "Al Bab"};
}

// The field of the error, and its code, for `r`.
std::pair<std::optional<std::string>, absl::StatusCode> Refusal(const IncidentRequest& r) {
  absl::Status s = ValidateIncident(r, kNow);
  EXPECT_FALSE(s.ok());
  return {FieldOf(s), s.code()};
}
std::optional<std::string> ErrorField(const IncidentRequest& r) { return Refusal(r).first; }

TEST(ValidateIncident, AGoodReportPasses) {
  EXPECT_TRUE(ValidateIncident(Shelling(), kNow).ok());
  IncidentRequest r = Shelling();
  r.observation.reset();
  r.sources.clear();
  r.alleged_party.clear();
  EXPECT_TRUE(ValidateIncident(r, kNow).ok());
}

TEST(ValidateIncident, IdAndTimeRules) {
  IncidentRequest r = Shelling();
  r.id = "-x";
  EXPECT_EQ(ErrorField(r), "id");
  r = Shelling();
  r.occurred_at = kNow + 4min;  // clocks disagree a little
  EXPECT_TRUE(ValidateIncident(r, kNow).ok());
  r.occurred_at = kNow + 6min;
  EXPECT_EQ(ErrorField(r), "occurred_at");
  r.occurred_at = *ParseRfc3339("1989-12-31T23:59:59Z");
  EXPECT_EQ(ErrorField(r), "occurred_at");
  r.occurred_at = *ParseRfc3339("1990-01-01T00:00:00Z");
  EXPECT_TRUE(ValidateIncident(r, kNow).ok());
  for (int precision : {0, 4, -1}) {
    r = Shelling();
    r.time_precision = precision;
    EXPECT_EQ(ErrorField(r), "time_precision");
    r = Shelling();
    r.geo_precision = precision;
    EXPECT_EQ(ErrorField(r), "geo_precision");
  }
}

TEST(ValidateIncident, LocationAndObservationRules) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::pair<geo::LatLng, std::string>> bad_points = {
      {{90.5, 0}, "lat"}, {{-91, 0}, "lat"},
      {{nan, 0}, "lat"},  {{0, 180.1}, "lng"},
      {{0, -181}, "lng"}, {{0, std::numeric_limits<double>::infinity()}, "lng"}};
  for (const auto& [point, axis] : bad_points) {
    IncidentRequest r = Shelling();
    r.location = point;
    EXPECT_EQ(ErrorField(r), "location." + axis);
    r = Shelling();
    r.observation->observer = point;
    EXPECT_EQ(ErrorField(r), "observation.observer." + axis);
  }
  IncidentRequest r = Shelling();
  r.location = {90, -180};  // the edges are in
  EXPECT_TRUE(ValidateIncident(r, kNow).ok());

  auto observed = [](auto change) {
    IncidentRequest r = Shelling();
    change(*r.observation);
    return ErrorField(r);
  };
  EXPECT_EQ(observed([](Observation& o) { o.bearing_deg = 360; }), "observation.bearing_deg");
  EXPECT_EQ(observed([](Observation& o) { o.bearing_deg = -0.5; }), "observation.bearing_deg");
  EXPECT_EQ(observed([](Observation& o) { o.distance_min_m = -1; }), "observation.distance_m[0]");
  EXPECT_EQ(observed([](Observation& o) { o.distance_max_m = 999; }), "observation.distance_m[1]");
  EXPECT_EQ(observed([](Observation& o) { o.distance_max_m = 100001; }),
            "observation.distance_m[1]");
  EXPECT_EQ(observed([](Observation& o) { o.mode = "smelled"; }), "observation.mode");
  for (const char* mode : {"heard", "saw", "camera", "uav"}) {
    r = Shelling();
    r.observation->mode = mode;
    EXPECT_TRUE(ValidateIncident(r, kNow).ok()) << mode;
  }
}

TEST(ValidateIncident, EventTypesAreAcleds) {
  IncidentRequest r = Shelling();
  r.event_type = "explosions/remote violence";  // spelled as ACLED spells it, case too
  EXPECT_EQ(ErrorField(r), "event_type");
  r = Shelling();
  r.sub_event_type = "Armed clash";  // a Battles sub-event
  EXPECT_EQ(ErrorField(r), "sub_event_type");
  EXPECT_NE(ValidateIncident(r, kNow).message().find("Air/drone strike"), std::string::npos);
}

TEST(ValidateIncident, FatalitiesAreOrdered) {
  IncidentRequest r = Shelling();
  r.fatalities = {.best = 0, .low = -1, .high = 0};
  EXPECT_EQ(ErrorField(r), "fatalities.low");
  r.fatalities = {.best = 1, .low = 2, .high = 3};
  EXPECT_EQ(ErrorField(r), "fatalities.best");
  r.fatalities = {.best = 3, .low = 2, .high = 2};
  EXPECT_EQ(ErrorField(r), "fatalities.high");
  r.fatalities = {.best = 0, .low = 0, .high = 1000001};
  EXPECT_EQ(ErrorField(r), "fatalities.high");
  r.fatalities = {.best = 1000000, .low = 1000000, .high = 1000000};
  EXPECT_TRUE(ValidateIncident(r, kNow).ok());
}

TEST(ValidateIncident, TextsAreBoundedPrintableUtf8) {
  using Field = std::string IncidentRequest::*;
  const std::map<std::string, Field> texts = {{"alleged_party", &IncidentRequest::alleged_party},
                                              {"target", &IncidentRequest::target},
                                              {"admin1", &IncidentRequest::admin1},
                                              {"admin2", &IncidentRequest::admin2},
                                              {"location_name", &IncidentRequest::location_name}};
  for (const auto& [name, field] : texts) {
    IncidentRequest r = Shelling();
    r.*field = std::string(200, 'x');
    EXPECT_TRUE(ValidateIncident(r, kNow).ok()) << name;
    r.*field = std::string(201, 'x');
    EXPECT_EQ(Refusal(r), std::pair(std::optional(name), absl::StatusCode::kResourceExhausted));
    EXPECT_TRUE(IsLimitExceeded(ValidateIncident(r, kNow)));
    for (const std::string bad : {"new\nline", "tab\t", "esc\x1b", "\xc3", "c1 \xc2\x85"}) {
      r.*field = bad;
      EXPECT_EQ(Refusal(r), std::pair(std::optional(name), absl::StatusCode::kInvalidArgument));
    }
    r.*field = "حلب — Alep";
    EXPECT_TRUE(ValidateIncident(r, kNow).ok()) << name;
  }
  IncidentRequest r = Shelling();
  r.notes = std::string(8192, 'n');
  EXPECT_TRUE(ValidateIncident(r, kNow).ok());
  r.notes += "n";
  EXPECT_TRUE(IsLimitExceeded(ValidateIncident(r, kNow)));
  r.notes = "bell\a";
  EXPECT_EQ(ErrorField(r), "notes");
}

TEST(ValidateIncident, SourcesAreBoundedAndNotEmpty) {
  IncidentRequest r = Shelling();
  r.sources.assign(20, "SOHR");
  EXPECT_TRUE(ValidateIncident(r, kNow).ok());
  r.sources.push_back("SANA");
  EXPECT_EQ(Refusal(r),
            std::pair(std::optional<std::string>("sources"), absl::StatusCode::kResourceExhausted));
  r = Shelling();
  r.sources[1] = "";
  EXPECT_EQ(ErrorField(r), "sources[1]");
  r.sources[1] = std::string(501, 's');
  EXPECT_EQ(Refusal(r), std::pair(std::optional<std::string>("sources[1]"),
                                  absl::StatusCode::kResourceExhausted));
  r.sources[1] = "new\nline";
  EXPECT_EQ(ErrorField(r), "sources[1]");
}

TEST(ValidateIncident, AcledExtrasAreCheckedAsTexts) {
  using Field = std::string AcledExtras::*;
  const std::map<std::string, Field> extras = {
      {"disorder_type", &AcledExtras::disorder_type},
      {"assoc_actor_1", &AcledExtras::assoc_actor_1},
      {"inter1", &AcledExtras::inter1},
      {"assoc_actor_2", &AcledExtras::assoc_actor_2},
      {"inter2", &AcledExtras::inter2},
      {"interaction", &AcledExtras::interaction},
      {"civilian_targeting", &AcledExtras::civilian_targeting},
      {"iso", &AcledExtras::iso},
      {"region", &AcledExtras::region},
      {"country", &AcledExtras::country},
      {"admin3", &AcledExtras::admin3},
      {"source_scale", &AcledExtras::source_scale},
      {"tags", &AcledExtras::tags},
      {"timestamp", &AcledExtras::timestamp}};
  for (const auto& [name, field] : extras) {
    IncidentRequest r = Shelling();
    r.acled.*field = "x\ny";
    EXPECT_EQ(ErrorField(r), "acled." + name);
    r.acled.*field = std::string(600, 'x');  // only tags may be this long (up to 8 KiB)
    EXPECT_EQ(ValidateIncident(r, kNow).ok(), name == "tags") << name;
  }
}

TEST(CheckIncidentId, AcceptsAcledIdsAndUuids) {
  for (const std::string& id : {std::string("SYR1234"), std::string("syr-2026.1142_b"),
                                std::string("3f2a9c1e-1b2c-4d5e-8f90-123456789abc"),
                                std::string("7"), std::string(64, 'a')}) {
    EXPECT_TRUE(CheckIncidentId(id).ok()) << id;
  }
}

TEST(CheckIncidentId, RefusesOthersNamingTheField) {
  for (const std::string& id :
       {std::string(""), std::string(65, 'a'), std::string("-abc"), std::string(".x"),
        std::string("a b"), std::string("a/b"), std::string("é")}) {
    absl::Status s = CheckIncidentId(id, "event_id");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(FieldOf(s), "event_id") << id;
  }
  EXPECT_EQ(FieldOf(CheckIncidentId("")), "id");
}

TEST(GeoUncertaintyM, FollowsThePrecisionCode) {
  IncidentRequest r = Shelling();
  r.observation.reset();
  const std::map<int, double> radius = {{1, 500}, {2, 10000}, {3, 50000}};
  for (const auto& [precision, metres] : radius) {
    r.geo_precision = precision;
    EXPECT_EQ(GeoUncertaintyM(r), metres);
  }
}

TEST(GeoUncertaintyM, AnObservationWidensItWhenLarger) {
  IncidentRequest r = Shelling();  // band [1000, 3000]: 1000 + 300
  EXPECT_DOUBLE_EQ(GeoUncertaintyM(r), 1300);
  r.observation->distance_min_m = r.observation->distance_max_m = 2000;  // 0 + 200 < 500
  EXPECT_DOUBLE_EQ(GeoUncertaintyM(r), 500);
  r.geo_precision = 3;
  r.observation->distance_min_m = 0;
  r.observation->distance_max_m = 100000;  // 50000 + 10000
  EXPECT_DOUBLE_EQ(GeoUncertaintyM(r), 60000);
}

TEST(Taxonomy, HasAcledsSixTypesAndTwentyFivePairs) {
  ASSERT_EQ(EventTypes().size(), 6u);
  ASSERT_EQ(Taxonomy().size(), 25u);
  EXPECT_EQ(EventTypes()[0], "Battles");
  EXPECT_EQ(EventTypes()[5], "Strategic developments");
  std::map<std::string_view, int> per_type;
  for (const SubEventType& s : Taxonomy()) {
    EXPECT_TRUE(IsEventType(s.event_type)) << s.event_type;
    EXPECT_TRUE(IsSubEventOf(s.event_type, s.sub_event_type)) << s.sub_event_type;
    EXPECT_EQ(DisorderTypeOf(s.event_type, s.sub_event_type), s.disorder_type);
    ++per_type[s.event_type];
    // A sub-event type belongs to its own event type only.
    for (std::string_view other : EventTypes()) {
      if (other != s.event_type) {
        EXPECT_FALSE(IsSubEventOf(other, s.sub_event_type));
      }
    }
  }
  EXPECT_EQ(per_type, (std::map<std::string_view, int>{{"Battles", 3},
                                                       {"Explosions/Remote violence", 6},
                                                       {"Violence against civilians", 3},
                                                       {"Protests", 3},
                                                       {"Riots", 2},
                                                       {"Strategic developments", 8}}));
}

TEST(Taxonomy, DisorderTypesAndViolence) {
  EXPECT_EQ(DisorderTypeOf("Battles", "Armed clash"), "Political violence");
  EXPECT_EQ(DisorderTypeOf("Protests", "Peaceful protest"), "Demonstrations");
  EXPECT_EQ(DisorderTypeOf("Protests", "Excessive force against protesters"),
            "Political violence; Demonstrations");
  EXPECT_EQ(DisorderTypeOf("Riots", "Mob violence"), "Political violence");
  EXPECT_EQ(DisorderTypeOf("Strategic developments", "Other"), "Strategic developments");
  EXPECT_EQ(DisorderTypeOf("Battles", "Peaceful protest"), "");
  EXPECT_EQ(DisorderTypeOf("Skirmish", "Armed clash"), "");
  EXPECT_FALSE(IsEventType("battles"));
  for (std::string_view type :
       {"Battles", "Explosions/Remote violence", "Violence against civilians"}) {
    EXPECT_TRUE(IsViolent(type)) << type;
  }
  for (std::string_view type : {"Protests", "Riots", "Strategic developments", "Other"}) {
    EXPECT_FALSE(IsViolent(type)) << type;
  }
}

}  // namespace
}  // namespace deconflict::monitoring
