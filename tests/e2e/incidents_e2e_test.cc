// Ceasefire monitoring through the real binary (issue 13, "Done means", first half): an ACLED
// round trip (a file imported with `deconflict incidents import`, exported by GET
// /v1/incidents.csv: the same rows); bad rows named by line and column; a guarantor's finding
// signed with `deconflict incidents finding` and proved offline with ledger export + verify +
// ack verify; statistics on a known data set; the right of reply; bad input with the field.
#include <fstream>
#include <sstream>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace deconflict::e2e {
namespace {

namespace json = boost::json;

constexpr char kHeader[] =
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,tags,timestamp\n";

// Four rows in canonical form (what an export writes back byte for byte), one with a quoted
// comma and quote in its notes.
constexpr char kRows[] =
    "SYR1001,2026-11-20,2026,1,Political violence,Explosions/Remote violence,Air/drone strike,"
    "Military Forces of Russia (2000-),,State forces,Civilians (Syria),,Civilians,17,Civilian "
    "targeting,760,Middle East,Syria,Idleb,Idleb,Maaret Tamsrin,Maarrat Misrin,35.93,36.63,1,"
    "SOHR; Enab Baladi,National,\"Strike on the market, \"\"two craters\"\".\",3,,1764000000\n"
    "SYR1002,2026-11-20,2026,1,Political violence,Battles,Armed clash,HTS,,Rebel group,Military "
    "Forces of Syria (2024-),,State forces,12,,760,Middle East,Syria,Aleppo,Jebel Saman,,Kafr "
    "Halab,36.12,36.86,2,SOHR,National,Clashes at dawn.,2,,1764000000\n"
    "SYR1003,2026-11-21,2026,2,Political violence,Explosions/Remote violence,"
    "Shelling/artillery/missile attack,Military Forces of Syria (2024-),,State forces,,,,10,,760,"
    "Middle East,Syria,Idleb,Ariha,,Ariha,35.81,36.6,1,Local sources,Local,Shelling.,0,,"
    "1764000000\n"
    "SYR1004,2026-11-22,2026,1,Demonstrations,Protests,Peaceful protest,Protesters (Syria),,"
    "Protesters,,,,60,,760,Middle East,Syria,Damascus,Damascus,,Damascus,33.51,36.29,1,SANA,"
    "National,A sit-in.,0,crowd size=hundreds,1764000000\n";

class IncidentsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ru_ = AddParty(dir_.path(), "RU", "operator");
    tr_ = AddParty(dir_.path(), "TR", "operator");
    un_ = AddParty(dir_.path(), "UNMO", "guarantor");
    obs_ = AddParty(dir_.path(), "OBS", "observer");
    ASSERT_FALSE(ru_.empty() || tr_.empty() || un_.empty() || obs_.empty());
    server_ = std::make_unique<ServerProcess>(dir_.path());
    ASSERT_TRUE(server_->Start()) << server_->error();
  }
  int port() const { return server_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  CliResult Import(const std::string& file) {
    return RunCli(
        {"incidents", "import", "--acled", file, "--url", url(), "--token", obs_, "--rows", "2"});
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string ru_, tr_, un_, obs_;
};

TEST_F(IncidentsE2E, AnAcledFileRoundTripsRowForRow) {
  const std::string file = Write("acled.csv", std::string(kHeader) + kRows);
  CliResult imported = Import(file);
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_NE(imported.out.find("4 created, 0 changed, 0 unchanged, 0 refused"), std::string::npos)
      << imported.out;
  HttpResult csv =
      Http(port(), "GET", "/v1/incidents.csv?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", "",
           ru_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body, std::string(kHeader) + kRows);
  // Importing the same file again changes nothing.
  CliResult again = Import(file);
  EXPECT_NE(again.out.find("0 created, 0 changed, 4 unchanged"), std::string::npos) << again.out;
  // GeoJSON for maps, the same incidents, paged.
  HttpResult geo = Http(port(), "GET",
                        "/v1/incidents.geojson?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"
                        "&limit=3&bbox=35,33,38,37",
                        "", ru_);
  ASSERT_EQ(geo.status, 200) << geo.body;
  const json::value g = geo.json();
  ASSERT_EQ(g.at("features").as_array().size(), 3u);
  EXPECT_EQ(g.at("features").at(0).at("geometry").at("coordinates").at(0).as_double(), 36.63);
  const std::string next(g.at("next_after").as_string());
  HttpResult rest = Http(port(), "GET",
                         "/v1/incidents.geojson?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"
                         "&limit=3&bbox=35,33,38,37&after=" +
                             next,
                         "", ru_);
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(rest.json().at("features").as_array().size(), 1u);
}

TEST_F(IncidentsE2E, BadRowsAreNamedByLineAndColumnAndTheOthersAreStored) {
  std::string rows = kRows;
  rows.replace(rows.find("35.93"), 5, "95.93");                    // line 2: latitude
  rows.replace(rows.find("Armed clash"), 11, "Air/drone strike");  // line 3: not a Battles type
  CliResult imported = Import(Write("bad.csv", std::string(kHeader) + rows));
  EXPECT_EQ(imported.exit_code, 1);
  EXPECT_NE(imported.err.find("line 2, latitude:"), std::string::npos) << imported.err;
  EXPECT_NE(imported.err.find("line 3, sub_event_type:"), std::string::npos) << imported.err;
  EXPECT_NE(imported.out.find("2 created, 0 changed, 0 unchanged, 2 refused"), std::string::npos)
      << imported.out;
}

TEST_F(IncidentsE2E, StatisticsOnAKnownDataSet) {
  ASSERT_EQ(Import(Write("acled.csv", std::string(kHeader) + kRows)).exit_code, 0);
  HttpResult stats = Http(port(), "GET",
                          "/v1/incidents/stats?from=2026-11-21T00:00:00Z&to=2026-11-23T00:00:00Z"
                          "&group_by=event_type",
                          "", tr_);
  ASSERT_EQ(stats.status, 200) << stats.body;
  const json::value s = stats.json();
  // The period: the 21st (shelling, 0) and the 22nd (protest, 0); the previous two days: the
  // 19th-20th (strike 3, clash 2).
  EXPECT_EQ(s.at("total").at("count").as_int64(), 2);
  EXPECT_EQ(s.at("previous_total").at("count").as_int64(), 2);
  EXPECT_EQ(s.at("previous_total").at("fatalities").at("best").as_int64(), 5);
  EXPECT_EQ(s.at("change").at("fatalities_best").as_int64(), -5);
  const json::array& groups = s.at("groups").as_array();
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].at("key").as_string(), "Battles");
  EXPECT_EQ(groups[0].at("count").as_int64(), 0);
  EXPECT_EQ(groups[0].at("previous").at("count").as_int64(), 1);
  EXPECT_EQ(groups[1].at("key").as_string(), "Explosions/Remote violence");
  EXPECT_EQ(groups[1].at("count").as_int64(), 1);
  EXPECT_EQ(groups[1].at("change").at("count_pct").to_number<double>(), 0.0) << stats.body;
  HttpResult by_day =
      Http(port(), "GET", "/v1/incidents/stats?from=2026-11-20T00:00:00Z&to=2026-11-23T00:00:00Z",
           "", tr_);
  ASSERT_EQ(by_day.status, 200);
  const json::value day_stats = by_day.json();
  const json::array& days = day_stats.at("groups").as_array();
  ASSERT_EQ(days.size(), 3u);
  EXPECT_EQ(days[0].at("key").as_string(), "2026-11-20");
  EXPECT_EQ(days[0].at("count").as_int64(), 2);
  EXPECT_EQ(days[1].at("previous").at("count").as_int64(), 2);
  HttpResult bad = Http(port(), "GET", "/v1/incidents/stats?group_by=week", "", tr_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().at("error").at("field").as_string(), "group_by");
}

TEST_F(IncidentsE2E, ASignedFindingIsProvedOfflineAndTheAttributedPartyReplies) {
  const std::string body = R"({"occurred_at": "2026-11-30T09:40:00Z", "location": {"lat": 35.93,
      "lng": 36.63}, "observation": {"observer": {"lat": 35.9, "lng": 36.6}, "bearing_deg": 40,
      "distance_m": [3000, 5000], "mode": "heard"}, "event_type": "Explosions/Remote violence",
      "sub_event_type": "Air/drone strike", "alleged_party": "RU",
      "fatalities": {"best": 3, "low": 2, "high": 5}, "sources": ["witness"]})";
  HttpResult reported = Http(port(), "PUT", "/v1/incidents/inc-1", body, obs_);
  ASSERT_EQ(reported.status, 201) << reported.body;
  EXPECT_EQ(Http(port(), "PUT", "/v1/incidents/inc-1", body, obs_).status, 200);
  // The observer's position: the reporter and guarantors only.
  EXPECT_TRUE(Http(port(), "GET", "/v1/incidents/inc-1", "", un_)
                  .json()
                  .at("incident")
                  .as_object()
                  .contains("observation"));
  EXPECT_FALSE(Http(port(), "GET", "/v1/incidents/inc-1", "", ru_)
                   .json()
                   .at("incident")
                   .as_object()
                   .contains("observation"));
  // An operator may not record a finding.
  EXPECT_EQ(Http(port(), "POST", "/v1/incidents/inc-1/findings", R"({"finding": "verified"})", tr_)
                .status,
            403);

  const std::string key = dir_.path() + "/unmo.key";
  ASSERT_EQ(RunCli({"keys", "generate", "--out", key}).exit_code, 0);
  ASSERT_EQ(RunCli({"keys", "register", "--url", url(), "--token", un_, "--key", key}).exit_code,
            0);
  CliResult found = RunCli({"incidents", "finding", "--url", url(), "--token", un_, "--id", "inc-1",
                            "--finding", "verified", "--confidence", "high", "--attributed-party",
                            "TR", "--notes", "crater analysis", "--key", key});
  ASSERT_EQ(found.exit_code, 0) << found.out << found.err;
  EXPECT_NE(found.out.find("status verified"), std::string::npos) << found.out;
  const json::value view = Http(port(), "GET", "/v1/incidents/inc-1", "", tr_).json();
  EXPECT_EQ(view.at("status").as_string(), "verified");
  EXPECT_EQ(view.at("attributed_party").as_string(), "TR");
  const json::object& finding = view.at("findings").at(0).as_object();
  const int64_t index = finding.at("ledger_index").to_number<int64_t>();

  // The right of reply: TR (attributed) and RU (alleged); OBS may not.
  HttpResult reply = Http(port(), "POST", "/v1/incidents/inc-1/statements",
                          R"({"text": "No TR aircraft flew that day."})", tr_);
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(Http(port(), "POST", "/v1/incidents/inc-1/statements", R"({"text": "x"})", obs_).status,
            403);
  // Bad input names the field.
  HttpResult bad = Http(port(), "PUT", "/v1/incidents/inc-2",
                        R"({"occurred_at": "2026-11-30T09:40:00Z", "location": {"lat": 35.9,
                            "lng": 36.6}, "event_type": "Battles", "sub_event_type": "Grenade"})",
                        obs_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().at("error").at("field").as_string(), "sub_event_type");

  ASSERT_EQ(server_->Stop(), 0);
  CliResult verified = ExportAndVerify(dir_.path(), index);
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("incident.finding.ack"), std::string::npos) << verified.out;
  // The statement's own bytes name the signer, the object and the time.
  const std::string statement(finding.at("statement").as_string());
  const std::string signed_at =
      statement.substr(statement.rfind('\n', statement.size() - 2) + 1, 20);
  CliResult signer =
      RunCli({"ack", "verify", "--data", dir_.path(), "--kind", "incident.finding", "--object",
              "inc-1/1", "--digest", std::string(finding.at("object_digest").as_string()),
              "--party", "UNMO", "--time", signed_at, "--signature",
              std::string(finding.at("signature").as_string()), "--any-time"});
  EXPECT_EQ(signer.exit_code, 0) << signer.out << signer.err;
  // `ledger check` agrees with every stored row.
  CliResult check = RunCli({"ledger", "check", "--data", dir_.path()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // The report, its finding and the statement (the second PUT was a retry: nothing new).
  EXPECT_NE(check.out.find(" 3 incident rows "), std::string::npos) << check.out;
}

}  // namespace
}  // namespace deconflict::e2e
