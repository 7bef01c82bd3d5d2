// End-to-end: the real `deconflict sim feed` binary against an in-test HTTP server that records
// every request and answers as POST /v1/tracks will (api/track_json.h judges each body), and as
// an SBS-1 server read back with feeds::ParseSbsLine and feeds::TrackAssembler.
#include <sys/wait.h>

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "api/track_json.h"
#include "boost/json.hpp"
#include "common/time.h"
#include "feeds/sbs.h"
#include "feeds/track_assembler.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace deconflict {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using ::testing::HasSubstr;

std::string BinaryPath() {
  // DECONFLICT_BINARY if set, else the binary of the same build tree (this test sits beside it).
  const char* binary = std::getenv("DECONFLICT_BINARY");
  std::filesystem::path path =
      binary != nullptr
          ? std::filesystem::path(binary)
          : std::filesystem::read_symlink("/proc/self/exe").parent_path() / "deconflict";
  return std::filesystem::exists(path) ? path.string() : std::string();
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A recorded request.
struct Recorded {
  std::string method, target, authorization, content_type, body;
  std::chrono::steady_clock::time_point at;
};

// An HTTP/1.1 server on 127.0.0.1 port 0, one thread per connection, keep-alive. It answers
// every request with `answer(request)`: by default the real route's judgement of the body
// (ReadTrackBatch then ApplyTrackBatch against the reports already held), as 200 JSON.
class RecordingServer {
 public:
  using Answer = std::function<std::pair<int, std::string>(const Recorded&)>;

  explicit RecordingServer(Answer answer = {}) : answer_(std::move(answer)) {
    acceptor_.open(tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~RecordingServer() {
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    net::io_context ioc;
    tcp::socket wake(ioc);
    beast::error_code ec;
    wake.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    accept_thread_.join();
    wake.close(ec);
    for (std::thread& thread : connection_threads_) thread.join();
  }
  uint16_t port() const { return port_; }
  std::vector<Recorded> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int connections() const { return connections_.load(); }

  // The route's own judgement (api/track_json.h) of a body from party "FEED".
  std::pair<int, std::string> Judge(const Recorded& request) {
    boost::system::error_code ec;
    boost::json::value body = boost::json::parse(request.body, ec);
    if (ec) return {400, R"({"error": {"code": "bad_request", "message": "not JSON"}})"};
    absl::StatusOr<api::TrackBatch> batch = api::ReadTrackBatch(body, PartyId("FEED"));
    if (!batch.ok()) {
      return {400, boost::json::serialize(boost::json::object{
                       {"error", {{"message", std::string(batch.status().message())}}}})};
    }
    std::lock_guard<std::mutex> lock(mu_);
    api::TrackBatchResult result = api::ApplyTrackBatch(
        *std::move(batch), SystemClock().Now(),
        [&](const TrackId& id) -> std::optional<Timestamp> {
          auto it = held_.find(id.value());
          return it == held_.end() ? std::nullopt : std::optional(it->second);
        },
        [&](feeds::TrackReport report) {
          held_[report.track.id.value()] = report.track.time;
          return absl::OkStatus();
        });
    return {200, boost::json::serialize(api::TrackBatchResultJson(result))};
  }

 private:
  void AcceptLoop() {
    while (true) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      ++connections_;
      connection_threads_.emplace_back(
          [this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
    }
  }

  void Serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      beast::error_code ec;
      http::read(socket, buffer, parser, ec);
      if (ec) return;
      const auto& request = parser.get();
      Recorded recorded{std::string(request.method_string()),
                        std::string(request.target()),
                        std::string(request[http::field::authorization]),
                        std::string(request[http::field::content_type]),
                        request.body(),
                        std::chrono::steady_clock::now()};
      auto [status, body] = answer_ ? answer_(recorded) : Judge(recorded);
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(std::move(recorded));
      }
      http::response<http::string_body> response{static_cast<http::status>(status), 11};
      response.set(http::field::content_type, "application/json");
      response.keep_alive(request.keep_alive());
      response.body() = body;
      response.prepare_payload();
      http::write(socket, response, ec);
      if (ec || !response.keep_alive()) return;
    }
  }

  Answer answer_;
  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;  // touched by the accept thread only
  std::mutex mu_;
  std::vector<Recorded> requests_;
  std::map<std::string, Timestamp> held_;
};

class SimFeedCli : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = BinaryPath();
    if (binary_.empty()) GTEST_SKIP() << "no deconflict binary (set DECONFLICT_BINARY)";
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("deconflict-sim-feed-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // Runs `deconflict sim feed <args>`; returns the exit code, stdout in `out`, stderr in `err`.
  int Run(const std::string& args, std::string& out, std::string& err) {
    int status = std::system(fmt::format("'{}' sim feed {} > '{}' 2> '{}'", binary_, args,
                                         (dir_ / "out").string(), (dir_ / "err").string())
                                 .c_str());
    out = ReadFile(dir_ / "out");
    err = ReadFile(dir_ / "err");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string binary_;
  std::filesystem::path dir_;
};

TEST_F(SimFeedCli, PostsTheDocumentedBatchAtTheRateWithTheToken) {
  RecordingServer server;
  std::string out, err;
  ASSERT_EQ(Run(fmt::format("--url http://127.0.0.1:{} --token dc_secret --n 50 --rate-hz 4 "
                            "--duration 2 --seed 3 --verbose",
                            server.port()),
                out, err),
            0)
      << out << err;
  std::vector<Recorded> requests = server.requests();
  // Cycles at 0, 0.25, ..., 1.75 s: eight, one request each, over one kept-alive connection.
  ASSERT_EQ(requests.size(), 8u) << err;
  EXPECT_EQ(server.connections(), 1);
  std::set<std::string> ids;
  Timestamp previous_time{};
  for (const Recorded& request : requests) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/v1/tracks");
    EXPECT_EQ(request.authorization, "Bearer dc_secret");
    EXPECT_EQ(request.content_type, "application/json");
    boost::json::value body = boost::json::parse(request.body);
    const boost::json::array& tracks = body.at("tracks").as_array();
    ASSERT_EQ(tracks.size(), 50u);
    for (const boost::json::value& track : tracks) {
      const boost::json::object& object = track.as_object();
      EXPECT_EQ(object.size(), 9u);
      for (const char* member :
           {"id", "time", "lat", "lng", "alt_m", "gs_mps", "trk_deg", "vs_mps", "callsign"}) {
        EXPECT_TRUE(object.contains(member)) << member;
      }
      ids.insert(std::string(object.at("id").as_string()));
    }
    absl::StatusOr<Timestamp> time = ParseRfc3339(std::string(tracks[0].at("time").as_string()));
    ASSERT_TRUE(time.ok());
    EXPECT_GT(*time, previous_time);
    previous_time = *time;
  }
  EXPECT_EQ(ids.size(), 50u);
  // The rate: 7 gaps of 0.25 s.
  double span_s = std::chrono::duration<double>(requests.back().at - requests.front().at).count();
  EXPECT_NEAR(span_s, 1.75, 0.2);
  // Every report passed the route's own checks; the summary says so.
  EXPECT_THAT(out, HasSubstr("sent 400 reports in 8 requests; accepted 400, refused 0, "
                             "HTTP errors 0"));
  EXPECT_THAT(err, HasSubstr("sim feed: 1 s: sent "));
}

TEST_F(SimFeedCli, SplitsLargeCyclesIntoBatchesAndSendsOnlyItsParty) {
  RecordingServer server;
  std::string out, err;
  ASSERT_EQ(Run(fmt::format("--url http://127.0.0.1:{} --token t --n 25000 --duration 1 "
                            "--parties 2 --party 2 --batch-size 5000",
                            server.port()),
                out, err),
            0)
      << out << err;
  std::vector<Recorded> requests = server.requests();
  // 12,500 aircraft of party 2 (odd indices) in one cycle: 5,000 + 5,000 + 2,500.
  ASSERT_EQ(requests.size(), 3u);
  std::vector<size_t> sizes;
  for (const Recorded& request : requests) {
    const boost::json::value body = boost::json::parse(request.body);
    const boost::json::array& tracks = body.at("tracks").as_array();
    sizes.push_back(tracks.size());
    for (const boost::json::value& track : tracks) {
      uint32_t hex = std::stoul(std::string(track.at("id").as_string()), nullptr, 16);
      EXPECT_EQ((hex - 0xA00000) % 2, 1u);
    }
  }
  EXPECT_THAT(sizes, ::testing::ElementsAre(5000, 5000, 2500));
  EXPECT_THAT(out, HasSubstr("accepted 12500, refused 0"));
}

TEST_F(SimFeedCli, RefusedReportsAndHttpErrorsAreCountedAndFailTheRun) {
  std::atomic<int> calls{0};
  RecordingServer server([&](const Recorded&) -> std::pair<int, std::string> {
    if (calls++ == 1) return {503, R"({"error": {"code": "unavailable", "message": "busy"}})"};
    return {200, R"({"accepted": 9, "refused": [{"index": 3, "field": "tracks[3].lat", )"
                 R"("message": "tracks[3].lat: 91 is not in [-90, 90]"}]})"};
  });
  std::string out, err;
  EXPECT_EQ(Run(fmt::format("--url http://127.0.0.1:{} --token t --n 10 --rate-hz 10 --duration "
                            "0.3",
                            server.port()),
                out, err),
            1);
  EXPECT_THAT(out, HasSubstr("sent 30 reports in 3 requests; accepted 18, refused 2, "
                             "HTTP errors 1"));
  EXPECT_THAT(err, HasSubstr("refused: tracks[3].lat: 91 is not in [-90, 90]"));
  EXPECT_THAT(err, HasSubstr("HTTP 503 for 10 reports: busy"));
  EXPECT_THAT(err, HasSubstr("deconflict sim feed: 1 of 3 requests failed"));
}

TEST_F(SimFeedCli, SlowServerGetsFewerCyclesNotBursts) {
  RecordingServer server([](const Recorded&) -> std::pair<int, std::string> {
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
    return {200, R"({"accepted": 5, "refused": []})"};
  });
  std::string out, err;
  ASSERT_EQ(Run(fmt::format("--url http://127.0.0.1:{} --token t --n 5 --rate-hz 10 --duration 2",
                            server.port()),
                out, err),
            0)
      << out << err;
  std::vector<Recorded> requests = server.requests();
  // 20 cycles are due; each takes 0.35 s, so about 6 run and the others are skipped, and no two
  // requests come closer than the server's own delay.
  EXPECT_GE(requests.size(), 4u);
  EXPECT_LE(requests.size(), 8u);
  for (size_t idx = 1; idx < requests.size(); ++idx) {
    EXPECT_GE(requests[idx].at - requests[idx - 1].at, std::chrono::milliseconds(340));
  }
  EXPECT_THAT(out, HasSubstr(fmt::format("sim feed: {} cycles ({} skipped)", requests.size(),
                                         20 - requests.size())));
}

TEST_F(SimFeedCli, RefusedTokenEndsTheFeedWithExitThree) {
  RecordingServer server([](const Recorded&) -> std::pair<int, std::string> {
    return {401, R"({"error": {"code": "unauthenticated", "message": "unknown token"}})"};
  });
  std::string out, err;
  EXPECT_EQ(
      Run(fmt::format("--url http://127.0.0.1:{} --token wrong --n 5 --duration 10", server.port()),
          out, err),
      3);
  EXPECT_THAT(err, HasSubstr("deconflict sim feed: the server refused the token (HTTP 401): "
                             "unknown token"));
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(SimFeedCli, UnreachableServerIsAClearError) {
  uint16_t port;
  {
    net::io_context ioc;
    tcp::acceptor probe(ioc, {net::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  std::string out, err;
  EXPECT_EQ(
      Run(fmt::format("--url http://127.0.0.1:{} --token t --n 5 --duration 10", port), out, err),
      1);
  EXPECT_THAT(err, HasSubstr(fmt::format("deconflict sim feed: cannot reach 127.0.0.1:{}", port)));
}

TEST_F(SimFeedCli, BadOptionsAreUsageErrors) {
  std::string out, err;
  EXPECT_EQ(Run("--n 5", out, err), 2);
  EXPECT_THAT(err, HasSubstr("give either --url and --token, or --sbs-listen"));
  EXPECT_EQ(Run("--url ftp://x --token t", out, err), 2);
  EXPECT_THAT(err, HasSubstr("must be http://HOST:PORT"));
  EXPECT_EQ(Run("--sbs-listen 0 --parties 2 --party 3", out, err), 2);
  EXPECT_THAT(err, HasSubstr("--party 3 is not one of the 2 --parties"));
  EXPECT_NE(Run("--sbs-listen 0 --n 10 --meeting-pairs 6", out, err), 0);
  EXPECT_THAT(err, HasSubstr("meeting_pairs: 6 pairs need 12 aircraft"));
}

// Reads lines from 127.0.0.1:`port` until the server closes.
std::vector<std::string> ReadLines(uint16_t port) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  std::vector<std::string> lines;
  std::string pending;
  std::array<char, 1 << 16> chunk;
  beast::error_code ec;
  while (true) {
    size_t n = socket.read_some(net::buffer(chunk), ec);
    if (ec) break;
    pending.append(chunk.data(), n);
    size_t begin = 0;
    for (size_t end; (end = pending.find('\n', begin)) != std::string::npos; begin = end + 1) {
      lines.push_back(pending.substr(begin, end + 1 - begin));
    }
    pending.erase(0, begin);
  }
  return lines;
}

// Starts `deconflict sim feed <args>` with stdout on a pipe; returns the port it prints.
struct SbsProcess {
  FILE* pipe = nullptr;
  uint16_t port = 0;
  std::string first_line;
};
SbsProcess StartSbs(const std::string& binary, const std::string& args,
                    const std::filesystem::path& err) {
  SbsProcess process;
  process.pipe =
      popen(fmt::format("'{}' sim feed {} 2> '{}'", binary, args, err.string()).c_str(), "r");
  char line[256] = {};
  if (process.pipe != nullptr && std::fgets(line, sizeof line, process.pipe) != nullptr) {
    process.first_line = line;
    unsigned port = 0;
    if (std::sscanf(line, "listening on 127.0.0.1:%u", &port) == 1) process.port = port;
  }
  return process;
}
// Reads the rest of stdout and waits; returns the exit code.
int Finish(SbsProcess& process, std::string& out) {
  char chunk[512];
  while (std::fgets(chunk, sizeof chunk, process.pipe) != nullptr) out += chunk;
  int status = pclose(process.pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(SimFeedCli, SbsFeedIsReadBackByTheFeedsParserAndAssembler) {
  SbsProcess process =
      StartSbs(binary_, "--sbs-listen 0 --n 30 --rate-hz 4 --duration 3 --seed 9", dir_ / "err");
  ASSERT_NE(process.port, 0) << process.first_line << ReadFile(dir_ / "err");
  std::vector<std::string> first, second;
  std::thread other([&] { second = ReadLines(process.port); });
  first = ReadLines(process.port);
  other.join();
  std::string out;
  EXPECT_EQ(Finish(process, out), 0) << ReadFile(dir_ / "err");
  EXPECT_THAT(out, HasSubstr("of 30 aircraft served to 2 clients, 0 dropped as slow"));

  for (const std::vector<std::string>* lines : {&first, &second}) {
    feeds::TrackAssembler assembler(
        {.party = PartyId("FEED"), .time_source = feeds::SbsTimeSource::kGenerated});
    std::map<int, int> by_type;
    std::map<std::string, std::string> callsign_of;
    std::map<std::string, int> reports_of;
    for (const std::string& line : *lines) {
      ASSERT_TRUE(line.ends_with("\r\n")) << line;
      absl::StatusOr<feeds::SbsMessage> message = feeds::ParseSbsLine(line);
      ASSERT_TRUE(message.ok()) << message.status() << ": " << line;
      ++by_type[message->transmission_type];
      std::optional<feeds::TrackReport> report = assembler.AddLine(line, SystemClock().Now());
      if (report) {
        EXPECT_TRUE(feeds::ValidateTrackReport(*report, SystemClock().Now(), std::nullopt).ok());
        ++reports_of[report->track.id.value()];
        if (!report->callsign.empty()) callsign_of[report->track.id.value()] = report->callsign;
      }
    }
    EXPECT_EQ(assembler.counters().bad_lines, 0u);
    // Every cycle brings MSG,3 and MSG,4 of each aircraft; MSG,1 every 10 s and in the first
    // cycle the client receives: here once each.
    EXPECT_GE(by_type[3], 30 * 6);
    EXPECT_EQ(by_type[3], by_type[4]);
    EXPECT_EQ(by_type[1], 30);
    EXPECT_EQ(reports_of.size(), 30u);
    for (const auto& [id, count] : reports_of) EXPECT_GE(count, 6) << id;
    EXPECT_EQ(callsign_of.size(), 30u);
    for (const auto& [id, callsign] : callsign_of) {
      EXPECT_THAT(callsign, ::testing::MatchesRegex("[A-Z]{3}[0-9]")) << id;
    }
  }
}

TEST_F(SimFeedCli, SlowSbsClientIsDroppedAndTheOthersAreServed) {
  // 20,000 aircraft are ~5 MB of lines per cycle: a client that never reads fills its socket
  // buffers and falls behind within a few cycles.
  SbsProcess process =
      StartSbs(binary_, "--sbs-listen 0 --n 20000 --rate-hz 2 --duration 10 --meeting-pairs 0",
               dir_ / "err");
  ASSERT_NE(process.port, 0) << process.first_line << ReadFile(dir_ / "err");
  net::io_context ioc;
  tcp::socket idle(ioc);
  idle.connect({net::ip::make_address("127.0.0.1"), process.port});
  std::vector<std::string> lines = ReadLines(process.port);
  std::string out;
  EXPECT_EQ(Finish(process, out), 0) << ReadFile(dir_ / "err");
  EXPECT_THAT(out, HasSubstr("served to 2 clients, 1 dropped as slow"));
  // A loaded machine skips cycles (a debug build under CI serves as few as 1 in 4): 10 s still
  // brings enough to fill the idle client's buffers and to serve the other 3 cycles or more.
  EXPECT_GT(lines.size(), 20000u * 2 * 3);
}

}  // namespace
}  // namespace deconflict
