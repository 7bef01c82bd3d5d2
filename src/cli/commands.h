// cli/commands.h: the subcommand families of the `deconflict` binary.
//
// Each Add*Commands function registers its subcommands on `app`; its callbacks print what the
// user needs and fail through cli/exit.h (Die: "deconflict <command>: <message>" on stderr, then
// CLI::RuntimeError(exit_code), the CLI11 convention; nothing below the cli module throws).
#pragma once

#include "CLI/CLI.hpp"

namespace deconflict::cli {

void AddServeCommand(CLI::App& app);   // serve_command.cc
void AddPartyCommands(CLI::App& app);  // party_commands.cc
// signing_key_commands.cc: `party key add|list|revoke|generate` (after AddPartyCommands)
void AddSigningKeyCommands(CLI::App& app);
// hotline_commands.cc: `hotline channel|send|inbox|ack`, `keys register` (after
// AddSigningKeyCommands, which adds `keys generate`)
void AddHotlineCommands(CLI::App& app);
void AddSitesCommands(CLI::App& app);     // sites_commands.cc: `sites import`
void AddIncidentCommands(CLI::App& app);  // incident_commands.cc: `incidents import`
void AddAckCommands(CLI::App& app);       // ack_commands.cc: `ack sign|verify`
void AddTacticalCommands(CLI::App& app);  // tactical_commands.cc: `sim tracks`, `detect`
// sim_feed_command.cc: `sim feed` (synthetic live traffic to POST /v1/tracks or as SBS-1)
void AddSimFeedCommand(CLI::App& app);
// sim_incidents_command.cc: `sim incidents` (synthetic ACLED rows, monitoring/generator.h)
void AddSimIncidentsCommand(CLI::App& app);
// The `sim` parent command of `app`, created on first use so that families can add children
// (tactical_commands.cc).
CLI::App* SimCommand(CLI::App& app);
// ledger_commands.cc: `ledger key|export|verify|check|witness|cosign`
void AddLedgerCommands(CLI::App& app);
void AddCaseCommands(CLI::App& app);  // case_commands.cc: `case list|show|export`
void AddWatchCommand(CLI::App& app);  // watch_command.cc: `watch` (GET /v1/events)

}  // namespace deconflict::cli
