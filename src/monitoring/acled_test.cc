#include "monitoring/acled.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "geo/internal/fixed_seed_property.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "monitoring/generator.h"
#include "monitoring/taxonomy.h"

namespace deconflict::monitoring {
namespace {

using ::testing::HasSubstr;

const Timestamp kNow = *ParseRfc3339("2026-12-01T07:00:00Z");

// One canonical record of the current layout, by column, to be varied by the tests.
std::map<std::string, std::string> StrikeValues() {
  return {{"event_id_cnty", "SYR1001"},
          {"event_date", "2025-05-16"},
          {"year", "2025"},
          {"time_precision", "1"},
          {"disorder_type", "Political violence"},
          {"event_type", "Explosions/Remote violence"},
          {"sub_event_type", "Air/drone strike"},
          {"actor1", "Military Forces of Russia (2000-)"},
          {"assoc_actor_1", ""},
          {"inter1", "External/Other forces"},
          {"actor2", "Civilians (Syria)"},
          {"assoc_actor_2", ""},
          {"inter2", "Civilians"},
          {"interaction", "External/Other forces-Civilians"},
          {"civilian_targeting", "Civilian targeting"},
          {"iso", "760"},
          {"region", "Middle East"},
          {"country", "Syria"},
          {"admin1", "Idleb"},
          {"admin2", "Maarat An Numan"},
          {"admin3", "Kafr Nabl"},
          {"location", "Kafr Nabl"},
          {"latitude", "35.6131"},
          {"longitude", "36.5597"},
          {"geo_precision", "1"},
          {"source", "SOHR; Step News Agency"},
          {"source_scale", "National"},
          {"notes", "On 16 May 2025, Russian drones struck Kafr Nabl, killing 2 civilians."},
          {"fatalities", "2"},
          {"tags", ""},
          {"timestamp", "1747700000"}};
}

std::string Quoted(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A record of the current layout from StrikeValues() with `changes` applied.
std::string Record(const std::map<std::string, std::string>& changes = {}) {
  std::map<std::string, std::string> values = StrikeValues();
  for (const auto& [column, value] : changes) values[column] = value;
  std::string line;
  for (std::string_view column : AcledColumns()) {
    if (!line.empty()) line += ',';
    line += Quoted(values.at(std::string(column)));
  }
  return line + "\n";
}

AcledBatch Parse(std::string_view csv, int64_t first_line = 2) {
  absl::StatusOr<AcledBatch> batch = ParseAcled(csv, first_line, kNow);
  EXPECT_TRUE(batch.ok()) << batch.status();
  return batch.ok() ? *std::move(batch) : AcledBatch{};
}

std::string WithoutCr(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

TEST(AcledColumns, AreTheCurrentExportsInOrder) {
  EXPECT_EQ(AcledColumns().size(), 31u);
  EXPECT_EQ(AcledHeaderLine(),
            "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,"
            "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,"
            "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,"
            "latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,"
            "timestamp\n");
}

TEST(ParseAcled, ReadsEveryColumnOfTheCurrentLayout) {
  AcledBatch batch = Parse(AcledHeaderLine() + Record());
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].column << ": " << batch.errors[0].message;
  ASSERT_EQ(batch.rows.size(), 1u);
  const IncidentRequest& r = batch.rows[0].request;
  EXPECT_EQ(batch.rows[0].line, 2);
  EXPECT_EQ(r.id, "SYR1001");
  EXPECT_EQ(r.occurred_at, *ParseRfc3339("2025-05-16T00:00:00Z"));
  EXPECT_EQ(r.time_precision, 1);
  EXPECT_EQ(r.location, (geo::LatLng{35.6131, 36.5597}));
  EXPECT_EQ(r.event_type, "Explosions/Remote violence");
  EXPECT_EQ(r.sub_event_type, "Air/drone strike");
  EXPECT_EQ(r.alleged_party, "Military Forces of Russia (2000-)");
  EXPECT_EQ(r.target, "Civilians (Syria)");
  EXPECT_EQ(r.fatalities, (Fatalities{.best = 2, .low = 2, .high = 2}));
  EXPECT_EQ(r.sources, (std::vector<std::string>{"SOHR", "Step News Agency"}));
  EXPECT_EQ(r.admin1, "Idleb");
  EXPECT_EQ(r.admin2, "Maarat An Numan");
  EXPECT_EQ(r.location_name, "Kafr Nabl");
  EXPECT_THAT(r.notes, HasSubstr("struck Kafr Nabl, killing"));
  EXPECT_EQ(r.acled.disorder_type, "Political violence");
  EXPECT_EQ(r.acled.inter1, "External/Other forces");
  EXPECT_EQ(r.acled.interaction, "External/Other forces-Civilians");
  EXPECT_EQ(r.acled.civilian_targeting, "Civilian targeting");
  EXPECT_EQ(r.acled.iso, "760");
  EXPECT_EQ(r.acled.region, "Middle East");
  EXPECT_EQ(r.acled.country, "Syria");
  EXPECT_EQ(r.acled.admin3, "Kafr Nabl");
  EXPECT_EQ(r.acled.source_scale, "National");
  EXPECT_EQ(r.acled.timestamp, "1747700000");
  EXPECT_FALSE(r.observation.has_value());
}

TEST(ParseAcled, ReadsTheOlderLayoutAndDropsItsOwnColumns) {
  const std::string csv =
      "data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,"
      "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,"
      "region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,"
      "source_scale,notes,fatalities,timestamp,iso3\n"
      "8723451,760,SYR98765,98765,16 May 2019,2019,2,Battles,Armed clash,"
      "Military Forces of Syria (2000-2024),,1,HTS: Hayat Tahrir al Sham,,2,12,Middle East,"
      "Syria,Hama,As-Suqaylabiyah,Kafr Nabudah,Kafr Nabudah,35.4125,36.4831,2,"
      "SOHR;;Smart News Agency ,Other-National,\"Clashes, then shelling.\",12,1558459285,SYR\n";
  AcledBatch batch = Parse(csv);
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].column << ": " << batch.errors[0].message;
  ASSERT_EQ(batch.rows.size(), 1u);
  const IncidentRequest& r = batch.rows[0].request;
  EXPECT_EQ(r.id, "SYR98765");
  EXPECT_EQ(r.occurred_at, *ParseRfc3339("2019-05-16T00:00:00Z"));
  EXPECT_EQ(r.time_precision, 2);
  EXPECT_EQ(r.geo_precision, 2);
  EXPECT_EQ(r.acled.iso, "760");
  EXPECT_EQ(r.acled.inter1, "1");
  EXPECT_EQ(r.acled.interaction, "12");
  EXPECT_EQ(r.acled.disorder_type, "");  // not in the older layout
  EXPECT_EQ(r.sources, (std::vector<std::string>{"SOHR", "Smart News Agency"}));
  EXPECT_EQ(r.notes, "Clashes, then shelling.");
  EXPECT_EQ(r.fatalities.best, 12);
  // Written back in the current layout, with the disorder type derived from the event type.
  EXPECT_THAT(AcledCsvRow(r, ""),
              HasSubstr("SYR98765,2019-05-16,2019,2,Political violence,Battles,Armed clash,"));
}

TEST(ParseAcled, ReadsColumnsByNameInAnyOrderCaseAndWithABom) {
  const std::string csv =
      "\xEF\xBB\xBF"
      "Latitude, LONGITUDE ,event_id_cnty,my_own_column,event_date,time_precision,"
      "event_type,sub_event_type,actor1,geo_precision,fatalities\r\n"
      "36.2,37.1,SYR7,ignored,2026-03-01,1,Battles,Armed clash,SDF,3,0\r\n";
  AcledBatch batch = Parse(csv);
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].column << ": " << batch.errors[0].message;
  ASSERT_EQ(batch.rows.size(), 1u);
  EXPECT_EQ(batch.rows[0].request.location, (geo::LatLng{36.2, 37.1}));
  EXPECT_EQ(batch.rows[0].request.id, "SYR7");
  EXPECT_EQ(batch.rows[0].request.geo_precision, 3);
  EXPECT_EQ(batch.rows[0].request.alleged_party, "SDF");
}

TEST(ParseAcled, BadHeadersFailTheWholeInput) {
  for (const std::string& csv :
       {std::string(""), std::string("event_id_cnty,event_date\n") + "SYR1,2025-01-01\n",
        AcledHeaderLine().substr(0, AcledHeaderLine().size() - 1) + ",LATITUDE\n",
        std::string("\"event_id_cnty\"x,event_date\n")}) {
    absl::StatusOr<AcledBatch> batch = ParseAcled(csv, 2, kNow);
    ASSERT_FALSE(batch.ok()) << csv;
    EXPECT_EQ(batch.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldOf(batch.status()), "header");
  }
  // The missing required columns are named.
  std::string header = AcledHeaderLine();
  header.replace(header.find("latitude,"), 9, "lat,");
  absl::StatusOr<AcledBatch> batch = ParseAcled(header, 2, kNow);
  ASSERT_FALSE(batch.ok());
  EXPECT_THAT(batch.status().message(), HasSubstr("latitude"));
  EXPECT_THAT(batch.status().message(), ::testing::Not(HasSubstr("longitude")));
}

TEST(ParseAcled, AHeaderAloneIsAnEmptyBatch) {
  for (std::string csv : {AcledHeaderLine(), AcledHeaderLine() + "\n\n",
                          AcledHeaderLine().substr(0, AcledHeaderLine().size() - 1)}) {
    AcledBatch batch = Parse(csv);
    EXPECT_TRUE(batch.rows.empty());
    EXPECT_TRUE(batch.errors.empty());
  }
}

TEST(ParseAcled, QuotedValuesHoldCommasQuotesAndLineEnds) {
  const std::string notes = "Shelling hit \"the market\", then\nthe school;\r\nsee \"\"x\"\".";
  const std::string csv = AcledHeaderLine() + Record({{"notes", notes}}) +
                          Record({{"event_id_cnty", "SYR1002"}, {"actor1", "A, B and \"C\""}});
  AcledBatch batch = Parse(csv);
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].column << ": " << batch.errors[0].message;
  ASSERT_EQ(batch.rows.size(), 2u);
  EXPECT_EQ(batch.rows[0].request.notes, notes);
  EXPECT_EQ(batch.rows[0].line, 2);
  EXPECT_EQ(batch.rows[1].line, 5);  // the first record spans lines 2-4
  EXPECT_EQ(batch.rows[1].request.alleged_party, "A, B and \"C\"");
}

TEST(ParseAcled, LastRecordNeedsNoLineEndAndEmptyLinesAreSkipped) {
  std::string last = Record({{"event_id_cnty", "SYR1002"}});
  last.pop_back();
  AcledBatch batch = Parse(AcledHeaderLine() + "\n" + Record() + "\r\n\n" + last);
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].column << ": " << batch.errors[0].message;
  ASSERT_EQ(batch.rows.size(), 2u);
  EXPECT_EQ(batch.rows[0].line, 3);
  EXPECT_EQ(batch.rows[1].line, 6);
  EXPECT_EQ(batch.rows[1].request.acled.timestamp, "1747700000");
}

struct RowErrorCase {
  std::map<std::string, std::string> changes;
  std::string column;
};

TEST(ParseAcled, EachBadValueIsARowErrorNamingLineAndColumn) {
  const std::vector<RowErrorCase> cases = {
      {{{"latitude", "north"}}, "latitude"},
      {{{"latitude", "91"}}, "latitude"},
      {{{"latitude", "nan"}}, "latitude"},
      {{{"longitude", "-180.5"}}, "longitude"},
      {{{"longitude", ""}}, "longitude"},
      {{{"sub_event_type", "Armed clash"}}, "sub_event_type"},
      {{{"event_type", "Skirmish"}}, "event_type"},
      {{{"year", "2024"}}, "year"},
      {{{"year", "twenty"}}, "year"},
      {{{"event_date", "2025-02-30"}}, "event_date"},
      {{{"event_date", "16/05/2025"}}, "event_date"},
      {{{"event_date", "16 Mai 2025"}}, "event_date"},
      {{{"event_date", "2027-01-01"}, {"year", "2027"}}, "event_date"},  // in the future
      {{{"event_date", "1989-12-31"}, {"year", "1989"}}, "event_date"},
      {{{"time_precision", "4"}}, "time_precision"},
      {{{"geo_precision", "x"}}, "geo_precision"},
      {{{"fatalities", "-1"}}, "fatalities"},
      {{{"fatalities", "1.5"}}, "fatalities"},
      {{{"fatalities", "2000000"}}, "fatalities"},
      {{{"event_id_cnty", "SYR 1001"}}, "event_id_cnty"},
      {{{"actor1", "tab\there"}}, "actor1"},
      {{{"actor2", std::string(201, 'x')}}, "actor2"},
      {{{"source", "SOHR; " + std::string(501, 's')}}, "source"},
      {{{"location", "two\nlines"}}, "location"},
      {{{"admin1", "\x7f"}}, "admin1"},
      {{{"notes", "bell\a"}}, "notes"},
      {{{"iso", "7\n60"}}, "iso"},
      {{{"tags", "\xff"}}, "tags"},
  };
  for (const RowErrorCase& c : cases) {
    // Lines 2-6 good, the bad record on line 7, one more good after it.
    std::string csv = AcledHeaderLine();
    for (int i = 0; i < 5; ++i) csv += Record({{"event_id_cnty", fmt::format("SYR{}", i)}});
    csv += Record(c.changes) + Record({{"event_id_cnty", "SYR9"}});
    int64_t bad_lines = 1;  // a quoted newline makes the bad record longer
    for (const auto& [column, value] : c.changes)
      bad_lines += std::count(value.begin(), value.end(), '\n');
    AcledBatch batch = Parse(csv);
    ASSERT_EQ(batch.errors.size(), 1u) << c.column;
    EXPECT_EQ(batch.errors[0].line, 7) << c.column;
    EXPECT_EQ(batch.errors[0].column, c.column) << batch.errors[0].message;
    EXPECT_FALSE(batch.errors[0].message.empty());
    EXPECT_EQ(batch.rows.size(), 6u);
    EXPECT_EQ(batch.rows.back().line, 7 + bad_lines);
  }
}

TEST(ParseAcled, DatesInTheOlderFormatAreRead) {
  for (const auto& [text, iso] :
       std::vector<std::pair<std::string, std::string>>{{"16 May 2025", "2025-05-16"},
                                                        {"3 jan 2020", "2020-01-03"},
                                                        {" 29 February 2024 ", "2024-02-29"},
                                                        {"01 DECEMBER 1999", "1999-12-01"}}) {
    AcledBatch batch = Parse(AcledHeaderLine() + Record({{"event_date", text}, {"year", ""}}));
    ASSERT_EQ(batch.rows.size(), 1u) << text;
    EXPECT_EQ(batch.rows[0].request.occurred_at, *ParseRfc3339(iso + "T00:00:00Z")) << text;
  }
}

TEST(ParseAcled, MalformedRecordsAreRowErrors) {
  std::string short_record = Record();
  short_record.resize(short_record.find(",Idleb,"));  // up to country: admin1 and on missing
  std::string csv = AcledHeaderLine() + Record() + short_record + "\n" +    // line 3
                    Record().substr(0, Record().size() - 1) + ",extra\n" +  // line 4
                    "\"SYR5\"x," + Record().substr(8) +                     // line 5
                    Record();                                               // line 6
  AcledBatch batch = Parse(csv, 2);
  ASSERT_EQ(batch.errors.size(), 3u);
  EXPECT_EQ(batch.errors[0], (AcledRowError{3, "admin1", batch.errors[0].message}));
  EXPECT_THAT(batch.errors[0].message, HasSubstr("18 fields"));
  EXPECT_EQ(batch.errors[1], (AcledRowError{4, "", batch.errors[1].message}));
  EXPECT_EQ(batch.errors[2], (AcledRowError{5, "event_id_cnty", batch.errors[2].message}));
  ASSERT_EQ(batch.rows.size(), 2u);
  EXPECT_EQ(batch.rows[1].line, 6);
}

TEST(ParseAcled, AnUnclosedQuoteTakesTheRestOfTheInput) {
  // The record after the open quote holds no '"' that could close it.
  const std::string csv =
      AcledHeaderLine() + Record() + "SYR5,\"never closed\n" + Record({{"notes", "x"}});
  AcledBatch batch = Parse(csv, 10);
  ASSERT_EQ(batch.rows.size(), 1u);
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].line, 11);
}

TEST(ParseAcled, FirstLineNumbersTheRecords) {
  AcledBatch batch =
      Parse(AcledHeaderLine() + Record() + Record({{"latitude", "x"}}), /*first_line=*/1001);
  ASSERT_EQ(batch.rows.size(), 1u);
  EXPECT_EQ(batch.rows[0].line, 1001);
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0], (AcledRowError{1002, "latitude", batch.errors[0].message}));
}

TEST(AcledCsvRow, QuotesOnlyWhenNeeded) {
  IncidentRequest r = Parse(AcledHeaderLine() + Record()).rows.at(0).request;
  r.notes = "plain";
  r.admin2 = " padded";
  r.admin1 = "a,b";
  r.target = "say \"hi\"";
  const std::string row = AcledCsvRow(r, "tag=1");
  EXPECT_THAT(row, HasSubstr(",\"a,b\",\" padded\",Kafr Nabl,Kafr Nabl,35.6131,36.5597,1,"));
  EXPECT_THAT(row, HasSubstr(",\"say \"\"hi\"\"\","));
  EXPECT_THAT(row, HasSubstr(",plain,2,tag=1,1747700000\n"));
  r.notes = "cr\r";
  EXPECT_THAT(AcledCsvRow(r, ""), HasSubstr(",\"cr\r\",2,,1747700000\n"));
  EXPECT_EQ(row, AcledCsvRow(Parse(AcledHeaderLine() + row).rows.at(0).request, "tag=1"));
}

TEST(AcledCsvRow, CanonicalFileRoundTripsByteForByte) {
  // CRLF line ends, quoted newlines, commas and quotes, empty values, long coordinates.
  const std::string file = AcledHeaderLine() + Record() +
                           Record({{"event_id_cnty", "SYR1002"},
                                   {"event_date", "2026-02-28"},
                                   {"year", "2026"},
                                   {"time_precision", "3"},
                                   {"disorder_type", "Political violence; Demonstrations"},
                                   {"event_type", "Protests"},
                                   {"sub_event_type", "Excessive force against protesters"},
                                   {"actor2", ""},
                                   {"latitude", "-0.123456789012345"},
                                   {"longitude", "179.99999999999997"},
                                   {"source", "A; B, local; C \"quoted\""},
                                   {"notes", "Line one,\nline \"two\"\n\nline four"},
                                   {"fatalities", "0"},
                                   {"tags", "crowd size=around 200"}}) +
                           Record({{"event_id_cnty", "SYR1003"},
                                   {"latitude", "-90"},
                                   {"longitude", "1e-05"},
                                   {"notes", ""},
                                   {"source", ""},
                                   {"timestamp", ""}});
  std::string crlf;
  for (char c : file) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  // The quoted newlines become CRLF too and are data: only record ends are normalised.
  AcledBatch batch = Parse(crlf);
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].column << ": " << batch.errors[0].message;
  ASSERT_EQ(batch.rows.size(), 3u);
  std::string written = AcledHeaderLine();
  for (const AcledRow& row : batch.rows)
    written += AcledCsvRow(row.request, row.request.acled.tags);
  EXPECT_EQ(WithoutCr(written), WithoutCr(crlf));
  // And with LF line ends the file comes back exactly.
  batch = Parse(file);
  written = AcledHeaderLine();
  for (const AcledRow& row : batch.rows)
    written += AcledCsvRow(row.request, row.request.acled.tags);
  EXPECT_EQ(written, file);
}

TEST(SplitAcled, ChunksNeverCutAQuotedFieldAndKnowTheirLines) {
  std::string csv = AcledHeaderLine();
  std::vector<int64_t> lines;  // of each record
  int64_t line = 2;
  for (int i = 0; i < 10; ++i) {
    lines.push_back(line);
    const std::string notes = i % 3 == 0 ? "two\nlines" : i % 3 == 1 ? "three\n\nlines" : "one";
    csv += Record({{"event_id_cnty", fmt::format("SYR{}", i)}, {"notes", notes}});
    line += 1 + static_cast<int64_t>(std::count(notes.begin(), notes.end(), '\n'));
  }
  absl::StatusOr<std::pair<std::string_view, std::vector<AcledChunk>>> split = SplitAcled(csv, 3);
  ASSERT_TRUE(split.ok()) << split.status();
  const auto& [header, chunks] = *split;
  EXPECT_EQ(header, AcledHeaderLine());
  ASSERT_EQ(chunks.size(), 4u);
  std::string joined(header);
  for (size_t chunk_idx = 0; chunk_idx < chunks.size(); ++chunk_idx) {
    const AcledChunk& chunk = chunks[chunk_idx];
    EXPECT_EQ(chunk.first_line, lines[chunk_idx * 3]);
    joined += chunk.records;
    AcledBatch batch = Parse(std::string(header) + std::string(chunk.records), chunk.first_line);
    EXPECT_TRUE(batch.errors.empty());
    ASSERT_EQ(batch.rows.size(), chunk_idx < 3 ? 3u : 1u);
    for (size_t row_idx = 0; row_idx < batch.rows.size(); ++row_idx) {
      EXPECT_EQ(batch.rows[row_idx].line, lines[chunk_idx * 3 + row_idx]);
      EXPECT_EQ(batch.rows[row_idx].request.id, fmt::format("SYR{}", chunk_idx * 3 + row_idx));
    }
  }
  EXPECT_EQ(joined, csv);  // nothing lost, nothing twice
}

TEST(SplitAcled, KeepsTheBomAndRefusesBadInput) {
  const std::string csv = "\xEF\xBB\xBF" + AcledHeaderLine() + "\n" + Record() + Record();
  auto split = SplitAcled(csv, 5);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->first, "\xEF\xBB\xBF" + AcledHeaderLine());
  ASSERT_EQ(split->second.size(), 1u);
  EXPECT_EQ(split->second[0].first_line, 3);
  EXPECT_EQ(split->second[0].records, Record() + Record());
  EXPECT_EQ(FieldOf(SplitAcled(csv, 0).status()), "rows");
  EXPECT_EQ(FieldOf(SplitAcled("id,date\n", 5).status()), "header");
  split = SplitAcled(AcledHeaderLine(), 5);
  ASSERT_TRUE(split.ok());
  EXPECT_TRUE(split->second.empty());
}

// Requests in AcledCsvRow's canonical form (see acled.h) come back equal.
std::string Text(std::vector<std::string_view> tokens, int most) {
  std::string out;
  const int count = *rc::gen::inRange(0, most + 1);
  for (int i = 0; i < count; ++i) out += *rc::gen::elementOf(tokens);
  return out;
}

const std::vector<std::string_view> kTokens = {"a", "Z", "7", " ", ",", "\"", "é", "حلب",
                                               "(", ")", "-", ":", ";", "/",  "'", "\xe2\x80\x94"};

DC_PROP(AcledCsvRow, ParseAcledReadsBackTheSameRequest, 13, 300, ()) {
  IncidentRequest r;
  const std::string alnum = "abcXYZ019";
  r.id = std::string(1, *rc::gen::elementOf(alnum)) + Text({"a", "B", "3", ".", "_", "-"}, 20);
  r.occurred_at = Timestamp(std::chrono::sys_days(std::chrono::year(1990) / 1 / 1) +
                            std::chrono::days(*rc::gen::inRange(0, 13478)));
  r.time_precision = *rc::gen::inRange(1, 4);
  r.geo_precision = *rc::gen::inRange(1, 4);
  constexpr int64_t kSteps = int64_t{1} << 52;
  r.location = {static_cast<double>(*rc::gen::inRange(-kSteps, kSteps + 1)) * (90.0 / kSteps),
                static_cast<double>(*rc::gen::inRange(-kSteps, kSteps + 1)) * (180.0 / kSteps)};
  const SubEventType& pair = Taxonomy()[*rc::gen::inRange<size_t>(0, Taxonomy().size())];
  r.event_type = pair.event_type;
  r.sub_event_type = pair.sub_event_type;
  r.alleged_party = Text(kTokens, 12);
  r.target = Text(kTokens, 12);
  const int64_t fatalities = *rc::gen::inRange<int64_t>(0, 1000001);
  r.fatalities = {fatalities, fatalities, fatalities};
  std::vector<std::string_view> note_tokens = kTokens;
  for (std::string_view t : {"\n", "\t", "\r\n", "\r", "\n\n"}) note_tokens.push_back(t);
  r.notes = Text(note_tokens, 40);
  const int source_count = *rc::gen::inRange(0, 5);
  std::vector<std::string_view> source_tokens = kTokens;
  std::erase(source_tokens, ";");
  for (int i = 0; i < source_count; ++i) r.sources.push_back("S" + Text(source_tokens, 8) + "s");
  r.admin1 = Text(kTokens, 8);
  r.admin2 = Text(kTokens, 8);
  r.location_name = Text(kTokens, 8);
  AcledExtras& a = r.acled;
  a.disorder_type =
      *rc::gen::inRange(0, 2) ? std::string(pair.disorder_type) : "D" + Text(kTokens, 6);
  for (std::string* extra : {&a.assoc_actor_1, &a.inter1, &a.assoc_actor_2, &a.inter2,
                             &a.interaction, &a.civilian_targeting, &a.iso, &a.region, &a.country,
                             &a.admin3, &a.source_scale, &a.tags, &a.timestamp}) {
    *extra = Text(kTokens, 6);
  }
  RC_PRE(ValidateIncident(r, kNow).ok());

  const std::string row = AcledCsvRow(r, r.acled.tags);
  absl::StatusOr<AcledBatch> batch = ParseAcled(AcledHeaderLine() + row, 2, kNow);
  RC_ASSERT(batch.ok());
  if (!batch->errors.empty()) {
    RC_FAIL(fmt::format("{}: {} in {}", batch->errors[0].column, batch->errors[0].message, row));
  }
  RC_ASSERT(batch->rows.size() == 1u);
  RC_ASSERT(batch->rows[0].request == r);
  RC_ASSERT(AcledCsvRow(batch->rows[0].request, r.acled.tags) == row);
}

// Not a benchmark (no timing is asserted): the log shows the parse rate on a generated file.
TEST(ParseAcled, ThroughputIsLogged) {
  std::ostringstream out;
  ASSERT_TRUE(WriteIncidentCsv({.seed = 3, .count = 100000}, out).ok());
  const std::string csv = out.str();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<AcledBatch> batch = ParseAcled(csv, 2, kNow);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->rows.size(), 100000u);
  std::cout << fmt::format("ParseAcled: {} rows ({:.0f} bytes/row) in {:.3f} s: {:.0f} rows/s\n",
                           batch->rows.size(), static_cast<double>(csv.size()) / 100000, seconds,
                           100000 / seconds);
}

}  // namespace
}  // namespace deconflict::monitoring
