// End-to-end tests of `deconflict serve`: the real binary on port 0 with a fresh store.
// Behaviours a reviewer should be able to read without C++ (visibility, touching windows,
// revocation, stale OVNs and retries) are in tests/scenarios/*.test instead.
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "common/ids.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace deconflict::e2e {
namespace {

class ServerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ru_ = AddParty(dir_.path(), "RU", "operator");
    us_ = AddParty(dir_.path(), "US", "operator");
    un_ = AddParty(dir_.path(), "UNMO", "guarantor");
    ASSERT_FALSE(ru_.empty());
    server_ = std::make_unique<ServerProcess>(dir_.path());
    ASSERT_TRUE(server_->Start()) << server_->error();
  }

  HttpResult Call(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& token) {
    return Http(server_->port(), method, target, body, token);
  }

  TempDir dir_;
  std::string ru_, us_, un_;
  std::unique_ptr<ServerProcess> server_;
};

std::string Ovn(const HttpResult& r) {
  return std::string(r.json().at("operation").at("ovn").as_string());
}

TEST_F(ServerE2E, OpenRoutesNeedNoTokenAndOthersDo) {
  EXPECT_EQ(Call("GET", "/v1/health", "", "").status, 200);
  EXPECT_EQ(Call("GET", "/v1/version", "", "").status, 200);
  HttpResult doc = Call("GET", "/v1/openapi.json", "", "");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json().at("openapi").as_string(), "3.0.3");

  HttpResult none = Call("GET", "/v1/conflicts", "", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.json().at("error").at("code").as_string(), "unauthenticated");
  EXPECT_EQ(Call("GET", "/v1/conflicts", "", "dc_wrong").status, 401);
  EXPECT_EQ(Call("GET", "/v1/conflicts", "", ru_).status, 200);
  EXPECT_EQ(Call("GET", "/v1/nothing-here", "", ru_).status, 404);
}

TEST_F(ServerE2E, KeyRuleRefusesUntilEveryOverlapIsAcknowledged) {
  const std::string op1 = NewUuid(), op2 = NewUuid();
  HttpResult first =
      Call("PUT", "/v1/operations/" + op1,
           OperationBody({CircleVolume(35.0, 38.0, 5000, 0, 1000, 3600, 7200)}), ru_);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_GE(first.json().at("ledger_index").as_int64(), 0);
  const std::string ovn1 = Ovn(first);

  const std::string body2 = OperationBody({CircleVolume(35.02, 38.0, 5000, 500, 1500, 5400, 9000)});
  HttpResult refused = Call("PUT", "/v1/operations/" + op2, body2, us_);
  ASSERT_EQ(refused.status, 409) << refused.body;
  auto missing = refused.json().at("missing").as_array();
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].at("id").as_string(), op1);
  EXPECT_EQ(missing[0].at("party").as_string(), "RU");
  EXPECT_EQ(missing[0].at("ovn").as_string(), ovn1);
  EXPECT_EQ(missing[0].at("overlap").at("altitude_lower").at("value").to_number<double>(), 500);
  EXPECT_EQ(missing[0].at("overlap").at("altitude_upper").at("value").to_number<double>(), 1000);
  // Nothing was stored.
  EXPECT_EQ(Call("GET", "/v1/operations/" + op2, "", us_).status, 404);

  const std::string body2_keyed =
      OperationBody({CircleVolume(35.02, 38.0, 5000, 500, 1500, 5400, 9000)}, {ovn1});
  HttpResult accepted = Call("PUT", "/v1/operations/" + op2, body2_keyed, us_);
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  ASSERT_EQ(accepted.json().at("conflicts").as_array().size(), 1u);
  EXPECT_EQ(accepted.json().at("conflicts").at(0).at("id").as_string(), op1);

  // Both sides see the conflict.
  EXPECT_EQ(Call("GET", "/v1/conflicts", "", ru_).json().at("conflicts").as_array().size(), 1u);
  EXPECT_EQ(Call("GET", "/v1/conflicts", "", us_).json().at("conflicts").as_array().size(), 1u);

  // Identical retry is idempotent: same OVN, nothing new.
  HttpResult retry = Call("PUT", "/v1/operations/" + op2, body2_keyed, us_);
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(Ovn(retry), Ovn(accepted));

  // RU's update must now acknowledge US's operation too.
  HttpResult stale_key =
      Call("PUT", "/v1/operations/" + op1 + "/" + ovn1,
           OperationBody({CircleVolume(35.0, 38.0, 6000, 0, 1000, 3600, 7200)}), ru_);
  EXPECT_EQ(stale_key.status, 409) << stale_key.body;
  EXPECT_EQ(stale_key.json().at("missing").as_array().size(), 1u);
}

TEST_F(ServerE2E, OnlyTheOwnerChangesOrEndsAndStaleOvnsAreRefused) {
  const std::string id = NewUuid();
  HttpResult created = Call("PUT", "/v1/operations/" + id,
                            OperationBody({CircleVolume(20, 20, 2000, 0, 500, 600, 3600)}), ru_);
  ASSERT_EQ(created.status, 201);
  const std::string ovn = Ovn(created);
  const std::string change = OperationBody({CircleVolume(20, 20, 2500, 0, 500, 600, 3600)});
  EXPECT_EQ(Call("PUT", "/v1/operations/" + id + "/" + ovn, change, us_).status, 403);
  EXPECT_EQ(Call("DELETE", "/v1/operations/" + id + "/" + ovn, "", us_).status, 403);
  HttpResult updated = Call("PUT", "/v1/operations/" + id + "/" + ovn, change, ru_);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json().at("operation").at("version").as_int64(), 2);
  // The same update retried (its response lost) answers as the first did; another body from
  // the old OVN is stale.
  HttpResult retried = Call("PUT", "/v1/operations/" + id + "/" + ovn, change, ru_);
  EXPECT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(Ovn(retried), Ovn(updated));
  EXPECT_EQ(retried.json().at("ledger_index"), updated.json().at("ledger_index"));
  const std::string other_change = OperationBody({CircleVolume(20, 20, 2600, 0, 500, 600, 3600)});
  HttpResult stale = Call("PUT", "/v1/operations/" + id + "/" + ovn, other_change, ru_);
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.json().at("error").at("code").as_string(), "aborted");
  EXPECT_EQ(Call("PUT", "/v1/operations/" + id, change, ru_).status, 409);  // exists
  HttpResult ended = Call("DELETE", "/v1/operations/" + id + "/" + Ovn(updated), "", ru_);
  ASSERT_EQ(ended.status, 200) << ended.body;
  HttpResult after = Call("GET", "/v1/operations/" + id, "", ru_);
  EXPECT_EQ(after.json().at("operation").at("state").as_string(), "Ended");
  EXPECT_EQ(Call("DELETE", "/v1/operations/" + id + "/" + Ovn(updated), "", ru_).status,
            409);  // ended
  EXPECT_EQ(Call("DELETE", "/v1/operations/" + NewUuid() + "/x", "", ru_).status, 404);
  // Guarantors may read; they may not file.
  EXPECT_EQ(Call("PUT", "/v1/operations/" + NewUuid(), change, un_).status, 403);
}

TEST_F(ServerE2E, ConflictsAndQueriesArePaged) {
  // RU files five operations; US one that meets them all.
  std::vector<std::string> ovns;
  std::set<std::string> ru_ids;
  for (int i = 0; i < 5; ++i) {
    const std::string id = NewUuid();
    HttpResult r =
        Call("PUT", "/v1/operations/" + id,
             OperationBody({CircleVolume(60, 60 + 0.001 * i, 1000, 0, 100, 600, 3600)}), ru_);
    ASSERT_EQ(r.status, 201) << r.body;
    ovns.push_back(Ovn(r));
    ru_ids.insert(id);
  }
  ASSERT_EQ(Call("PUT", "/v1/operations/" + NewUuid(),
                 OperationBody({CircleVolume(60, 60, 5000, 0, 100, 600, 3600)}, ovns), us_)
                .status,
            201);

  // Pages of two: 2 + 2 + 1, every conflict once, next_cursor only while more remain.
  std::set<std::string> seen;
  std::string target = "/v1/conflicts?limit=2";
  int pages = 0;
  while (true) {
    HttpResult page = Call("GET", target, "", us_);
    ASSERT_EQ(page.status, 200) << page.body;
    ++pages;
    const boost::json::value json = page.json();
    const boost::json::object& body = json.as_object();
    const auto& conflicts = body.at("conflicts").as_array();
    EXPECT_LE(conflicts.size(), 2u);
    for (const auto& c : conflicts) seen.insert(std::string(c.at("other").at("id").as_string()));
    if (!body.contains("next_cursor")) break;
    target = "/v1/conflicts?limit=2&cursor=" + std::string(body.at("next_cursor").as_string());
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, ru_ids);
  // Without a limit, the default (100) holds them all.
  HttpResult all = Call("GET", "/v1/conflicts", "", us_);
  EXPECT_EQ(all.json().at("conflicts").as_array().size(), 5u);
  EXPECT_FALSE(all.json().as_object().contains("next_cursor"));

  // The query pages the same way (limit and cursor in the body).
  const std::string area = CircleVolume(60, 60, 20000, 0, 5000, 0, 7200);
  HttpResult first = Call("POST", "/v1/operations/query",
                          R"({"limit": 4, "area_of_interest": )" + area + "}", un_);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json().at("operations").as_array().size(), 4u);
  const std::string cursor(first.json().at("next_cursor").as_string());
  HttpResult rest =
      Call("POST", "/v1/operations/query",
           R"({"limit": 4, "cursor": ")" + cursor + R"(", "area_of_interest": )" + area + "}", un_);
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(rest.json().at("operations").as_array().size(), 2u);
  EXPECT_FALSE(rest.json().as_object().contains("next_cursor"));

  // Bad parameters name their field; a cursor of another list is refused.
  auto field_of = [](const HttpResult& r) {
    return std::string(r.json().at("error").at("field").as_string());
  };
  for (const char* bad : {"limit=0", "limit=1001", "limit=x", "cursor=nonsense", "cursor="}) {
    HttpResult r = Call("GET", std::string("/v1/conflicts?") + bad, "", us_);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_EQ(field_of(r), std::string(bad).substr(0, std::string(bad).find('='))) << bad;
  }
  HttpResult foreign = Call("GET", "/v1/conflicts?cursor=" + cursor, "", us_);
  EXPECT_EQ(foreign.status, 400) << foreign.body;
  HttpResult too_many = Call("POST", "/v1/operations/query",
                             R"({"limit": 5000, "area_of_interest": )" + area + "}", us_);
  EXPECT_EQ(too_many.status, 400) << too_many.body;
  EXPECT_EQ(field_of(too_many), "limit");
}

TEST_F(ServerE2E, ProbesAreCoarsenedAndShownToTheOwner) {
  const std::string id = NewUuid();
  ASSERT_EQ(Call("PUT", "/v1/operations/" + id,
                 OperationBody({CircleVolume(70, 70, 2000, 0, 1000, 600, 3600)}), ru_)
                .status,
            201);
  const std::string area =
      R"({"area_of_interest": )" + CircleVolume(70, 70, 20000, 0, 5000, 0, 7200) + "}";
  HttpResult probe = Call("POST", "/v1/operations/query", area, us_);
  ASSERT_EQ(probe.status, 200) << probe.body;
  const boost::json::value shown = probe.json();
  ASSERT_EQ(shown.at("operations").as_array().size(), 1u);
  EXPECT_TRUE(shown.at("operations").at(0).at("coarsened").as_bool());
  EXPECT_FALSE(shown.at("operations").at(0).as_object().contains("extents"));
  const std::string start(
      shown.at("operations").at(0).at("overlap").at("time_start").at("value").as_string());
  EXPECT_TRUE(start.ends_with(":00:00Z") || start.ends_with(":15:00Z") ||
              start.ends_with(":30:00Z") || start.ends_with(":45:00Z"))
      << start;

  const boost::json::value probes = Call("GET", "/v1/probes", "", ru_).json();
  ASSERT_EQ(probes.at("probes").as_array().size(), 1u) << probes;
  EXPECT_EQ(probes.at("probes").at(0).at("operation").as_string(), id);
  EXPECT_EQ(probes.at("probes").at(0).at("party").as_string(), "US");
  EXPECT_EQ(probes.at("probes").at(0).at("count").to_number<int>(), 1);
  EXPECT_TRUE(Call("GET", "/v1/probes", "", us_).json().at("probes").as_array().empty());
}

TEST_F(ServerE2E, BadInputIsAClearErrorNamingTheField) {
  const std::string url = "/v1/operations/" + NewUuid();
  auto field_of = [](const HttpResult& r) {
    return std::string(r.json().at("error").at("field").as_string());
  };
  HttpResult lat =
      Call("PUT", url, OperationBody({CircleVolume(95, 38, 5000, 0, 1000, 600, 3600)}), ru_);
  EXPECT_EQ(lat.status, 400);
  EXPECT_EQ(field_of(lat), "extents[0].volume.outline_circle.center.lat");

  std::vector<std::pair<double, double>> many;
  for (int i = 0; i < 1001; ++i)
    many.emplace_back(30 + 0.1 * std::sin(i * 2 * M_PI / 1001),
                      30 + 0.1 * std::cos(i * 2 * M_PI / 1001));
  HttpResult big = Call("PUT", url, OperationBody({PolygonVolume(many, 0, 100, 600, 3600)}), ru_);
  EXPECT_EQ(big.status, 413) << big.body;

  HttpResult bowtie = Call(
      "PUT", url,
      OperationBody({PolygonVolume({{0, 0}, {1, 1}, {0, 1}, {1, 0}}, 0, 100, 600, 3600)}), ru_);
  EXPECT_EQ(bowtie.status, 400) << bowtie.body;

  HttpResult past =
      Call("PUT", url, OperationBody({CircleVolume(1, 1, 100, 0, 100, -7200, -3600)}), ru_);
  EXPECT_EQ(past.status, 400) << past.body;

  EXPECT_EQ(Call("PUT", url, "{not json", ru_).status, 400);
  HttpResult unknown =
      Call("PUT", url, R"({"extents": [], "state": "Accepted", "colour": "red"})", ru_);
  EXPECT_EQ(unknown.status, 400);
  HttpResult huge = Call("PUT", url, std::string(1100000, ' '), ru_);
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(Call("PUT", "/v1/operations/not-a-uuid",
                 OperationBody({CircleVolume(1, 1, 100, 0, 100, 600, 3600)}), ru_)
                .status,
            400);
  // The server is still fine.
  EXPECT_EQ(Call("GET", "/v1/health", "", "").status, 200);
}

TEST_F(ServerE2E, EverythingSurvivesARestart) {
  const std::string id = NewUuid();
  HttpResult created = Call("PUT", "/v1/operations/" + id,
                            OperationBody({CircleVolume(50, 50, 1000, 0, 100, 600, 3600)}), ru_);
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(server_->Stop(), 0);
  server_ = std::make_unique<ServerProcess>(dir_.path());
  ASSERT_TRUE(server_->Start()) << server_->error();
  HttpResult again = Call("GET", "/v1/operations/" + id, "", ru_);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Ovn(again), Ovn(created));
  // The index was rebuilt: the key rule still applies.
  EXPECT_EQ(Call("PUT", "/v1/operations/" + NewUuid(),
                 OperationBody({CircleVolume(50, 50, 1000, 0, 100, 600, 3600)}), us_)
                .status,
            409);
}

// SIGKILL in the middle of a stream of concurrent writes loses no acknowledged write, and the
// store opens afterwards.
TEST_F(ServerE2E, SigkillLosesNoAcknowledgedWrite) {
  std::mutex mu;
  std::map<std::string, std::pair<std::string, std::string>> acked;  // id -> (ovn, owner token)
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      HttpConnection connection(server_->port());
      std::mt19937 rng(w);
      std::uniform_real_distribution<double> lat(-60, 60), lng(-179, 179);
      while (!stop) {
        const std::string id = NewUuid();
        HttpResult r = connection.Send(
            "PUT", "/v1/operations/" + id,
            OperationBody({CircleVolume(lat(rng), lng(rng), 500, 0, 100, 600, 3600)}),
            w % 2 ? ru_ : us_);
        if (r.status == 201) {
          std::lock_guard lock(mu);
          acked[id] = {Ovn(r), w % 2 ? ru_ : us_};
        } else if (r.status == 0) {
          return;  // the server is gone
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  server_->Kill();
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GT(acked.size(), 50u) << "too few writes before the kill to mean anything";

  server_ = std::make_unique<ServerProcess>(dir_.path());
  ASSERT_TRUE(server_->Start()) << server_->error();
  size_t checked = 0;
  HttpConnection connection(server_->port());
  for (const auto& [id, acked_version] : acked) {
    const auto& [ovn, owner] = acked_version;
    HttpResult got = connection.Send("GET", "/v1/operations/" + id, "", owner);
    ASSERT_EQ(got.status, 200) << "acknowledged operation " << id << " lost";
    EXPECT_EQ(Ovn(got), ovn);
    ++checked;
  }
  EXPECT_EQ(checked, acked.size());
  std::cout << "acknowledged before SIGKILL and found after restart: " << checked << "\n";
}

}  // namespace
}  // namespace deconflict::e2e
