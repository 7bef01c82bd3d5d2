#include "monitoring/generator.h"

#include <chrono>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "monitoring/acled.h"
#include "monitoring/taxonomy.h"

namespace deconflict::monitoring {
namespace {

std::string Csv(const GeneratorOptions& options) {
  std::ostringstream out;
  absl::Status written = WriteIncidentCsv(options, out);
  EXPECT_TRUE(written.ok()) << written;
  return out.str();
}

std::vector<IncidentRequest> Incidents(const GeneratorOptions& options) {
  std::vector<IncidentRequest> all;
  absl::Status done = GenerateIncidents(options, [&](const IncidentRequest& r) {
    all.push_back(r);
    return absl::OkStatus();
  });
  EXPECT_TRUE(done.ok()) << done;
  return all;
}

TEST(WriteIncidentCsv, TheSameSeedGivesTheSameBytes) {
  const std::string a = Csv({.seed = 42, .count = 2000});
  EXPECT_EQ(a, Csv({.seed = 42, .count = 2000}));
  EXPECT_NE(a, Csv({.seed = 43, .count = 2000}));
  // A longer run starts with the shorter one.
  EXPECT_EQ(Csv({.seed = 42, .count = 3000}).substr(0, a.size()), a);
}

TEST(WriteIncidentCsv, EveryRowParsesBackToTheGeneratedIncident) {
  const GeneratorOptions options{.seed = 5, .count = 5000};
  const std::string csv = Csv(options);
  ASSERT_TRUE(csv.starts_with(AcledHeaderLine()));
  absl::StatusOr<AcledBatch> batch = ParseAcled(csv, 2, options.to);
  ASSERT_TRUE(batch.ok()) << batch.status();
  for (const AcledRowError& e : batch->errors) {
    ADD_FAILURE() << "line " << e.line << ", " << e.column << ": " << e.message;
  }
  const std::vector<IncidentRequest> incidents = Incidents(options);
  ASSERT_EQ(incidents.size(), 5000u);
  ASSERT_EQ(batch->rows.size(), 5000u);
  for (size_t idx = 0; idx < incidents.size(); ++idx) {
    ASSERT_EQ(batch->rows[idx].request, incidents[idx]) << idx;
    ASSERT_EQ(incidents[idx].id, fmt::format("SYN{}", idx + 1));
    ASSERT_TRUE(ValidateIncident(incidents[idx], options.to).ok());
  }
}

TEST(GenerateIncidents, CountIsExactIncludingZero) {
  for (int64_t count : {0, 1, 7, 1234}) {
    EXPECT_EQ(Incidents({.count = count}).size(), static_cast<size_t>(count));
  }
  EXPECT_EQ(Csv({.count = 0}), AcledHeaderLine());
}

TEST(GenerateIncidents, StaysInTheWindowAndTheBoxWithAPlausibleMix) {
  const GeneratorOptions options{.seed = 9,
                                 .count = 20000,
                                 .from = *ParseRfc3339("2026-03-01T12:00:00Z"),
                                 .to = *ParseRfc3339("2026-03-05T06:00:00Z"),
                                 .lat_min = 35,
                                 .lat_max = 36,
                                 .lng_min = 36,
                                 .lng_max = 37,
                                 .actors = {"RU", "TR"},
                                 .admin1 = {"Idleb"}};
  std::map<std::string, int> per_type;
  int zero = 0, small = 0, large = 0;
  for (const IncidentRequest& r : Incidents(options)) {
    // The whole days of [from, to]: 2 March to 5 March.
    EXPECT_GE(r.occurred_at, *ParseRfc3339("2026-03-02T00:00:00Z"));
    EXPECT_LE(r.occurred_at, *ParseRfc3339("2026-03-05T00:00:00Z"));
    EXPECT_EQ(r.occurred_at, std::chrono::floor<std::chrono::days>(r.occurred_at));
    EXPECT_TRUE(r.location.lat_deg >= 35 && r.location.lat_deg <= 36);
    EXPECT_TRUE(r.location.lng_deg >= 36 && r.location.lng_deg <= 37);
    EXPECT_EQ(r.admin1, "Idleb");
    EXPECT_TRUE(r.alleged_party == "RU" || r.alleged_party == "TR" ||
                r.alleged_party == "Protesters (Syria)")
        << r.alleged_party;
    EXPECT_FALSE(r.sources.empty());
    ++per_type[r.event_type];
    zero += r.fatalities.best == 0;
    small += r.fatalities.best >= 1 && r.fatalities.best <= 3;
    large += r.fatalities.best > 20;
  }
  // Mostly explosions and battles; fatalities mostly 0-3 with a tail.
  EXPECT_GT(per_type["Explosions/Remote violence"], 8000);
  EXPECT_GT(per_type["Battles"], 5000);
  EXPECT_GT(per_type["Riots"], 0);
  EXPECT_GT(zero + small, 16000);
  EXPECT_GT(large, 100);
}

TEST(GenerateIncidents, BadOptionsAreNamed) {
  auto field = [](const GeneratorOptions& o) {
    absl::Status s = ValidateGeneratorOptions(o);
    EXPECT_FALSE(s.ok());
    return FieldOf(s);
  };
  EXPECT_EQ(field({.count = -1}), "count");
  EXPECT_EQ(field({.from = *ParseRfc3339("1989-06-01T00:00:00Z")}), "from");
  EXPECT_EQ(field({.from = *ParseRfc3339("2026-03-01T00:00:01Z"),
                   .to = *ParseRfc3339("2026-03-01T23:00:00Z")}),
            "to");
  EXPECT_EQ(field({.lat_min = -91}), "lat_min");
  EXPECT_EQ(field({.lat_min = 10, .lat_max = 5}), "lat_max");
  EXPECT_EQ(field({.lng_max = 181}), "lng_max");
  EXPECT_EQ(field({.actors = {}}), "actors");
  EXPECT_EQ(field({.actors = {"RU", "bad\nname"}}), "actors[1]");
  EXPECT_EQ(field({.admin1 = {std::string(201, 'a')}}), "admin1[0]");
  EXPECT_EQ(field({.country = ""}), "country");
  EXPECT_TRUE(ValidateGeneratorOptions({}).ok());
  // Nothing is generated or written for bad options.
  std::ostringstream out;
  EXPECT_FALSE(WriteIncidentCsv({.count = -1}, out).ok());
  EXPECT_TRUE(out.str().empty());
}

TEST(GenerateIncidents, TheSinksErrorStopsIt) {
  int calls = 0;
  absl::Status s = GenerateIncidents({.count = 100}, [&](const IncidentRequest&) {
    return ++calls == 3 ? absl::AbortedError("enough") : absl::OkStatus();
  });
  EXPECT_EQ(s, absl::AbortedError("enough"));
  EXPECT_EQ(calls, 3);
}

TEST(WriteIncidentCsv, AFailedStreamIsAnError) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_EQ(WriteIncidentCsv({.count = 10}, out).code(), absl::StatusCode::kInternal);
}

// Not a benchmark (no timing is asserted): the log shows the write rate.
TEST(WriteIncidentCsv, ThroughputIsLogged) {
  std::ostringstream out;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(WriteIncidentCsv({.seed = 1, .count = 200000}, out).ok());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("WriteIncidentCsv: 200000 rows, {} bytes in {:.3f} s: {:.0f} rows/s\n",
                           out.str().size(), seconds, 200000 / seconds);
}

}  // namespace
}  // namespace deconflict::monitoring
