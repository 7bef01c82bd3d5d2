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
//   deconflict case respond --url U --token T --id ID --text TEXT [--sign-key FILE]
//       [--key-id KID] [--party P]
//       POST /v1/cases/{id}/responses {"text"}. With --sign-key, signed: GET /v1/cases/{id} for
//       its sign.case_digest, the object digest store::CaseResponseDigest(id, case digest,
//       party, text) (docs/cases_format.md), the statement kind case.response on the case id
//       signed now (to the second) with the key file (`keys generate`; its public key
//       registered for the party) and sent as "signature", "signed_at" and, with --key-id,
//       "key_id". The party is --party, or else asked of GET /v1/me.
//   deconflict case close --url U --token T --id ID --finding violation|no_violation|inconclusive
//       [--notes TEXT] --sign-key FILE [--key-id KID] [--party P]
//       A guarantor's signed finding, POST /v1/cases/{id}/close: the same with kind case.close
//       and store::CaseCloseDigest(id, case digest, finding, notes).
// The server checks the signature's time against its clock (within 5 minutes): signing uses
// this machine's clock.
//
// Refusals exit 1 with the server's message (cli/exit.h). Thread-compatible (one command per
// process).
#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "boost/json.hpp"
#include "cli/commands.h"
#include "cli/exit.h"
#include "cli/server_url.h"
#include "common/clock.h"
#include "common/digest.h"
#include "common/ids.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/bundle.h"
#include "ledger/note.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"
#include "store/cases_table.h"

namespace deconflict::cli {
namespace {

namespace json = boost::json;

struct CaseArgs {
  std::string url = "http://127.0.0.1:8080";
  std::string token, id, out;
  std::string text, finding, notes;  // respond, close
  std::string sign_key, key_id, party;
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

// `method` `target` with `body`: the answer of a 2xx, or Die with the server's message.
HttpAnswer Send(std::string_view command, const CaseArgs& args, std::string_view method,
                const std::string& target, const std::string& body = "") {
  Endpoint endpoint;
  if (!ParseServerUrl(args.url, endpoint)) {
    Die(command, InvalidField("--url", "must be http://HOST:PORT"));
  }
  if (args.token.empty()) Die(command, InvalidField("--token", "is required"));
  HttpAnswer answer =
      ValueOrDie(command, SendRequest(endpoint, method, target, args.token, body, /*timeout=*/120));
  if (answer.status < 200 || answer.status > 299) {
    Die(command, absl::FailedPreconditionError(
                     fmt::format("{} {}: the server refused (HTTP {}): {}", method, target,
                                 answer.status, ErrorMessage(answer.body))));
  }
  return answer;
}

// GET `target`: the body of a 200, or Die with the server's message.
std::string Get(std::string_view command, const CaseArgs& args, const std::string& target) {
  HttpAnswer answer = Send(command, args, "GET", target);
  if (answer.status != 200) {
    Die(command, absl::FailedPreconditionError(fmt::format(
                     "GET {}: the server answered HTTP {}, not 200", target, answer.status)));
  }
  return std::move(answer.body);
}

// `body` as a JSON object, or Die saying that `target` answered something else.
json::object ObjectOrDie(std::string_view command, const std::string& target,
                         const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    Die(command,
        absl::DataLossError(fmt::format("{}: the answer is not a JSON object: {}", target,
                                        ec ? ec.message() : std::string(body.substr(0, 200)))));
  }
  return std::move(v.as_object());
}

// The text of `o[key]`, or Die naming `what`.
std::string TextOrDie(std::string_view command, const json::object& o, std::string_view key,
                      std::string_view what) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    Die(command, absl::DataLossError(fmt::format("{} has no text \"{}\"", what, key)));
  }
  return std::string(v->as_string());
}

// The integer `o[key]`, or Die naming `what`.
int64_t IntOrDie(std::string_view command, const json::object& o, std::string_view key,
                 std::string_view what) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) {
    Die(command, absl::DataLossError(fmt::format("{} has no integer \"{}\"", what, key)));
  }
  return v->as_int64();
}

// What signs a response or a close: the key file, the party it speaks for, the key id to send.
struct Signer {
  parties::PrivateSigningKey key;
  std::string party;
  std::string key_id;  // empty: the server tries each of the party's keys
};

// Reads --sign-key (first: a bad key file fails before any request), checks --key-id against
// it, and takes the party from --party or else GET /v1/me.
Signer SignerOrDie(std::string_view command, const CaseArgs& args) {
  Signer s{.key = ValueOrDie(command, parties::ReadPrivateKeyFile(args.sign_key), "--sign-key")};
  if (!args.key_id.empty()) {
    s.key_id = ValueOrDie(command, parties::ParseKeyId(args.key_id, "--key-id"));
    const std::string own = parties::SigningKeyId(s.key.public_key);
    if (s.key_id != own) {
      Die(command, InvalidField("--key-id", fmt::format("is {}, but the key in {} has id {}",
                                                        s.key_id, args.sign_key, own)));
    }
  }
  if (!args.party.empty()) {
    s.party = ValueOrDie(command, ParsePartyId(args.party), "--party").value();
  } else {
    s.party = TextOrDie(command, ObjectOrDie(command, "/v1/me", Get(command, args, "/v1/me")),
                        "party", "GET /v1/me");
  }
  return s;
}

// The case's digest (32 raw bytes): GET /v1/cases/{id}, its "sign.case_digest".
std::string CaseDigestOrDie(std::string_view command, const CaseArgs& args) {
  const std::string target = "/v1/cases/" + PathSegment(args.id);
  const json::object view = ObjectOrDie(command, target, Get(command, args, target));
  const json::value* sign = view.if_contains("sign");
  if (sign == nullptr || !sign->is_object()) {
    Die(command, absl::DataLossError(fmt::format("GET {}: the case has no \"sign\"", target)));
  }
  const std::string hex =
      TextOrDie(command, sign->as_object(), "case_digest", fmt::format("GET {}: sign", target));
  std::optional<std::string> digest = FromHex(hex);
  if (!digest || digest->size() != 32) {
    Die(command, absl::DataLossError(fmt::format(
                     "GET {}: sign.case_digest is not 64 hex digits: {}", target, hex)));
  }
  return *std::move(digest);
}

// Signs the statement `kind` on the case over `object_digest`, now (to the second), and adds
// "signature", "signed_at" and (when --key-id named it) "key_id" to `body`.
void AddSignature(std::string_view command, const Signer& signer, const std::string& case_id,
                  std::string_view kind, const std::string& object_digest, json::object& body) {
  const parties::AckStatement statement{
      .kind = std::string(kind),
      .object_id = case_id,
      .object_digest = object_digest,
      .party = PartyId(signer.party),
      .time = std::chrono::floor<std::chrono::seconds>(SystemClock().Now())};
  const std::string signature =
      ValueOrDie(command, parties::SignAcknowledgement(signer.key, statement));
  body["signature"] = Base64(signature);
  body["signed_at"] = parties::FormatAckTime(statement.time);
  if (!signer.key_id.empty()) body["key_id"] = signer.key_id;
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

void RunRespond(const CaseArgs& args) {
  constexpr std::string_view kCommand = "case respond";
  json::object body{{"text", args.text}};
  std::string party;  // known when signed
  if (args.sign_key.empty() && (!args.key_id.empty() || !args.party.empty())) {
    Die(kCommand, InvalidField(args.key_id.empty() ? "--party" : "--key-id",
                               "names the signer: give --sign-key too"));
  }
  if (!args.sign_key.empty()) {
    const Signer signer = SignerOrDie(kCommand, args);
    const std::string digest = store::CaseResponseDigest(args.id, CaseDigestOrDie(kCommand, args),
                                                         signer.party, args.text);
    AddSignature(kCommand, signer, args.id, parties::kAckKindCaseResponse, digest, body);
    party = signer.party;
  }
  const std::string target = "/v1/cases/" + PathSegment(args.id) + "/responses";
  const HttpAnswer answer = Send(kCommand, args, "POST", target, json::serialize(body));
  const json::object view = ObjectOrDie(kCommand, target, answer.body);
  // Ours: the newest response with this text (and, signed, by this party). A retry (200) finds
  // the one stored before.
  const json::object* mine = nullptr;
  if (const json::value* responses = view.if_contains("responses");
      responses != nullptr && responses->is_array()) {
    for (const json::value& r : responses->as_array()) {
      if (!r.is_object()) continue;
      const json::value* text = r.as_object().if_contains("text");
      const json::value* by = r.as_object().if_contains("party");
      if (text != nullptr && text->is_string() && text->as_string() == args.text &&
          (party.empty() || (by != nullptr && by->is_string() && by->as_string() == party))) {
        mine = &r.as_object();
      }
    }
  }
  if (mine == nullptr) {
    Die(kCommand, absl::DataLossError(fmt::format(
                      "POST {}: HTTP {}, but the answer lists no response with this text", target,
                      answer.status)));
  }
  const std::string what = fmt::format("POST {}: the response", target);
  const json::value* is_signed = mine->if_contains("signed");
  std::cout << fmt::format(
      "case {}: response {} by {} {} (ledger entry {}, {})\n", args.id,
      IntOrDie(kCommand, *mine, "seq", what), TextOrDie(kCommand, *mine, "party", what),
      answer.status == 201 ? "recorded" : "already recorded",
      IntOrDie(kCommand, *mine, "ledger_index", what),
      is_signed != nullptr && is_signed->is_bool() && is_signed->as_bool() ? "signed" : "unsigned");
}

void RunClose(const CaseArgs& args) {
  constexpr std::string_view kCommand = "case close";
  if (args.finding != "violation" && args.finding != "no_violation" &&
      args.finding != "inconclusive") {
    Die(kCommand, InvalidField("--finding", "must be violation, no_violation or inconclusive"));
  }
  const Signer signer = SignerOrDie(kCommand, args);
  const std::string digest =
      store::CaseCloseDigest(args.id, CaseDigestOrDie(kCommand, args), args.finding, args.notes);
  json::object body{{"finding", args.finding}, {"notes", args.notes}};
  AddSignature(kCommand, signer, args.id, "case.close", digest, body);
  const std::string target = "/v1/cases/" + PathSegment(args.id) + "/close";
  const HttpAnswer answer = Send(kCommand, args, "POST", target, json::serialize(body));
  const json::object view = ObjectOrDie(kCommand, target, answer.body);
  const json::value* close = view.if_contains("close");
  if (close == nullptr || !close->is_object()) {
    Die(kCommand,
        absl::DataLossError(fmt::format("POST {}: HTTP {}, but the answer shows the case open",
                                        target, answer.status)));
  }
  const std::string what = fmt::format("POST {}: close", target);
  std::cout << fmt::format("case {} closed by {}: {} (ledger entry {}){}\n", args.id,
                           TextOrDie(kCommand, close->as_object(), "by", what),
                           TextOrDie(kCommand, close->as_object(), "finding", what),
                           IntOrDie(kCommand, close->as_object(), "ledger_index", what),
                           answer.status == 201 ? "" : "; already recorded");
}

void AddSigningOptions(CLI::App* command, CaseArgs& args) {
  command->add_option("--key-id", args.key_id,
                      "The key's id (16 hex digits), sent to name the key. Default: none sent "
                      "(the server tries each key of your party)");
  command->add_option("--party", args.party,
                      "Your party id (the signer's). Default: asked of GET /v1/me");
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

  CLI::App* respond =
      cases->add_subcommand("respond",
                            "Your party's statement on a case, optionally signed (POST "
                            "/v1/cases/{id}/responses)");
  AddServerOptions(respond, *args);
  respond->add_option("--id", args->id, "Case id (the incident's)")->required();
  respond->add_option("--text", args->text, "The statement (up to 8 KiB)")->required();
  respond->add_option("--sign-key", args->sign_key,
                      "Sign it with this private key file (deconflict keys generate), registered "
                      "for your party. Default: unsigned");
  AddSigningOptions(respond, *args);
  respond->callback([args] { RunRespond(*args); });

  CLI::App* close = cases->add_subcommand(
      "close", "A guarantor's signed finding, closing the case (POST /v1/cases/{id}/close)");
  AddServerOptions(close, *args);
  close->add_option("--id", args->id, "Case id (the incident's)")->required();
  close->add_option("--finding", args->finding, "violation, no_violation or inconclusive")
      ->required();
  close->add_option("--notes", args->notes, "Your notes (up to 8 KiB; signed with the finding)");
  close
      ->add_option("--sign-key", args->sign_key,
                   "Private key file (deconflict keys generate), registered for your party")
      ->required();
  AddSigningOptions(close, *args);
  close->callback([args] { RunClose(*args); });
}

}  // namespace deconflict::cli
