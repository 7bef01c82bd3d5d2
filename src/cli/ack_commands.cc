// cli/ack_commands.cc: `deconflict ack sign|verify` (parties/acknowledgement.h,
// docs/acknowledgements.md).
//
//   deconflict ack sign --key desk.key --kind hotline.message --object amman-hmeimim/42
//       --digest <64 hex> --party RU [--time 2026-11-25T07:00:00Z]
// prints the base64 signature on stdout (and the statement's time on stderr, which the verifier
// needs when --time was not given), so a duty officer or a test can sign from a shell.
//
//   deconflict ack verify --data DIR --kind ... --object ... --digest ... --party RU
//       --time 2026-11-25T07:00:00Z --signature <base64> [--key-id ID] [--max-skew S | --any-time]
// checks a signature offline against the store's registered keys: "OK: ..." and exit 0, or the
// reason and exit 1.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"
#include "store/signing_keys_table.h"
#include "store/store.h"

namespace deconflict::cli {
namespace {

// The signature argument: base64 (common/digest.h FromAnyBase64), or InvalidArgument naming it.
absl::StatusOr<std::string> DecodeSignature(const std::string& text) {
  std::optional<std::string> raw = FromAnyBase64(text);
  if (!raw) return InvalidField("--signature", "is not base64");
  return *std::move(raw);
}

struct AckArgs {
  std::string key_file;
  std::string data;
  std::string kind;
  std::string object;
  std::string digest;
  std::string party;
  std::string time;
  std::string signature;
  std::string key_id;
  int64_t max_skew = 300;
  bool any_time = false;
};

// The statement from the arguments; `now` when --time is empty (truncated to the second).
parties::AckStatement StatementOrDie(std::string_view command, const AckArgs& args, Timestamp now) {
  parties::AckStatement statement{
      .kind = args.kind,
      .object_id = args.object,
      .object_digest = ValueOrDie(command, parties::ParseObjectDigest(args.digest, "--digest")),
      .party = ValueOrDie(command, ParsePartyId(args.party), "--party"),
      .time = std::chrono::floor<std::chrono::seconds>(now)};
  if (!args.time.empty())
    statement.time = ValueOrDie(command, parties::ParseAckTime(args.time, "--time"));
  // Field errors name the statement's fields ("kind"); say which option carries them.
  absl::Status valid = parties::EncodeAckStatement(statement).status();
  if (!valid.ok()) Die(command, valid, "bad statement (--kind, --object)");
  return statement;
}

void RunSign(const AckArgs& args) {
  constexpr std::string_view kCommand = "ack sign";
  SystemClock clock;
  const parties::AckStatement statement = StatementOrDie(kCommand, args, clock.Now());
  const parties::PrivateSigningKey key =
      ValueOrDie(kCommand, parties::ReadPrivateKeyFile(args.key_file), "--key");
  const std::string signature = ValueOrDie(kCommand, parties::SignAcknowledgement(key, statement));
  std::cout << Base64(signature) << "\n";
  std::cerr << fmt::format("signed with key {} at --time {}\n",
                           parties::SigningKeyId(key.public_key),
                           parties::FormatAckTime(statement.time));
}

void RunVerify(const AckArgs& args) {
  constexpr std::string_view kCommand = "ack verify";
  SystemClock clock;
  const parties::AckStatement statement = StatementOrDie(kCommand, args, clock.Now());
  const std::string signature = ValueOrDie(kCommand, DecodeSignature(args.signature));
  std::string key_id;
  if (!args.key_id.empty())
    key_id = ValueOrDie(kCommand, parties::ParseKeyId(args.key_id, "--key-id"));
  if (args.max_skew < 0) Die(kCommand, absl::InvalidArgumentError("--max-skew: must be >= 0"));
  if (!std::filesystem::exists(std::filesystem::path(args.data) / "deconflict.db")) {
    Die(kCommand,
        absl::NotFoundError(fmt::format("no store in {} (no deconflict.db there)", args.data)));
  }
  auto store = ValueOrDie(kCommand, store::Store::Open(args.data),
                          fmt::format("cannot open the store in {}", args.data));
  const std::vector<store::SigningKeyRecord> keys =
      ValueOrDie(kCommand, store::ListSigningKeys(*store));
  parties::AckVerifyOptions options;
  options.max_skew = std::chrono::seconds(args.max_skew);
  if (args.any_time) options.max_skew = std::nullopt;
  const parties::VerifiedAck ack = ValueOrDie(
      kCommand, parties::VerifyAcknowledgement(keys, statement, signature, key_id, clock, options),
      "NOT verified");
  std::cout << fmt::format("OK: {} {} acknowledged by party {} at {}, signed with key {}\n",
                           statement.kind, statement.object_id, statement.party.value(),
                           parties::FormatAckTime(statement.time), ack.key_id);
}

void AddStatementOptions(CLI::App* command, AckArgs& args) {
  command->add_option("--kind", args.kind, "What is acknowledged, e.g. hotline.message")
      ->required();
  command->add_option("--object", args.object, "The acknowledged object's id")->required();
  command->add_option("--digest", args.digest, "The object's SHA-256 as the server gives it (hex)")
      ->required();
  command->add_option("--party", args.party, "The acknowledging party's id")->required();
}

}  // namespace

void AddAckCommands(CLI::App& app) {
  CLI::App* ack =
      app.add_subcommand("ack", "Sign and verify acknowledgements (docs/acknowledgements.md)");
  ack->require_subcommand(1);
  auto args = std::make_shared<AckArgs>();

  CLI::App* sign =
      ack->add_subcommand("sign", "Sign an acknowledgement statement; print the signature");
  sign->add_option("--key", args->key_file, "Private key file (party key generate)")->required();
  AddStatementOptions(sign, *args);
  sign->add_option("--time", args->time, "YYYY-MM-DDTHH:MM:SSZ. Default: now");
  sign->callback([args] { RunSign(*args); });

  CLI::App* verify =
      ack->add_subcommand("verify", "Check a signature against the store's registered keys");
  verify->add_option("--data", args->data, "Data directory of the store")->required();
  AddStatementOptions(verify, *args);
  verify->add_option("--time", args->time, "The statement's time, YYYY-MM-DDTHH:MM:SSZ")
      ->required();
  verify->add_option("--signature", args->signature, "Base64 signature")->required();
  verify->add_option("--key-id", args->key_id,
                     "The key the signer used. Default: any key of the party");
  verify->add_option("--max-skew", args->max_skew,
                     "Largest distance in seconds between --time and now. Default: 300");
  verify->add_flag("--any-time", args->any_time,
                   "Do not compare --time with now (old acknowledgements)");
  verify->callback([args] { RunVerify(*args); });
}

}  // namespace deconflict::cli
