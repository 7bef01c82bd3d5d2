// cli/signing_key_commands.cc: `deconflict party key add|list|revoke|generate` and `keys generate`
// (parties/signing_key.h). add, list and revoke are the server's operator's, on the store (they
// work while the server runs); generate is for a party's duty officer, on their own machine: it
// writes a new private key file (mode 0600, never overwritten) and prints the public key to give
// to the server's operator.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit.h"
#include "common/digest.h"
#include "common/time.h"
#include "fmt/format.h"
#include "parties/signing_key.h"
#include "store/signing_keys_table.h"
#include "store/store.h"

namespace deconflict::cli {
namespace {

struct KeyArgs {
  std::string data;
  std::string party;
  std::string key;
  std::string name;
  std::string key_id;
  std::string out;
};

// Refuses a directory without a store, so that a mistyped --data does not create an empty one.
std::unique_ptr<store::Store> OpenExistingStoreOrDie(std::string_view command,
                                                     const std::string& dir) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "deconflict.db")) {
    Die(command, absl::NotFoundError(fmt::format("no store in {} (no deconflict.db there)", dir)));
  }
  return ValueOrDie(command, store::Store::Open(dir),
                    fmt::format("cannot open the store in {}", dir));
}

void RunKeyAdd(const KeyArgs& args) {
  constexpr std::string_view kCommand = "party key add";
  const PartyId party = ValueOrDie(kCommand, ParsePartyId(args.party), "--party");
  const std::string key = ValueOrDie(kCommand, parties::ParsePublicKey(args.key, "--key"));
  DieIfError(kCommand, parties::CheckKeyName(args.name, "--name"));
  auto store = OpenExistingStoreOrDie(kCommand, args.data);
  SystemClock clock;
  const store::SigningKeyRecord added = ValueOrDie(
      kCommand, parties::AddSigningKey(*store, clock, party, key, args.name), "key not added");
  std::cout << fmt::format("signing key {} added for party {}; ledger index {}\n", added.key_id,
                           added.party, added.ledger_index);
}

void RunKeyList(const KeyArgs& args) {
  constexpr std::string_view kCommand = "party key list";
  if (!args.party.empty()) ValueOrDie(kCommand, ParsePartyId(args.party), "--party");
  auto store = OpenExistingStoreOrDie(kCommand, args.data);
  const std::vector<store::SigningKeyRecord> keys =
      ValueOrDie(kCommand, store::ListSigningKeys(*store, args.party));
  std::cout << fmt::format("{:<16} {:<32} {:<20} {:<44} {}\n", "KEY ID", "PARTY", "STATUS",
                           "PUBLIC KEY", "NAME");
  for (const store::SigningKeyRecord& k : keys) {
    const std::string status =
        k.revoked_at ? "revoked " + FormatRfc3339(*k.revoked_at).substr(0, 10) : "active";
    std::cout << fmt::format("{:<16} {:<32} {:<20} {:<44} {}\n", k.key_id, k.party, status,
                             Base64(k.public_key), k.name);
  }
}

void RunKeyRevoke(const KeyArgs& args) {
  constexpr std::string_view kCommand = "party key revoke";
  const std::string key_id = ValueOrDie(kCommand, parties::ParseKeyId(args.key_id, "--key-id"));
  auto store = OpenExistingStoreOrDie(kCommand, args.data);
  SystemClock clock;
  const parties::RevokedSigningKey revoked =
      ValueOrDie(kCommand, parties::RevokeSigningKey(*store, clock, key_id), "not revoked");
  std::cout << fmt::format("signing key {} of party {} revoked; ledger index {}\n",
                           revoked.key.key_id, revoked.key.party, revoked.ledger_index);
}

void RunKeyGenerate(const KeyArgs& args, std::string_view kCommand = "party key generate") {
  const parties::PrivateSigningKey key = parties::GenerateSigningKey();
  DieIfError(kCommand, parties::WritePrivateKeyFile(args.out, key), "key not written");
  // stdout: the public key alone, so that scripts can capture it.
  std::cout << Base64(key.public_key) << "\n";
  std::cerr << fmt::format(
      "private key written to {} (mode 0600); key id {}. Register the public key: deconflict "
      "keys register --url URL --token TOKEN --key {} (or give it to the server's operator: "
      "deconflict party key add --party P --key <public key>)\n",
      args.out, parties::SigningKeyId(key.public_key), args.out);
}

}  // namespace

void AddSigningKeyCommands(CLI::App& app) {
  // `party` is registered by AddPartyCommands; the key commands join it.
  CLI::App* party = nullptr;
  for (CLI::App* sub : app.get_subcommands([](CLI::App* a) { return a->get_name() == "party"; })) {
    party = sub;
  }
  if (party == nullptr) party = app.add_subcommand("party", "Manage parties");
  CLI::App* key = party->add_subcommand("key", "Manage parties' Ed25519 signing keys");
  key->require_subcommand(1);
  auto args = std::make_shared<KeyArgs>();

  CLI::App* add = key->add_subcommand("add", "Register a party's public key (a ledger entry)");
  add->add_option("--data", args->data, "Data directory of the store")->required();
  add->add_option("--party", args->party, "Party id")->required();
  add->add_option("--key", args->key, "Ed25519 public key: base64 of 32 bytes")->required();
  add->add_option("--name", args->name, "Label, e.g. the duty desk (up to 100 bytes)");
  add->callback([args] { RunKeyAdd(*args); });

  CLI::App* list = key->add_subcommand("list", "List registered keys, revoked ones included");
  list->add_option("--data", args->data, "Data directory of the store")->required();
  list->add_option("--party", args->party, "Only this party's keys");
  list->callback([args] { RunKeyList(*args); });

  CLI::App* revoke = key->add_subcommand("revoke", "Revoke a key at once (a ledger entry)");
  revoke->add_option("--data", args->data, "Data directory of the store")->required();
  revoke
      ->add_option("--key-id", args->key_id,
                   "Key id: 16 hex digits, the first 8 bytes of SHA-256 of the public key")
      ->required();
  revoke->callback([args] { RunKeyRevoke(*args); });

  CLI::App* generate = key->add_subcommand(
      "generate", "Write a new private key file (mode 0600) and print its public key");
  generate->add_option("--out", args->out, "Path of the new private key file")->required();
  generate->callback([args] { RunKeyGenerate(*args); });

  // A party's duty officer's own family: `deconflict keys generate` (the same as `party key
  // generate`) and `keys register` (cli/hotline_commands.cc, PUT /v1/me/keys/{key_id}).
  CLI::App* keys = app.add_subcommand("keys", "Your party's signing keys (for signed acks)");
  keys->require_subcommand(1);
  CLI::App* own = keys->add_subcommand(
      "generate", "Write a new private key file (mode 0600) and print its public key");
  own->add_option("--out", args->out, "Path of the new private key file")->required();
  own->callback([args] { RunKeyGenerate(*args, "keys generate"); });
}

}  // namespace deconflict::cli
