// Placeholder: filled in by the module that owns these subcommands.
#include "cli/commands.h"

namespace deconflict::cli {

void AddPartyCommands(CLI::App& app) {}

}  // namespace deconflict::cli
