// The hotline through the real binary: messages pushed to the recipient's event socket in channel
// order with their channel, seq and id; deliveries recorded when the socket wrote them and told
// to the sender; a signed acknowledgement by a key the party registered itself; the CLI client;
// and no acknowledged send, delivery or acknowledgement lost to a SIGKILL.
#include <set>
#include <thread>

#include "common/ids.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/ws_client.h"

namespace deconflict::e2e {
namespace {

namespace json = boost::json;

class HotlineE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    us_ = AddParty(dir_.path(), "US-AMMAN", "operator");
    ru_ = AddParty(dir_.path(), "RU-HMEIMIM", "operator");
    ASSERT_FALSE(us_.empty() || ru_.empty());
    Start();
    HttpResult created = Http(port(), "POST", "/v1/channels",
                              R"({"id": "amman-hmeimim", "name": "Amman-Hmeimim",
                 "members": ["US-AMMAN", "RU-HMEIMIM"]})",
                              us_);
    ASSERT_EQ(created.status, 201) << created.body;
  }
  void Start() {
    server_ = std::make_unique<ServerProcess>(dir_.path());
    ASSERT_TRUE(server_->Start()) << server_->error();
  }
  int port() const { return server_->port(); }
  HttpResult Send(const std::string& id, const std::string& priority = "routine") {
    return Http(port(), "POST", "/v1/channels/amman-hmeimim/messages",
                json::serialize(json::object{{"id", id},
                                             {"priority", priority},
                                             {"subject", "subject " + id},
                                             {"body", "body " + id}}),
                us_);
  }
  json::array Messages(const std::string& token) {
    HttpResult page =
        Http(port(), "GET", "/v1/channels/amman-hmeimim/messages?limit=1000", "", token);
    EXPECT_EQ(page.status, 200) << page.body;
    return page.json().at("messages").as_array();
  }

  TempDir dir_;
  std::string us_, ru_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(HotlineE2E, MessagesReachTheSocketInChannelOrderAndTheSenderHearsOfTheDelivery) {
  auto ru_socket = WsClient::Connect(port(), ru_, {.after = 0});
  auto us_socket = WsClient::Connect(port(), us_, {.after = 0});
  ASSERT_TRUE(ru_socket && us_socket);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(NewUuid());
    HttpResult sent = Send(ids.back());
    ASSERT_EQ(sent.status, 201) << sent.body;
    EXPECT_EQ(sent.json().at("seq").to_number<int64_t>(), i + 1);
    EXPECT_EQ(sent.json().at("channel").as_string(), "amman-hmeimim");
    EXPECT_GE(sent.json().at("ledger_index").to_number<int64_t>(), 0);
  }
  // RU: the channel's creation, then the 20 messages in order, with the bench's fields.
  std::optional<json::value> first = ru_socket->Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("type").as_string(), "hotline.channel.created");
  for (int i = 0; i < 20; ++i) {
    std::optional<json::value> m = ru_socket->Next();
    ASSERT_TRUE(m) << i;
    EXPECT_EQ(m->at("type").as_string(), "hotline.message");
    EXPECT_EQ(m->at("channel").as_string(), "amman-hmeimim");
    EXPECT_EQ(m->at("channel_seq").to_number<int64_t>(), i + 1);
    EXPECT_EQ(m->at("id").as_string(), ids[i]);
    EXPECT_EQ(m->at("body").as_string(), "body " + ids[i]);
  }
  // US: created, then hotline.delivered events (the socket wrote them) that cover every
  // message once: each names a run channel_seq..through_seq (the deliveries one unit of work
  // recorded) and the id of its first message.
  std::set<int64_t> delivered;
  ASSERT_TRUE(us_socket->Next());  // created
  while (delivered.size() < ids.size()) {
    std::optional<json::value> d = us_socket->Next();
    ASSERT_TRUE(d) << delivered.size() << " deliveries";
    ASSERT_EQ(d->at("type").as_string(), "hotline.delivered");
    EXPECT_EQ(d->at("party").as_string(), "RU-HMEIMIM");
    const int64_t from = d->at("channel_seq").to_number<int64_t>();
    const int64_t through = d->at("through_seq").to_number<int64_t>();
    ASSERT_GE(from, 1);
    ASSERT_LE(through, 20);
    ASSERT_LE(from, through);
    EXPECT_EQ(d->at("id").as_string(), ids[from - 1]);
    for (int64_t seq = from; seq <= through; ++seq)
      EXPECT_TRUE(delivered.insert(seq).second) << seq;
  }
  // A second read of the messages records nothing more.
  EXPECT_EQ(Messages(ru_).size(), 20u);
  EXPECT_FALSE(us_socket->Next(std::chrono::milliseconds(300)));
}

TEST_F(HotlineE2E, SignedAckWithAKeyRegisteredByThePartyThroughTheCli) {
  const std::string key = dir_.path() + "/ru.key";
  ASSERT_EQ(RunCli({"keys", "generate", "--out", key}).exit_code, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port());
  CliResult registered = RunCli({"keys", "register", "--url", url, "--token", ru_, "--key", key});
  ASSERT_EQ(registered.exit_code, 0) << registered.err;
  CliResult sent = RunCli({"hotline", "send", "--url", url, "--token", us_, "--channel",
                           "amman-hmeimim", "--priority", "flash", "--subject", "Strike package",
                           "--text", "Two F-15E north of Palmyra at 0700Z"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_NE(sent.out.find("sent amman-hmeimim/1 (flash"), std::string::npos) << sent.out;
  CliResult inbox = RunCli({"hotline", "inbox", "--url", url, "--token", ru_});
  EXPECT_NE(inbox.out.find("left"), std::string::npos) << inbox.out;
  CliResult acked = RunCli({"hotline", "ack", "--url", url, "--token", ru_, "--channel",
                            "amman-hmeimim", "--message", "1", "--sign-key", key});
  ASSERT_EQ(acked.exit_code, 0) << acked.err;
  EXPECT_NE(acked.out.find("signed with key"), std::string::npos) << acked.out;
  const json::array messages = Messages(us_);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].at("acknowledged").at(0).at("signed").as_bool());
  // The CLI refuses a bad channel with the server's message.
  CliResult refused = RunCli({"hotline", "send", "--url", url, "--token", us_, "--channel",
                              "nowhere", "--subject", "s", "--text", "t"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("no channel nowhere"), std::string::npos) << refused.err;
}

TEST_F(HotlineE2E, SigkillLosesNoAcknowledgedSendDeliveryOrAck) {
  auto us_socket = WsClient::Connect(port(), us_, {.after = 0});
  ASSERT_TRUE(us_socket);
  // Sends answered 201, deliveries the sender was told of, acks answered 201: all must survive.
  std::vector<std::string> answered;
  std::set<std::string> acked;
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    for (int i = 0; i < 400 && !stop; ++i) {
      const std::string id = NewUuid();
      HttpResult r = Send(id);
      if (r.status != 201) break;
      answered.push_back(id);
    }
  });
  std::thread acker([&] {
    for (int64_t seq = 1; seq < 400 && !stop;) {
      HttpResult r =
          Http(port(), "POST",
               "/v1/channels/amman-hmeimim/messages/" + std::to_string(seq) + "/ack", "", ru_);
      if (r.status == 201) {
        acked.insert(std::string(r.json().at("id").as_string()));
        ++seq;
      } else if (r.status != 404) {
        break;  // 404: not sent yet; anything else: the server is gone
      }
    }
  });
  std::set<std::string> told_delivered;
  while (told_delivered.size() < 30) {
    std::optional<json::value> e = us_socket->Next();
    ASSERT_TRUE(e);
    if (e->at("type").as_string() == "hotline.delivered")
      told_delivered.insert(std::string(e->at("id").as_string()));
  }
  server_->Kill();
  stop = true;
  sender.join();
  acker.join();
  ASSERT_GE(answered.size(), 30u);

  Start();
  std::set<std::string> stored, stored_delivered, stored_acked;
  for (const json::value& m : Messages(us_)) {
    const std::string id(m.at("id").as_string());
    stored.insert(id);
    if (!m.at("delivered").as_array().empty()) stored_delivered.insert(id);
    if (!m.at("acknowledged").as_array().empty()) stored_acked.insert(id);
  }
  for (const std::string& id : answered) EXPECT_TRUE(stored.contains(id)) << "lost send " << id;
  for (const std::string& id : told_delivered)
    EXPECT_TRUE(stored_delivered.contains(id)) << "lost delivery " << id;
  for (const std::string& id : acked) EXPECT_TRUE(stored_acked.contains(id)) << "lost ack " << id;
  // Seqs have no gap, and the ledger verifies with every hotline row matching its entry.
  ASSERT_EQ(server_->Stop(), 0);
  CliResult check = RunCli({"ledger", "check", "--data", dir_.path()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find(" hotline rows, "), std::string::npos) << check.out;
}

}  // namespace
}  // namespace deconflict::e2e
