// The automatic case through the real binary (issue 13, "Done means"): an incident at a notified
// hospital opens a case that names the recipient who acknowledged the notification two days
// earlier and the operation that covered the place at that hour; an incident 2 km away opens
// none; `deconflict case export` writes the case's ledger entries with their proofs against one
// checkpoint and `deconflict ledger verify --bundle` checks them offline. "Two days later" is a
// second run of the server on the same store with `serve --clock-offset-s 172800`.
#include <chrono>

#include "common/time.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace deconflict::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int kTwoDays = 2 * 24 * 3600;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Timestamp WallNow() { return std::chrono::floor<std::chrono::seconds>(SystemClock().Now()); }

class CasesE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    icrc_ = AddParty(dir_.path(), "ICRC", "humanitarian");
    ru_ = AddParty(dir_.path(), "RU", "operator");
    us_ = AddParty(dir_.path(), "US", "operator");
    unmo_ = AddParty(dir_.path(), "UNMO", "guarantor");
    obs_ = AddParty(dir_.path(), "OBS", "observer");
    ASSERT_FALSE(icrc_.empty() || ru_.empty() || us_.empty() || unmo_.empty() || obs_.empty());
  }
  void Start(std::vector<std::string> args = {}) {
    if (server_) {
      ASSERT_EQ(server_->Stop(), 0);
    }
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::move(args));
    ASSERT_TRUE(server_->Start()) << server_->error();
  }
  int port() const { return server_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  // A strike by `reporter`'s account `north_m` north of the hospital, at `at`.
  HttpResult Strike(const std::string& id, double north_m, Timestamp at) {
    const std::string body = fmt::format(
        R"({{"occurred_at": "{}", "location": {{"lat": {:.6f}, "lng": 34.4437}},
            "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
            "alleged_party": "US", "fatalities": {{"best": 4}}, "notes": "East wing hit."}})",
        FormatRfc3339(at), 31.5236 + north_m / 111195.0);
    return Http(port(), "PUT", "/v1/incidents/" + id, body, obs_);
  }

  TempDir dir_;
  std::string icrc_, ru_, us_, unmo_, obs_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(CasesE2E, AStrikeOnANotifiedHospitalOpensACaseNamingWhoKnewAndWhoFlew) {
  // Day 0: ICRC notifies the hospital to RU, which acknowledges it with its signature.
  Start();
  const Timestamp day0 = WallNow();
  HttpResult site = Http(port(), "PUT", "/v1/sites/al-shifa",
                         R"({"kind": "hospital", "name": "Al-Shifa Hospital",
                             "location": {"type": "Point", "coordinates": [34.4437, 31.5236]},
                             "valid_from": ")" +
                             FormatRfc3339(day0 - 1h) + R"(", "valid_to": ")" +
                             FormatRfc3339(day0 + 24h * 30) + R"(", "recipients": ["RU"]})",
                         icrc_);
  ASSERT_EQ(site.status, 201) << site.body;
  const json::value site_json = site.json();
  const json::object& statement = site_json.at("ack_statement").as_object();
  const std::string key = dir_.path() + "/ru.key";
  ASSERT_EQ(RunCli({"keys", "generate", "--out", key}).exit_code, 0);
  ASSERT_EQ(RunCli({"keys", "register", "--url", url(), "--token", ru_, "--key", key}).exit_code,
            0);
  const std::string signed_at = FormatRfc3339(day0);
  CliResult signature =
      RunCli({"ack", "sign", "--key", key, "--kind", std::string(statement.at("kind").as_string()),
              "--object", std::string(statement.at("object_id").as_string()), "--digest",
              std::string(statement.at("object_digest").as_string()), "--party", "RU", "--time",
              signed_at});
  ASSERT_EQ(signature.exit_code, 0) << signature.err;
  HttpResult acked = Http(
      port(), "POST", "/v1/sites/al-shifa/ack",
      R"({"signature": ")" + Trimmed(signature.out) + R"(", "signed_at": ")" + signed_at + R"("})",
      ru_);
  ASSERT_EQ(acked.status, 201) << acked.body;

  // Two days later: US (never told of the hospital) flies over it from ten minutes ago for an
  // hour, and a strike hits 100 m from it five minutes ago.
  Start({"--clock-offset-s", std::to_string(kTwoDays)});
  const Timestamp day2 = WallNow() + std::chrono::seconds(kTwoDays);
  const std::string op = "6f1c2a9e-0d4b-4c1e-8a55-2f7f3c9b1d01";
  HttpResult filed = Http(port(), "PUT", "/v1/operations/" + op,
                          OperationBody({CircleVolume(31.5236, 34.4437, 400, 0, 3000,
                                                      kTwoDays - 600, kTwoDays + 3600)}),
                          us_);
  ASSERT_EQ(filed.status, 201) << filed.body;
  HttpResult strike = Strike("strike-1", 100, day2 - 5min);
  ASSERT_EQ(strike.status, 201) << strike.body;

  HttpResult got = Http(port(), "GET", "/v1/cases/strike-1", "", unmo_);
  ASSERT_EQ(got.status, 200) << got.body;
  const json::value c = got.json();
  EXPECT_EQ(c.at("state").as_string(), "open");
  ASSERT_EQ(c.at("places").as_array().size(), 1u) << got.body;
  EXPECT_EQ(c.at("places").at(0).at("id").as_string(), "al-shifa");
  ASSERT_EQ(c.at("recipients").as_array().size(), 1u) << got.body;
  const json::value& ru = c.at("recipients").at(0);
  EXPECT_EQ(ru.at("party").as_string(), "RU");
  EXPECT_TRUE(ru.at("signed").as_bool());
  const Timestamp ack_time = *ParseRfc3339(std::string(ru.at("acknowledged_at").as_string()));
  const Timestamp occurred = *ParseRfc3339(std::string(c.at("occurred_at").as_string()));
  EXPECT_GE(occurred - ack_time, 47h);  // acknowledged two days before the strike
  EXPECT_LE(occurred - ack_time, 49h);
  ASSERT_EQ(c.at("operations").as_array().size(), 1u) << got.body;
  EXPECT_EQ(c.at("operations").at(0).at("id").as_string(), op);
  EXPECT_EQ(c.at("operations").at(0).at("party").as_string(), "US");
  EXPECT_FALSE(c.at("operations").at(0).at("extents").is_null());  // whole for a guarantor
  EXPECT_EQ(c.at("respondents").at(0).at("party").as_string(), "US");
  // The reporter sees the operation as its overlap only, and not the hospital's name.
  HttpResult seen = Http(port(), "GET", "/v1/cases/strike-1", "", obs_);
  ASSERT_EQ(seen.status, 200) << seen.body;
  const json::value s = seen.json();
  EXPECT_TRUE(s.at("operations").at(0).at("overlap_only").as_bool());
  EXPECT_TRUE(s.at("places").at(0).at("name").is_null());

  // 2 km away: no case.
  ASSERT_EQ(Strike("strike-2", 2000, day2 - 5min).status, 201);
  EXPECT_EQ(Http(port(), "GET", "/v1/cases/strike-2", "", unmo_).status, 404);
  HttpResult list = Http(port(), "GET", "/v1/cases", "", unmo_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("cases").as_array().size(), 1u) << list.body;

  // The case file: every entry proved against one signed checkpoint, checked offline.
  const std::string bundle = dir_.path() + "/case.bundle";
  CliResult exported = RunCli(
      {"case", "export", "--url", url(), "--token", unmo_, "--id", "strike-1", "--out", bundle});
  ASSERT_EQ(exported.exit_code, 0) << exported.out << exported.err;
  CliResult log_key = RunCli({"ledger", "key", "--data", dir_.path()});
  ASSERT_EQ(log_key.exit_code, 0) << log_key.err;
  CliResult verified =
      RunCli({"ledger", "verify", "--bundle", bundle, "--key", Trimmed(log_key.out)});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  for (const char* action :
       {"incident.report", "humanitarian.site.notify", "humanitarian.site.ack", "case.open"}) {
    EXPECT_NE(verified.out.find(action), std::string::npos) << action << " in " << verified.out;
  }
  // The reporter's copy proves the entries it may not read exist, without their content.
  const std::string obs_bundle = dir_.path() + "/obs.bundle";
  ASSERT_EQ(RunCli({"case", "export", "--url", url(), "--token", obs_, "--id", "strike-1", "--out",
                    obs_bundle})
                .exit_code,
            0);
  CliResult obs_verified =
      RunCli({"ledger", "verify", "--bundle", obs_bundle, "--key", Trimmed(log_key.out)});
  EXPECT_EQ(obs_verified.exit_code, 0) << obs_verified.out << obs_verified.err;
  EXPECT_NE(obs_verified.out.find("not disclosed"), std::string::npos) << obs_verified.out;
}

}  // namespace
}  // namespace deconflict::e2e
