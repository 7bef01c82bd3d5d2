// cli/main.cc: the `deconflict` binary. Each subcommand family lives in its own file
// (see commands.h); every failure is reported through cli/exit.h.
#include <exception>
#include <string>

#include "CLI/CLI.hpp"
#include "cli/commands.h"
#include "cli/exit.h"

namespace {

// "party add": the subcommands given on the command line, for error messages.
std::string CommandPath(const CLI::App& app) {
  std::string path;
  for (const CLI::App* at = &app;;) {
    const std::vector<CLI::App*> given = at->get_subcommands();
    if (given.empty()) break;
    at = given.front();
    path += (path.empty() ? "" : " ") + at->get_name();
  }
  return path.empty() ? "deconflict" : path;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"deconflict: multi-party airspace deconfliction with a verifiable record"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "deconflict " DECONFLICT_VERSION);
  deconflict::cli::AddServeCommand(app);
  deconflict::cli::AddPartyCommands(app);
  deconflict::cli::AddSigningKeyCommands(app);
  deconflict::cli::AddHotlineCommands(app);
  deconflict::cli::AddSitesCommands(app);
  deconflict::cli::AddIncidentCommands(app);
  deconflict::cli::AddAckCommands(app);
  deconflict::cli::AddTacticalCommands(app);
  deconflict::cli::AddSimFeedCommand(app);
  deconflict::cli::AddSimIncidentsCommand(app);
  deconflict::cli::AddLedgerCommands(app);
  deconflict::cli::AddCaseCommands(app);
  deconflict::cli::AddWatchCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors print CLI11's help line; a command's own failure (CLI::RuntimeError from
    // cli::Die) has printed its line already and only sets the exit status.
    return app.exit(e);
  } catch (const std::exception& e) {
    // Our code does not throw; a library that does ends the command with a clear line, not
    // std::terminate.
    return deconflict::cli::ReportError(CommandPath(app), absl::InternalError(e.what()),
                                        "unexpected error");
  }
  return 0;
}
