// End to end with the real binary: `deconflict party revoke` from another process while the
// server runs ends the party's live operations in the store (with ledger entries), and the
// running server drops them from its index, so they no longer block anyone (issue 7 item 10).
#include "common/ids.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace deconflict::e2e {
namespace {

TEST(PartyRevocationE2E, RevokedPartysOperationsStopBlockingOthersWhileTheServerRuns) {
  TempDir dir;
  const std::string a = AddParty(dir.path(), "A", "operator");
  const std::string b = AddParty(dir.path(), "B", "operator");
  const std::string guarantor = AddParty(dir.path(), "G", "guarantor");
  ASSERT_FALSE(a.empty() || b.empty() || guarantor.empty());
  ServerProcess server(dir.path());
  ASSERT_TRUE(server.Start()) << server.error();
  const int port = server.port();

  // A files; B's conflicting filing with an empty key is refused, naming A's operation.
  const std::string op_a = NewUuid(), op_b = NewUuid();
  HttpResult filed = Http(port, "PUT", "/v1/operations/" + op_a,
                          OperationBody({CircleVolume(36.0, 37.0, 5000, 0, 1000, 600, 7200)}), a);
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string body_b =
      OperationBody({CircleVolume(36.02, 37.0, 5000, 500, 1500, 1200, 9000)});
  HttpResult refused = Http(port, "PUT", "/v1/operations/" + op_b, body_b, b);
  ASSERT_EQ(refused.status, 409) << refused.body;
  ASSERT_EQ(refused.json().at("missing").as_array().size(), 1u);
  EXPECT_EQ(refused.json().at("missing").at(0).at("id").as_string(), op_a);

  // The administrator revokes A from the command line; the server keeps running.
  CliResult revoked = RunCli({"party", "revoke", "--data", dir.path(), "--id", "A"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_NE(revoked.out.find("1 live operation(s) ended"), std::string::npos) << revoked.out;
  EXPECT_NE(revoked.out.find("ended " + op_a), std::string::npos) << revoked.out;

  // The same filing, still with an empty key, is now accepted with no conflict.
  HttpResult accepted = Http(port, "PUT", "/v1/operations/" + op_b, body_b, b);
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_TRUE(accepted.json().at("conflicts").as_array().empty()) << accepted.body;
  // A's token is refused; its operation is Ended for those who may see it.
  EXPECT_EQ(Http(port, "GET", "/v1/me", "", a).status, 401);
  HttpResult ended = Http(port, "GET", "/v1/operations/" + op_a, "", guarantor);
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(ended.json().at("operation").at("state").as_string(), "Ended");
  // A probe of the area by an operator finds only B's operation.
  const std::string area =
      R"({"area_of_interest": )" + CircleVolume(36.0, 37.0, 20000, 0, 5000, 0, 9000) + "}";
  HttpResult probe = Http(port, "POST", "/v1/operations/query", area, b);
  ASSERT_EQ(probe.status, 200) << probe.body;
  ASSERT_EQ(probe.json().at("operations").as_array().size(), 1u) << probe.body;
  EXPECT_EQ(probe.json().at("operations").at(0).at("id").as_string(), op_b);

  // Everything recorded verifies, and a restart loads the same state.
  EXPECT_EQ(server.Stop(), 0);
  CliResult check = RunCli({"ledger", "check", "--data", dir.path()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("OK"), std::string::npos) << check.out;
  ServerProcess restarted(dir.path());
  ASSERT_TRUE(restarted.Start()) << restarted.error();
  HttpResult again = Http(restarted.port(), "POST", "/v1/operations/query", area, b);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("operations").as_array().size(), 1u) << again.body;
}

TEST(PartyRevocationE2E, RevokingTwiceFailsAndChangesNothing) {
  TempDir dir;
  ASSERT_FALSE(AddParty(dir.path(), "A", "operator").empty());
  ASSERT_EQ(RunCli({"party", "revoke", "--data", dir.path(), "--id", "A"}).exit_code, 0);
  CliResult again = RunCli({"party", "revoke", "--data", dir.path(), "--id", "A"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "deconflict party revoke: not revoked: party 'A' is already revoked\n");
  CliResult check = RunCli({"ledger", "check", "--data", dir.path()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

}  // namespace
}  // namespace deconflict::e2e
