// cli/case_commands.cc: `deconflict case ...`, a party's client of the case routes
// (monitoring/cases.h: the "notified place struck" cases).
//
//   deconflict case list --url U --token T                     GET /v1/cases, the JSON as is
//   deconflict case show --url U --token T --id ID             GET /v1/cases/{id}, as is
//   deconflict case export --url U --token T --id ID --out FILE
//       GET /v1/cases/{id}/bundle: the case's ledger entries, each with its inclusion proof
//       against one signed checkpoint and the openings this party may read (a bundle set,
//       ledger/bundle.h); checked to be one, then written to FILE for
//       `deconflict ledger verify --bundle FILE --key KEY` (offline).
//
// Refusals exit 1 with the server's message (cli/exit.h). Thread-compatible (one command per
// process).
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit.h"
#include "cli/server_url.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/bundle.h"
#include "ledger/note.h"

namespace deconflict::cli {
namespace {

struct CaseArgs {
  std::string url = "http://127.0.0.1:8080";
  std::string token, id, out;
};

// `id` as one path segment: RFC 3986 unreserved bytes as they are, every other byte %XX.
std::string PathSegment(std::string_view id) {
  std::string out;
  for (const char c : id) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    out += unreserved ? std::string(1, c) : fmt::format("%{:02X}", static_cast<uint8_t>(c));
  }
  return out;
}

// GET `target`: the body of a 200, or Die with the server's message.
std::string Get(std::string_view command, const CaseArgs& args, const std::string& target) {
  Endpoint endpoint;
  if (!ParseServerUrl(args.url, endpoint)) {
    Die(command, InvalidField("--url", "must be http://HOST:PORT"));
  }
  if (args.token.empty()) Die(command, InvalidField("--token", "is required"));
  const HttpAnswer answer =
      ValueOrDie(command, SendRequest(endpoint, "GET", target, args.token, "", /*timeout=*/120));
  if (answer.status != 200) {
    Die(command, absl::FailedPreconditionError(
                     fmt::format("GET {}: the server refused (HTTP {}): {}", target, answer.status,
                                 ErrorMessage(answer.body))));
  }
  return answer.body;
}

void RunList(const CaseArgs& args) {
  std::string body = Get("case list", args, "/v1/cases");
  if (body.empty() || body.back() != '\n') body += '\n';
  std::cout << body;
}

void RunShow(const CaseArgs& args) {
  std::string body = Get("case show", args, "/v1/cases/" + PathSegment(args.id));
  if (body.empty() || body.back() != '\n') body += '\n';
  std::cout << body;
}

void RunExport(const CaseArgs& args) {
  constexpr std::string_view kCommand = "case export";
  const std::string target = "/v1/cases/" + PathSegment(args.id) + "/bundle";
  const std::string body = Get(kCommand, args, target);
  // Written only when it is a bundle set: a holder should not keep a file that cannot verify.
  absl::StatusOr<ledger::BundleSet> set = ledger::ParseBundleSet(body);
  if (!set.ok()) {
    Die(kCommand, absl::DataLossError(fmt::format("GET {}: the answer is not a bundle set: {}",
                                                  target, set.status().message())));
  }
  std::string log_name = "the log";  // the checkpoint's origin is the log key's name
  if (absl::StatusOr<ledger::Note> note = ledger::ParseNote(set->checkpoint); note.ok()) {
    if (absl::StatusOr<ledger::Checkpoint> cp = ledger::ParseCheckpoint(note->text); cp.ok()) {
      log_name = cp->origin;
    }
  }
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  out << body;
  out.close();
  if (!out) Die(kCommand, InvalidField("--out", fmt::format("cannot write {}", args.out)));
  std::cout << fmt::format(
      "case {}: {} ledger entries with inclusion proofs against the checkpoint of size {} "
      "written to {}; check it offline with: deconflict ledger verify --bundle {} --key KEY "
      "(KEY: the verifier key of the log {}, which the server's operator prints with "
      "`deconflict ledger key --data DIR`)\n",
      args.id, set->items.size(), set->size, args.out, args.out, log_name);
}

void AddServerOptions(CLI::App* command, CaseArgs& args) {
  command->add_option("--url", args.url, "Server URL. Default: http://127.0.0.1:8080");
  command->add_option("--token", args.token, "Your party's bearer token")->required();
}

}  // namespace

void AddCaseCommands(CLI::App& app) {
  auto args = std::make_shared<CaseArgs>();
  CLI::App* cases = app.add_subcommand("case", "Cases: notified places struck");
  cases->require_subcommand(1);

  CLI::App* list = cases->add_subcommand("list", "The cases you may see (GET /v1/cases)");
  AddServerOptions(list, *args);
  list->callback([args] { RunList(*args); });

  CLI::App* show = cases->add_subcommand("show", "One case (GET /v1/cases/{id})");
  AddServerOptions(show, *args);
  show->add_option("--id", args->id, "Case id (the incident's)")->required();
  show->callback([args] { RunShow(*args); });

  CLI::App* exp = cases->add_subcommand(
      "export", "Write the case's ledger entries with their proofs, to verify offline");
  AddServerOptions(exp, *args);
  exp->add_option("--id", args->id, "Case id (the incident's)")->required();
  exp->add_option("--out", args->out, "Bundle set file to write")->required();
  exp->callback([args] { RunExport(*args); });
}

}  // namespace deconflict::cli
