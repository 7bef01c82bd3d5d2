// cli/sim_feed_command.cc: `deconflict sim feed`, synthetic live traffic (sim/flight.h) posted
// to a server's POST /v1/tracks, or served as an SBS-1 feed as dump1090 serves port 30003.
//
//   deconflict sim feed --url http://127.0.0.1:8080 --token dc_... [--scenario dense] [--n 100]
//                       [--rate-hz 1] [--duration 60] [--seed 1] [--meeting-pairs K]
//                       [--parties 2 --party 1] [--batch-size 10000] [--verbose]
//   deconflict sim feed --sbs-listen 30003 [--sbs-address 127.0.0.1] [same traffic options]
//
// Every 1/rate-hz seconds (cycle k at k / rate-hz after the start, for --duration seconds; 0:
// until SIGINT or SIGTERM; a cycle more than a period late is skipped and counted) the traffic
// is flown to the wall clock's now and every aircraft's report is sent:
//   HTTP  as {"tracks": [{"id", "time", "lat", "lng", "alt_m", "gs_mps", "trk_deg", "vs_mps",
//         "callsign"}]} (api/track_json.h), in requests of at most --batch-size reports, with
//         "Authorization: Bearer <token>", over one kept-alive connection (reopened once when
//         the server closed it). The server sets the party from the token. --verbose prints
//         the counts of every second on stderr; a summary goes to stdout at the end.
//   SBS   MSG,1 (callsign; every 10 s per aircraft, and in the first cycle a client receives),
//         MSG,3 (position and altitude) and MSG,4 (velocity) lines (feeds/sbs_writer.h) to every
//         connected TCP client. "listening on ADDRESS:PORT" is printed on stdout first
//         (--sbs-listen 0 picks a free port). One I/O thread serves the clients while the cycle
//         loop formats the lines. A client still kMaxQueuedCycles (4) cycles behind when a new
//         one is due is dropped (closed), so a slow client costs bounded memory.
// Parties: the traffic's aircraft go round-robin to --parties parties, and meeting pairs are of
// two different parties; a feed is one party (the token's, or the feed's in the server's
// configuration). To fly cross-party meetings, run --parties K feeds with the same --seed and
// --scenario, --party 1..K, each with its own token: each posts only its party's aircraft.
//
// Exit status: 0; 3 when the server refuses the token (HTTP 401, at once); 2 for a bad --url or
// a bad combination of options; 1 when the server cannot be reached at the first request, a
// port cannot be listened on, or any request failed (HTTP error or connection lost; counted,
// the feed goes on, and the exit status says so at the end).
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "boost/json.hpp"
#include "cli/commands.h"
#include "cli/exit.h"
#include "cli/server_url.h"
#include "common/status.h"
#include "common/time.h"
#include "feeds/sbs_writer.h"
#include "fmt/format.h"
#include "sim/flight.h"

namespace deconflict::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr char kCommand[] = "sim feed";
// A client this many cycles behind (unwritten) is dropped.
constexpr size_t kMaxQueuedCycles = 4;
constexpr std::chrono::seconds kIdentEvery{10};
constexpr std::chrono::seconds kRequestTimeout{30};
constexpr int kMaxRefusalsPrinted = 5;

std::atomic<bool> stop_requested{false};
extern "C" void RequestStop(int) { stop_requested.store(true); }

struct SimFeedArgs {
  std::string url;
  std::string token;
  int sbs_port = -1;  // -1: HTTP mode
  std::string sbs_address = "127.0.0.1";
  std::string scenario = "dense";
  int count = 100;
  double rate_hz = 1;
  double duration_s = 60;
  uint64_t seed = 1;
  int meeting_pairs = -1;  // -1: the Traffic's default
  int parties = 1;
  int party = 0;  // 0: every party's aircraft
  int batch_size = 10'000;
  bool verbose = false;
};

// ---------------------------------------------------------------------------------------------
// The traffic and the schedule shared by both modes.

sim::Traffic MakeTraffic(const SimFeedArgs& args, Timestamp start) {
  sim::TrackScenario scenario = ValueOrDie(kCommand, sim::ParseTrackScenario(args.scenario));
  std::vector<PartyId> parties;
  for (int party_idx = 1; party_idx <= args.parties; ++party_idx) {
    parties.emplace_back(fmt::format("P{}", party_idx));
  }
  std::optional<int> pairs;
  if (args.meeting_pairs >= 0) pairs = args.meeting_pairs;
  return ValueOrDie(kCommand, sim::Traffic::Create({.scenario = scenario,
                                                    .count = args.count,
                                                    .seed = args.seed,
                                                    .parties = std::move(parties),
                                                    .meeting_pairs = pairs,
                                                    .start = start}));
}

// True for the aircraft this feed sends (--party).
bool Sends(const SimFeedArgs& args, size_t aircraft_idx) {
  return args.party == 0 || static_cast<int>(aircraft_idx % args.parties) == args.party - 1;
}

// Cycle k is due at start + k / rate; the last cycle is the last one due before the duration
// ends (duration 0: none is last). A cycle more than a whole period late is skipped (counted),
// so that a server slower than the rate gets a lower rate rather than bursts.
class Schedule {
 public:
  Schedule(const SimFeedArgs& args, SteadyTime start)
      : start_(start), period_s_(1.0 / args.rate_hz), duration_s_(args.duration_s) {}
  // The due time of the next cycle, or nullopt when the run is over.
  std::optional<SteadyTime> Next() {
    const double elapsed_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    auto latest_due = static_cast<int64_t>(elapsed_s / period_s_);
    if (duration_s_ > 0) {
      // The cycles due within the duration: k * period < duration.
      latest_due =
          std::min(latest_due, static_cast<int64_t>(std::ceil(duration_s_ / period_s_ - 1e-9)));
    }
    if (latest_due > next_) {
      skipped_ += latest_due - next_;
      next_ = latest_due;
    }
    const double at_s = static_cast<double>(next_) * period_s_;
    if (stop_requested.load() || (duration_s_ > 0 && at_s >= duration_s_)) return std::nullopt;
    ++next_;
    ++cycles_;
    return start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        std::chrono::duration<double>(at_s));
  }
  int64_t cycles() const { return cycles_; }  // run (or running)
  int64_t skipped() const { return skipped_; }

 private:
  SteadyTime start_;
  double period_s_;
  double duration_s_;
  int64_t next_ = 0;  // the next cycle's number
  int64_t cycles_ = 0;
  int64_t skipped_ = 0;
};

// ---------------------------------------------------------------------------------------------
// HTTP mode

// The JSON of one request (api/track_json.h): reports [begin, end) of `selected`.
std::string BatchBody(std::span<const tactical::Track> reports,
                      const std::vector<std::string>& callsigns,
                      const std::vector<size_t>& selected, size_t begin, size_t end) {
  boost::json::array tracks;
  tracks.reserve(end - begin);
  for (size_t pos = begin; pos < end; ++pos) {
    const size_t aircraft_idx = selected[pos];
    const tactical::Track& track = reports[aircraft_idx];
    tracks.push_back(boost::json::object{{"id", track.id.value()},
                                         {"time", FormatRfc3339(track.time)},
                                         {"lat", track.lat_deg},
                                         {"lng", track.lon_deg},
                                         {"alt_m", track.alt_m},
                                         {"gs_mps", track.ground_speed_mps},
                                         {"trk_deg", track.track_deg},
                                         {"vs_mps", track.vertical_rate_mps},
                                         {"callsign", callsigns[aircraft_idx]}});
  }
  return boost::json::serialize(boost::json::object{{"tracks", std::move(tracks)}});
}

// A synchronous HTTP/1.1 client over one kept-alive connection, each step under a timeout
// (asynchronous operations run to completion on a private io_context). Not thread-safe.
class TrackPoster {
 public:
  struct Answer {
    int status = 0;
    std::string body;
  };

  TrackPoster(Endpoint endpoint, std::string token)
      : endpoint_(std::move(endpoint)), token_(std::move(token)) {}
  TrackPoster(const TrackPoster&) = delete;
  TrackPoster& operator=(const TrackPoster&) = delete;

  // POSTs `body` to /v1/tracks. Returns the answer, or Unavailable when the server cannot be
  // reached or the connection fails twice (a kept-alive connection the server closed between
  // requests is reopened once).
  absl::StatusOr<Answer> Post(const std::string& body) {
    beast::error_code ec;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!stream_) ec = Connect();
      if (!ec) {
        absl::StatusOr<Answer> answer = Exchange(body, ec);
        if (answer.ok()) return answer;
      }
      stream_.reset();
    }
    return absl::UnavailableError(
        fmt::format("cannot reach {}:{}: {}", endpoint_.host, endpoint_.port, ec.message()));
  }

 private:
  beast::error_code Connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(endpoint_.host, endpoint_.port, ec);
    if (ec) return ec;
    stream_.emplace(ioc_);
    stream_->expires_after(kRequestTimeout);
    stream_->async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    Run();
    return ec;
  }

  absl::StatusOr<Answer> Exchange(const std::string& body, beast::error_code& ec) {
    http::request<http::string_body> request{http::verb::post, "/v1/tracks", 11};
    request.set(http::field::host, fmt::format("{}:{}", endpoint_.host, endpoint_.port));
    request.set(http::field::authorization, "Bearer " + token_);
    request.set(http::field::content_type, "application/json");
    request.keep_alive(true);
    request.body() = body;
    request.prepare_payload();
    stream_->expires_after(kRequestTimeout);
    http::async_write(*stream_, request, [&](beast::error_code e, size_t) { ec = e; });
    Run();
    if (ec) return absl::UnavailableError(ec.message());
    http::response<http::string_body> response;
    buffer_.clear();
    stream_->expires_after(kRequestTimeout);
    http::async_read(*stream_, buffer_, response, [&](beast::error_code e, size_t) { ec = e; });
    Run();
    if (ec) return absl::UnavailableError(ec.message());
    if (!response.keep_alive()) stream_.reset();
    return Answer{static_cast<int>(response.result_int()), std::move(response.body())};
  }

  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  Endpoint endpoint_;
  std::string token_;
  net::io_context ioc_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

struct HttpCounts {
  uint64_t requests = 0;
  uint64_t sent = 0;
  uint64_t accepted = 0;
  uint64_t refused = 0;
  uint64_t http_errors = 0;  // requests answered with another status than 200, or lost
};

// Adds the answer of a request of `sent` reports to `counts`; dies on 401.
void CountAnswer(const absl::StatusOr<TrackPoster::Answer>& answer, size_t sent, HttpCounts& counts,
                 int& refusals_printed) {
  if (!answer.ok()) {
    ++counts.http_errors;
    std::cerr << fmt::format("deconflict sim feed: {}\n", answer.status().message());
    return;
  }
  if (answer->status == 401) {
    Die(kCommand,
        absl::UnauthenticatedError(
            fmt::format("the server refused the token (HTTP 401): {}", ErrorMessage(answer->body))),
        {}, 3);
  }
  boost::system::error_code ec;
  boost::json::value v =
      answer->status == 200 ? boost::json::parse(answer->body, ec) : boost::json::value();
  const boost::json::object* object = v.if_object();
  const boost::json::value* accepted = object ? object->if_contains("accepted") : nullptr;
  const boost::json::value* refused = object ? object->if_contains("refused") : nullptr;
  if (answer->status != 200 || ec || !accepted || !accepted->is_int64() || !refused ||
      !refused->is_array()) {
    ++counts.http_errors;
    std::cerr << fmt::format("deconflict sim feed: HTTP {} for {} reports: {}\n", answer->status,
                             sent, ErrorMessage(answer->body));
    return;
  }
  counts.accepted += static_cast<uint64_t>(accepted->as_int64());
  counts.refused += refused->as_array().size();
  for (const boost::json::value& refusal : refused->as_array()) {
    if (refusals_printed++ >= kMaxRefusalsPrinted) break;
    const boost::json::value* message =
        refusal.is_object() ? refusal.as_object().if_contains("message") : nullptr;
    std::cerr << fmt::format("deconflict sim feed: refused: {}\n",
                             message && message->is_string() ? std::string(message->as_string())
                                                             : boost::json::serialize(refusal));
  }
}

void RunHttpFeed(const SimFeedArgs& args) {
  Endpoint endpoint;
  if (!ParseServerUrl(args.url, endpoint)) {
    Die(kCommand,
        absl::InvalidArgumentError(fmt::format("--url '{}' must be http://HOST:PORT", args.url)),
        {}, 2);
  }
  SystemClock clock;
  sim::Traffic traffic = MakeTraffic(args, clock.Now());
  TrackPoster poster(endpoint, args.token);
  HttpCounts counts, reported;  // `reported`: as of the last --verbose line
  int refusals_printed = 0;
  const SteadyTime start = std::chrono::steady_clock::now();
  SteadyTime next_report = start + std::chrono::seconds(1);
  Schedule schedule(args, start);
  std::vector<size_t> selected;
  while (std::optional<SteadyTime> due = schedule.Next()) {
    std::this_thread::sleep_until(*due);
    std::span<const tactical::Track> reports = traffic.Advance(clock.Now());
    selected.clear();
    for (size_t aircraft_idx = 0; aircraft_idx < reports.size(); ++aircraft_idx) {
      if (Sends(args, aircraft_idx)) selected.push_back(aircraft_idx);
    }
    for (size_t begin = 0; begin < selected.size(); begin += args.batch_size) {
      size_t end = std::min(selected.size(), begin + args.batch_size);
      absl::StatusOr<TrackPoster::Answer> answer =
          poster.Post(BatchBody(reports, traffic.callsigns(), selected, begin, end));
      if (!answer.ok() && counts.requests == 0) Die(kCommand, answer.status());
      ++counts.requests;
      counts.sent += end - begin;
      CountAnswer(answer, end - begin, counts, refusals_printed);
    }
    if (args.verbose && std::chrono::steady_clock::now() >= next_report) {
      std::cerr << fmt::format(
          "sim feed: {:.0f} s: sent {}, accepted {}, refused {}, HTTP errors {}\n",
          std::chrono::duration<double>(next_report - start).count(), counts.sent - reported.sent,
          counts.accepted - reported.accepted, counts.refused - reported.refused,
          counts.http_errors - reported.http_errors);
      reported = counts;
      next_report += std::chrono::seconds(1);
    }
  }
  double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format(
      "sim feed: {} cycles ({} skipped) in {:.1f} s: sent {} reports in {} requests; accepted {}, "
      "refused {}, HTTP errors {}\n",
      schedule.cycles(), schedule.skipped(), elapsed_s, counts.sent, counts.requests,
      counts.accepted, counts.refused, counts.http_errors);
  if (counts.http_errors > 0) {
    Die(kCommand, absl::UnavailableError(fmt::format("{} of {} requests failed", counts.http_errors,
                                                     counts.requests)));
  }
}

// ---------------------------------------------------------------------------------------------
// SBS mode

// Accepts any number of clients and writes every cycle's lines to each, dropping a client that
// falls kMaxQueuedCycles behind or whose connection fails. Runs on one I/O thread (the one
// running its io_context): every method but the counters must be called there (net::post);
// accepted() and dropped() are thread-safe.
class SbsServer {
 public:
  explicit SbsServer(tcp::acceptor acceptor) : acceptor_(std::move(acceptor)) { Accept(); }
  SbsServer(const SbsServer&) = delete;
  SbsServer& operator=(const SbsServer&) = delete;

  // Queues `lines` (one cycle's) for every client, after `first_idents` for a client that
  // has received nothing yet (so that it learns every callsign at once).
  void Broadcast(std::string lines, const std::string& first_idents) {
    auto shared = std::make_shared<const std::string>(std::move(lines));
    for (auto it = clients_.begin(); it != clients_.end();) {
      Client& client = **it;
      if (client.queue.size() >= kMaxQueuedCycles) {
        ++dropped_;
        beast::error_code ignored;
        client.socket.close(ignored);
        it = clients_.erase(it);
        continue;
      }
      client.queue.push_back(
          client.fresh ? std::make_shared<const std::string>(first_idents + *shared) : shared);
      client.fresh = false;
      if (client.queue.size() == 1) Write(*it);
      ++it;
    }
  }
  // Stops accepting; each client is closed once its queue is written. The io_context runs out
  // of work when the last one is.
  void Finish() {
    finishing_ = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
    for (auto it = clients_.begin(); it != clients_.end();) {
      if ((*it)->queue.empty()) {
        (*it)->socket.close(ignored);
        it = clients_.erase(it);
      } else {
        ++it;
      }
    }
  }
  uint64_t accepted() const { return accepted_.load(); }
  uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Client {
    explicit Client(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::deque<std::shared_ptr<const std::string>> queue;  // front: being written
    bool fresh = true;                                     // nothing queued yet
  };

  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec || finishing_) return;  // closed
      ++accepted_;
      clients_.push_back(std::make_shared<Client>(std::move(socket)));
      Accept();
    });
  }

  void Write(const std::shared_ptr<Client>& client) {
    net::async_write(client->socket, net::buffer(*client->queue.front()),
                     [this, client](beast::error_code ec, size_t) {
                       if (!client->socket.is_open()) return;  // dropped meanwhile
                       if (ec) {
                         Forget(client);
                         return;
                       }
                       client->queue.pop_front();
                       if (!client->queue.empty()) {
                         Write(client);
                       } else if (finishing_) {
                         Forget(client);
                       }
                     });
  }

  void Forget(const std::shared_ptr<Client>& client) {
    beast::error_code ignored;
    client->socket.close(ignored);
    std::erase(clients_, client);
  }

  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Client>> clients_;
  bool finishing_ = false;
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> dropped_{0};
};

// The listening socket on `address`:`port`; dies when it cannot be had.
tcp::acceptor Listen(net::io_context& ioc, const std::string& address_text, int port) {
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(address_text, ec);
  if (ec) {
    Die(kCommand,
        absl::InvalidArgumentError(
            fmt::format("--sbs-address '{}' is not an IP address", address_text)),
        {}, 2);
  }
  tcp::acceptor acceptor(ioc);
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    Die(kCommand, absl::UnavailableError(
                      fmt::format("cannot listen on {}:{}: {}", address_text, port, ec.message())));
  }
  return acceptor;
}

// One cycle's SBS lines (`lines`), and the MSG,1 lines of the aircraft not identified in it
// (`first_idents`, for clients receiving their first cycle).
struct SbsCycle {
  std::string lines;
  std::string first_idents;
};

SbsCycle FormatCycle(const SimFeedArgs& args, const sim::Traffic& traffic,
                     std::span<const tactical::Track> reports, Timestamp now,
                     std::vector<Timestamp>& next_ident, uint64_t& lines_bad) {
  SbsCycle cycle;
  for (size_t aircraft_idx = 0; aircraft_idx < reports.size(); ++aircraft_idx) {
    if (!Sends(args, aircraft_idx)) continue;
    feeds::TrackReport report{.track = reports[aircraft_idx],
                              .callsign = traffic.callsigns()[aircraft_idx]};
    const bool ident = now >= next_ident[aircraft_idx];
    if (ident) next_ident[aircraft_idx] = now + kIdentEvery;
    absl::StatusOr<std::string> formatted = feeds::FormatSbsLines(report);
    if (!formatted.ok()) {
      // Not expected (sim reports are within the SBS limits): said once, not hidden.
      if (lines_bad++ == 0) {
        std::cerr << fmt::format("deconflict sim feed: {}\n", formatted.status().message());
      }
      continue;
    }
    // With a callsign the lines are MSG,1, MSG,3, MSG,4 (feeds/sbs_writer.h).
    const size_t after_ident = formatted->find("\r\n") + 2;
    if (ident) {
      cycle.lines += *formatted;
    } else {
      cycle.lines.append(*formatted, after_ident);
      cycle.first_idents.append(*formatted, 0, after_ident);
    }
  }
  return cycle;
}

void RunSbsFeed(const SimFeedArgs& args) {
  // Everything that may Die comes before the I/O thread starts.
  SystemClock clock;
  sim::Traffic traffic = MakeTraffic(args, clock.Now());
  std::vector<Timestamp> next_ident(traffic.size(), Timestamp::min());
  net::io_context ioc;
  tcp::acceptor acceptor = Listen(ioc, args.sbs_address, args.sbs_port);
  const uint16_t port = acceptor.local_endpoint().port();
  SbsServer server(std::move(acceptor));
  std::cout << fmt::format("listening on {}:{}\n", args.sbs_address, port) << std::flush;
  // The server's own thread, so that clients are served however long a cycle takes to format.
  std::atomic<bool> io_done{false};
  std::thread io_thread([&] {
    ioc.run();
    io_done.store(true);
  });

  const SteadyTime start = std::chrono::steady_clock::now();
  Schedule schedule(args, start);
  uint64_t lines_bad = 0;
  while (std::optional<SteadyTime> due = schedule.Next()) {
    std::this_thread::sleep_until(*due);
    const Timestamp now = clock.Now();
    SbsCycle cycle = FormatCycle(args, traffic, traffic.Advance(now), now, next_ident, lines_bad);
    net::post(ioc, [&server, cycle = std::move(cycle)]() mutable {
      server.Broadcast(std::move(cycle.lines), cycle.first_idents);
    });
    if (args.verbose) {
      std::cerr << fmt::format("sim feed: cycle {}: {} clients connected so far, {} dropped\n",
                               schedule.cycles(), server.accepted(), server.dropped());
    }
  }
  // Let the clients read the last cycle (at most 1 s more), then close.
  net::post(ioc, [&server] { server.Finish(); });
  const SteadyTime flush_until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!io_done.load() && std::chrono::steady_clock::now() < flush_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ioc.stop();
  io_thread.join();
  std::cout << fmt::format(
      "sim feed: {} cycles ({} skipped) of {} aircraft served to {} clients, {} dropped as "
      "slow\n",
      schedule.cycles(), schedule.skipped(), traffic.size(), server.accepted(), server.dropped());
}

void RunSimFeed(const SimFeedArgs& args) {
  const bool sbs = args.sbs_port >= 0;
  if (sbs == !args.url.empty()) {
    Die(kCommand, absl::InvalidArgumentError("give either --url and --token, or --sbs-listen"), {},
        2);
  }
  if (!sbs && args.token.empty()) {
    Die(kCommand, absl::InvalidArgumentError("--url needs --token"), {}, 2);
  }
  if (args.party > args.parties) {
    Die(kCommand,
        absl::InvalidArgumentError(
            fmt::format("--party {} is not one of the {} --parties", args.party, args.parties)),
        {}, 2);
  }
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);
  std::signal(SIGPIPE, SIG_IGN);
  if (sbs) {
    RunSbsFeed(args);
  } else {
    RunHttpFeed(args);
  }
}

}  // namespace

void AddSimFeedCommand(CLI::App& app) {
  CLI::App* sim = SimCommand(app);
  auto args = std::make_shared<SimFeedArgs>();
  CLI::App* feed = sim->add_subcommand(
      "feed",
      "Fly synthetic traffic and post its reports to POST /v1/tracks (--url, --token) or serve "
      "them as an SBS-1 feed (--sbs-listen)");
  feed->add_option("--url", args->url, "Server, http://HOST:PORT");
  feed->add_option("--token", args->token, "The party's bearer token (the server sets the party)");
  feed->add_option("--sbs-listen", args->sbs_port,
                   "Serve SBS-1 lines on this TCP port instead (0: pick one, printed)")
      ->check(CLI::Range(0, 65535));
  feed->add_option("--sbs-address", args->sbs_address, "Address to listen on")
      ->capture_default_str();
  feed->add_option("--scenario", args->scenario, "dense or continental")
      ->check(CLI::IsMember({"dense", "continental"}))
      ->capture_default_str();
  feed->add_option("--n", args->count, "Number of aircraft")
      ->check(CLI::Range(0, 1'000'000))
      ->capture_default_str();
  feed->add_option("--rate-hz", args->rate_hz, "Cycles per second")
      ->check(CLI::Range(0.01, 100.0))
      ->capture_default_str();
  feed->add_option("--duration", args->duration_s, "Seconds to run (0: until SIGINT/SIGTERM)")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  feed->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  feed->add_option("--meeting-pairs", args->meeting_pairs,
                   "Pairs set up to meet 60-240 s after the start (default: n / 100, at least 1)")
      ->check(CLI::NonNegativeNumber);
  feed->add_option("--parties", args->parties, "Parties the aircraft go to, round-robin")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  feed->add_option("--party", args->party,
                   "Send only the aircraft of this party (1..parties; 0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  feed->add_option("--batch-size", args->batch_size, "Reports per request at most")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  feed->add_flag("--verbose", args->verbose, "Counts of every second on stderr");
  feed->callback([args] { RunSimFeed(*args); });
}

}  // namespace deconflict::cli
