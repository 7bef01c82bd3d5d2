// End-to-end tests of the HTTP edge (issue 7 items 12-14, issue 8 Boost.URL) through the real
// routes of `deconflict serve`: the binary on port 0 with a fresh store.
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/text.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace deconflict::e2e {
namespace {

class HttpE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ru_ = AddParty(dir_.path(), "RU", "operator");
    ASSERT_FALSE(ru_.empty());
    server_ = std::make_unique<ServerProcess>(dir_.path());
    ASSERT_TRUE(server_->Start()) << server_->error();
  }

  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return Http(server_->port(), method, target, body, ru_);
  }

  TempDir dir_;
  std::string ru_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(HttpE2E, EscapedSlashBetweenIdAndOvnNeverReachesTheUpdateRoute) {
  const std::string id = NewUuid();
  const std::string body = OperationBody({CircleVolume(35.0, 38.0, 500, 0, 1000, 3600, 7200)});
  HttpResult created = Call("PUT", "/v1/operations/" + id, body);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string ovn(created.json().at("operation").at("ovn").as_string());

  // Decoding before splitting made this the update route PUT /v1/operations/{id}/{ovn}.
  HttpResult escaped = Call("PUT", "/v1/operations/" + id + "%2F" + ovn, body);
  EXPECT_EQ(escaped.status, 400) << escaped.body;
  EXPECT_EQ(escaped.json().at("error").at("field"), "id");

  HttpResult stored = Call("GET", "/v1/operations/" + id);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.json().at("operation").at("ovn").as_string(), ovn);
}

TEST_F(HttpE2E, DuplicateKeyInABodyIsRefusedNamingIt) {
  std::string volume = CircleVolume(35.0, 38.0, 500, 0, 1000, 3600, 7200);
  const std::string circle_key = "\"outline_circle\"";
  const size_t circle = volume.find(circle_key);
  ASSERT_NE(circle, std::string::npos) << volume;
  // A second outline_circle far away: with "last wins" the server would check a volume other
  // than the one a reviewer of the body sees first.
  volume.insert(
      circle,
      circle_key +
          R"(: {"center": {"lat": -10, "lng": 100}, "radius": {"value": 500, "units": "M"}}, )");
  HttpResult refused = Call("PUT", "/v1/operations/" + NewUuid(), OperationBody({volume}));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(refused.json().at("error").at("field"), "extents[0].volume");
  EXPECT_EQ(refused.json().at("error").at("message"),
            "extents[0].volume: duplicate key \"outline_circle\"");
}

TEST_F(HttpE2E, HostilePathsGetSmallValidUtf8Answers) {
  const std::vector<std::string> targets = {"/v1/operations/%FF%FE", "/v1/operations/a%00b",
                                            "/v1/operations/%1B%5B2J", "/v1/operations/x%zz",
                                            "/v1/" + std::string(60 * 1024, 'a')};
  for (const std::string& target : targets) {
    HttpResult answer = Call("GET", target);
    EXPECT_TRUE(answer.status == 400 || answer.status == 413)
        << answer.status << " " << target.substr(0, 80);
    EXPECT_LT(answer.body.size(), 400u) << answer.body.substr(0, 400);
    EXPECT_TRUE(IsValidUtf8(answer.body)) << answer.body.substr(0, 400);
    EXPECT_TRUE(answer.json().is_object()) << answer.body.substr(0, 400);
  }
  HttpResult plus = Call("GET", "/v1/no+route?x=a+b");
  EXPECT_EQ(plus.status, 404);
  EXPECT_EQ(plus.json().at("error").at("message"), "no route \"GET\" \"/v1/no+route\"");
}

}  // namespace
}  // namespace deconflict::e2e
