// The live picture through the real binary: tracks in over HTTP and the WebSocket stream,
// encounters out to both parties' event sockets, acknowledgements, a party that cannot see or
// move another's tracks, and no opened encounter or acknowledgement lost to a SIGKILL.
#include <cmath>
#include <thread>

#include "common/clock.h"
#include "common/time.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/ws_client.h"

namespace deconflict::e2e {
namespace {

// One report of aircraft `id` at 35 N, `lng`, FL300, 200 m/s on `trk`, time now.
boost::json::object Report(const std::string& id, double lng, double trk) {
  return {{"id", id},        {"time", FormatRfc3339(SystemClock().Now())},
          {"lat", 35.0},     {"lng", lng},
          {"alt_m", 9144.0}, {"gs_mps", 200.0},
          {"trk_deg", trk},  {"vs_mps", 0.0},
          {"callsign", id}};
}
std::string Batch(std::initializer_list<boost::json::object> reports) {
  boost::json::array tracks;
  for (const auto& r : reports) tracks.push_back(r);
  return boost::json::serialize(boost::json::object{{"tracks", std::move(tracks)}});
}
// 40 km east of 38 E at 35 N.
const double kEastLng = 38.0 + 40'000 / (111'320 * std::cos(35 * M_PI / 180));

class LiveE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    north_ = AddParty(dir_.path(), "NORTH", "operator");
    south_ = AddParty(dir_.path(), "SOUTH", "operator");
    unmo_ = AddParty(dir_.path(), "UNMO", "guarantor");
    ASSERT_FALSE(north_.empty() || south_.empty() || unmo_.empty());
    Start();
  }
  void Start() {
    server_ = std::make_unique<ServerProcess>(
        dir_.path(), std::vector<std::string>{"--cycle-ms", "200", "--track-max-age-s", "120"});
    ASSERT_TRUE(server_->Start()) << server_->error();
  }
  HttpResult Post(const std::string& body, const std::string& token) {
    return Http(server_->port(), "POST", "/v1/tracks", body, token);
  }
  std::unique_ptr<WsClient> Events(const std::string& token, int64_t after = -1) {
    std::string error;
    auto client = WsClient::Connect(server_->port(), token, {.after = after}, nullptr, &error);
    EXPECT_NE(client, nullptr) << error;
    return client;
  }
  // The next event of `socket` whose type is `type` (others skipped), or null.
  static boost::json::value NextOf(WsClient& socket, const std::string& type) {
    for (int i = 0; i < 50; ++i) {
      std::optional<boost::json::value> event = socket.Next(std::chrono::seconds(15));
      if (!event) return nullptr;
      if (event->at("type").as_string() == type) return *event;
    }
    return nullptr;
  }
  void HeadOn() {
    ASSERT_EQ(Post(Batch({Report("n1", 38.0, 90)}), north_).status, 200);
    ASSERT_EQ(Post(Batch({Report("s1", kEastLng, 270)}), south_).status, 200);
  }

  TempDir dir_;
  std::string north_, south_, unmo_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(LiveE2E, HeadOnAircraftAlertBothPartiesWithTheRightTcpaAndAcksReachTheOtherSide) {
  auto north = Events(north_), south = Events(south_), unmo = Events(unmo_);
  ASSERT_TRUE(north && south && unmo);
  HeadOn();
  boost::json::value at_north = NextOf(*north, "encounter.opened");
  boost::json::value at_south = NextOf(*south, "encounter.opened");
  ASSERT_FALSE(at_north.is_null());
  ASSERT_FALSE(at_south.is_null());
  EXPECT_FALSE(NextOf(*unmo, "encounter.opened").is_null());
  EXPECT_EQ(at_north.at("encounter"), at_south.at("encounter"));
  // 40 km closing at 400 m/s: CPA about 100 s ahead (less the time since the reports).
  const double tcpa = at_north.at("prediction").at("tcpa_s").to_number<double>();
  EXPECT_GT(tcpa, 90);
  EXPECT_LE(tcpa, 100.5);
  EXPECT_LT(at_north.at("prediction").at("dcpa_m").to_number<double>(), 100);
  for (const auto& aircraft : at_north.at("aircraft").as_array()) {
    EXPECT_FALSE(aircraft.as_object().contains("callsign")) << aircraft;
  }
  const std::string id = std::to_string(at_north.at("encounter").as_int64());
  HttpResult ack = Http(server_->port(), "POST", "/v1/encounters/" + id + "/ack", "", south_);
  ASSERT_EQ(ack.status, 201) << ack.body;
  boost::json::value told = NextOf(*north, "encounter.acknowledged");
  ASSERT_FALSE(told.is_null());
  EXPECT_EQ(told.at("party").as_string(), "SOUTH");
  EXPECT_EQ(told.at("ledger_index"), ack.json().at("ledger_index"));
  // They pass: SOUTH turns away, and the encounter closes for both.
  ASSERT_EQ(Post(Batch({Report("s1", kEastLng, 0)}), south_).status, 200);
  boost::json::value closed = NextOf(*south, "encounter.closed");
  ASSERT_FALSE(closed.is_null());
  EXPECT_EQ(closed.at("reason").as_string(), "clear");
}

TEST_F(LiveE2E, APartyCannotMoveOrSeeAnotherPartysTracks) {
  ASSERT_EQ(Post(Batch({Report("s1", 20.0, 90)}), south_).status, 200);
  // NORTH reports an aircraft with the same id: it is NORTH's own "n/s1", SOUTH's is untouched.
  ASSERT_EQ(Post(Batch({Report("s1", 30.0, 180)}), north_).status, 200);
  HttpResult seen = Http(server_->port(), "GET", "/v1/tracks", "", south_);
  ASSERT_EQ(seen.status, 200);
  const boost::json::value south_json = seen.json();
  const auto& south_tracks = south_json.at("tracks").as_array();
  ASSERT_EQ(south_tracks.size(), 1u) << seen.body;
  EXPECT_EQ(south_tracks[0].at("party").as_string(), "SOUTH");
  EXPECT_EQ(south_tracks[0].at("lng").to_number<double>(), 20.0);
  seen = Http(server_->port(), "GET", "/v1/tracks", "", north_);
  ASSERT_EQ(seen.json().at("tracks").as_array().size(), 1u) << seen.body;
  EXPECT_EQ(seen.json().at("tracks").at(0).at("party").as_string(), "NORTH");
  // The guarantor sees both.
  seen = Http(server_->port(), "GET", "/v1/tracks", "", unmo_);
  EXPECT_EQ(seen.json().at("tracks").as_array().size(), 2u) << seen.body;
}

TEST_F(LiveE2E, TheWebSocketStreamTakesBatchesAndAnswersEachInOrder) {
  std::string error;
  auto feed =
      WsClient::Connect(server_->port(), north_, {.path = "/v1/tracks/stream"}, nullptr, &error);
  ASSERT_NE(feed, nullptr) << error;
  boost::json::object bad = Report("n2", 38.0, 90);
  bad["lat"] = 91.0;
  ASSERT_TRUE(feed->Send(Batch({Report("n1", 38.0, 90), bad})));
  ASSERT_TRUE(feed->Send("not json"));
  std::optional<boost::json::value> first = feed->Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("accepted").as_int64(), 1);
  EXPECT_EQ(first->at("refused").at(0).at("field").as_string(), "tracks[1].lat");
  std::optional<boost::json::value> second = feed->Next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->at("error").at("code").as_string(), "invalid_argument");
  // Only operators may stream.
  int status = 0;
  EXPECT_EQ(WsClient::Connect(server_->port(), unmo_, {.path = "/v1/tracks/stream"}, &status),
            nullptr);
  EXPECT_EQ(status, 403);
  HttpResult tracks = Http(server_->port(), "GET", "/v1/tracks", "", north_);
  EXPECT_EQ(tracks.json().at("tracks").as_array().size(), 1u) << tracks.body;
}

TEST_F(LiveE2E, SigkillLosesNoOpenedEncounterNorAcknowledgementAndAWatcherResumesWithoutGaps) {
  auto north = Events(north_);
  ASSERT_TRUE(north);
  HeadOn();
  boost::json::value opened = NextOf(*north, "encounter.opened");
  ASSERT_FALSE(opened.is_null());
  const int64_t seen_seq = opened.at("seq").as_int64();
  const std::string id = std::to_string(opened.at("encounter").as_int64());
  HttpResult ack = Http(server_->port(), "POST", "/v1/encounters/" + id + "/ack", "", north_);
  ASSERT_EQ(ack.status, 201) << ack.body;
  server_->Kill();
  Start();
  // The encounter and the acknowledgement survived; the restart closed the encounter (its
  // aircraft were in the killed server's memory).
  HttpResult after = Http(server_->port(), "GET", "/v1/encounters/" + id, "", north_);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.json().at("acknowledgements").at(0).at("party").as_string(), "NORTH");
  EXPECT_EQ(after.json().at("state").as_string(), "closed");
  EXPECT_EQ(after.json().at("close_reason").as_string(), "restart");
  // A watcher resuming after the last event it saw gets the next one, with no gap.
  auto resumed = Events(north_, seen_seq);
  ASSERT_TRUE(resumed);
  std::optional<boost::json::value> next = resumed->Next();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->at("seq").as_int64(), seen_seq + 1);
  EXPECT_EQ(next->at("type").as_string(), "encounter.closed");
}

}  // namespace
}  // namespace deconflict::e2e
