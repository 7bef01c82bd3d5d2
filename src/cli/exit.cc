#include "cli/exit.h"

#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "fmt/format.h"

namespace deconflict::cli {

int ReportError(std::string_view command, const absl::Status& status, std::string_view context,
                int exit_code) {
  const std::string message(status.message().data(), status.message().size());
  // One write, so that lines of concurrent callers do not interleave.
  std::cerr << (context.empty() ? fmt::format("deconflict {}: {}\n", command, message)
                                : fmt::format("deconflict {}: {}: {}\n", command, context, message))
            << std::flush;
  return exit_code;
}

void Die(std::string_view command, const absl::Status& status, std::string_view context,
         int exit_code) {
  throw CLI::RuntimeError(ReportError(command, status, context, exit_code));
}

}  // namespace deconflict::cli
