#include "feeds/sbs_client.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/text.h"
#include "common/time.h"
#include "feeds/sbs_writer.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/base_sink.h"
#include "spdlog/spdlog.h"

namespace deconflict::feeds {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Every wait in these tests polls for a state with this generous limit: nothing is timed.
constexpr seconds kPatience(60);

template <typename Done>
bool WaitUntil(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

// A TCP server on 127.0.0.1, on a port the kernel picks, that the test drives by hand. The
// socket is bound at construction but listens only after Listen(): until then Linux refuses
// connections to the port (a SYN to a bound socket that does not listen is answered with RST),
// and the port cannot be taken by anyone else in between.
class FeedServer {
 public:
  FeedServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(listener_, 0);
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t size = sizeof address;
    EXPECT_EQ(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size), 0);
    port_ = ntohs(address.sin_port);
  }
  ~FeedServer() {
    CloseConnection();
    if (listener_ >= 0) ::close(listener_);
  }
  FeedServer(const FeedServer&) = delete;
  FeedServer& operator=(const FeedServer&) = delete;

  uint16_t port() const { return port_; }
  SbsFeedSpec Spec() const {
    return {.party = PartyId("NORTH"), .host = "127.0.0.1", .port = port_};
  }

  void Listen() { ASSERT_EQ(::listen(listener_, 8), 0); }

  // Accepts the next connection (closing the previous one). True when one came in time.
  bool Accept() {
    CloseConnection();
    pollfd ready{.fd = listener_, .events = POLLIN};
    if (::poll(&ready, 1, static_cast<int>(milliseconds(kPatience).count())) != 1) return false;
    connection_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    return connection_ >= 0;
  }

  // Writes all of `bytes` to the current connection. True when it could.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(connection_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Waits for the client to close its end of the current connection. True when it did.
  bool PeerClosed() {
    pollfd ready{.fd = connection_, .events = POLLIN};
    if (::poll(&ready, 1, static_cast<int>(milliseconds(kPatience).count())) != 1) return false;
    char byte;
    return ::recv(connection_, &byte, 1, 0) == 0;
  }

  // Closes the current connection: the client reads end-of-file.
  void CloseConnection() {
    if (connection_ >= 0) ::close(connection_);
    connection_ = -1;
  }

 private:
  int listener_ = -1;
  int connection_ = -1;
  uint16_t port_ = 0;
};

// The reports the sink received, read from the test's thread while the client's adds to them.
class ReportLog {
 public:
  SbsClient::Sink Sink() {
    return [this](TrackReport report) {
      WriterLock lock(mu_);
      reports_.push_back(std::move(report));
    };
  }
  std::vector<TrackReport> reports() const {
    ReaderLock lock(mu_);
    return reports_;
  }
  size_t size() const {
    ReaderLock lock(mu_);
    return reports_.size();
  }

 private:
  mutable Mutex mu_;
  std::vector<TrackReport> reports_ ABSL_GUARDED_BY(mu_);
};

const Timestamp kT0 = *ParseRfc3339("2026-11-25T10:00:00Z");

// The aircraft's state `step` seconds after kT0, flying south-east and descending.
TrackReport Aircraft(int step) {
  TrackReport report;
  report.track.party = PartyId("NORTH");
  report.track.id = TrackId("4CA2D6");
  report.track.time = kT0 + seconds(step);
  report.track.lat_deg = 51.45 - 0.001 * step;
  report.track.lon_deg = -1.02 + 0.001 * step;
  report.track.alt_m = 11000 - 10 * step;
  report.track.ground_speed_mps = 210;
  report.track.track_deg = 146.4;
  report.track.vertical_rate_mps = -10;
  report.callsign = "RYR12A";
  return report;
}

std::string LinesOf(const TrackReport& report) {
  absl::StatusOr<std::string> lines = FormatSbsLines(report);
  EXPECT_TRUE(lines.ok()) << lines.status();
  return lines.value_or("");
}

// Equal to `expected` within the precision of the SBS format (feeds/sbs_writer.h).
void ExpectReport(const TrackReport& actual, const TrackReport& expected) {
  EXPECT_EQ(actual.track.party, PartyId("NORTH"));
  EXPECT_EQ(actual.track.id, TrackId("4CA2D6"));
  EXPECT_EQ(actual.track.time, expected.track.time);
  EXPECT_NEAR(actual.track.lat_deg, expected.track.lat_deg, 0.000006);
  EXPECT_NEAR(actual.track.lon_deg, expected.track.lon_deg, 0.000006);
  EXPECT_NEAR(actual.track.alt_m, expected.track.alt_m, 0.16);
  EXPECT_NEAR(actual.track.ground_speed_mps, expected.track.ground_speed_mps, 0.026);
  EXPECT_NEAR(actual.track.track_deg, expected.track.track_deg, 0.051);
  EXPECT_NEAR(actual.track.vertical_rate_mps, expected.track.vertical_rate_mps, 0.003);
  EXPECT_EQ(actual.callsign, expected.callsign);
}

// Options for a client of `server`: lines read with their generated times, against a clock on
// the aircraft's time line (so that Expire keeps it); short back-offs.
SbsClientOptions ClientOptions(const FeedServer& server, const Clock& clock) {
  return {.feed = server.Spec(),
          .initial_backoff = milliseconds(10),
          .max_backoff = milliseconds(100),
          .assembler = {.time_source = SbsTimeSource::kGenerated},
          .clock = &clock};
}

TEST(SbsClient, DeliversTheReportsOfAFeedAndSkipsWhatIsBad) {
  FeedServer server;
  server.Listen();
  FakeClock clock(kT0 + seconds(2));
  ReportLog log;
  SbsClient client(ClientOptions(server, clock), log.Sink());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(server.Accept());

  const std::string bad = std::string("\x00\xff\x1b[2Jgarbage\r\n", 15) +             // "line"
                          "MSG,9,1,1,4CA2D6,1,,,,,,,,,,,,,0,0,0,0\r\n" +              // type 9
                          "hello\r\n" +                                               // "line"
                          std::string(5000, '\xAA') + "\r\n" +                        // over-long
                          "MSG,3,1,1,ZZZZZZ,1,,,,,,37000,,,51.0,-1.0,,,0,0,0,0\r\n";  // hex ident
  // Report 0 whole (MSG,4 completes it); report 1 trickled a few bytes at a time, so lines are
  // split across reads (MSG,3 completes it with report 0's velocity, MSG,4 with its own).
  const std::string good0 = LinesOf(Aircraft(0));
  const std::string good1 = LinesOf(Aircraft(1));
  ASSERT_TRUE(server.Send(bad));
  ASSERT_TRUE(server.Send(good0));
  for (size_t offset = 0; offset < good1.size(); offset += 7) {
    ASSERT_TRUE(server.Send(std::string_view(good1).substr(offset, 7)));
    if (offset % 70 == 0) std::this_thread::sleep_for(milliseconds(1));
  }
  const uint64_t sent = bad.size() + good0.size() + good1.size();

  ASSERT_TRUE(WaitUntil([&] { return client.stats().bytes == sent && log.size() == 3; }))
      << "reports: " << log.size() << ", bytes: " << client.stats().bytes << " of " << sent;
  const std::vector<TrackReport> reports = log.reports();
  ExpectReport(reports[0], Aircraft(0));
  EXPECT_EQ(reports[1].track.time, Aircraft(1).track.time);
  ExpectReport(reports[2], Aircraft(1));

  const SbsClientStats stats = client.stats();
  EXPECT_TRUE(stats.connected);
  EXPECT_EQ(stats.connect_attempts, 1u);
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_EQ(stats.disconnects, 0u);
  EXPECT_EQ(stats.overlong_lines, 1u);
  EXPECT_EQ(stats.partial_lines, 0u);
  EXPECT_EQ(stats.assembler.lines, 4u + 6u);  // the over-long line is not handed over
  EXPECT_EQ(stats.assembler.bad_lines, 4u);
  EXPECT_EQ(
      stats.assembler.bad_lines_by_field,
      (std::map<std::string, uint64_t>{{"line", 2}, {"transmission_type", 1}, {"hex_ident", 1}}));
  EXPECT_EQ(stats.bad_lines(), 5u);
  EXPECT_EQ(stats.assembler.reports, 3u);
  EXPECT_EQ(stats.aircraft, 1u);
  client.Stop();
  EXPECT_FALSE(client.stats().connected);
}

TEST(SbsClient, ReconnectsWhenTheFeedDropsAndContinuesTheTrack) {
  FeedServer server;
  server.Listen();
  FakeClock clock(kT0 + seconds(2));
  ReportLog log;
  SbsClient client(ClientOptions(server, clock), log.Sink());
  ASSERT_TRUE(client.Start().ok());

  ASSERT_TRUE(server.Accept());
  ASSERT_TRUE(server.Send(LinesOf(Aircraft(0)) + "MSG,3,1,1,4C"));  // and half a line
  ASSERT_TRUE(WaitUntil([&] { return log.size() == 1; }));
  server.CloseConnection();

  ASSERT_TRUE(server.Accept()) << "the client did not reconnect";
  ASSERT_TRUE(WaitUntil([&] { return client.stats().connects == 2; }));
  ASSERT_TRUE(server.Send(LinesOf(Aircraft(1))));
  // The assembler kept the aircraft: report 1's position completes with report 0's velocity.
  ASSERT_TRUE(WaitUntil([&] { return log.size() == 3; }));
  ExpectReport(log.reports()[2], Aircraft(1));

  const SbsClientStats stats = client.stats();
  EXPECT_TRUE(stats.connected);
  EXPECT_EQ(stats.disconnects, 1u);
  EXPECT_EQ(stats.partial_lines, 1u);
  EXPECT_EQ(stats.assembler.bad_lines, 0u);
  EXPECT_EQ(stats.last_error, "the feed closed the connection");
}

TEST(SbsClient, ConnectsOnceTheFeedAppears) {
  FeedServer server;  // bound, not listening: connections are refused
  FakeClock clock(kT0 + seconds(2));
  ReportLog log;
  SbsClient client(ClientOptions(server, clock), log.Sink());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return client.stats().connect_attempts >= 3; }));
  SbsClientStats stats = client.stats();
  EXPECT_FALSE(stats.connected);
  EXPECT_EQ(stats.connects, 0u);
  EXPECT_NE(stats.last_error.find("cannot connect"), std::string::npos) << stats.last_error;

  server.Listen();
  ASSERT_TRUE(server.Accept());
  ASSERT_TRUE(server.Send(LinesOf(Aircraft(0))));
  ASSERT_TRUE(WaitUntil([&] { return log.size() == 1; }));
  ExpectReport(log.reports()[0], Aircraft(0));
  stats = client.stats();
  EXPECT_TRUE(stats.connected);
  EXPECT_EQ(stats.connects, 1u);
}

TEST(SbsClient, BackOffDoublesWhileAttemptsFailAndRestartsAfterAConnectionThatDelivered) {
  FeedServer server;
  FakeClock clock(kT0 + seconds(2));
  ReportLog log;
  SbsClientOptions options = ClientOptions(server, clock);
  options.initial_backoff = milliseconds(20);
  options.max_backoff = milliseconds(160);
  SbsClient client(options, log.Sink());
  ASSERT_TRUE(client.Start().ok());
  // Refused: 20, 40, 80, 160, 160, ... ms.
  ASSERT_TRUE(WaitUntil([&] { return client.stats().backoff == milliseconds(160); }));

  // A connection that delivers a line: the wait after it is the initial one again.
  server.Listen();
  ASSERT_TRUE(server.Accept());
  ASSERT_TRUE(server.Send(LinesOf(Aircraft(0))));
  ASSERT_TRUE(WaitUntil([&] { return client.stats().assembler.lines == 3; }));
  server.CloseConnection();
  ASSERT_TRUE(server.Accept());
  ASSERT_TRUE(WaitUntil([&] { return client.stats().connects == 2; }));
  EXPECT_EQ(client.stats().backoff, milliseconds(20));

  // A connection that delivers nothing does not count as working: the next wait doubles.
  server.CloseConnection();
  ASSERT_TRUE(server.Accept());
  ASSERT_TRUE(WaitUntil([&] { return client.stats().connects == 3; }));
  EXPECT_EQ(client.stats().backoff, milliseconds(40));
}

TEST(SbsClient, StopIsPromptDuringABackOff) {
  FeedServer server;  // refuses
  ReportLog log;
  SbsClient client({.feed = server.Spec(),
                    .initial_backoff = std::chrono::hours(1),
                    .max_backoff = std::chrono::hours(1)},
                   log.Sink());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(WaitUntil([&] { return client.stats().backoff == std::chrono::hours(1); }));
  const auto before = std::chrono::steady_clock::now();
  client.Stop();
  // Not a performance bound: the back-off is an hour, and Stop must not wait for it.
  EXPECT_LT(std::chrono::steady_clock::now() - before, kPatience);
  EXPECT_EQ(client.stats().connect_attempts, 1u);
}

TEST(SbsClient, StopIsPromptWhileConnectedAndSafeToRepeat) {
  FeedServer server;
  server.Listen();
  ReportLog log;
  SbsClient client({.feed = server.Spec()}, log.Sink());
  client.Stop();  // before Start: nothing to do
  ASSERT_TRUE(client.Start().ok());
  EXPECT_EQ(client.Start().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(server.Accept());
  ASSERT_TRUE(WaitUntil([&] { return client.stats().connected; }));
  std::thread other([&] { client.Stop(); });
  client.Stop();
  other.join();
  client.Stop();
  EXPECT_FALSE(client.stats().connected);
  EXPECT_EQ(client.Start().code(), absl::StatusCode::kFailedPrecondition);  // runs once
}

TEST(SbsClient, DestructorStopsARunningClient) {
  FeedServer server;
  server.Listen();
  ReportLog log;
  {
    SbsClient client({.feed = server.Spec()}, log.Sink());
    ASSERT_TRUE(client.Start().ok());
    ASSERT_TRUE(server.Accept());
    ASSERT_TRUE(WaitUntil([&] { return client.stats().connected; }));
  }
  EXPECT_TRUE(server.PeerClosed()) << "the destroyed client left its connection open";
}

TEST(SbsClient, DropsAFeedSilentForIdleTimeout) {
  FeedServer server;
  server.Listen();
  ReportLog log;
  SbsClient client({.feed = server.Spec(),
                    .initial_backoff = milliseconds(10),
                    .idle_timeout = milliseconds(50)},
                   log.Sink());
  ASSERT_TRUE(client.Start().ok());
  ASSERT_TRUE(server.Accept());
  ASSERT_TRUE(WaitUntil([&] { return client.stats().disconnects >= 1; }));
  EXPECT_NE(client.stats().last_error.find("no data for 50 ms"), std::string::npos)
      << client.stats().last_error;
  ASSERT_TRUE(server.Accept()) << "the client did not reconnect";
}

TEST(SbsClient, StartRefusesOptionsThatBreakTheirRequirements) {
  const SbsFeedSpec feed{.party = PartyId("NORTH"), .host = "127.0.0.1", .port = 30003};
  auto start = [](SbsClientOptions options) {
    SbsClient client(std::move(options), [](TrackReport) {});
    return client.Start();
  };
  EXPECT_TRUE(absl::IsInvalidArgument(start({})));
  EXPECT_TRUE(absl::IsInvalidArgument(start({.feed = {.host = "h", .port = 1}})));
  EXPECT_TRUE(absl::IsInvalidArgument(start({.feed = {.party = PartyId("N"), .port = 1}})));
  EXPECT_TRUE(absl::IsInvalidArgument(start({.feed = {.party = PartyId("N"), .host = "h"}})));
  absl::Status status = start({.feed = feed, .initial_backoff = milliseconds(0)});
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_NE(status.message().find("initial_backoff"), std::string::npos) << status;
  status = start({.feed = feed, .initial_backoff = seconds(2), .max_backoff = seconds(1)});
  EXPECT_NE(status.message().find("max_backoff"), std::string::npos) << status;
  status = start({.feed = feed, .max_line_bytes = 0});
  EXPECT_NE(status.message().find("max_line_bytes"), std::string::npos) << status;
  status = start({.feed = feed, .assembler = {.max_partial_age = seconds(0)}});
  EXPECT_NE(status.message().find("max_partial_age"), std::string::npos) << status;
  EXPECT_TRUE(start({.feed = feed}).ok());
}

// A log sink whose text the test reads under the sink's own lock while the client's thread may
// still be logging.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string str() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

size_t Occurrences(const std::string& text, std::string_view what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

TEST(SbsClient, LogsChangesOfStateAndSummariesOfBadLinesNotEachLine) {
  auto capture = std::make_shared<CaptureSink>();
  auto previous_logger = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", capture));
  uint64_t connects = 0;
  {
    FeedServer server;  // refuses at first
    ReportLog log;
    SbsClient client({.feed = server.Spec(),
                      .initial_backoff = milliseconds(5),
                      .max_backoff = milliseconds(20),
                      .bad_line_log_interval = milliseconds(50)},
                     log.Sink());
    ASSERT_TRUE(client.Start().ok());
    ASSERT_TRUE(WaitUntil([&] { return client.stats().connect_attempts >= 5; }));
    server.Listen();
    ASSERT_TRUE(server.Accept());
    std::string bad;
    for (int line_idx = 0; line_idx < 500; ++line_idx) bad += "not an SBS line\r\n";
    ASSERT_TRUE(server.Send(bad));
    ASSERT_TRUE(WaitUntil([&] { return client.stats().bad_lines() == 500; }));
    ASSERT_TRUE(WaitUntil([&] { return capture->str().find("bad lines") != std::string::npos; }));
    server.CloseConnection();
    ASSERT_TRUE(WaitUntil([&] { return client.stats().disconnects == 1; }));
    client.Stop();
    connects = client.stats().connects;  // 1, or 2 when it reconnected before Stop
  }
  spdlog::set_default_logger(previous_logger);

  const std::string text = capture->str();
  const std::string feed_name = "sbs feed NORTH=127.0.0.1:";
  EXPECT_EQ(Occurrences(text, "cannot connect: Connection refused"), 1u) << text;
  EXPECT_EQ(Occurrences(text, "connected to 127.0.0.1:"), connects) << text;
  EXPECT_EQ(Occurrences(text, "disconnected: the feed closed the connection"), 1u) << text;
  // The 500 lines came in a few reads at most, each summary covering all since the last.
  EXPECT_GE(Occurrences(text, "bad lines ("), 1u);
  EXPECT_LE(Occurrences(text, "bad lines ("), 10u) << text;
  EXPECT_NE(text.find("the first: \"not an SBS line\""), std::string::npos) << text;
  EXPECT_EQ(Occurrences(text, feed_name), Occurrences(text, "\n")) << text;
}

TEST(ParseSbsFeedSpec, ReadsPartyHostAndPort) {
  struct Case {
    std::string_view text;
    SbsFeedSpec spec;
  };
  const Case cases[] = {
      {"NORTH=127.0.0.1:30003", {PartyId("NORTH"), "127.0.0.1", 30003}},
      {"UN-OCHA=radar-1.example.org:1", {PartyId("UN-OCHA"), "radar-1.example.org", 1}},
      {"N_2=localhost:65535", {PartyId("N_2"), "localhost", 65535}},
      {"NORTH=[::1]:30003", {PartyId("NORTH"), "::1", 30003}},
      {"NORTH=[2001:db8::7]:30003", {PartyId("NORTH"), "2001:db8::7", 30003}},
  };
  for (const Case& c : cases) {
    absl::StatusOr<SbsFeedSpec> spec = ParseSbsFeedSpec(c.text);
    ASSERT_TRUE(spec.ok()) << c.text << ": " << spec.status();
    EXPECT_EQ(*spec, c.spec) << c.text;
    EXPECT_EQ(spec->ToString(), c.text);  // and back
  }
}

TEST(ParseSbsFeedSpec, RefusesWhatIsNotPartyHostPortSayingWhy) {
  struct Case {
    std::string_view text;
    std::string_view message;
  };
  const Case cases[] = {
      {"NORTH=host", "--sbs-feed: \"NORTH=host\" needs PARTY=HOST:PORT"},
      {"NORTH", "needs PARTY=HOST:PORT"},
      {"", "needs PARTY=HOST:PORT"},
      {"=host:30003", "needs PARTY=HOST:PORT"},
      {"NORTH=:30003", "needs PARTY=HOST:PORT"},
      {"NORTH=[::1]", "needs PARTY=HOST:PORT"},
      {"NORTH=[::1]30003", "needs PARTY=HOST:PORT"},
      {"NOR TH=host:30003", "bad party"},
      {"NORTH!=host:30003", "bad party"},
      {"NORTH=host:", "bad port"},
      {"NORTH=host:0", "bad port"},
      {"NORTH=host:65536", "bad port"},
      {"NORTH=host:+80", "bad port"},
      {"NORTH=host:30003 ", "bad port"},
      {"NORTH=host:3000a", "bad port"},
      {"NORTH=host:000030003", "bad port"},
      {"NORTH=ho st:30003", "bad host"},
      {"NORTH=host/x:30003", "bad host"},
      {"NORTH=::1:30003", "needs brackets around an IPv6 address"},
      {"NORTH=[::1:30003", "lacks the ']'"},
      {"NORTH=[not-v6]:30003", "bad IPv6 address"},
      {"NORTH=[]:30003", "bad IPv6 address"},
      {std::string_view("NORTH=h\0st:1", 12), "bad host"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<SbsFeedSpec> spec = ParseSbsFeedSpec(c.text);
    ASSERT_FALSE(spec.ok()) << QuoteForMessage(c.text);
    EXPECT_TRUE(absl::IsInvalidArgument(spec.status())) << spec.status();
    const std::string message(spec.status().message());
    EXPECT_TRUE(message.starts_with("--sbs-feed: ")) << message;
    EXPECT_NE(message.find(c.message), std::string::npos)
        << QuoteForMessage(c.text) << ": " << spec.status();
  }
}

}  // namespace
}  // namespace deconflict::feeds
