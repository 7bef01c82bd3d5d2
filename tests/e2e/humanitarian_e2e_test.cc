// Humanitarian notifications through the real binary (issue 11, "Done means"): a recipient's
// operation over a notified hospital refused, then accepted with the version in its key; a
// non-recipient's operation accepted and flagged to the notifier; the notification delivered to
// the recipient's socket; a signed receipt proved offline with `ledger export` + `verify`; an
// overdue acknowledgement escalated into a hotline channel; a third party's 404 listed to the
// notifier; a GeoJSON round trip through `sites import`.
#include <fstream>
#include <thread>

#include "common/ids.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/ws_client.h"

namespace deconflict::e2e {
namespace {

namespace json = boost::json;

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Al-Shifa Hospital, Gaza City, buffer 300 m, valid from an hour ago for 30 days.
std::string HospitalBody(const std::string& recipients = R"(["RU"])",
                         const std::string& extra = "") {
  const auto now = std::chrono::system_clock::now();
  return R"({"kind": "hospital", "name": "Al-Shifa Hospital",
             "location": {"type": "Point", "coordinates": [34.4437, 31.5236]},
             "valid_from": ")" +
         Rfc3339(now - std::chrono::hours(1)) + R"(", "valid_to": ")" +
         Rfc3339(now + std::chrono::hours(24 * 30)) + R"(", "recipients": )" + recipients + extra +
         "}";
}

class HumanitarianE2E : public ::testing::Test {
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
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::move(args));
    ASSERT_TRUE(server_->Start()) << server_->error();
  }
  int port() const { return server_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  HttpResult GetSite(const std::string& token) {
    return Http(port(), "GET", "/v1/sites/al-shifa", "", token);
  }
  // An operation: a 200 m circle over the hospital, 0-500 m, from 10 min to 1 h from now.
  HttpResult FileOperation(const std::string& token, const std::string& id,
                           const std::vector<std::string>& key = {}) {
    return Http(port(), "PUT", "/v1/operations/" + id,
                OperationBody({CircleVolume(31.5236, 34.4437, 200, 0, 500, 600, 3600)}, key),
                token);
  }

  TempDir dir_;
  std::string icrc_, ru_, us_, unmo_, obs_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(HumanitarianE2E, RecipientRefusedThenAcceptedWithTheKeyAndANonRecipientIsFlagged) {
  Start();
  auto ru_socket = WsClient::Connect(port(), ru_, {.after = 0});
  ASSERT_TRUE(ru_socket);
  HttpResult put = Http(port(), "PUT", "/v1/sites/al-shifa", HospitalBody(), icrc_);
  ASSERT_EQ(put.status, 201) << put.body;
  const std::string ovn(put.json().at("ovn").as_string());

  // The notification reaches RU's socket; that is its delivery, told to ICRC.
  std::optional<json::value> notified = ru_socket->Next();
  ASSERT_TRUE(notified);
  EXPECT_EQ(notified->at("type").as_string(), "humanitarian.notified");
  EXPECT_EQ(notified->at("ovn").as_string(), ovn);
  EXPECT_FALSE(notified->as_object().contains("location"));  // coordinates only through GET
  bool delivered = false;
  for (int attempt = 0; attempt < 50 && !delivered; ++attempt) {
    HttpResult view = GetSite(icrc_);
    ASSERT_EQ(view.status, 200) << view.body;
    delivered = !view.json().at("recipient_status").at(0).at("delivered_at").is_null();
    if (!delivered) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(delivered);

  const std::string op_ru = NewUuid();
  HttpResult refused = FileOperation(ru_, op_ru);
  ASSERT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.json().at("protected_missing").at(0).at("ref").as_string(), "site/al-shifa");
  EXPECT_EQ(refused.json().at("protected_missing").at(0).at("version").as_string(), ovn);
  HttpResult accepted = FileOperation(ru_, op_ru, {ovn});
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_EQ(accepted.json().at("protected").at(0).at("ref").as_string(), "site/al-shifa");
  const std::string ru_op_ovn(accepted.json().at("operation").at("ovn").as_string());

  // US was never told of the hospital; its key carries only RU's operation, which it overlaps.
  const std::string op_us = NewUuid();
  HttpResult us = FileOperation(us_, op_us, {ru_op_ovn});
  ASSERT_EQ(us.status, 201) << us.body;  // never told: not refused
  EXPECT_TRUE(us.json().at("protected").as_array().empty());

  HttpResult conflicts = Http(port(), "GET", "/v1/sites/conflicts", "", icrc_);
  ASSERT_EQ(conflicts.status, 200) << conflicts.body;
  const json::value conflicts_json = conflicts.json();
  const json::array& listed = conflicts_json.at("conflicts").as_array();
  ASSERT_EQ(listed.size(), 2u) << conflicts.body;
  EXPECT_EQ(listed[0].at("operation").as_string(), op_ru);
  EXPECT_TRUE(listed[0].at("party_is_recipient").as_bool());
  EXPECT_EQ(listed[1].at("operation").as_string(), op_us);
  EXPECT_FALSE(listed[1].at("party_is_recipient").as_bool());
  EXPECT_FALSE(listed[1].as_object().contains("extents"));  // the overlap, not the operation

  // The guarantor got the same conflict events.
  HttpResult events = Http(port(), "GET", "/v1/events?after=0", "", unmo_);
  const json::value events_json = events.json();
  size_t conflict_events = 0;
  for (const json::value& e : events_json.at("events").as_array()) {
    conflict_events += e.at("type").as_string() == "humanitarian.conflict";
  }
  EXPECT_EQ(conflict_events, 2u);
}

TEST_F(HumanitarianE2E, AThirdPartyGets404AndItsAttemptIsListedToTheNotifier) {
  Start();
  ASSERT_EQ(Http(port(), "PUT", "/v1/sites/al-shifa", HospitalBody(), icrc_).status, 201);
  HttpResult third = GetSite(obs_);
  EXPECT_EQ(third.status, 404) << third.body;
  // The same answer as for a place that does not exist: nothing is learnt from it.
  HttpResult unknown = Http(port(), "GET", "/v1/sites/no-such", "", obs_);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(third.json().at("error").at("message").as_string(), "id: no site al-shifa");
  EXPECT_EQ(unknown.json().at("error").at("message").as_string(), "id: no site no-such");
  EXPECT_EQ(Http(port(), "GET", "/v1/sites/al-shifa", "", us_).status, 404);
  EXPECT_EQ(GetSite(ru_).status, 200);
  EXPECT_EQ(GetSite(unmo_).status, 200);  // guarantors read every place

  HttpResult reads = Http(port(), "GET", "/v1/sites/al-shifa/reads", "", icrc_);
  ASSERT_EQ(reads.status, 200) << reads.body;
  const json::value reads_json = reads.json();
  const json::array& r = reads_json.at("reads").as_array();
  ASSERT_EQ(r.size(), 4u) << reads.body;
  EXPECT_EQ(r[0].at("party").as_string(), "OBS");
  EXPECT_TRUE(r[0].at("refused").as_bool());
  EXPECT_EQ(r[1].at("party").as_string(), "US");
  EXPECT_TRUE(r[1].at("refused").as_bool());
  EXPECT_EQ(r[2].at("party").as_string(), "RU");
  EXPECT_FALSE(r[2].at("refused").as_bool());
  EXPECT_EQ(Http(port(), "GET", "/v1/sites/al-shifa/reads", "", ru_).status, 404);
  // Bad input names the field; only humanitarian parties file.
  HttpResult bad = Http(port(), "PUT", "/v1/sites/x1",
                        R"({"kind": "hospital", "name": "x", "location": {"type": "Point",
                            "coordinates": [200, 31]}, "valid_from": "2026-01-01T00:00:00Z",
                            "valid_to": "2099-01-01T00:00:00Z", "recipients": ["RU"]})",
                        icrc_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().at("error").at("field").as_string(), "location.coordinates[0]");
  EXPECT_EQ(Http(port(), "PUT", "/v1/sites/x2", HospitalBody(), ru_).status, 403);
}

TEST_F(HumanitarianE2E, SignedReceiptIsProvedOfflineWithLedgerExportAndVerify) {
  Start();
  HttpResult put = Http(port(), "PUT", "/v1/sites/al-shifa", HospitalBody(), icrc_);
  ASSERT_EQ(put.status, 201) << put.body;
  const json::value put_json = put.json();
  const json::object& statement = put_json.at("ack_statement").as_object();
  const std::string key = dir_.path() + "/ru.key";
  ASSERT_EQ(RunCli({"keys", "generate", "--out", key}).exit_code, 0);
  CliResult registered = RunCli({"keys", "register", "--url", url(), "--token", ru_, "--key", key});
  ASSERT_EQ(registered.exit_code, 0) << registered.err;
  const std::string now = Rfc3339(std::chrono::system_clock::now());
  CliResult signature = RunCli(
      {"ack", "sign", "--key", key, "--kind", std::string(statement.at("kind").as_string()),
       "--object", std::string(statement.at("object_id").as_string()), "--digest",
       std::string(statement.at("object_digest").as_string()), "--party", "RU", "--time", now});
  ASSERT_EQ(signature.exit_code, 0) << signature.err;
  std::string sig = signature.out;
  while (!sig.empty() && (sig.back() == '\n' || sig.back() == ' ')) sig.pop_back();

  std::string wrong = sig;
  wrong[3] = wrong[3] == 'A' ? 'B' : 'A';
  HttpResult bad = Http(port(), "POST", "/v1/sites/al-shifa/ack",
                        R"({"signature": ")" + wrong + R"(", "signed_at": ")" + now + R"("})", ru_);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.json().at("error").at("field").as_string(), "signature");
  HttpResult acked = Http(port(), "POST", "/v1/sites/al-shifa/ack",
                          R"({"signature": ")" + sig + R"(", "signed_at": ")" + now + R"("})", ru_);
  ASSERT_EQ(acked.status, 201) << acked.body;
  EXPECT_TRUE(acked.json().at("signed").as_bool());
  const int64_t index = acked.json().at("ledger_index").to_number<int64_t>();

  HttpResult view = GetSite(icrc_);
  const json::value view_json = view.json();
  const json::value& status = view_json.at("recipient_status").at(0);
  EXPECT_EQ(status.at("party").as_string(), "RU");
  EXPECT_FALSE(status.at("acknowledged_at").is_null());
  EXPECT_TRUE(status.at("signature_valid").as_bool());

  // Offline: the entry is in the signed log, and the signature is RU's over that statement.
  ASSERT_EQ(server_->Stop(), 0);
  const std::string bundle = dir_.path() + "/ack.bundle";
  CliResult exported = RunCli({"ledger", "export", "--data", dir_.path(), "--index",
                               std::to_string(index), "--out", bundle});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  CliResult log_key = RunCli({"ledger", "key", "--data", dir_.path()});
  ASSERT_EQ(log_key.exit_code, 0);
  std::string k = log_key.out;
  while (!k.empty() && k.back() == '\n') k.pop_back();
  CliResult verified = RunCli({"ledger", "verify", "--bundle", bundle, "--key", k});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("OK"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("humanitarian.site.ack"), std::string::npos) << verified.out;
  CliResult signer =
      RunCli({"ack", "verify", "--data", dir_.path(), "--kind", "humanitarian.site", "--object",
              "al-shifa/1", "--digest", std::string(statement.at("object_digest").as_string()),
              "--party", "RU", "--time", now, "--signature", sig, "--any-time"});
  EXPECT_EQ(signer.exit_code, 0) << signer.out << signer.err;
}

TEST_F(HumanitarianE2E, OverdueAcknowledgementEscalatesIntoTheHotlineChannel) {
  Start({"--site-ack-deadline-s", "1"});
  HttpResult channel = Http(port(), "POST", "/v1/channels",
                            R"({"id": "icrc-desk", "name": "ICRC desk",
                                "members": ["ICRC", "UNMO"]})",
                            icrc_);
  ASSERT_EQ(channel.status, 201) << channel.body;
  auto unmo_socket = WsClient::Connect(port(), unmo_, {.after = 0});
  auto ru_socket = WsClient::Connect(port(), ru_, {.after = 0});
  ASSERT_TRUE(unmo_socket && ru_socket);
  ASSERT_EQ(Http(port(), "PUT", "/v1/sites/al-shifa",
                 HospitalBody(R"(["RU"])", R"(, "escalation_channel": "icrc-desk")"), icrc_)
                .status,
            201);
  // RU is told it is overdue; UNMO gets the escalation message in the channel.
  bool overdue = false;
  while (std::optional<json::value> e = ru_socket->Next(std::chrono::seconds(10))) {
    if (e->at("type").as_string() == "humanitarian.overdue") {
      overdue = true;
      EXPECT_EQ(e->at("laggards").at(0).as_string(), "RU");
      EXPECT_EQ(e->at("escalated_to").as_string(), "icrc-desk/1");
      break;
    }
  }
  EXPECT_TRUE(overdue);
  bool escalated = false;
  while (std::optional<json::value> e = unmo_socket->Next(std::chrono::seconds(10))) {
    if (e->at("type").as_string() == "hotline.message") {
      escalated = true;
      EXPECT_EQ(e->at("escalates").as_string(), "site/al-shifa/1");
      EXPECT_EQ(e->at("sender").as_string(), "ICRC");
      break;
    }
  }
  EXPECT_TRUE(escalated);
  HttpResult view = GetSite(icrc_);
  EXPECT_FALSE(view.json().at("overdue_at").is_null()) << view.body;
  EXPECT_EQ(view.json().at("escalated_to").as_string(), "icrc-desk/1");
  // A restart raises nothing twice.
  ASSERT_EQ(server_->Stop(), 0);
  Start({"--site-ack-deadline-s", "1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  HttpResult events = Http(port(), "GET", "/v1/events?after=0", "", ru_);
  const json::value events_json = events.json();
  size_t overdue_events = 0;
  for (const json::value& e : events_json.at("events").as_array()) {
    overdue_events += e.at("type").as_string() == "humanitarian.overdue";
  }
  EXPECT_EQ(overdue_events, 1u);
}

TEST_F(HumanitarianE2E, GeoJsonRoundTripThroughSitesImport) {
  Start();
  const auto now = std::chrono::system_clock::now();
  ASSERT_EQ(
      Http(port(), "PUT", "/v1/sites/al-shifa", HospitalBody(R"(["RU", "US"])"), icrc_).status,
      201);
  const std::string camp = R"({"kind": "camp", "name": "Camp 4", "buffer_m": 100,
      "location": {"type": "Polygon", "coordinates": [[[34.30, 31.30], [34.31, 31.30],
                   [34.31, 31.31], [34.30, 31.31], [34.30, 31.30]]]},
      "valid_from": ")" + Rfc3339(now) +
                           R"(", "valid_to": ")" + Rfc3339(now + std::chrono::hours(48)) +
                           R"(", "recipients": ["RU"]})";
  ASSERT_EQ(Http(port(), "PUT", "/v1/sites/camp-4", camp, icrc_).status, 201);
  const std::string convoy = R"({"name": "Rafah - Khan Younis", "vehicles": 12,
      "route": {"type": "LineString", "coordinates": [[34.2435, 31.2968], [34.3063, 31.3462]]},
      "time_start": ")" + Rfc3339(now + std::chrono::hours(3)) +
                             R"(", "time_end": ")" + Rfc3339(now + std::chrono::hours(6)) +
                             R"(", "recipients": ["RU"]})";
  ASSERT_EQ(Http(port(), "PUT", "/v1/movements/convoy-7", convoy, icrc_).status, 201);

  HttpResult sites = Http(port(), "GET", "/v1/sites.geojson", "", icrc_);
  ASSERT_EQ(sites.status, 200) << sites.body;
  EXPECT_EQ(sites.content_type, "application/geo+json");
  const json::value sites_json = sites.json();
  const json::array& features = sites_json.at("features").as_array();
  ASSERT_EQ(features.size(), 2u);
  EXPECT_EQ(features[0].at("geometry").at("coordinates").at(0).to_number<double>(), 34.4437);
  EXPECT_EQ(Http(port(), "GET", "/v1/sites.geojson", "", obs_).json().at("features"),
            json::array());  // others see nothing
  HttpResult movements = Http(port(), "GET", "/v1/movements.geojson", "", ru_);
  ASSERT_EQ(movements.json().at("features").as_array().size(), 1u);

  // Into a fresh server, where ICRC files them from the export.
  const std::string file = dir_.path() + "/sites.geojson";
  json::object all = sites.json().as_object();
  const json::value movements_json = movements.json();
  for (const json::value& m : movements_json.at("features").as_array())
    all["features"].as_array().push_back(m);
  std::ofstream(file) << json::serialize(all);
  TempDir other;
  const std::string icrc2 = AddParty(other.path(), "ICRC", "humanitarian");
  ASSERT_FALSE(AddParty(other.path(), "RU", "operator").empty());
  ASSERT_FALSE(AddParty(other.path(), "US", "operator").empty());
  ServerProcess second(other.path());
  ASSERT_TRUE(second.Start()) << second.error();
  CliResult imported =
      RunCli({"sites", "import", "--geojson", file, "--url",
              "http://127.0.0.1:" + std::to_string(second.port()), "--token", icrc2});
  ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
  EXPECT_NE(imported.out.find("3 filed"), std::string::npos) << imported.out;
  HttpResult again = Http(second.port(), "GET", "/v1/sites.geojson", "", icrc2);
  const json::value again_json = again.json();
  ASSERT_EQ(again_json.at("features").as_array().size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const json::value& a = features[i];
    const json::value& b = again_json.at("features").at(i);
    EXPECT_EQ(a.at("id"), b.at("id"));
    EXPECT_EQ(a.at("geometry"), b.at("geometry"));
    for (const char* field : {"kind", "name", "buffer_m", "valid_from", "valid_to", "recipients"}) {
      EXPECT_EQ(a.at("properties").at(field), b.at("properties").at(field)) << field;
    }
  }

  // Per-feature errors name the feature and the field; nothing is sent.
  const std::string broken = dir_.path() + "/broken.geojson";
  json::object bad = all;
  bad["features"].as_array()[1].as_object()["properties"].as_object()["kind"] = "barracks";
  std::ofstream(broken) << json::serialize(bad);
  CliResult refused =
      RunCli({"sites", "import", "--geojson", broken, "--url",
              "http://127.0.0.1:" + std::to_string(second.port()), "--token", icrc2});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("feature 1: features[1].properties.kind"), std::string::npos)
      << refused.err;
}

}  // namespace
}  // namespace deconflict::e2e
