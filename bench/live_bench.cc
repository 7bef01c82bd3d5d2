// bench/live_bench.cc: the live picture end to end (bench/live.sh; design.md §6): 10,000 aircraft
// of 4 parties at 1 Hz through POST /v1/tracks while 4 watchers read GET /v1/events.
//
//   build/release/bench/live_bench [--aircraft 10000] [--seconds 60] [--ingest-seconds 10]
//                                      [--scenario dense|continental]
//                                      [--ingest-batch 10000] [--pair-every-s 2] [--cycle-ms 1000]
//                                      [--seed 1]
//
// Runs the real `deconflict serve` out of process (durable store in a temporary directory,
// parties P1..P4 as operators and G1 as guarantor, added through the CLI), then:
//   watchers  one WebSocket on GET /v1/events per operator party (from seq 1), each read by its
//             own thread, which records the receive time of every event and checks that the
//             seqs are gapless (an idle timeout reconnects with ?after=<last seq>, counted).
//   steady    `--seconds` of sim::Traffic (dense, or `--scenario continental`; `--aircraft`
//   aircraft round-robin over P1..P4):
//             every second each party's feeder thread posts its own aircraft's reports in one
//             batch over a kept-alive connection; per-POST latency, accepted, refused.
//   alerts    meanwhile, every `--pair-every-s` (plus a fixed-seed jitter of up to 1 s, so that
//             injections fall at every phase of the server's cycle), one fresh head-on pair of two
//             different parties, 20 km apart at one level, 250 m/s each, at its own spot far from
//             the sim's box: A's report is posted first, then B's; t0 is when B's POST answered.
//             The latency is the receipt of `encounter.opened` naming the pair at each of the two
//             parties' watchers minus t0. Injected aircraft are refreshed every second for 60 s.
//   ingest    then `--ingest-seconds` of 4 threads (one per party) posting batches of
//             `--ingest-batch` reports back to back (bodies built before the timed loop; only the
//             fixed-width "time" strings are rewritten per batch). Their aircraft sit on grids
//             far from everything, one level per party, all flying east at one speed: no conflict.
//   end       GET /v1/live/stats after each phase (cycle time over the server's last 1,000
//             cycles), VmRSS/VmHWM of the server after each phase; then every watcher must reach
//             the newest seq its party has in the store (GET /v1/events?after=...): no event lost.
// Prints one summary block with the targets beside the numbers. Exit status 0 when no event was
// lost, no report was refused and no request failed (a missed performance target is printed,
// not an error); 1 otherwise; 2 when the server cannot be started.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "boost/json.hpp"
#include "common/clock.h"
#include "common/time.h"
#include "fmt/format.h"
#include "sim/flight.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/ws_client.h"

using namespace deconflict;
using namespace deconflict::e2e;
using Steady = std::chrono::steady_clock;

namespace {

struct BenchArgs {
  int aircraft = 10'000;
  int seconds = 60;
  int ingest_seconds = 10;
  int ingest_batch = 10'000;
  int pair_every_s = 2;
  int cycle_ms = 1000;
  uint64_t seed = 1;
  sim::TrackScenario scenario = sim::TrackScenario::kDense;  // --scenario dense|continental
};
constexpr int kParties = 4;
// Injected aircraft: 20 km apart head-on, 250 m/s each; refreshed this long after injection.
constexpr double kPairDistanceM = 20'000, kPairSpeedMps = 250, kPairAltM = 9144;
constexpr std::chrono::seconds kPairRefreshFor{60};

int64_t NowNs() { return Steady::now().time_since_epoch().count(); }
double MsSince(Steady::time_point t) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t).count();
}

// Percentile of a sorted sample (0 when empty).
double Pct(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}
std::string Summary(std::vector<double> v, const char* unit) {
  std::sort(v.begin(), v.end());
  return fmt::format("p50 {:.1f} {u}  p99 {:.1f} {u}  max {:.1f} {u}  (n={})", Pct(v, 0.5),
                     Pct(v, 0.99), v.empty() ? 0 : v.back(), v.size(), fmt::arg("u", unit));
}

// "2026-11-25T10:00:00.123456Z": always 27 characters, so that a body can be rewritten in place.
std::string FixedRfc3339(Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z", int(ymd.year()),
                     unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

std::string PartyName(int party_idx) { return fmt::format("P{}", party_idx + 1); }

// VmRSS and VmHWM of a process, in MiB.
std::string Rss(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line, rss = "?", hwm = "?";
  auto mib = [](const std::string& l) {
    return fmt::format("{:.0f} MiB", std::atof(l.c_str() + l.find_first_of("0123456789")) / 1024);
  };
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = mib(line);
    if (line.rfind("VmHWM:", 0) == 0) hwm = mib(line);
  }
  return fmt::format("VmRSS {}, VmHWM {}", rss, hwm);
}

// ---------------------------------------------------------------------------------------------
// POST /v1/tracks and its answer.

struct PostCounts {
  int64_t requests = 0, accepted = 0, refused = 0, http_errors = 0;
  std::vector<double> latency_ms;
  std::string first_error;
  void Add(const PostCounts& o) {
    requests += o.requests, accepted += o.accepted, refused += o.refused;
    http_errors += o.http_errors;
    latency_ms.insert(latency_ms.end(), o.latency_ms.begin(), o.latency_ms.end());
    if (first_error.empty()) first_error = o.first_error;
  }
};

// Posts one batch; true when the server answered 200 with every report accepted.
bool PostBatch(HttpConnection& connection, const std::string& body, const std::string& token,
               PostCounts& counts) {
  const Steady::time_point start = Steady::now();
  HttpResult r = connection.Send("POST", "/v1/tracks", body, token);
  counts.latency_ms.push_back(MsSince(start));
  ++counts.requests;
  boost::json::value v = r.json();
  const boost::json::object* o = v.if_object();
  if (r.status != 200 || !o || !o->contains("accepted") || !o->contains("refused")) {
    ++counts.http_errors;
    if (counts.first_error.empty())
      counts.first_error = fmt::format("HTTP {}: {}", r.status, r.body.substr(0, 300));
    return false;
  }
  counts.accepted += o->at("accepted").to_number<int64_t>();
  const auto& refused = o->at("refused").as_array();
  counts.refused += static_cast<int64_t>(refused.size());
  if (!refused.empty() && counts.first_error.empty())
    counts.first_error = "refused: " + boost::json::serialize(refused.front());
  return refused.empty();
}

void AppendReport(std::string& out, const std::string& id, const std::string& time, double lat,
                  double lng, double alt_m, double gs, double trk, double vs) {
  fmt::format_to(std::back_inserter(out),
                 R"({{"id":"{}","time":"{}","lat":{},"lng":{},"alt_m":{},"gs_mps":{},)"
                 R"("trk_deg":{},"vs_mps":{}}})",
                 id, time, lat, lng, alt_m, gs, trk, vs);
}

// ---------------------------------------------------------------------------------------------
// Watchers

struct Received {
  int64_t ns = 0;  // steady clock at receipt
  int64_t seq = 0;
  // encounter.opened only:
  std::string pair;       // "party/track|party/track"
  Timestamp received_at;  // the system clock at receipt
  Timestamp cycle_at;     // "prediction.at": the time of the cycle that opened it
  Timestamp appended_at;  // "time": when the event was appended, in the cycle's unit of work
};

// One party's WebSocket on GET /v1/events, read by its own thread.
class Watcher {
 public:
  // A read idle for `idle` reconnects (the client's reads cannot wait without a timeout).
  Watcher(int port, std::string token, std::chrono::milliseconds idle)
      : port_(port), token_(std::move(token)), idle_(idle) {}
  bool Connect() {
    std::string error;
    client_ = WsClient::Connect(port_, token_, {.after = last_seq_}, nullptr, &error);
    if (!client_) std::fprintf(stderr, "watcher: %s\n", error.c_str());
    return client_ != nullptr;
  }
  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }
  // Stops the thread after its current read (at most `idle`); Join waits for it.
  void RequestStop() { stop_.store(true); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  int64_t last_seq() const { return last_seq_atomic_.load(); }
  // Valid after Join().
  const std::vector<Received>& received() const { return received_; }
  int64_t gaps = 0, duplicates = 0, idle_reconnects = 0, server_closes = 0, bad_messages = 0;
  std::map<std::string, int64_t> by_type;
  std::string last_close;

 private:
  void Loop() {
    while (!stop_.load()) {
      std::optional<std::string> text = client_->NextText(idle_);
      const int64_t ns = NowNs();
      if (!text) {
        if (client_->close_reason() == "(timed out)") {
          ++idle_reconnects;
        } else {
          ++server_closes;
          last_close = fmt::format("{} {}", client_->close_code(), client_->close_reason());
        }
        while (!stop_.load() && !Connect()) std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      Record(ns, *text);
    }
  }
  void Record(int64_t ns, const std::string& text) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    const boost::json::object* o = ec ? nullptr : v.if_object();
    if (!o || !o->contains("seq") || !o->contains("type")) {
      ++bad_messages;
      return;
    }
    Received r{.ns = ns, .seq = o->at("seq").to_number<int64_t>()};
    if (r.seq <= last_seq_) {
      ++duplicates;
      return;
    }
    gaps += r.seq - last_seq_ - 1;
    last_seq_ = r.seq;
    last_seq_atomic_.store(r.seq);
    ++by_type[std::string(o->at("type").as_string())];
    if (o->at("type") == "encounter.opened") {
      r.received_at = SystemClock().Now();
      r.cycle_at = ParseRfc3339(o->at("prediction").at("at").as_string()).value_or(Timestamp{});
      r.appended_at = ParseRfc3339(o->at("time").as_string()).value_or(Timestamp{});
      const auto& aircraft = o->at("aircraft").as_array();
      auto name = [](const boost::json::value& a) {
        return fmt::format("{}/{}", std::string(a.at("party").as_string()),
                           std::string(a.at("track").as_string()));
      };
      r.pair = name(aircraft.at(0)) + "|" + name(aircraft.at(1));
    }
    received_.push_back(std::move(r));
  }

  int port_;
  std::string token_;
  std::chrono::milliseconds idle_;
  std::unique_ptr<WsClient> client_;
  int64_t last_seq_ = 0;  // the watcher thread's
  std::atomic<int64_t> last_seq_atomic_{0};
  std::vector<Received> received_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The newest seq `token`'s party has in the store (paging on from `after`), or -1.
int64_t NewestStoredSeq(int port, const std::string& token, int64_t after) {
  HttpConnection connection(port);
  while (true) {
    HttpResult r =
        connection.Send("GET", fmt::format("/v1/events?after={}&limit=1000", after), "", token);
    boost::json::value v = r.json();
    if (r.status != 200 || !v.is_object()) return -1;
    const int64_t next = v.at("next_after").to_number<int64_t>();
    if (next == after) return after;
    after = next;
  }
}

// ---------------------------------------------------------------------------------------------
// The steady phase: one feeder per party.

// Party `party_idx`'s feeder: every second, its aircraft's reports in one batch.
// Every feeder flies its own copy of the same traffic (same options and start: sim/flight.h is
// deterministic) and sends only its party's aircraft.
PostCounts Feed(const BenchArgs& args, int port, const std::string& token, int party_idx,
                Timestamp sim_start, Steady::time_point start, int64_t* skipped) {
  std::vector<PartyId> parties;
  for (int p = 0; p < kParties; ++p) parties.emplace_back(PartyName(p));
  SystemClock clock;
  absl::StatusOr<sim::Traffic> traffic = sim::Traffic::Create({.scenario = args.scenario,
                                                               .count = args.aircraft,
                                                               .seed = args.seed,
                                                               .parties = parties,
                                                               .start = sim_start});
  PostCounts counts;
  if (!traffic.ok()) {
    counts.first_error = traffic.status().ToString();
    ++counts.http_errors;
    return counts;
  }
  HttpConnection connection(port);
  std::string body;
  for (int tick = 0; tick < args.seconds; ++tick) {
    const Steady::time_point due = start + std::chrono::seconds(tick);
    if (Steady::now() > due + std::chrono::seconds(1)) {
      ++*skipped;  // more than a period late: skip rather than burst
      continue;
    }
    std::this_thread::sleep_until(due);
    std::span<const tactical::Track> reports = traffic->Advance(clock.Now());
    body.assign(R"({"tracks":[)");
    for (size_t idx = party_idx; idx < reports.size(); idx += kParties) {
      const tactical::Track& t = reports[idx];
      if (idx != static_cast<size_t>(party_idx)) body += ',';
      AppendReport(body, t.id.value(), FormatRfc3339(t.time), t.lat_deg, t.lon_deg, t.alt_m,
                   t.ground_speed_mps, t.track_deg, t.vertical_rate_mps);
    }
    body += "]}";
    PostBatch(connection, body, token, counts);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Injected head-on pairs.

struct Pair {
  int a = 0, b = 0;         // party indices
  double lat = 0, lng = 0;  // the midpoint
  Timestamp injected_at;
  Steady::time_point injected_steady;
  int64_t t0_ns = 0;  // when B's POST answered 200; 0: injection failed
  Timestamp t0;       // the same on the system clock
  std::string key;    // as the watchers name it: "P1/X0A|P2/X0B" (ordered by party)
};

// Pair `pair_idx`: parties cycle through every combination; spots 0.5 deg of latitude apart
// over the Atlantic (20..50 N, from 40 W), far from the dense box (52 N 5 E).
Pair MakePair(int pair_idx) {
  Pair pair;
  pair.a = pair_idx % kParties;
  pair.b = (pair.a + 1 + (pair_idx / kParties) % (kParties - 1)) % kParties;
  pair.lat = 20 + 0.5 * (pair_idx % 60);
  pair.lng = -40 + 3.0 * (pair_idx / 60);
  std::string a = fmt::format("{}/X{}A", PartyName(pair.a), pair_idx);
  std::string b = fmt::format("{}/X{}B", PartyName(pair.b), pair_idx);
  pair.key = pair.a < pair.b ? a + "|" + b : b + "|" + a;
  return pair;
}

// Appends the report at `now` of the pair's aircraft of side `side` (0: A flying east from the
// west end, 1: B flying west from the east end).
void AppendPairReport(std::string& body, const Pair& pair, int pair_idx, int side, Timestamp now) {
  const double flown_m =
      kPairSpeedMps * std::chrono::duration<double>(now - pair.injected_at).count();
  const double offset_m = (side == 0 ? -1 : 1) * (kPairDistanceM / 2 - flown_m);
  const double lng = pair.lng + offset_m / (111'320 * std::cos(pair.lat * M_PI / 180));
  if (body.back() != '[') body += ',';
  AppendReport(body, fmt::format("X{}{}", pair_idx, side == 0 ? 'A' : 'B'), FormatRfc3339(now),
               pair.lat, lng, kPairAltM, kPairSpeedMps, side == 0 ? 90 : 270, 0);
}

class Injector {
 public:
  Injector(const BenchArgs& args, int port, const std::vector<std::string>& tokens)
      : args_(args), tokens_(tokens) {
    for (int p = 0; p < kParties; ++p)
      connections_.push_back(std::make_unique<HttpConnection>(port));
  }
  // Runs until `start + seconds`: refreshes every second, a new pair every pair_every_s (none
  // in the last 5 s, so that each one's alert can arrive within the phase).
  void Run(Steady::time_point start) {
    std::mt19937_64 rng(args_.seed);
    std::uniform_real_distribution<double> jitter_s(0, 1);
    const Steady::time_point end = start + std::chrono::seconds(args_.seconds);
    Steady::time_point next_refresh = start + std::chrono::milliseconds(500);
    auto next_pair = start + std::chrono::duration_cast<Steady::duration>(
                                 std::chrono::duration<double>(1 + jitter_s(rng)));
    while (true) {
      const Steady::time_point due = std::min(next_refresh, next_pair);
      if (due >= end) break;
      std::this_thread::sleep_until(due);
      if (due == next_pair) {
        Inject();
        next_pair =
            start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(
                        1.0 + args_.pair_every_s * pairs.size() + jitter_s(rng)));
        if (next_pair > end - std::chrono::seconds(5)) next_pair = end;
      } else {
        Refresh();
        next_refresh += std::chrono::seconds(1);
      }
    }
  }
  std::vector<Pair> pairs;
  PostCounts counts;

 private:
  void Inject() {
    const int pair_idx = static_cast<int>(pairs.size());
    Pair pair = MakePair(pair_idx);
    pair.injected_at = clock_.Now();
    pair.injected_steady = Steady::now();
    for (int side = 0; side < 2; ++side) {
      std::string body = R"({"tracks":[)";
      AppendPairReport(body, pair, pair_idx, side, clock_.Now());
      body += "]}";
      const int party = side == 0 ? pair.a : pair.b;
      const bool ok = PostBatch(*connections_[party], body, tokens_[party], counts);
      if (side == 1 && ok) {
        pair.t0_ns = NowNs();
        pair.t0 = clock_.Now();
      }
      if (!ok) break;
    }
    pairs.push_back(std::move(pair));
  }
  void Refresh() {
    const Timestamp now = clock_.Now();
    for (int party = 0; party < kParties; ++party) {
      std::string body = R"({"tracks":[)";
      bool any = false;
      for (size_t pair_idx = 0; pair_idx < pairs.size(); ++pair_idx) {
        const Pair& pair = pairs[pair_idx];
        if (Steady::now() - pair.injected_steady > kPairRefreshFor) continue;
        for (int side = 0; side < 2; ++side) {
          if ((side == 0 ? pair.a : pair.b) != party) continue;
          AppendPairReport(body, pair, static_cast<int>(pair_idx), side, now);
          any = true;
        }
      }
      body += "]}";
      if (any) PostBatch(*connections_[party], body, tokens_[party], counts);
    }
  }

  const BenchArgs& args_;
  const std::vector<std::string>& tokens_;
  std::vector<std::unique_ptr<HttpConnection>> connections_;
  SystemClock clock_;
};

// ---------------------------------------------------------------------------------------------
// The ingest phase.

// Party `party_idx`'s ingest body: `count` reports "G0".."G<count-1>" on a 0.1 deg grid over
// the Coral Sea, at a level of its own (600 m between parties), all flying east at 200 m/s.
// `time_at` receives the offset of every "time" value (27 characters, rewritten per batch).
std::string IngestBody(int party_idx, int count, std::vector<size_t>& time_at) {
  const std::string placeholder = FixedRfc3339(SystemClock().Now());
  std::string body = R"({"tracks":[)";
  body.reserve(static_cast<size_t>(count) * 140);
  for (int idx = 0; idx < count; ++idx) {
    if (idx > 0) body += ',';
    const size_t before = body.size();
    AppendReport(body, fmt::format("G{}", idx), placeholder, -30 + 0.1 * (idx / 100),
                 150 + 0.1 * (idx % 100), 6000 + 600 * party_idx, 200, 90, 0);
    time_at.push_back(body.find(placeholder, before));
  }
  body += "]}";
  return body;
}

PostCounts Ingest(int batch, int port, const std::string& token, int party_idx,
                  Steady::time_point end) {
  std::vector<size_t> time_at;
  std::string body = IngestBody(party_idx, batch, time_at);
  HttpConnection connection(port);
  SystemClock clock;
  PostCounts counts;
  Timestamp last{};
  while (Steady::now() < end) {
    // Times never run back (a report older than its track's newest is refused).
    last = std::max(clock.Now(), last + std::chrono::microseconds(1));
    const std::string time = FixedRfc3339(last);
    for (size_t at : time_at) body.replace(at, time.size(), time);
    PostBatch(connection, body, token, counts);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------

struct Stats {
  int64_t cycles = 0, tracks = 0, open_encounters = 0, reports_applied = 0;
  int64_t feed_refused = 0, commit_failures = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  bool ok = false;
};

Stats LiveStats(int port, const std::string& token) {
  HttpResult r = Http(port, "GET", "/v1/live/stats", "", token);
  boost::json::value v = r.json();
  Stats s;
  if (r.status != 200 || !v.is_object()) return s;
  auto n = [&](const char* name) { return v.at(name).to_number<int64_t>(); };
  auto us = [&](const char* name) { return v.at("cycle_us").at(name).to_number<double>() / 1000; };
  s = Stats{.cycles = n("cycles"),
            .tracks = n("tracks"),
            .open_encounters = n("open_encounters"),
            .reports_applied = n("reports_applied"),
            .feed_refused = n("feed_reports_refused"),
            .commit_failures = n("commit_failures"),
            .p50_ms = us("p50"),
            .p99_ms = us("p99"),
            .max_ms = us("max"),
            .ok = true};
  return s;
}
std::string Describe(const Stats& s) {
  if (!s.ok) return "GET /v1/live/stats failed";
  return fmt::format(
      "cycles {}, tracks {}, open encounters {}, reports applied {}, commit failures {}", s.cycles,
      s.tracks, s.open_encounters, s.reports_applied, s.commit_failures);
}

// Alert latencies (ms) of every pair at both of its parties' watchers, and their parts on the
// system clock: report -> the cycle that saw it, cycle -> its event appended in the cycle's unit
// of work, appended -> received (commit, the hub's push, the socket, the watcher's read).
struct AlertResult {
  std::vector<double> total, to_cycle, to_append, to_receipt;
  std::vector<std::pair<double, double>> by_injection;  // (total ms, injected s after start)
  int missing = 0;            // (pair, party) deliveries that never arrived
  int failed_injections = 0;  // pairs whose reports were not accepted
};

AlertResult AlertLatencies(const std::vector<Pair>& pairs,
                           const std::vector<std::unique_ptr<Watcher>>& watchers,
                           Steady::time_point start) {
  std::vector<std::map<std::string, const Received*>> first_opened(kParties);
  for (int p = 0; p < kParties; ++p) {
    for (const Received& r : watchers[p]->received()) {
      if (!r.pair.empty()) first_opened[p].emplace(r.pair, &r);
    }
  }
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  AlertResult result;
  for (const Pair& pair : pairs) {
    if (pair.t0_ns == 0) {
      ++result.failed_injections;
      continue;
    }
    for (int party : {pair.a, pair.b}) {
      auto it = first_opened[party].find(pair.key);
      if (it == first_opened[party].end()) {
        ++result.missing;
        continue;
      }
      const Received& r = *it->second;
      result.total.push_back((r.ns - pair.t0_ns) / 1e6);
      result.to_cycle.push_back(ms(r.cycle_at - pair.t0));
      result.to_append.push_back(ms(r.appended_at - r.cycle_at));
      result.to_receipt.push_back(ms(r.received_at - r.appended_at));
      result.by_injection.emplace_back(
          result.total.back(), std::chrono::duration<double>(pair.injected_steady - start).count());
    }
  }
  return result;
}

BenchArgs ParseArgs(int argc, char** argv) {
  BenchArgs args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const long value = std::atol(argv[i + 1]);
    if (flag == "--scenario") {
      absl::StatusOr<sim::TrackScenario> scenario = sim::ParseTrackScenario(argv[i + 1]);
      if (scenario.ok()) {
        args.scenario = *scenario;
      } else {
        std::fprintf(stderr, "live_bench: --scenario must be dense or continental\n");
      }
    } else if (flag == "--aircraft")
      args.aircraft = static_cast<int>(value);
    else if (flag == "--seconds")
      args.seconds = static_cast<int>(value);
    else if (flag == "--ingest-seconds")
      args.ingest_seconds = static_cast<int>(value);
    else if (flag == "--ingest-batch")
      args.ingest_batch = static_cast<int>(value);
    else if (flag == "--pair-every-s")
      args.pair_every_s = std::max(1, static_cast<int>(value));
    else if (flag == "--cycle-ms")
      args.cycle_ms = static_cast<int>(value);
    else if (flag == "--seed")
      args.seed = static_cast<uint64_t>(value);
    else
      std::fprintf(stderr, "live_bench: unknown flag %s (ignored)\n", flag.c_str());
  }
  return args;
}

std::string Verdict(bool met) { return met ? "met" : "MISSED"; }

}  // namespace

int main(int argc, char** argv) {
  const BenchArgs args = ParseArgs(argc, argv);

  // The server, its parties and the watchers.
  TempDir dir;
  std::vector<std::string> tokens;
  for (int p = 0; p < kParties; ++p)
    tokens.push_back(AddParty(dir.path(), PartyName(p), "operator"));
  const std::string guarantor = AddParty(dir.path(), "G1", "guarantor");
  ServerProcess server(dir.path(), {"--cycle-ms", std::to_string(args.cycle_ms)});
  if (guarantor.empty() || !server.Start()) {
    std::fprintf(stderr, "live_bench: cannot start the server: %s\n", server.error().c_str());
    return 2;
  }
  std::vector<std::unique_ptr<Watcher>> watchers;
  for (int p = 0; p < kParties; ++p) {
    watchers.push_back(std::make_unique<Watcher>(
        server.port(), tokens[p], std::chrono::milliseconds(std::max(3000, 3 * args.cycle_ms))));
    if (!watchers.back()->Connect()) return 2;
    watchers.back()->Start();
  }
  std::printf(
      "live_bench: server pid %d, port %d, data %s; %d aircraft of %d parties at 1 Hz "
      "for %d s, cycle %d ms\n",
      server.pid(), server.port(), dir.path().c_str(), args.aircraft, kParties, args.seconds,
      args.cycle_ms);
  std::fflush(stdout);

  // The steady phase.
  const Steady::time_point steady_start = Steady::now() + std::chrono::milliseconds(200);
  const Timestamp sim_start = SystemClock().Now();
  std::vector<PostCounts> feeds(kParties);
  std::vector<int64_t> skipped(kParties, 0);
  std::vector<std::thread> threads;
  for (int p = 0; p < kParties; ++p) {
    threads.emplace_back([&, p] {
      feeds[p] = Feed(args, server.port(), tokens[p], p, sim_start, steady_start, &skipped[p]);
    });
  }
  Injector injector(args, server.port(), tokens);
  threads.emplace_back([&] { injector.Run(steady_start); });
  for (std::thread& t : threads) t.join();
  threads.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * args.cycle_ms + 200));
  const Stats steady_stats = LiveStats(server.port(), guarantor);
  const std::string steady_rss = Rss(server.pid());
  PostCounts steady;
  for (const PostCounts& c : feeds) steady.Add(c);

  // The ingest phase, after one probe of the batch size (its reports are P1's first batch).
  int batch = args.ingest_batch;
  std::string ingest_note;
  {
    std::vector<size_t> time_at;
    const std::string probe = IngestBody(0, batch, time_at);
    HttpResult r = Http(server.port(), "POST", "/v1/tracks", probe, tokens[0]);
    if (r.status == 413) {
      const int fits = static_cast<int>(int64_t{batch} * ((1 << 20) - 4096) / probe.size());
      ingest_note = fmt::format(
          "  NOTE: a batch of {} reports ({} bytes) was refused: HTTP 413 {}; measured with "
          "batches of {} instead\n",
          batch, probe.size(), r.body, fits);
      batch = fits;
    }
  }
  std::vector<PostCounts> ingests(kParties);
  const Steady::time_point ingest_start = Steady::now();
  const Steady::time_point ingest_end = ingest_start + std::chrono::seconds(args.ingest_seconds);
  for (int p = 0; p < kParties; ++p) {
    threads.emplace_back(
        [&, p] { ingests[p] = Ingest(batch, server.port(), tokens[p], p, ingest_end); });
  }
  for (std::thread& t : threads) t.join();
  const double ingest_s = MsSince(ingest_start) / 1000;
  PostCounts ingest;
  for (const PostCounts& c : ingests) ingest.Add(c);
  std::this_thread::sleep_for(std::chrono::milliseconds(2 * args.cycle_ms + 200));
  const Stats ingest_stats = LiveStats(server.port(), guarantor);
  const std::string ingest_rss = Rss(server.pid());

  // No event lost: every watcher reaches its party's newest stored seq.
  std::vector<int64_t> newest(kParties), behind(kParties, 0);
  for (int p = 0; p < kParties; ++p) {
    newest[p] = NewestStoredSeq(server.port(), tokens[p], watchers[p]->last_seq());
  }
  const Steady::time_point wait_end = Steady::now() + std::chrono::seconds(10);
  for (int p = 0; p < kParties; ++p) {
    while (watchers[p]->last_seq() < newest[p] && Steady::now() < wait_end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    behind[p] = std::max<int64_t>(0, newest[p] - watchers[p]->last_seq());
  }
  for (auto& w : watchers) w->RequestStop();
  for (auto& w : watchers) w->Join();
  const int exit_status = server.Stop();

  // The summary.
  AlertResult alert = AlertLatencies(injector.pairs, watchers, steady_start);
  const int missing = alert.missing, failed_injections = alert.failed_injections;
  std::vector<double> alerts = alert.total;
  std::sort(alerts.begin(), alerts.end());
  const double alert_target_ms = args.cycle_ms + 50;
  int64_t events = 0, gaps = 0, duplicates = 0, lost_tail = 0, reconnects = 0, closes = 0, bad = 0,
          skipped_ticks = 0;
  std::string closed_by;  // the last close code and reason seen
  std::map<std::string, int64_t> by_type;
  for (int p = 0; p < kParties; ++p) {
    const Watcher& w = *watchers[p];
    events += static_cast<int64_t>(w.received().size());
    gaps += w.gaps, duplicates += w.duplicates, lost_tail += behind[p];
    reconnects += w.idle_reconnects, closes += w.server_closes, bad += w.bad_messages;
    if (!w.last_close.empty()) closed_by = " (" + w.last_close + ")";
    skipped_ticks += skipped[p];
    for (const auto& [type, count] : w.by_type) by_type[type] += count;
    if (newest[p] < 0) ++lost_tail;
  }
  const double ingest_rate = ingest_s > 0 ? ingest.accepted / ingest_s : 0;
  std::vector<double> ingest_latency = ingest.latency_ms;

  std::printf("\n==== live_bench summary ====\n");
  std::printf("steady    %d s, %d aircraft / %d parties, 1 batch of %d per party per second\n",
              args.seconds, args.aircraft, kParties, args.aircraft / kParties);
  std::printf(
      "  POST /v1/tracks  requests %ld, accepted %ld, refused %ld, HTTP errors %ld, "
      "ticks skipped %ld\n",
      steady.requests, steady.accepted, steady.refused, steady.http_errors, skipped_ticks);
  std::printf("  POST latency     %s\n", Summary(steady.latency_ms, "ms").c_str());
  std::printf("  cycle time       p50 %.1f ms  p99 %.1f ms  max %.1f ms   target p99 < 50 ms: %s\n",
              steady_stats.p50_ms, steady_stats.p99_ms, steady_stats.max_ms,
              Verdict(steady_stats.ok && steady_stats.p99_ms < 50).c_str());
  std::printf("  live stats       %s\n", Describe(steady_stats).c_str());
  std::printf("  server           %s\n", steady_rss.c_str());
  std::printf(
      "alerts    %zu head-on pairs injected (%d failed), %zu deliveries, %d never arrived\n",
      injector.pairs.size(), failed_injections, alerts.size(), missing);
  std::printf(
      "  report->event    %s   min %.1f ms   target p99 < %.0f ms: %s\n",
      Summary(alerts, "ms").c_str(), alerts.empty() ? 0 : alerts.front(), alert_target_ms,
      Verdict(!alerts.empty() && missing == 0 && Pct(alerts, 0.99) < alert_target_ms).c_str());
  std::printf("  of which        report->cycle %s\n", Summary(alert.to_cycle, "ms").c_str());
  std::printf("                   cycle->event appended %s\n",
              Summary(alert.to_append, "ms").c_str());
  std::printf("                   appended->received %s\n",
              Summary(alert.to_receipt, "ms").c_str());
  std::sort(alert.by_injection.rbegin(), alert.by_injection.rend());
  std::string worst;
  for (size_t idx = 0; idx < std::min<size_t>(5, alert.by_injection.size()); ++idx) {
    worst += fmt::format(" {:.0f} ms (injected at {:.1f} s),", alert.by_injection[idx].first,
                         alert.by_injection[idx].second);
  }
  std::printf("  slowest         %s\n", worst.substr(0, worst.size() - 1).c_str());
  std::printf("  injector POSTs   requests %ld, accepted %ld, refused %ld, HTTP errors %ld\n",
              injector.counts.requests, injector.counts.accepted, injector.counts.refused,
              injector.counts.http_errors);
  std::printf("ingest    %.1f s, 4 threads, batches of %d\n%s", ingest_s, batch,
              ingest_note.c_str());
  std::printf(
      "  accepted         %ld reports in %ld requests = %.0f reports/s   target >= "
      "200,000/s: %s\n",
      ingest.accepted, ingest.requests, ingest_rate, Verdict(ingest_rate >= 200'000).c_str());
  std::printf("  refused %ld, HTTP errors %ld; POST latency %s\n", ingest.refused,
              ingest.http_errors, Summary(ingest_latency, "ms").c_str());
  std::printf(
      "  cycle time       p50 %.1f ms  p99 %.1f ms  max %.1f ms (last 1,000 cycles, "
      "ingest tracks included)\n",
      ingest_stats.p50_ms, ingest_stats.p99_ms, ingest_stats.max_ms);
  std::printf("  live stats       %s\n", Describe(ingest_stats).c_str());
  std::printf("  server           %s\n", ingest_rss.c_str());
  std::printf(
      "events    %ld received by %d watchers; gaps %ld, duplicates %ld, behind the store "
      "at the end %ld, unreadable %ld; idle reconnects %ld, closed by the server %ld%s\n",
      events, kParties, gaps, duplicates, lost_tail, bad, reconnects, closes, closed_by.c_str());
  std::string types;
  for (const auto& [type, count] : by_type) types += fmt::format(" {} {},", type, count);
  std::printf("  by type:        %s\n", types.substr(0, types.size() - 1).c_str());
  const bool lost = gaps > 0 || duplicates > 0 || lost_tail > 0 || missing > 0;
  std::printf("  no event lost:   %s\n", lost ? "FAILED" : "yes");
  std::printf("server exit status %d\n", exit_status);
  for (const PostCounts* c : {&steady, &ingest, &injector.counts}) {
    if (!c->first_error.empty()) std::printf("first error: %s\n", c->first_error.c_str());
  }
  const bool errors = steady.refused + steady.http_errors + ingest.refused + ingest.http_errors +
                              injector.counts.refused + injector.counts.http_errors + bad >
                          0 ||
                      failed_injections > 0 || !steady_stats.ok;
  return lost || errors ? 1 : 0;
}
