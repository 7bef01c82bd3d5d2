// cli/sim_incidents_command.cc: `deconflict sim incidents --count N [--seed S] [--from T]
// [--to T] --out FILE|-`: synthetic ACLED rows (monitoring/generator.h) for demos and
// benchmarks (bench/incidents.sh), the current 31-column layout, deterministic by seed.
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "monitoring/generator.h"

namespace deconflict::cli {
namespace {

struct SimIncidentsArgs {
  int64_t count = 1000;
  uint64_t seed = 1;
  std::string from = "2026-01-01T00:00:00Z", to = "2026-11-30T00:00:00Z", out;
};

int Run(const SimIncidentsArgs& args) {
  constexpr std::string_view kCommand = "sim incidents";
  monitoring::GeneratorOptions options{.seed = args.seed, .count = args.count};
  absl::StatusOr<Timestamp> from = ParseRfc3339(args.from), to = ParseRfc3339(args.to);
  if (!from.ok()) Die(kCommand, InvalidField("--from", "must be an RFC 3339 time"));
  if (!to.ok()) Die(kCommand, InvalidField("--to", "must be an RFC 3339 time"));
  options.from = *from;
  options.to = *to;
  absl::Status written;
  if (args.out == "-") {
    written = monitoring::WriteIncidentCsv(options, std::cout);
  } else {
    std::ofstream file(args.out, std::ios::binary | std::ios::trunc);
    if (!file) Die(kCommand, InvalidField("--out", fmt::format("cannot write {}", args.out)));
    written = monitoring::WriteIncidentCsv(options, file);
    file.close();
    if (written.ok() && !file)
      written = absl::InternalError(fmt::format("writing {} failed", args.out));
  }
  DieIfError(kCommand, written);
  return 0;
}

}  // namespace

void AddSimIncidentsCommand(CLI::App& app) {
  CLI::App* sim = SimCommand(app);
  auto args = std::make_shared<SimIncidentsArgs>();
  CLI::App* incidents =
      sim->add_subcommand("incidents", "Synthetic ACLED incident rows (31 columns, header first)");
  incidents->add_option("--count", args->count, "Rows. Default: 1000");
  incidents->add_option("--seed", args->seed, "Same seed, same bytes. Default: 1");
  incidents->add_option("--from", args->from, "First day (RFC 3339). Default: 2026-01-01");
  incidents->add_option("--to", args->to, "Last day (RFC 3339). Default: 2026-11-30");
  incidents->add_option("--out", args->out, "File, or - for stdout")->required();
  incidents->callback([args] { std::exit(Run(*args)); });
}

}  // namespace deconflict::cli
