// bench/event_fanout.cc: event fan-out, commit to a WebSocket subscriber's receive (design.md §6:
// 1,000 events/s to 50 subscribers, p99 < 5 ms).
//
//   build/release/tests/e2e/event_fanout_bench [--rate 1000] [--seconds 3] [--subscribers 50]
//                                              [--parties 10]
//
// Runs the real server in process (durable store in a temporary directory, 2 I/O threads), opens
// `subscribers` WebSockets spread over `parties` parties, and appends `rate` events per second,
// each in its own unit of work, to every party (so each event reaches every subscriber). The
// latency of one delivery is the time from the unit's completion after COMMIT to the moment the
// subscriber's read returns the message. Prints p50/p99/max over all deliveries.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/parties.h"
#include "api/server.h"
#include "common/status.h"
#include "fmt/format.h"
#include "tests/e2e/ws_client.h"

using namespace deconflict;
using Steady = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int rate = 1000, seconds = 3, subscribers = 50, parties = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--rate") rate = value;
    else if (flag == "--seconds") seconds = value;
    else if (flag == "--subscribers") subscribers = value;
    else if (flag == "--parties") parties = value;
  }
  const int total = rate * seconds;
  const std::string dir = fmt::format("/tmp/event_fanout_{}", ::getpid());
  std::filesystem::remove_all(dir);

  auto server = api::Server::Create(api::ServerOptions{.data_dir = dir, .port = 0});
  if (!server.ok()) return std::fprintf(stderr, "%s\n", server.status().ToString().c_str()), 1;
  std::vector<PartyId> party_ids;
  std::vector<std::string> tokens;
  for (int p = 0; p < parties; ++p) {
    auto added = api::AddParty((*server)->store(), (*server)->clock(), fmt::format("P{}", p), "party", "observer");
    if (!added.ok()) return std::fprintf(stderr, "%s\n", added.status().ToString().c_str()), 1;
    party_ids.emplace_back(added->record.id);
    tokens.push_back(added->token);
  }
  if (absl::Status s = (*server)->Start(); !s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  std::thread serving([&] { (*server)->Run(); });

  // Commit times by seq (every party gets every event, so seqs agree across parties).
  std::vector<std::atomic<int64_t>> committed_ns(total + 1);
  struct Received {
    std::vector<std::pair<int64_t, int64_t>> seq_ns;
  };
  std::vector<Received> received(subscribers);
  std::vector<std::unique_ptr<e2e::WsClient>> clients;
  for (int s = 0; s < subscribers; ++s) {
    std::string error;
    clients.push_back(e2e::WsClient::Connect((*server)->port(), tokens[s % parties], {}, nullptr, &error));
    if (!clients.back()) return std::fprintf(stderr, "connect: %s\n", error.c_str()), 1;
  }
  std::vector<std::thread> readers;
  for (int s = 0; s < subscribers; ++s) {
    readers.emplace_back([&, s] {
      received[s].seq_ns.reserve(total);
      while (static_cast<int>(received[s].seq_ns.size()) < total) {
        auto text = clients[s]->NextText(std::chrono::seconds(5));
        if (!text) break;
        const int64_t now = Steady::now().time_since_epoch().count();
        size_t at = text->find("\"seq\":");
        received[s].seq_ns.emplace_back(std::atoll(text->c_str() + at + 6), now);
      }
    });
  }

  // The producer: one unit of work per event, paced at `rate`.
  const events::EventLog& log = (*server)->event_log();
  const auto start = Steady::now();
  for (int i = 1; i <= total; ++i) {
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(int64_t{1'000'000'000} * i / rate));
    auto seq = std::make_shared<int64_t>(0);
    (*server)->store().Submit(
        [&, seq, i](store::Txn& txn) -> absl::Status {
          ASSIGN_OR_RETURN(auto appended, log.Append(txn, party_ids,
                                                     events::OperationEnded{OperationId(fmt::format("op{}", i)), PartyId("P0")}));
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
  for (auto& r : readers) r.join();

  std::vector<double> latencies_ms;
  size_t missing = 0;
  for (const Received& r : received) {
    missing += total - r.seq_ns.size();
    for (auto [seq, ns] : r.seq_ns) {
      int64_t committed = seq <= total ? committed_ns[seq].load() : 0;
      if (committed == 0) continue;
      latencies_ms.push_back(std::max<int64_t>(0, ns - committed) / 1e6);
    }
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) { return latencies_ms.empty() ? 0 : latencies_ms[std::min(latencies_ms.size() - 1, size_t(p * latencies_ms.size()))]; };
  std::printf("event fan-out: %d events at %d/s (produced in %.2f s) to %d subscribers over %d parties\n",
              total, rate, produce_s, subscribers, parties);
  std::printf("deliveries %zu (missing %zu): commit->receive p50 %.3f ms  p99 %.3f ms  max %.3f ms  (target p99 < 5 ms)\n",
              latencies_ms.size(), missing, pct(0.50), pct(0.99), latencies_ms.empty() ? 0 : latencies_ms.back());
  clients.clear();
  (*server)->Stop();
  serving.join();
  server->reset();
  std::filesystem::remove_all(dir);
  return missing == 0 ? 0 : 1;
}
