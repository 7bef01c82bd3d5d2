// cli/exit.h: the one way a `deconflict` command fails: one line on stderr,
// "deconflict <command>: <message>", and exit status 1.
//
//   Foo foo = ValueOrDie("party add", MakeFoo());             // a StatusOr
//   DieIfError("party revoke", DoIt());                       // a Status
//   if (!found) Die("party list", absl::NotFoundError("no store in /tmp/x"));
//   return ReportError("serve", status);                      // in main(), outside CLI11
//
// Inside a CLI11 callback, Die prints the line and throws CLI::RuntimeError(exit_code), which
// CLI11's parse in main turns into the process's exit status (the CLI11 convention; nothing
// below cli/ throws). ReportError prints the same line and returns the exit status, for code
// that returns from main itself.
//
// The message is the Status's message (which names the field, e.g. "id: party id must have 1
// to 32 characters"), preceded by `context` and ": " when `context` is not empty. The code is
// not printed: it is for programs, the message for people.
//
// Thread-safety: thread-safe (one write to stderr per call).
#pragma once

#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace deconflict::cli {

// Prints the line for `status` (REQUIRES: not OK) and returns `exit_code`. Default: 1.
int ReportError(std::string_view command, const absl::Status& status, std::string_view context = {},
                int exit_code = 1);

// Prints the line and ends the command with `exit_code` (throws CLI::RuntimeError).
[[noreturn]] void Die(std::string_view command, const absl::Status& status,
                      std::string_view context = {}, int exit_code = 1);

// Die when `status` is not OK.
inline void DieIfError(std::string_view command, const absl::Status& status,
                       std::string_view context = {}) {
  if (!status.ok()) Die(command, status, context);
}

// The value, or Die with the error.
template <typename T>
T ValueOrDie(std::string_view command, absl::StatusOr<T> value, std::string_view context = {}) {
  if (!value.ok()) Die(command, value.status(), context);
  return *std::move(value);
}

}  // namespace deconflict::cli
