// cli/tactical_commands.cc: `deconflict sim tracks` (track snapshots) and `deconflict detect`
// (one tactical detection cycle over a snapshot CSV).
//
//   deconflict sim tracks --scenario dense --n 10000 --seed 1 --parties 4 --out tracks.csv
//   deconflict detect --tracks tracks.csv --out pairs.csv [--lookahead 300] [--h-sep-m 9260]
//                     [--v-sep-m 304.8] [--same-party] [--threads 2]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/exit.h"
#include "fmt/format.h"
#include "sim/track_csv.h"
#include "sim/tracks.h"
#include "tactical/detector.h"

namespace deconflict::cli {

CLI::App* SimCommand(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_name() == "sim") return sub;
  }
  CLI::App* sim = app.add_subcommand("sim", "Generate synthetic data for demos, tests, benchmarks");
  sim->require_subcommand(1);
  return sim;
}

namespace {

struct SimTracksArgs {
  std::string scenario = "dense";
  int count = 1000;
  uint64_t seed = 1;
  int parties = 2;
  std::string out;
};

void RunSimTracks(const SimTracksArgs& args) {
  absl::StatusOr<sim::TrackScenario> scenario = sim::ParseTrackScenario(args.scenario);
  if (!scenario.ok()) Die("sim tracks", scenario.status());
  auto tracks = sim::GenerateTracks(
      {.scenario = *scenario, .count = args.count, .seed = args.seed, .parties = args.parties});
  if (!tracks.ok()) Die("sim tracks", tracks.status());
  if (absl::Status written = sim::WriteTrackCsvFile(*tracks, args.out); !written.ok()) {
    Die("sim tracks", written);
  }
  std::cout << fmt::format("wrote {} tracks ({} scenario, seed {}, {} parties) to {}\n",
                           tracks->size(), args.scenario, args.seed, args.parties, args.out);
}

struct DetectArgs {
  std::string tracks;
  std::string out;
  double lookahead_s = 300;
  double h_sep_m = 9260;
  double v_sep_m = 304.8;
  bool same_party = false;
  int threads = 2;
};

// Ids that are all digits compare as numbers ("2" < "10"), others as text, digits first.
bool IdLess(const std::string& x, const std::string& y) {
  auto numeric = [](const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  bool nx = numeric(x), ny = numeric(y);
  if (nx != ny) return nx;
  if (nx && x.size() != y.size()) return x.size() < y.size();
  return x < y;
}

void RunDetect(const DetectArgs& args) {
  const Timestamp at{};  // a snapshot: every track is at the same instant
  absl::StatusOr<std::vector<tactical::Track>> read = sim::ReadTrackCsvFile(args.tracks, at);
  if (!read.ok()) Die("detect", read.status());
  const std::vector<tactical::Track>& tracks = *read;
  tactical::Detector detector({
      .lookahead = std::chrono::duration<double>(args.lookahead_s),
      .minima = tactical::MinimaTable({.horizontal_m = args.h_sep_m, .vertical_m = args.v_sep_m}),
      .include_same_party = args.same_party,
      .num_threads = args.threads,
  });
  auto start = std::chrono::steady_clock::now();
  auto conflicts = detector.Detect(tracks, at);
  double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!conflicts.ok()) Die("detect", conflicts.status());

  struct Row {
    const std::string* a;
    const std::string* b;
    const tactical::Conflict* conflict;
  };
  std::vector<Row> rows;
  rows.reserve(conflicts->size());
  for (const tactical::Conflict& c : *conflicts) {
    const std::string* a = &tracks[c.a].id.value();
    const std::string* b = &tracks[c.b].id.value();
    if (IdLess(*b, *a)) std::swap(a, b);
    rows.push_back({a, b, &c});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
    if (*x.a != *y.a) return IdLess(*x.a, *y.a);
    return IdLess(*x.b, *y.b);
  });
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  if (!out)
    Die("detect", absl::NotFoundError(fmt::format("cannot open '{}' for writing", args.out)));
  out << "id_a,id_b,tcpa_s,dcpa_m,t_in_s,t_out_s\n";
  for (const Row& row : rows) {
    const tactical::Conflict& c = *row.conflict;
    out << fmt::format("{},{},{:.3f},{:.3f},{:.3f},{:.3f}\n", *row.a, *row.b, c.tcpa_s, c.dcpa_m,
                       c.t_in_s, c.t_out_s);
  }
  out.close();
  if (!out) Die("detect", absl::InternalError(fmt::format("cannot write '{}'", args.out)));
  std::cout << fmt::format(
      "{} conflicts among {} tracks; detection {:.1f} ms ({} threads); "
      "wrote {}\n",
      rows.size(), tracks.size(), elapsed_ms, args.threads, args.out);
}

}  // namespace

void AddTacticalCommands(CLI::App& app) {
  CLI::App* sim = SimCommand(app);
  auto sim_args = std::make_shared<SimTracksArgs>();
  CLI::App* tracks = sim->add_subcommand("tracks", "Write a synthetic track snapshot CSV");
  tracks->add_option("--scenario", sim_args->scenario, "dense or continental")
      ->check(CLI::IsMember({"dense", "continental"}))
      ->capture_default_str();
  tracks->add_option("--n", sim_args->count, "Number of tracks")
      ->check(CLI::Range(0, 10'000'000))
      ->capture_default_str();
  tracks->add_option("--seed", sim_args->seed, "Random seed")->capture_default_str();
  tracks->add_option("--parties", sim_args->parties, "Number of parties (round-robin)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  tracks->add_option("--out", sim_args->out, "Output CSV")->required();
  tracks->callback([sim_args] { RunSimTracks(*sim_args); });

  auto detect_args = std::make_shared<DetectArgs>();
  CLI::App* detect = app.add_subcommand(
      "detect", "Find every pair of tracks in or heading into loss of separation");
  detect->add_option("--tracks", detect_args->tracks, "Track snapshot CSV")->required();
  detect->add_option("--out", detect_args->out, "Output CSV of conflicting pairs")->required();
  detect->add_option("--lookahead", detect_args->lookahead_s, "Lookahead (s)")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  detect->add_option("--h-sep-m", detect_args->h_sep_m, "Horizontal minimum (m)")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  detect->add_option("--v-sep-m", detect_args->v_sep_m, "Vertical minimum (m)")
      ->check(CLI::Range(0.1, 1e5))
      ->capture_default_str();
  detect->add_flag("--same-party", detect_args->same_party, "Also report same-party pairs");
  detect->add_option("--threads", detect_args->threads, "Threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  detect->callback([detect_args] { RunDetect(*detect_args); });
}

}  // namespace deconflict::cli
