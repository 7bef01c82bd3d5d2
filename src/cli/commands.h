// cli/commands.h: the subcommand families of the `deconflict` binary.
//
// Each Add*Commands function registers its subcommands on `app`; its callbacks print what the
// user needs and signal failure by throwing CLI::RuntimeError(exit_code) after printing a clear
// message to stderr (the CLI11 convention; nothing below the cli module throws).
#pragma once

#include "CLI/CLI.hpp"

namespace deconflict::cli {

void AddServeCommand(CLI::App& app);     // serve_command.cc
void AddPartyCommands(CLI::App& app);    // party_commands.cc
void AddTacticalCommands(CLI::App& app); // tactical_commands.cc: `sim tracks`, `detect`
void AddLedgerCommands(CLI::App& app);
void AddWatchCommand(CLI::App& app);    // watch_command.cc: `watch` (GET /v1/events)   // ledger_commands.cc: `ledger key|export|verify|check`

}  // namespace deconflict::cli
