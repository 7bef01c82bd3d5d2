// End-to-end tests of GET /v1/events (WebSocket and page) and `deconflict watch`: the real binary
// on port 0 with a fresh store.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "common/ids.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/ws_client.h"

namespace deconflict::e2e {
namespace {

// Small enough for the slow-reader test to overflow quickly, larger than one write's burst (one
// PUT gives RU one event per RU operation it meets).
constexpr int kMaxQueue = 128;

class EventsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ru_ = AddParty(dir_.path(), "RU", "operator");
    us_ = AddParty(dir_.path(), "US", "operator");
    ASSERT_FALSE(ru_.empty());
    ASSERT_FALSE(us_.empty());
    server_ = std::make_unique<ServerProcess>(
        dir_.path(), std::vector<std::string>{"--events-max-queue", std::to_string(kMaxQueue)});
    ASSERT_TRUE(server_->Start()) << server_->error();
  }

  HttpResult Call(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& token) {
    return Http(server_->port(), method, target, body, token);
  }
  std::unique_ptr<WsClient> Socket(const std::string& token, WsClient::Options options = {}) {
    std::string error;
    auto client = WsClient::Connect(server_->port(), token, options, nullptr, &error);
    EXPECT_NE(client, nullptr) << error;
    return client;
  }

  // RU files `n` operations at one place; returns their OVNs.
  std::vector<std::string> RuFiles(int n) {
    std::vector<std::string> ovns;
    for (int i = 0; i < n; ++i) {
      HttpResult r =
          Call("PUT", "/v1/operations/" + NewUuid(),
               OperationBody({CircleVolume(35.0, 38.0, 5000, 0, 1000, 3600, 7200)}), ru_);
      EXPECT_EQ(r.status, 201) << r.body;
      ovns.push_back(std::string(r.json().at("operation").at("ovn").as_string()));
    }
    return ovns;
  }
  // US files one operation over RU's (keyed with their OVNs), then changes it `changes` times:
  // each version gives RU one operation.conflict per RU operation. Returns {id, ovn}.
  std::pair<std::string, std::string> UsConflicts(const std::vector<std::string>& key,
                                                  int changes) {
    const std::string id = NewUuid();
    HttpResult r =
        Call("PUT", "/v1/operations/" + id,
             OperationBody({CircleVolume(35.01, 38.0, 5000, 500, 1500, 5400, 9000)}, key), us_);
    EXPECT_EQ(r.status, 201) << r.body;
    std::string ovn(r.json().at("operation").at("ovn").as_string());
    HttpConnection connection(server_->port());
    for (int i = 0; i < changes; ++i) {
      r = connection.Send(
          "PUT", "/v1/operations/" + id + "/" + ovn,
          OperationBody({CircleVolume(35.01, 38.0, 5000 + i + 1, 500, 1500, 5400, 9000)}, key),
          us_);
      EXPECT_EQ(r.status, 200) << r.body;
      ovn = std::string(r.json().at("operation").at("ovn").as_string());
    }
    return {id, ovn};
  }
  static int64_t Seq(const boost::json::value& event) { return event.at("seq").as_int64(); }

  TempDir dir_;
  std::string ru_, us_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(EventsE2E, ConflictingFilingTellsTheOtherPartyOnlyItsIdPartyOvnAndOverlap) {
  auto ru = Socket(ru_);
  auto us = Socket(us_, {.token_in = TokenIn::kSubprotocol});
  ASSERT_TRUE(ru && us);
  EXPECT_EQ(us->subprotocol(), "bearer." + us_);  // the chosen subprotocol is echoed
  std::vector<std::string> ru_ovns = RuFiles(1);
  auto [us_id, us_ovn] = UsConflicts(ru_ovns, 0);

  std::optional<boost::json::value> event = ru->Next();
  ASSERT_TRUE(event) << ru->close_reason();
  const boost::json::object& e = event->as_object();
  EXPECT_EQ(e.at("seq").as_int64(), 1);
  EXPECT_EQ(e.at("type").as_string(), "operation.conflict");
  EXPECT_EQ(e.at("operation").as_string(), us_id);
  EXPECT_EQ(e.at("party").as_string(), "US");
  EXPECT_EQ(e.at("ovn").as_string(), us_ovn);
  EXPECT_TRUE(e.contains("time"));
  EXPECT_TRUE(e.at("overlap").as_object().contains("bounding_box"));
  EXPECT_EQ(e.at("overlap").at("altitude_lower").at("value").to_number<double>(), 500);
  EXPECT_EQ(e.at("overlap").at("altitude_upper").at("value").to_number<double>(), 1000);
  EXPECT_FALSE(e.contains("extents"));  // least disclosure: nothing of US's whole operation
  EXPECT_EQ(e.size(), 8u) << boost::json::serialize(e);

  // The filer gets nothing for its own filing; ending it tells RU (and US's own stream).
  ASSERT_EQ(Call("DELETE", "/v1/operations/" + us_id + "/" + us_ovn, "", us_).status, 200);
  std::optional<boost::json::value> ended = ru->Next();
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->at("type").as_string(), "operation.ended");
  EXPECT_EQ(ended->at("operation").as_string(), us_id);
  EXPECT_EQ(Seq(*ended), 2);
  std::optional<boost::json::value> own = us->Next();
  ASSERT_TRUE(own);
  EXPECT_EQ(own->at("type").as_string(), "operation.ended");
  EXPECT_EQ(Seq(*own), 1);
}

TEST_F(EventsE2E, ReconnectingWithAfterGivesNoGapAndNoDuplicate) {
  std::vector<std::string> ru_ovns = RuFiles(2);
  auto first = Socket(ru_);
  ASSERT_TRUE(first);
  auto [id, ovn] = UsConflicts(ru_ovns, 2);  // 3 versions x 2 RU operations = 6 events
  for (int64_t seq = 1; seq <= 3; ++seq) {
    auto event = first->Next();
    ASSERT_TRUE(event);
    EXPECT_EQ(Seq(*event), seq);
  }
  first.reset();  // drop the connection after seq 3
  std::jthread more([&, ovn = ovn, id = id] {
    HttpConnection connection(server_->port());
    std::string current = ovn;
    for (int i = 0; i < 5; ++i) {  // 10 more, while the client reconnects
      HttpResult r = connection.Send(
          "PUT", "/v1/operations/" + id + "/" + current,
          OperationBody({CircleVolume(35.01, 38.0, 4000 - i, 500, 1500, 5400, 9000)}, ru_ovns),
          us_);
      ASSERT_EQ(r.status, 200) << r.body;
      current = std::string(r.json().at("operation").at("ovn").as_string());
    }
  });
  auto second = Socket(ru_, {.token_in = TokenIn::kFirstMessage, .after = 3});
  ASSERT_TRUE(second);
  more.join();
  for (int64_t seq = 4; seq <= 16; ++seq) {
    auto event = second->Next();
    ASSERT_TRUE(event) << "seq " << seq << ": " << second->close_reason();
    EXPECT_EQ(Seq(*event), seq);
  }
  EXPECT_FALSE(second->Next(std::chrono::milliseconds(300)));  // nothing more, no duplicate
}

TEST_F(EventsE2E, RevokedPartysSocketClosesAtOnceAndOthersAreTold) {
  auto ru = Socket(ru_);
  auto us = Socket(us_);
  ASSERT_TRUE(ru && us);
  CliResult revoked = RunCli({"party", "revoke", "--data", dir_.path(), "--id", "RU"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  // RU's socket closes (it may get its own copy of the event first).
  std::optional<boost::json::value> last;
  while (auto event = ru->Next()) last = event;
  EXPECT_EQ(ru->close_code(), 1008);
  EXPECT_EQ(ru->close_reason(), "party revoked");
  auto told = us->Next();
  ASSERT_TRUE(told);
  EXPECT_EQ(told->at("type").as_string(), "party.revoked");
  EXPECT_EQ(told->at("party").as_string(), "RU");
  // And RU cannot come back.
  int status = 0;
  EXPECT_EQ(WsClient::Connect(server_->port(), ru_, {}, &status), nullptr);
  EXPECT_EQ(status, 401);
}

TEST_F(EventsE2E, SlowReaderIsClosedWithTheResumeReasonWhileAFastOneKeepsReceiving) {
  constexpr int kRuOperations = 10, kChanges = 300;
  constexpr int64_t kTotal = kRuOperations * (kChanges + 1);
  std::vector<std::string> ru_ovns = RuFiles(kRuOperations);
  // The slow reader reads nothing until the end; a small receive buffer fills quickly.
  auto slow = Socket(ru_, {.receive_buffer = 4096});
  auto fast = Socket(ru_);
  ASSERT_TRUE(slow && fast);
  std::jthread writer([&] { UsConflicts(ru_ovns, kChanges); });
  for (int64_t seq = 1; seq <= kTotal; ++seq) {
    auto event = fast->Next();
    ASSERT_TRUE(event) << "seq " << seq << ": " << fast->close_reason();
    ASSERT_EQ(Seq(*event), seq);
  }
  writer.join();
  // The slow one has events up to some seq, then the close with the seq to resume from.
  int64_t last = 0;
  while (auto event = slow->Next()) {
    ASSERT_EQ(Seq(*event), last + 1);
    last = Seq(*event);
  }
  EXPECT_EQ(slow->close_code(), 1013) << slow->close_reason();
  EXPECT_EQ(slow->close_reason(), "slow consumer: resume with after=" + std::to_string(last));
  EXPECT_LT(last, kTotal);
  // Resuming from there loses nothing.
  auto resumed = Socket(ru_, {.after = last});
  ASSERT_TRUE(resumed);
  for (int64_t seq = last + 1; seq <= kTotal; ++seq) {
    auto event = resumed->Next();
    ASSERT_TRUE(event) << resumed->close_reason();
    ASSERT_EQ(Seq(*event), seq);
  }
}

TEST_F(EventsE2E, PageFormReturnsTheSameEvents) {
  std::vector<std::string> ru_ovns = RuFiles(3);
  UsConflicts(ru_ovns, 0);  // 3 events for RU
  HttpResult page = Call("GET", "/v1/events?after=0&limit=2", "", ru_);
  ASSERT_EQ(page.status, 200) << page.body;
  const boost::json::value page_json = page.json();
  const auto& events = page_json.at("events").as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(Seq(events[0]), 1);
  EXPECT_EQ(Seq(events[1]), 2);
  EXPECT_EQ(page_json.at("next_after").as_int64(), 2);
  HttpResult rest = Call("GET", "/v1/events?after=2", "", ru_);
  ASSERT_EQ(rest.status, 200);
  ASSERT_EQ(rest.json().at("events").as_array().size(), 1u);
  EXPECT_EQ(rest.json().at("next_after").as_int64(), 3);
  // The socket gives the very same event 3.
  auto socket = Socket(ru_, {.after = 2});
  auto event = socket->Next();
  ASSERT_TRUE(event);
  const boost::json::value rest_json = rest.json();
  const boost::json::value& paged = rest_json.at("events").as_array()[0];
  for (const char* field : {"seq", "type", "time", "operation", "party", "ovn", "your_operation"}) {
    EXPECT_EQ(event->at(field), paged.at(field)) << field;
  }
  EXPECT_EQ(event->at("overlap").at("bounding_box"), paged.at("overlap").at("bounding_box"));
  // US sees none of RU's events.
  EXPECT_TRUE(Call("GET", "/v1/events", "", us_).json().at("events").as_array().empty());
  EXPECT_EQ(Call("GET", "/v1/events?limit=5000", "", ru_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/events?after=-1", "", ru_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/events", "", "").status, 401);
}

TEST_F(EventsE2E, BadTokensAreRefused) {
  int status = 0;
  EXPECT_EQ(WsClient::Connect(server_->port(), "dc_wrong", {}, &status), nullptr);
  EXPECT_EQ(status, 401);
  EXPECT_EQ(
      WsClient::Connect(server_->port(), "dc_wrong", {.token_in = TokenIn::kSubprotocol}, &status),
      nullptr);
  EXPECT_EQ(status, 401);
  auto by_message = Socket("dc_wrong", {.token_in = TokenIn::kFirstMessage});
  ASSERT_TRUE(by_message);
  EXPECT_FALSE(by_message->Next());
  EXPECT_EQ(by_message->close_code(), 1008);
  EXPECT_EQ(by_message->close_reason().rfind("unauthorized: ", 0), 0u)
      << by_message->close_reason();
}

TEST_F(EventsE2E, WatchPrintsEventsAndExitsOnARefusedToken) {
  std::vector<std::string> ru_ovns = RuFiles(2);
  UsConflicts(ru_ovns, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(server_->port());
  CliResult watched =
      RunCli({"watch", "--url", url, "--token", ru_, "--after", "1", "--count", "1"});
  ASSERT_EQ(watched.exit_code, 0) << watched.err;
  boost::json::value line = boost::json::parse(watched.out);
  EXPECT_EQ(Seq(line), 2);
  CliResult refused = RunCli({"watch", "--url", url, "--token", "dc_wrong"});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("401"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace deconflict::e2e

namespace deconflict::e2e {
namespace {

// With a queue of one event, any burst closes the socket as slow: `deconflict watch` must
// reconnect by itself and resume from its last seq, printing each event exactly once.
TEST(EventsWatchE2E, WatchReconnectsAndResumesAfterASlowConsumerClose) {
  TempDir dir;
  const std::string ru = AddParty(dir.path(), "RU", "operator");
  const std::string us = AddParty(dir.path(), "US", "operator");
  ServerProcess server(dir.path(), {"--events-max-queue", "1"});
  ASSERT_TRUE(server.Start()) << server.error();
  const std::string err_path = dir.path() + "/watch.err";
  const std::string command = "timeout 30 " + BinaryPath() +
                              " watch --url http://127.0.0.1:" + std::to_string(server.port()) +
                              " --token " + ru + " --count 16 2>" + err_path;
  FILE* watch = ::popen(command.c_str(), "r");
  ASSERT_NE(watch, nullptr);
  // Live events, not a catch-up (which never overflows): wait until watch has subscribed.
  auto notes = [&] {
    std::ifstream err(err_path);
    return std::string((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  };
  for (int attempt = 0; attempt < 200 && notes().find("connected") == std::string::npos;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  std::vector<std::string> key;
  constexpr int kRuOperations = 8;  // bursts of 8: the queue of one overflows on the second
  for (int i = 0; i < kRuOperations; ++i) {
    HttpResult r = Http(server.port(), "PUT", "/v1/operations/" + NewUuid(),
                        OperationBody({CircleVolume(35.0, 38.0, 5000, 0, 1000, 3600, 7200)}), ru);
    ASSERT_EQ(r.status, 201) << r.body;
    key.push_back(std::string(r.json().at("operation").at("ovn").as_string()));
  }
  const std::string id = NewUuid();
  HttpResult filed =
      Http(server.port(), "PUT", "/v1/operations/" + id,
           OperationBody({CircleVolume(35.01, 38.0, 5000, 500, 1500, 5400, 9000)}, key), us);
  ASSERT_EQ(filed.status, 201) << filed.body;  // a burst of 8 events for RU
  const std::string ovn(filed.json().at("operation").at("ovn").as_string());
  HttpResult changed =
      Http(server.port(), "PUT", "/v1/operations/" + id + "/" + ovn,
           OperationBody({CircleVolume(35.01, 38.0, 4000, 500, 1500, 5400, 9000)}, key), us);
  ASSERT_EQ(changed.status, 200) << changed.body;  // 8 more

  std::vector<int64_t> seqs;
  char line[8192];
  while (::fgets(line, sizeof line, watch) != nullptr) {
    seqs.push_back(boost::json::parse(line).at("seq").as_int64());
  }
  const int status = ::pclose(watch);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::vector<int64_t> expected(2 * kRuOperations);
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int64_t>(i + 1);
  EXPECT_EQ(seqs, expected);
  EXPECT_NE(notes().find("slow consumer: resume with after="), std::string::npos) << notes();
}

}  // namespace
}  // namespace deconflict::e2e
