// End-to-end tests of the store's failure behaviour through the real binary (issue 7 items 2, 3,
// 4 and 9): a failed commit is rolled back and the server goes on; a store that cannot recover
// answers 503 and the process exits non-zero; one server per data directory; a lost ledger.key
// is not replaced; a full disk shows in health.
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "common/ids.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace deconflict::e2e {
namespace {

constexpr char kFaults[] = "DECONFLICT_TEST_FAIL_COMMIT";

class StoreE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    ru_ = AddParty(dir_.path(), "RU", "operator");
    us_ = AddParty(dir_.path(), "US", "operator");
    ASSERT_FALSE(ru_.empty());
    ASSERT_FALSE(us_.empty());
  }
  void TearDown() override { ::unsetenv(kFaults); }

  // Starts a server; `faults` goes to the test-only fault variable when not empty.
  std::unique_ptr<ServerProcess> StartServer(const std::string& faults = "",
                                             std::vector<std::string> args = {}) {
    if (faults.empty()) {
      ::unsetenv(kFaults);
    } else {
      ::setenv(kFaults, faults.c_str(), 1);
    }
    auto server = std::make_unique<ServerProcess>(dir_.path(), std::move(args));
    const bool started = server->Start();
    ::unsetenv(kFaults);
    EXPECT_TRUE(started) << server->error();
    return started ? std::move(server) : nullptr;
  }

  static std::string Area(double lat) {
    return OperationBody({CircleVolume(lat, 38.0, 5000, 0, 1000, 3600, 7200)});
  }

  static HttpResult Health(const ServerProcess& server) {
    return Http(server.port(), "GET", "/v1/health");
  }

  TempDir dir_;
  std::string ru_, us_;
};

TEST_F(StoreE2E, FailedCommitIsRolledBackAndTheServerGoesOn) {
  std::unique_ptr<ServerProcess> server = StartServer("commit@1");
  ASSERT_TRUE(server);
  const std::string lost = NewUuid();
  HttpResult failed = Http(server->port(), "PUT", "/v1/operations/" + lost, Area(35.0), ru_);
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(failed.json().at("error").at("code").as_string(), "unavailable");

  // The failed filing is not in memory: another party's conflicting filing with an empty key
  // is accepted (it would be refused, missing `lost`, otherwise).
  const std::string other = NewUuid();
  HttpResult accepted = Http(server->port(), "PUT", "/v1/operations/" + other, Area(35.0), us_);
  EXPECT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_EQ(Http(server->port(), "GET", "/v1/operations/" + lost, "", ru_).status, 404);

  // Later writes succeed, also from the CLI while the server runs; health is ok.
  EXPECT_FALSE(AddParty(dir_.path(), "UNMO", "guarantor").empty());
  HttpResult later = Http(server->port(), "PUT", "/v1/operations/" + NewUuid(), Area(10.0), ru_);
  EXPECT_EQ(later.status, 201) << later.body;
  HttpResult health = Health(*server);
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(server->Stop(), 0);
  CliResult check = RunCli({"ledger", "check", "--data", dir_.path()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(StoreE2E, StoreThatCannotRecoverAnswers503AndTheProcessExitsNonZero) {
  std::unique_ptr<ServerProcess> server =
      StartServer("commit@1,rollback@1", {"--failure-exit-delay-ms", "5000"});
  ASSERT_TRUE(server);
  const std::string lost = NewUuid();
  HttpResult failed = Http(server->port(), "PUT", "/v1/operations/" + lost, Area(35.0), ru_);
  EXPECT_EQ(failed.status, 503) << failed.body;
  HttpResult health = Health(*server);
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_EQ(health.json().at("status").as_string(), "unavailable") << health.body;
  EXPECT_NE(health.body.find("the store has failed"), std::string::npos) << health.body;
  HttpResult refused = Http(server->port(), "PUT", "/v1/operations/" + NewUuid(), Area(9.0), us_);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(server->WaitExit(30'000), 3) << "the server must exit by itself, with status 3";

  // Restarted (as a supervisor would), it serves the committed state.
  server = StartServer();
  ASSERT_TRUE(server);
  EXPECT_EQ(Health(*server).status, 200);
  EXPECT_EQ(Http(server->port(), "GET", "/v1/operations/" + lost, "", ru_).status, 404);
  EXPECT_EQ(Http(server->port(), "PUT", "/v1/operations/" + NewUuid(), Area(35.0), us_).status,
            201);
  EXPECT_EQ(server->Stop(), 0);
  CliResult check = RunCli({"ledger", "check", "--data", dir_.path()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(StoreE2E, SecondServerOnTheSameDirectoryIsRefusedNamingTheHolder) {
  std::unique_ptr<ServerProcess> server = StartServer();
  ASSERT_TRUE(server);
  ServerProcess second(dir_.path());
  ASSERT_FALSE(second.Start()) << "a second server started on the same data directory";
  CliResult refused = RunCli({"serve", "--data", dir_.path(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find(
                fmt::format("in use by another deconflict server (pid {} on host ", server->pid())),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find(" since "), std::string::npos) << refused.err;

  // The CLI's writers and `ledger check` keep working while the server runs.
  const std::string unmo = AddParty(dir_.path(), "UNMO", "guarantor");
  EXPECT_FALSE(unmo.empty());
  EXPECT_EQ(Http(server->port(), "GET", "/v1/me", "", unmo).status, 200);
  CliResult revoked = RunCli({"party", "revoke", "--data", dir_.path(), "--id", "UNMO"});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.out << revoked.err;
  EXPECT_EQ(Http(server->port(), "GET", "/v1/me", "", unmo).status, 401);
  CliResult check = RunCli({"ledger", "check", "--data", dir_.path()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  // The lock dies with its holder, also when it is killed.
  server->Kill();
  server = StartServer();
  EXPECT_TRUE(server);
}

TEST_F(StoreE2E, MissingLedgerKeyRefusesToStartSayingWhatToRestore) {
  {
    std::unique_ptr<ServerProcess> server = StartServer();
    ASSERT_TRUE(server);
    EXPECT_EQ(Http(server->port(), "PUT", "/v1/operations/" + NewUuid(), Area(35.0), ru_).status,
              201);
  }
  const std::filesystem::path key = std::filesystem::path(dir_.path()) / "ledger.key";
  const std::filesystem::path saved = std::filesystem::path(dir_.path()) / "saved.key";
  std::filesystem::rename(key, saved);
  CliResult refused = RunCli({"serve", "--data", dir_.path(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("restore the file ledger.key from a backup of " + dir_.path()),
            std::string::npos)
      << refused.err;
  EXPECT_FALSE(std::filesystem::exists(key)) << "a new key was created";

  std::filesystem::rename(saved, key);
  std::unique_ptr<ServerProcess> server = StartServer();
  ASSERT_TRUE(server);
  EXPECT_EQ(Health(*server).status, 200);
}

// A full disk, made real with a file-size limit of 0 on the running server (prlimit): every
// write to a file fails (EFBIG), as on a full file system.
TEST_F(StoreE2E, FullDiskShowsInHealthAndWritesAnswer503UntilItClears) {
  std::unique_ptr<ServerProcess> server = StartServer();
  ASSERT_TRUE(server);
  EXPECT_EQ(Http(server->port(), "PUT", "/v1/operations/" + NewUuid(), Area(35.0), ru_).status,
            201);
  EXPECT_EQ(Health(*server).status, 200);

  const rlimit full{.rlim_cur = 0, .rlim_max = RLIM_INFINITY};
  ASSERT_EQ(::prlimit(server->pid(), RLIMIT_FSIZE, &full, nullptr), 0) << std::strerror(errno);
  const std::string op = NewUuid();
  HttpResult refused = Http(server->port(), "PUT", "/v1/operations/" + op, Area(10.0), ru_);
  EXPECT_EQ(refused.status, 503) << refused.body;
  HttpResult health = Health(*server);
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_NE(health.body.find("the store cannot write"), std::string::npos) << health.body;

  // Room again: health finds it by itself (a probe once the failure is older than 1 s), and
  // the same write is accepted.
  const rlimit room{.rlim_cur = RLIM_INFINITY, .rlim_max = RLIM_INFINITY};
  ASSERT_EQ(::prlimit(server->pid(), RLIMIT_FSIZE, &room, nullptr), 0) << std::strerror(errno);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (Health(*server).status != 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // bounded poll of a real clock
  }
  EXPECT_EQ(Health(*server).status, 200);
  HttpResult accepted = Http(server->port(), "PUT", "/v1/operations/" + op, Area(10.0), ru_);
  EXPECT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_EQ(server->Stop(), 0);
  CliResult check = RunCli({"ledger", "check", "--data", dir_.path()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

}  // namespace
}  // namespace deconflict::e2e
