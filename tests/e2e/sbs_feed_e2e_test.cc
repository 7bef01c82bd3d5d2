// `deconflict serve --sbs-feed PARTY=HOST:PORT` against a real SBS-1 (BaseStation) TCP feed: the
// feed's aircraft become the party's tracks, malformed lines are skipped without harm, and the
// server reconnects when the feed drops.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common/clock.h"
#include "feeds/sbs_writer.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace deconflict::e2e {
namespace {

// A feed on 127.0.0.1 that, for each connection it accepts, writes a few bad lines and then
// aircraft 4CA2D6's lines every 200 ms until `drop` is set (then it closes that connection).
class Feed {
 public:
  Feed() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener_, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Feed() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  int port() const { return port_; }
  int connections() const { return connections_; }
  std::atomic<bool> drop{false};

 private:
  void Serve() {
    while (!stop_) {
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_;
      const std::string garbage =
          "MSG,3,1,1,4CA2D6,1,2026/12/01,10:00:00.000,2026/12/"
          "01,10:00:00.000,,37000,,,north,,,,,,,0\n"
          "\x01\x02\xff binary garbage\n"
          "STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM\n"
          "MSG,99\n" +
          std::string(5000, 'X') + "\n";
      (void)!::send(client, garbage.data(), garbage.size(), MSG_NOSIGNAL);
      while (!stop_ && !drop) {
        feeds::TrackReport report{.track = {.id = TrackId("4CA2D6"),
                                            .time = SystemClock().Now(),
                                            .lat_deg = 35.0,
                                            .lon_deg = 38.0,
                                            .alt_m = 9144,
                                            .ground_speed_mps = 200,
                                            .track_deg = 90},
                                  .callsign = "NAF01"};
        absl::StatusOr<std::string> lines = feeds::FormatSbsLines(report);
        if (!lines.ok() || ::send(client, lines->data(), lines->size(), MSG_NOSIGNAL) < 0) {
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      ::close(client);
      drop = false;
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// NORTH's tracks as the guarantor sees them (with callsigns), polled until `ok` or 20 s.
template <typename Pred>
boost::json::value PollTracks(int port, const std::string& token, Pred ok) {
  boost::json::value last;
  for (int i = 0; i < 100; ++i) {
    HttpResult r = Http(port, "GET", "/v1/tracks", "", token);
    if (r.status == 200) {
      last = r.json();
      if (ok(last.at("tracks").as_array())) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return last;
}

TEST(SbsFeedE2E, FeedAircraftBecomeThePartysTracksThroughBadLinesAndAReconnect) {
  TempDir dir;
  ASSERT_FALSE(AddParty(dir.path(), "NORTH", "operator").empty());
  const std::string unmo = AddParty(dir.path(), "UNMO", "guarantor");
  Feed feed;
  ServerProcess server(dir.path(),
                       {"--sbs-feed", "NORTH=127.0.0.1:" + std::to_string(feed.port())});
  ASSERT_TRUE(server.Start()) << server.error();
  boost::json::value seen =
      PollTracks(server.port(), unmo, [](const boost::json::array& t) { return t.size() == 1; });
  ASSERT_EQ(seen.at("tracks").as_array().size(), 1u) << seen;
  const auto& track = seen.at("tracks").at(0);
  EXPECT_EQ(track.at("party").as_string(), "NORTH");
  EXPECT_EQ(track.at("id").as_string(), "4CA2D6");
  EXPECT_EQ(track.at("callsign").as_string(), "NAF01");
  EXPECT_NEAR(track.at("alt_m").to_number<double>(), 9144, 1);
  const std::string first_time(track.at("time").as_string());

  // The feed drops; the server connects again and the track moves on.
  feed.drop = true;
  seen = PollTracks(server.port(), unmo, [&](const boost::json::array& t) {
    return t.size() == 1 && t[0].at("time").as_string() != first_time && feed.connections() >= 2;
  });
  EXPECT_GE(feed.connections(), 2);
  EXPECT_NE(seen.at("tracks").at(0).at("time").as_string(), first_time);
  EXPECT_EQ(Http(server.port(), "GET", "/v1/health").status, 200);
}

TEST(SbsFeedE2E, AFeedForAnUnknownPartyIsRefusedAtStart) {
  TempDir dir;
  CliResult refused = RunCli({"serve", "--data", dir.path(), "--listen", "127.0.0.1:0",
                              "--sbs-feed", "NOBODY=127.0.0.1:30003"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("NOBODY is not an operator"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace deconflict::e2e
