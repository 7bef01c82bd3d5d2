// bench/hotline_bench.cc: the hotline side by side with NATS JetStream (bench/hotline.sh;
// design.md §6: p99 < 10 ms from send to the recipient's socket at 1,000 msg/s, durable
// throughput at least JetStream's).
//
//   build/release/bench/hotline_bench [--rate 1000] [--seconds 60] [--warmup-seconds 2]
//       [--recipients 10] [--inflight 16] [--body-bytes 1024]
//       [--ramp-seconds 10] [--ramp-factor 1.5] [--ramp-max-rate 200000] [--bisect 2]
//       [--sustain-p99-ms 50] [--systems deconflict,jetstream,jetstream-always]
//
// For each system in turn (bench/hotline_systems.h: the real server out of process on loopback,
// a fresh store, one sender, `recipients` connected recipients):
//   warm-up  `--warmup-seconds` at `--rate` (checked for loss, not reported);
//   steady   `--rate` messages/s of `--body-bytes` for `--seconds`;
//   ramp     `--ramp-seconds` steps at rate x factor, x factor^2, ... until one is not sustained,
//            then `--bisect` halvings between the last sustained rate and that one.
// The sender offers the rate open-loop from `--inflight` threads, each waiting for the durable
// acknowledgement of its message (deconflict: 201; JetStream: the PubAck). Latency is the
// recipient's receive time minus the sender's send time, per message and recipient, one steady
// clock. A step is *sustained* when every send was acknowledged, no receipt is missing or
// repeated, the achieved rate (acks / time from the scheduled start to the last ack) is >= 99% of
// the offered rate, and the p99 latency is <= --sustain-p99-ms.
// Prints one line per step, then a Markdown table (both systems, the ratio deconflict/JetStream).
// Exit status: 0; 1 when a message was lost or duplicated in any step, or a send failed at the
// steady rate; 2 when a system could not be started (an option its version lacks is reported
// and skipped, not an error).
#include <nats/nats.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bench/hotline_load.h"
#include "bench/hotline_systems.h"
#include "fmt/format.h"

using namespace deconflict::bench;

namespace {

struct Args {
  int rate = 1000;
  int seconds = 60;
  int warmup_seconds = 2;
  int ramp_seconds = 10;
  double ramp_factor = 1.5;
  int ramp_max_rate = 200'000;
  int bisect = 2;
  double sustain_p99_ms = 50;
  SystemOptions system;
  std::set<std::string> systems = {"deconflict", "jetstream", "jetstream-always"};
};

std::optional<Args> ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    const int n = std::atoi(value.c_str());
    if (flag == "--rate")
      a.rate = n;
    else if (flag == "--seconds")
      a.seconds = n;
    else if (flag == "--warmup-seconds")
      a.warmup_seconds = n;
    else if (flag == "--ramp-seconds")
      a.ramp_seconds = n;
    else if (flag == "--ramp-factor")
      a.ramp_factor = std::atof(value.c_str());
    else if (flag == "--ramp-max-rate")
      a.ramp_max_rate = n;
    else if (flag == "--bisect")
      a.bisect = n;
    else if (flag == "--sustain-p99-ms")
      a.sustain_p99_ms = std::atof(value.c_str());
    else if (flag == "--recipients")
      a.system.recipients = n;
    else if (flag == "--inflight")
      a.system.inflight = n;
    else if (flag == "--body-bytes")
      a.system.body_bytes = n;
    else if (flag == "--systems") {
      a.systems.clear();
      for (size_t at = 0; at <= value.size();) {
        const size_t comma = std::min(value.find(',', at), value.size());
        a.systems.insert(value.substr(at, comma - at));
        at = comma + 1;
      }
    } else {
      std::fprintf(stderr, "hotline_bench: unknown flag %s\n", flag.c_str());
      return std::nullopt;
    }
  }
  if ((argc - 1) % 2 != 0 || a.rate < 1 || a.seconds < 1 || a.system.recipients < 1 ||
      a.system.inflight < 1 || a.system.body_bytes < 64 || a.ramp_factor <= 1) {
    std::fprintf(stderr,
                 "hotline_bench: bad arguments (see the header of bench/hotline_bench.cc)\n");
    return std::nullopt;
  }
  return a;
}

// What one system did: the steady step and the ramp.
struct SystemResult {
  std::string name;
  std::string durability;
  std::string skipped;  // non-empty: the system did not run, and why
  std::optional<StepResult> steady;
  std::optional<StepResult> best;  // the highest sustained step (steady included)
  double peak_achieved = 0;        // the highest achieved rate of any step
  int reconnects = 0;
  std::string memory;
};

std::string Ms(const std::vector<double>& sorted, double p) {
  return fmt::format("{:.2f}", Percentile(sorted, p));
}

void PrintStep(const std::string& system, const std::string& phase, const StepResult& r,
               bool sustained) {
  std::printf(
      "  %-12s %-7s %6d/s x %5lld: achieved %8.0f/s  latency p50 %s p99 %s max %s ms  ack p99 %s "
      "ms  sender behind %.0f ms  errors %lld  missing %lld  dup %lld%s\n",
      system.c_str(), phase.c_str(), r.rate, static_cast<long long>(r.count), r.achieved_rate,
      Ms(r.latency_ms, 0.5).c_str(), Ms(r.latency_ms, 0.99).c_str(), Ms(r.latency_ms, 1.0).c_str(),
      Ms(r.ack_latency_ms, 0.99).c_str(), r.sender_behind_ms, static_cast<long long>(r.send_errors),
      static_cast<long long>(r.missing), static_cast<long long>(r.duplicates),
      sustained ? "  sustained" : "  NOT sustained");
  if (!r.first_error.empty()) std::printf("    first error: %s\n", r.first_error.c_str());
  if (r.received_unacked > 0) {
    std::printf("    %lld receipts of messages whose send failed\n",
                static_cast<long long>(r.received_unacked));
  }
  std::fflush(stdout);
}

// Runs the phases against one started system. `next_index` keeps ids unique over the run.
// False when a message was lost or duplicated, or a send failed at the steady rate.
bool Drive(HotlineSystem& system, const std::string& key, const Args& args, int64_t& next_index,
           std::vector<std::unique_ptr<Deliveries>>& records, SystemResult& out) {
  bool clean = true;
  auto step = [&](int rate, int seconds, const char* phase) {
    const int64_t count = static_cast<int64_t>(rate) * seconds;
    records.push_back(std::make_unique<Deliveries>(next_index, count, args.system.recipients));
    next_index += count;
    system.SetRecord(records.back().get());
    StepResult r =
        RunStep(system.sender(), *records.back(),
                {.rate = rate, .count = count, .inflight = args.system.inflight, .drain_s = 30});
    const bool ok = Sustained(r, args.sustain_p99_ms);
    PrintStep(key, phase, r, ok);
    out.peak_achieved = std::max(out.peak_achieved, r.achieved_rate);
    if (r.missing > 0 || r.duplicates > 0) clean = false;
    if (ok && (!out.best || r.rate > out.best->rate)) out.best = r;
    return std::make_pair(ok, std::move(r));
  };

  if (args.warmup_seconds > 0) step(args.rate, args.warmup_seconds, "warm-up");
  auto [steady_ok, steady] = step(args.rate, args.seconds, "steady");
  if (steady.send_errors > 0) clean = false;
  out.steady = std::move(steady);

  // The ramp: from a sustained steady rate, multiply until a step is not sustained; from one
  // that was not, divide until one is (down to kLowestRate). Then bisect between the two.
  constexpr int kLowestRate = 50;
  auto rounded = [](double rate) {
    const double unit = rate >= 1000 ? 100 : 10;
    return static_cast<int>(std::lround(rate / unit) * unit);
  };
  int good = steady_ok ? args.rate : 0, bad = steady_ok ? 0 : args.rate;
  for (double rate = args.rate * args.ramp_factor; good > 0 && rate <= args.ramp_max_rate;
       rate *= args.ramp_factor) {
    const int r = rounded(rate);
    if (step(r, args.ramp_seconds, "ramp").first) {
      good = r;
    } else {
      bad = r;
      break;
    }
  }
  for (double rate = args.rate / args.ramp_factor; good == 0 && rate >= kLowestRate;
       rate /= args.ramp_factor) {
    const int r = rounded(rate);
    if (step(r, args.ramp_seconds, "ramp").first)
      good = r;
    else
      bad = r;
  }
  for (int round = 0; round < args.bisect && good > 0 && bad > 0 && bad - good > good / 20;
       ++round) {
    const int r = rounded((good + bad) / 2.0);
    if (r <= good || r >= bad) break;
    if (step(r, args.ramp_seconds, "bisect").first)
      good = r;
    else
      bad = r;
  }
  out.reconnects = system.reconnects();
  out.memory = system.ServerMemory();
  return clean;
}

std::string Ratio(double a, double b) { return b > 0 ? fmt::format("{:.2f}x", a / b) : "n/a"; }

void PrintTable(const Args& args, const std::vector<SystemResult>& results) {
  std::printf(
      "\n%d msg/s of %d-byte bodies for %d s, 1 sender (%d sends in flight at most), %d "
      "recipients; sustained = every send acked, none lost or repeated, achieved >= 99%% "
      "of offered, p99 <= %.0f ms (steps of %d s)\n\n",
      args.rate, args.system.body_bytes, args.seconds, args.system.inflight, args.system.recipients,
      args.sustain_p99_ms, args.ramp_seconds);
  std::printf(
      "| system | at %d msg/s: achieved | p50 ms | p99 ms | max ms | highest sustained "
      "msg/s | its p50 / p99 ms | peak achieved msg/s |\n",
      args.rate);
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const auto& r : results) {
    if (!r.skipped.empty() || !r.steady) continue;
    const StepResult& s = *r.steady;
    std::printf(
        "| %s | %.0f | %s | %s | %s | %s | %s | %.0f |\n", r.name.c_str(), s.achieved_rate,
        Ms(s.latency_ms, 0.5).c_str(), Ms(s.latency_ms, 0.99).c_str(),
        Ms(s.latency_ms, 1.0).c_str(), r.best ? std::to_string(r.best->rate).c_str() : "none",
        r.best ? fmt::format("{} / {}", Ms(r.best->latency_ms, 0.5), Ms(r.best->latency_ms, 0.99))
                     .c_str()
               : "-",
        r.peak_achieved);
  }
  const SystemResult* dc = nullptr;
  for (const auto& r : results) {
    if (r.name.rfind("deconflict", 0) == 0 && r.steady) dc = &r;
  }
  for (const auto& r : results) {
    if (!dc || &r == dc || !r.steady) continue;
    const StepResult &a = *dc->steady, &b = *r.steady;
    std::printf("| deconflict / %s | %s | %s | %s | %s | %s | | %s |\n", r.name.c_str(),
                Ratio(a.achieved_rate, b.achieved_rate).c_str(),
                Ratio(Percentile(a.latency_ms, 0.5), Percentile(b.latency_ms, 0.5)).c_str(),
                Ratio(Percentile(a.latency_ms, 0.99), Percentile(b.latency_ms, 0.99)).c_str(),
                Ratio(Percentile(a.latency_ms, 1.0), Percentile(b.latency_ms, 1.0)).c_str(),
                Ratio(dc->best ? dc->best->rate : 0, r.best ? r.best->rate : 0).c_str(),
                Ratio(dc->peak_achieved, r.peak_achieved).c_str());
  }
  std::printf("\n");
  for (const auto& r : results) {
    if (r.skipped.empty()) {
      std::printf("%s: %s; server %s; recipient reconnections %d\n", r.name.c_str(),
                  r.durability.c_str(), r.memory.c_str(), r.reconnects);
    } else {
      std::printf("%s: not run: %s\n", r.name.c_str(), r.skipped.c_str());
    }
  }
  if (dc && dc->steady) {
    const double p99 = Percentile(dc->steady->latency_ms, 0.99);
    std::printf("target (design.md §6): deconflict p99 < 10 ms at %d msg/s: %.2f ms, %s\n",
                args.rate, p99, p99 < 10 ? "met" : "NOT met");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Args> args = ParseArgs(argc, argv);
  if (!args) return 2;
  args->system.run = static_cast<uint32_t>(std::time(nullptr));
  std::printf("libnats %s\n", nats_GetVersion());

  // Every system's Deliveries stay alive to the end: a late receipt never meets a freed record.
  std::vector<std::unique_ptr<Deliveries>> records;
  std::vector<SystemResult> results;
  int64_t next_index = 0;
  bool clean = true;
  struct Entry {
    std::string key;
    std::unique_ptr<HotlineSystem> system;
  };
  std::vector<Entry> entries;
  if (args->systems.count("deconflict"))
    entries.push_back({"deconflict", MakeDeconflict(args->system)});
  if (args->systems.count("jetstream")) {
    entries.push_back({"jetstream", MakeJetStream(args->system, {})});
  }
  if (args->systems.count("jetstream-always")) {
    entries.push_back(
        {"js-always", MakeJetStream(args->system, {.jetstream_block = "sync_interval: always",
                                                   .label = "sync_interval: always"})});
  }
  for (auto& [key, system] : entries) {
    SystemResult result;
    std::string error;
    bool unsupported = false;
    if (!system->Start(error, unsupported)) {
      system->Stop();
      if (!unsupported) {
        std::fprintf(stderr, "hotline_bench: %s: %s\n", key.c_str(), error.c_str());
        return 2;
      }
      result.name = key;
      result.skipped = error;
      std::printf("== %s: not run: %s\n", key.c_str(), error.c_str());
      results.push_back(std::move(result));
      continue;
    }
    result.name = system->name();
    result.durability = system->durability();
    std::printf("== %s\n", result.name.c_str());
    std::fflush(stdout);
    if (!Drive(*system, key, *args, next_index, records, result)) clean = false;
    system->Stop();
    results.push_back(std::move(result));
  }
  PrintTable(*args, results);
  if (!clean) std::printf("FAILED: a message was lost or duplicated, or a steady send failed\n");
  nats_Close();
  return clean ? 0 : 1;
}
