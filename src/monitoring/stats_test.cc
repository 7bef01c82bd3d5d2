// Statistics (stats.h): a known data set whose figures are worked out by hand, and a property
// against a plain oracle that recomputes every group from the facts with no map tricks.
#include "monitoring/stats.h"

#include <map>

#include "common/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "monitoring/taxonomy.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace deconflict::monitoring {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

Timestamp At(std::string_view text) { return *ParseRfc3339(text); }

uint8_t TaxonomyOf(std::string_view event_type, std::string_view sub) {
  for (size_t i = 0; i < Taxonomy().size(); ++i) {
    if (Taxonomy()[i].event_type == event_type && Taxonomy()[i].sub_event_type == sub) {
      return static_cast<uint8_t>(i);
    }
  }
  ADD_FAILURE() << "not in the taxonomy: " << sub;
  return 0;
}

// Six incidents: three in the week of 2026-11-16 (the period), three the week before.
class KnownDataSet : public ::testing::Test {
 protected:
  void SetUp() override {
    auto add = [&](std::string_view when, std::string_view sub, std::string_view event,
                   std::string_view alleged, std::string_view admin1, int best, int low, int high,
                   Status status, std::string_view attributed = "") {
      facts_.Add(IncidentFact{.occurred_us = Micros(At(when)),
                              .lat = 36,
                              .lng = 37,
                              .alleged = facts_.Intern(alleged),
                              .attributed = facts_.Intern(attributed),
                              .admin1 = facts_.Intern(admin1),
                              .best = best,
                              .low = low,
                              .high = high,
                              .taxonomy = TaxonomyOf(event, sub),
                              .status = status});
    };
    const char* kExplosions = "Explosions/Remote violence";
    // The period [2026-11-16, 2026-11-23).
    add("2026-11-16T08:00:00Z", "Air/drone strike", kExplosions, "RU", "Idleb", 4, 3, 6,
        Status::kVerified, "RU");
    add("2026-11-16T21:00:00Z", "Armed clash", "Battles", "HTS", "Idleb", 2, 2, 2,
        Status::kReported);
    add("2026-11-18T12:00:00Z", "Shelling/artillery/missile attack", kExplosions, "SYR", "Aleppo",
        0, 0, 1, Status::kDisputed);
    // The previous period [2026-11-09, 2026-11-16).
    add("2026-11-10T10:00:00Z", "Air/drone strike", kExplosions, "RU", "Idleb", 10, 8, 12,
        Status::kVerified, "SYR");
    add("2026-11-15T23:59:59Z", "Peaceful protest", "Protests", "", "Damascus", 0, 0, 0,
        Status::kReported);
    add("2026-11-15T00:00:00Z", "Armed clash", "Battles", "HTS", "Aleppo", 1, 1, 3,
        Status::kUnverifiable);
    // Outside both periods.
    add("2026-11-23T00:00:00Z", "Air/drone strike", kExplosions, "RU", "Idleb", 99, 99, 99,
        Status::kVerified);
    add("2026-11-08T23:59:59Z", "Air/drone strike", kExplosions, "RU", "Idleb", 99, 99, 99,
        Status::kVerified);
  }
  Stats Run(GroupBy by) {
    absl::StatusOr<Stats> s = ComputeStats(
        facts_,
        {.from = At("2026-11-16T00:00:00Z"), .to = At("2026-11-23T00:00:00Z"), .group_by = by});
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : Stats{};
  }
  Facts facts_;
};

TEST_F(KnownDataSet, TotalsAndThePreviousPeriod) {
  const Stats s = Run(GroupBy::kEventType);
  EXPECT_EQ(s.previous_from, At("2026-11-09T00:00:00Z"));
  EXPECT_EQ(s.total, (Totals{.count = 3, .best = 6, .low = 5, .high = 9}));
  EXPECT_EQ(s.previous_total, (Totals{.count = 3, .best = 11, .low = 9, .high = 15}));
}

TEST_F(KnownDataSet, ByEventType) {
  EXPECT_THAT(
      Run(GroupBy::kEventType).groups,
      ElementsAre(Group{.key = "Battles", .current = {1, 2, 2, 2}, .previous = {1, 1, 1, 3}},
                  Group{.key = "Explosions/Remote violence",
                        .current = {2, 4, 3, 7},
                        .previous = {1, 10, 8, 12}},
                  Group{.key = "Protests", .current = {}, .previous = {1, 0, 0, 0}}));
}

TEST_F(KnownDataSet, ByAllegedAttributedAdmin1AndStatus) {
  EXPECT_THAT(Run(GroupBy::kAllegedParty).groups,
              ElementsAre(Field(&Group::key, ""), Field(&Group::key, "HTS"),
                          Field(&Group::key, "RU"), Field(&Group::key, "SYR")));
  const Stats attributed = Run(GroupBy::kAttributedParty);
  ASSERT_EQ(attributed.groups.size(), 3u);  // "", RU (this week), SYR (the week before)
  EXPECT_EQ(attributed.groups[1], (Group{.key = "RU", .current = {1, 4, 3, 6}, .previous = {}}));
  EXPECT_EQ(attributed.groups[2], (Group{.key = "SYR", .current = {}, .previous = {1, 10, 8, 12}}));
  EXPECT_THAT(
      Run(GroupBy::kAdmin1).groups,
      ElementsAre(Group{.key = "Aleppo", .current = {1, 0, 0, 1}, .previous = {1, 1, 1, 3}},
                  Group{.key = "Damascus", .current = {}, .previous = {1, 0, 0, 0}},
                  Group{.key = "Idleb", .current = {2, 6, 5, 8}, .previous = {1, 10, 8, 12}}));
  EXPECT_THAT(Run(GroupBy::kStatus).groups,
              ElementsAre(Field(&Group::key, "disputed"), Field(&Group::key, "reported"),
                          Field(&Group::key, "unverifiable"), Field(&Group::key, "verified")));
}

TEST_F(KnownDataSet, ByDayComparesWithTheDayBefore) {
  EXPECT_THAT(Run(GroupBy::kDay).groups,
              ElementsAre(
                  // 2026-11-15 had two incidents (previous period): the 16th compares with them.
                  Group{.key = "2026-11-16", .current = {2, 6, 5, 8}, .previous = {2, 1, 1, 3}},
                  Group{.key = "2026-11-17", .current = {}, .previous = {2, 6, 5, 8}},
                  Group{.key = "2026-11-18", .current = {1, 0, 0, 1}, .previous = {}},
                  Group{.key = "2026-11-19", .current = {}, .previous = {1, 0, 0, 1}}));
}

TEST(Stats, RefusesAnEmptyOrEndlessPeriod) {
  Facts facts;
  const Timestamp t = At("2026-11-16T00:00:00Z");
  EXPECT_EQ(ComputeStats(facts, {.from = t, .to = t}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ComputeStats(facts, {.from = At("1900-01-01T00:00:00Z"), .to = t}).ok());
  EXPECT_FALSE(ParseGroupBy("week").ok());
  EXPECT_EQ(*ParseGroupBy("admin1"), GroupBy::kAdmin1);
}

TEST(Stats, BoundingBoxFilters) {
  Facts facts;
  const Timestamp t = At("2026-11-16T12:00:00Z");
  facts.Add(IncidentFact{.occurred_us = Micros(t), .lat = 36, .lng = 37, .best = 1});
  facts.Add(IncidentFact{.occurred_us = Micros(t), .lat = 33, .lng = 36, .best = 2});
  absl::StatusOr<Stats> s = ComputeStats(facts, {.from = At("2026-11-16T00:00:00Z"),
                                                 .to = At("2026-11-17T00:00:00Z"),
                                                 .group_by = GroupBy::kStatus,
                                                 .lat_min = 35,
                                                 .lat_max = 37,
                                                 .lng_min = 36,
                                                 .lng_max = 38});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total, (Totals{.count = 1, .best = 1}));
}

// The oracle: every group recomputed by looking at every fact again, with std::map.
std::map<std::string, std::pair<Totals, Totals>> Oracle(const Facts& facts, const StatsQuery& q) {
  const int64_t from = Micros(q.from), to = Micros(q.to), len = to - from;
  std::map<std::string, std::pair<Totals, Totals>> out;
  auto add = [](Totals& t, const IncidentFact& f) {
    t.count++;
    t.best += f.best;
    t.low += f.low;
    t.high += f.high;
  };
  for (const IncidentFact& f : facts.rows()) {
    std::string key;
    switch (q.group_by) {
      case GroupBy::kEventType:
        key = std::string(Taxonomy()[f.taxonomy].event_type);
        break;
      case GroupBy::kAllegedParty:
        key = facts.Name(f.alleged);
        break;
      case GroupBy::kAdmin1:
        key = facts.Name(f.admin1);
        break;
      case GroupBy::kStatus:
        key = std::string(StatusName(f.status));
        break;
      default:
        key = facts.Name(f.attributed);
    }
    if (f.occurred_us >= from && f.occurred_us < to) add(out[key].first, f);
    if (f.occurred_us >= from - len && f.occurred_us < from) add(out[key].second, f);
  }
  return out;
}

RC_GTEST_PROP(Stats, EveryGroupMatchesTheOracle, ()) {
  Facts facts;
  const std::vector<std::string> names = {"", "RU", "TR", "US", "SYR"};
  const int64_t base = Micros(At("2026-01-01T00:00:00Z"));
  const int n = *rc::gen::inRange(0, 300);
  for (int i = 0; i < n; ++i) {
    facts.Add(IncidentFact{
        .occurred_us = base + *rc::gen::inRange<int64_t>(0, int64_t{40} * 86400 * 1000000),
        .lat = 35,
        .lng = 36,
        .alleged = facts.Intern(names[*rc::gen::inRange<size_t>(0, names.size())]),
        .attributed = facts.Intern(names[*rc::gen::inRange<size_t>(0, names.size())]),
        .admin1 = facts.Intern(names[*rc::gen::inRange<size_t>(0, names.size())]),
        .best = *rc::gen::inRange(0, 50),
        .low = 0,
        .high = *rc::gen::inRange(50, 100),
        .taxonomy = static_cast<uint8_t>(*rc::gen::inRange<size_t>(0, Taxonomy().size())),
        .status = static_cast<Status>(*rc::gen::inRange(0, 4))});
  }
  const GroupBy by =
      *rc::gen::element(GroupBy::kEventType, GroupBy::kAllegedParty, GroupBy::kAttributedParty,
                        GroupBy::kAdmin1, GroupBy::kStatus);
  const int64_t start_s = *rc::gen::inRange<int64_t>(0, 40 * 86400);
  const int64_t len_s = *rc::gen::inRange<int64_t>(1, 20 * 86400);
  const StatsQuery q{.from = FromMicros(base + start_s * 1000000),
                     .to = FromMicros(base + (start_s + len_s) * 1000000),
                     .group_by = by};
  absl::StatusOr<Stats> s = ComputeStats(facts, q);
  RC_ASSERT(s.ok());
  const auto expected = Oracle(facts, q);
  std::map<std::string, std::pair<Totals, Totals>> got;
  Totals total, previous;
  for (const Group& g : s->groups) got[g.key] = {g.current, g.previous};
  for (const auto& [key, t] : expected) {
    total.count += t.first.count;
    previous.count += t.second.count;
  }
  std::erase_if(got,
                [](const auto& kv) { return kv.second.first.count + kv.second.second.count == 0; });
  auto want = expected;
  std::erase_if(want,
                [](const auto& kv) { return kv.second.first.count + kv.second.second.count == 0; });
  RC_ASSERT(got == want);
  RC_ASSERT(s->total.count == total.count);
  RC_ASSERT(s->previous_total.count == previous.count);
}

}  // namespace
}  // namespace deconflict::monitoring
