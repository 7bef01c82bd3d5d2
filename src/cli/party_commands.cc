// cli/party_commands.cc: `deconflict party add|list|revoke`. They work while the server runs:
// both processes share the store, and the server notices changes at its next request.
#include <filesystem>
#include <iostream>

#include "api/parties.h"
#include "cli/commands.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "store/store.h"

namespace deconflict::cli {
namespace {

// `create`: party add may start a new store; list and revoke refuse a directory without one, so
// that a mistyped --data does not silently act on an empty new store.
std::unique_ptr<store::Store> OpenStoreOrExit(const std::string& dir, bool create) {
  if (!create && !std::filesystem::exists(std::filesystem::path(dir) / "deconflict.db")) {
    std::cerr << fmt::format("deconflict: no store in {} (no deconflict.db there)\n", dir);
    throw CLI::RuntimeError(1);
  }
  absl::StatusOr<std::unique_ptr<store::Store>> store = store::Store::Open(dir);
  if (!store.ok()) {
    std::cerr << fmt::format("deconflict: cannot open the store in {}: {}\n", dir, store.status().message());
    throw CLI::RuntimeError(1);
  }
  return *std::move(store);
}

struct PartyArgs {
  std::string data;
  std::string id;
  std::string name;
  std::string role;
};

}  // namespace

void AddPartyCommands(CLI::App& app) {
  CLI::App* party = app.add_subcommand("party", "Manage parties and their bearer tokens");
  party->require_subcommand(1);
  auto args = std::make_shared<PartyArgs>();

  CLI::App* add = party->add_subcommand("add", "Add a party and print its token (shown once)");
  add->add_option("--data", args->data, "Data directory of the store")->required();
  add->add_option("--id", args->id, "Party id: 1-32 of [A-Za-z0-9_-], e.g. RU")->required();
  add->add_option("--name", args->name, "Display name")->required();
  add->add_option("--role", args->role, "operator, host, guarantor, observer or humanitarian")->required();
  add->callback([args] {
    auto store = OpenStoreOrExit(args->data, /*create=*/true);
    SystemClock clock;
    absl::StatusOr<api::NewParty> added = api::AddParty(*store, clock, args->id, args->name, args->role);
    if (!added.ok()) {
      std::cerr << fmt::format("deconflict: party not added: {}\n", added.status().message());
      throw CLI::RuntimeError(1);
    }
    std::cout << fmt::format("party {} ({}, {}) added; ledger index {}\n", args->id, args->name,
                             args->role, added->ledger_index);
    std::cout << fmt::format("token: {}\n", added->token);
    std::cerr << "Store the token now: it is not kept and cannot be shown again.\n";
  });

  CLI::App* list = party->add_subcommand("list", "List parties");
  list->add_option("--data", args->data, "Data directory of the store")->required();
  list->callback([args] {
    auto store = OpenStoreOrExit(args->data, /*create=*/false);
    absl::StatusOr<std::vector<store::PartyRecord>> parties = store->ListParties();
    if (!parties.ok()) {
      std::cerr << fmt::format("deconflict: {}\n", parties.status().message());
      throw CLI::RuntimeError(1);
    }
    std::cout << fmt::format("{:<32} {:<13} {:<22} {}\n", "ID", "ROLE", "STATUS", "NAME");
    for (const auto& p : *parties) {
      std::string status = p.revoked_at ? "revoked " + FormatRfc3339(*p.revoked_at).substr(0, 10) : "active";
      std::cout << fmt::format("{:<32} {:<13} {:<22} {}\n", p.id, p.role, status, p.name);
    }
  });

  CLI::App* revoke = party->add_subcommand("revoke", "Revoke a party's token at once");
  revoke->add_option("--data", args->data, "Data directory of the store")->required();
  revoke->add_option("--id", args->id, "Party id")->required();
  revoke->callback([args] {
    auto store = OpenStoreOrExit(args->data, /*create=*/false);
    SystemClock clock;
    absl::StatusOr<uint64_t> index = api::RevokeParty(*store, clock, args->id);
    if (!index.ok()) {
      std::cerr << fmt::format("deconflict: not revoked: {}\n", index.status().message());
      throw CLI::RuntimeError(1);
    }
    std::cout << fmt::format("party {} revoked; ledger index {}\n", args->id, *index);
  });
}

}  // namespace deconflict::cli
