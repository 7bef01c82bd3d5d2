// bench/event_fanout.cc: event fan-out, commit to a WebSocket subscriber's receive (design.md §6:
// 1,000 events/s to 50 subscribers, p99 < 5 ms).
//
//   build/release/bench/event_fanout_bench [--rate 1000] [--seconds 3] [--subscribers 50]
//                                              [--parties 10]
//
// Runs the real server in process (durable store in a temporary directory, 2 I/O threads), opens
// `subscribers` WebSockets spread over `parties` parties, and appends `rate` events per second,
// each in its own unit of work, to every party (so each event reaches every subscriber). The
// latency of one delivery is the time from the unit's completion after COMMIT to the moment the
// subscriber's read returns the message (all sockets are read by one client thread, so the
// client does not compete with the server for the two cores). Prints p50/p99/max over all
// deliveries; exits 1 if a delivery is missing.
#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/server.h"
#include "common/status.h"
#include "fmt/format.h"
#include "parties/party.h"

using namespace deconflict;
using Steady = std::chrono::steady_clock;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

struct Socket {
  explicit Socket(net::io_context& ioc) : ws(ioc) {}
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buffer;
  std::vector<std::pair<int64_t, int64_t>> received;  // (seq, steady ns at receipt)
};

// Reads until `total` events arrived or the socket fails; counts finished sockets.
void ReadLoop(Socket& socket, int total, std::atomic<int>& finished) {
  socket.buffer.clear();
  socket.ws.async_read(socket.buffer, [&socket, total, &finished](beast::error_code ec, size_t) {
    if (ec) {
      finished.fetch_add(1);
      return;
    }
    const int64_t now = Steady::now().time_since_epoch().count();
    std::string text = beast::buffers_to_string(socket.buffer.data());
    size_t at = text.find("\"seq\":");
    socket.received.emplace_back(std::atoll(text.c_str() + at + 6), now);
    if (static_cast<int>(socket.received.size()) >= total) {
      finished.fetch_add(1);
      return;
    }
    ReadLoop(socket, total, finished);
  });
}

}  // namespace

int main(int argc, char** argv) {
  int rate = 1000, seconds = 3, subscribers = 50, parties = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--rate")
      rate = value;
    else if (flag == "--seconds")
      seconds = value;
    else if (flag == "--subscribers")
      subscribers = value;
    else if (flag == "--parties")
      parties = value;
  }
  const int total = rate * seconds;
  const std::string dir = fmt::format("/tmp/event_fanout_{}", ::getpid());
  std::filesystem::remove_all(dir);

  auto server = api::Server::Create(api::ServerOptions{.data_dir = dir, .port = 0});
  if (!server.ok()) return std::fprintf(stderr, "%s\n", server.status().ToString().c_str()), 1;
  std::vector<PartyId> party_ids;
  std::vector<std::string> tokens;
  for (int p = 0; p < parties; ++p) {
    auto added =
        parties::AddParty((*server)->store(), (*server)->clock(),
                          *parties::ParsePartySpec(fmt::format("P{}", p), "party", "observer"));
    if (!added.ok()) return std::fprintf(stderr, "%s\n", added.status().ToString().c_str()), 1;
    party_ids.push_back(added->party.id);
    tokens.push_back(added->token);
  }
  if (absl::Status s = (*server)->Start(); !s.ok())
    return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  std::thread serving([&] { (*server)->Run(); });

  // Commit times by seq (every party gets every event, so seqs agree across parties).
  std::vector<std::atomic<int64_t>> committed_ns(total + 1);
  // The subscribers: one thread and one io_context read all sockets asynchronously, so the
  // measurement does not pay for 50 client threads on two cores.
  net::io_context client_ioc;
  std::vector<std::unique_ptr<Socket>> sockets;
  for (int s = 0; s < subscribers; ++s) {
    auto socket = std::make_unique<Socket>(client_ioc);
    beast::error_code ec;
    socket->ws.next_layer().connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), (*server)->port()), ec);
    socket->ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
      req.set(beast::http::field::authorization, "Bearer " + tokens[s % parties]);
    }));
    if (!ec) socket->ws.handshake(fmt::format("127.0.0.1:{}", (*server)->port()), "/v1/events", ec);
    if (ec) return std::fprintf(stderr, "connect: %s\n", ec.message().c_str()), 1;
    socket->received.reserve(total);
    sockets.push_back(std::move(socket));
  }
  std::atomic<int> finished{0};
  for (auto& socket : sockets) ReadLoop(*socket, total, finished);
  std::thread readers([&] { client_ioc.run(); });

  // The producer: one unit of work per event, paced at `rate`.
  const events::EventLog& log = (*server)->event_log();
  const auto start = Steady::now();
  for (int i = 1; i <= total; ++i) {
    std::this_thread::sleep_until(start +
                                  std::chrono::nanoseconds(int64_t{1'000'000'000} * i / rate));
    auto seq = std::make_shared<int64_t>(0);
    (*server)->store().Submit(
        [&, seq, i](store::Txn& txn) -> absl::Status {
          ASSIGN_OR_RETURN(auto appended,
                           log.Append(txn, party_ids,
                                      events::OperationEnded{OperationId(fmt::format("op{}", i)),
                                                             PartyId("P0")}));
          *seq = appended.front().seq;
          return absl::OkStatus();
        },
        [&, seq](absl::Status s) {
          if (!s.ok()) return;
          committed_ns[*seq].store(Steady::now().time_since_epoch().count());
          log.Committed();
        });
  }
  const double produce_s = std::chrono::duration<double>(Steady::now() - start).count();
  readers.join();

  std::vector<double> latencies_ms;
  size_t missing = 0;
  for (const auto& socket : sockets) {
    missing += total - socket->received.size();
    for (auto [seq, ns] : socket->received) {
      int64_t committed = seq <= total ? committed_ns[seq].load() : 0;
      if (committed == 0) continue;
      latencies_ms.push_back(std::max<int64_t>(0, ns - committed) / 1e6);
    }
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) {
    return latencies_ms.empty()
               ? 0
               : latencies_ms[std::min(latencies_ms.size() - 1, size_t(p * latencies_ms.size()))];
  };
  std::printf(
      "event fan-out: %d events at %d/s (produced in %.2f s) to %d subscribers over %d parties\n",
      total, rate, produce_s, subscribers, parties);
  std::printf(
      "deliveries %zu (missing %zu): commit->receive p50 %.3f ms  p99 %.3f ms  max %.3f ms  "
      "(target p99 < 5 ms)\n",
      latencies_ms.size(), missing, pct(0.50), pct(0.99),
      latencies_ms.empty() ? 0 : latencies_ms.back());
  sockets.clear();
  (*server)->Stop();
  serving.join();
  server->reset();
  std::filesystem::remove_all(dir);
  return missing == 0 ? 0 : 1;
}
