// cli/party_commands.cc: `deconflict party add|list|revoke` (parties/party.h). They work while
// the server runs: both processes share the store, and the server notices changes at its next
// request. A revocation also ends the party's live operations (each with a ledger entry).
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit.h"
#include "common/time.h"
#include "fmt/format.h"
#include "parties/party.h"
#include "store/store.h"

namespace deconflict::cli {
namespace {

// `create`: party add may start a new store; list and revoke refuse a directory without one, so
// that a mistyped --data does not silently act on an empty new store.
std::unique_ptr<store::Store> OpenStoreOrDie(std::string_view command, const std::string& dir,
                                             bool create) {
  if (!create && !std::filesystem::exists(std::filesystem::path(dir) / "deconflict.db")) {
    Die(command, absl::NotFoundError(fmt::format("no store in {} (no deconflict.db there)", dir)));
  }
  return ValueOrDie(command, store::Store::Open(dir),
                    fmt::format("cannot open the store in {}", dir));
}

struct PartyArgs {
  std::string data;
  std::string id;
  std::string name;
  std::string role;
};

void RunAdd(const PartyArgs& args) {
  constexpr std::string_view kCommand = "party add";
  const parties::PartySpec spec =
      ValueOrDie(kCommand, parties::ParsePartySpec(args.id, args.name, args.role));
  auto store = OpenStoreOrDie(kCommand, args.data, /*create=*/true);
  SystemClock clock;
  const parties::NewParty added =
      ValueOrDie(kCommand, parties::AddParty(*store, clock, spec), "party not added");
  std::cout << fmt::format("party {} ({}, {}) added; ledger index {}\n", spec.id.value(), spec.name,
                           parties::RoleName(spec.role), added.ledger_index);
  std::cout << fmt::format("token: {}\n", added.token);
  std::cerr << "Store the token now: it is not kept and cannot be shown again.\n";
}

void RunList(const PartyArgs& args) {
  constexpr std::string_view kCommand = "party list";
  auto store = OpenStoreOrDie(kCommand, args.data, /*create=*/false);
  const std::vector<store::PartyRecord> parties = ValueOrDie(kCommand, store->ListParties());
  std::cout << fmt::format("{:<32} {:<13} {:<22} {}\n", "ID", "ROLE", "STATUS", "NAME");
  for (const auto& p : parties) {
    std::string status =
        p.revoked_at ? "revoked " + FormatRfc3339(*p.revoked_at).substr(0, 10) : "active";
    std::cout << fmt::format("{:<32} {:<13} {:<22} {}\n", p.id, p.role, status, p.name);
  }
}

void RunRevoke(const PartyArgs& args) {
  constexpr std::string_view kCommand = "party revoke";
  const PartyId id = ValueOrDie(kCommand, ParsePartyId(args.id), "id");
  auto store = OpenStoreOrDie(kCommand, args.data, /*create=*/false);
  SystemClock clock;
  const parties::Revocation revoked =
      ValueOrDie(kCommand, parties::RevokeParty(*store, clock, id), "not revoked");
  std::cout << fmt::format("party {} revoked; ledger index {}\n", id.value(), revoked.ledger_index);
  std::cout << fmt::format("{} live operation(s) ended\n", revoked.ended_operations.size());
  for (const parties::EndedOperation& op : revoked.ended_operations) {
    std::cout << fmt::format("  ended {}; ledger index {}\n", op.id.value(), op.ledger_index);
  }
}

}  // namespace

void AddPartyCommands(CLI::App& app) {
  CLI::App* party = app.add_subcommand("party", "Manage parties and their bearer tokens");
  party->require_subcommand(1);
  auto args = std::make_shared<PartyArgs>();

  CLI::App* add = party->add_subcommand("add", "Add a party and print its token (shown once)");
  add->add_option("--data", args->data, "Data directory of the store")->required();
  add->add_option("--id", args->id, "Party id: 1-32 of [A-Za-z0-9_-], e.g. RU")->required();
  add->add_option("--name", args->name, "Display name")->required();
  add->add_option("--role", args->role, "operator, host, guarantor, observer or humanitarian")
      ->required();
  add->callback([args] { RunAdd(*args); });

  CLI::App* list = party->add_subcommand("list", "List parties");
  list->add_option("--data", args->data, "Data directory of the store")->required();
  list->callback([args] { RunList(*args); });

  CLI::App* revoke =
      party->add_subcommand("revoke", "Revoke a party's token at once and end its live operations");
  revoke->add_option("--data", args->data, "Data directory of the store")->required();
  revoke->add_option("--id", args->id, "Party id")->required();
  revoke->callback([args] { RunRevoke(*args); });
}

}  // namespace deconflict::cli
