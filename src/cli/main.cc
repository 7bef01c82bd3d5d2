// cli/main.cc: the `deconflict` binary. Each subcommand family lives in its own file
// (see commands.h).
#include "CLI/CLI.hpp"
#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"deconflict: multi-party airspace deconfliction with a verifiable record"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "deconflict " DECONFLICT_VERSION);
  deconflict::cli::AddServeCommand(app);
  deconflict::cli::AddPartyCommands(app);
  deconflict::cli::AddTacticalCommands(app);
  deconflict::cli::AddLedgerCommands(app);
  deconflict::cli::AddWatchCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
