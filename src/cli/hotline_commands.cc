// cli/hotline_commands.cc: `deconflict hotline ...`, the duty officer's client of the hotline
// routes (api/hotline_routes.h), and `deconflict keys register` (PUT /v1/me/keys/{key_id}).
//
//   deconflict hotline channel create --url U --token T --id amman-hmeimim --name Amman-Hmeimim
//       --member US-AMMAN --member RU-HMEIMIM [--escalation moscow-washington]
//       [--deadline flash=PT2M ...]
//   deconflict hotline channel list|suspend|resume ...
//   deconflict hotline send --url U --token T --channel C --priority flash --subject S --text X
//   deconflict hotline inbox --url U --token T [--channel C]   (unacknowledged first, time left)
//   deconflict hotline ack --url U --token T --channel C --message SEQ|ID [--sign-key FILE]
//   deconflict keys register --url U --token T --key FILE [--name DESK]
//
// Each prints one line per result; refusals exit 1 with the server's message (cli/exit.h).
// Thread-compatible (one command per process).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>

#include "boost/json.hpp"
#include "cli/commands.h"
#include "cli/exit.h"
#include "cli/server_url.h"
#include "common/digest.h"
#include "common/ids.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "parties/acknowledgement.h"
#include "parties/signing_key.h"

namespace deconflict::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

struct HotlineArgs {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string channel, id, name, escalation, priority = "routine", subject, text, message, reason;
  std::vector<std::string> members, deadlines, refs;
  std::string sign_key, key_file, key_name;
};

// One request; the JSON answer of a 2xx, or Die with the server's message.
json::value Call(std::string_view command, const HotlineArgs& args, http::verb method,
                 const std::string& target, const std::string& body = "") {
  Endpoint endpoint;
  if (!ParseServerUrl(args.url, endpoint)) {
    Die(command, InvalidField("--url", "must be http://HOST:PORT"));
  }
  if (args.token.empty()) Die(command, InvalidField("--token", "is required"));
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
  stream.expires_after(std::chrono::seconds(30));
  if (!ec) stream.connect(results, ec);
  if (ec) {
    Die(command, absl::UnavailableError(fmt::format("cannot reach {}:{}: {}", endpoint.host,
                                                    endpoint.port, ec.message())));
  }
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, fmt::format("{}:{}", endpoint.host, endpoint.port));
  request.set(http::field::authorization, "Bearer " + args.token);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(stream, buffer, response, ec);
  if (ec) Die(command, absl::UnavailableError(fmt::format("no answer: {}", ec.message())));
  const int status = static_cast<int>(response.result_int());
  if (status / 100 != 2) {
    Die(command, absl::FailedPreconditionError(fmt::format("the server refused (HTTP {}): {}",
                                                           status, ErrorMessage(response.body()))));
  }
  boost::system::error_code parse_error;
  json::value answer = json::parse(response.body(), parse_error);
  if (parse_error) Die(command, absl::InternalError("the server's answer is not JSON"));
  return answer;
}

std::string Text(const json::value& v, std::string_view key) {
  const json::value* found = v.as_object().if_contains(key);
  return found && found->is_string() ? std::string(found->as_string()) : "";
}

// Every message of `channel`, in order (pages of 1000).
std::vector<json::value> AllMessages(std::string_view command, const HotlineArgs& args,
                                     const std::string& channel) {
  std::vector<json::value> all;
  int64_t after = 0;
  while (true) {
    json::value page =
        Call(command, args, http::verb::get,
             fmt::format("/v1/channels/{}/messages?after={}&limit=1000", channel, after));
    const json::array& messages = page.at("messages").as_array();
    for (const json::value& m : messages) all.push_back(m);
    if (messages.size() < 1000) return all;
    after = page.at("next_after").to_number<int64_t>();
  }
}

void RunCreate(const HotlineArgs& args) {
  constexpr std::string_view kCommand = "hotline channel create";
  json::object body{{"id", args.id}, {"name", args.name.empty() ? args.id : args.name}};
  json::array members;
  for (const std::string& m : args.members) members.emplace_back(m);
  body["members"] = std::move(members);
  if (!args.escalation.empty()) body["escalation_channel"] = args.escalation;
  if (!args.deadlines.empty()) {
    json::object deadlines;
    for (const std::string& d : args.deadlines) {
      const size_t eq = d.find('=');
      if (eq == std::string::npos) {
        Die(kCommand, InvalidField("--deadline", "must be PRIORITY=DURATION, e.g. flash=PT2M"));
      }
      deadlines[d.substr(0, eq)] = d.substr(eq + 1);
    }
    body["deadlines"] = std::move(deadlines);
  }
  json::value c =
      Call(kCommand, args, http::verb::post, "/v1/channels", json::serialize(json::value(body)));
  std::cout << fmt::format("channel {} ({}): members {}; deadlines {}; ledger index {}\n",
                           Text(c, "id"), Text(c, "name"), json::serialize(c.at("members")),
                           json::serialize(c.at("deadlines")),
                           c.at("ledger_index").to_number<int64_t>());
}

void RunList(const HotlineArgs& args) {
  json::value list = Call("hotline channel list", args, http::verb::get, "/v1/channels");
  for (const json::value& c : list.at("channels").as_array()) {
    std::cout << fmt::format(
        "{:<24} {:<28} {:<10} members {}{}\n", Text(c, "id"), Text(c, "name"),
        c.at("suspended").as_bool() ? "SUSPENDED" : "open", json::serialize(c.at("members")),
        Text(c, "escalation_channel").empty() ? ""
                                              : " escalates to " + Text(c, "escalation_channel"));
  }
}

void RunSuspend(const HotlineArgs& args, bool suspend) {
  const std::string_view command = suspend ? "hotline channel suspend" : "hotline channel resume";
  json::value c =
      Call(command, args, http::verb::post,
           fmt::format("/v1/channels/{}/{}", args.channel, suspend ? "suspend" : "resume"),
           suspend ? json::serialize(json::object{{"reason", args.reason}}) : "");
  std::cout << fmt::format("channel {} {}\n", Text(c, "id"),
                           c.at("suspended").as_bool() ? "suspended" : "open");
}

void RunSend(const HotlineArgs& args) {
  constexpr std::string_view kCommand = "hotline send";
  json::object body{{"id", args.id.empty() ? NewUuid() : args.id},
                    {"priority", args.priority},
                    {"subject", args.subject},
                    {"body", args.text}};
  if (!args.refs.empty()) {
    json::array refs;
    for (const std::string& r : args.refs) refs.emplace_back(r);
    body["refs"] = std::move(refs);
  }
  json::value sent =
      Call(kCommand, args, http::verb::post, fmt::format("/v1/channels/{}/messages", args.channel),
           json::serialize(json::value(body)));
  std::cout << fmt::format("sent {} ({}, id {}): ledger index {}, acknowledge by {}\n",
                           Text(sent, "object_id"), Text(sent, "priority"), Text(sent, "id"),
                           sent.at("ledger_index").to_number<int64_t>(), Text(sent, "deadline"));
}

void RunInbox(const HotlineArgs& args) {
  constexpr std::string_view kCommand = "hotline inbox";
  const std::string me = Text(Call(kCommand, args, http::verb::get, "/v1/me"), "party");
  std::vector<std::string> channels;
  if (!args.channel.empty()) {
    channels.push_back(args.channel);
  } else {
    const json::value list = Call(kCommand, args, http::verb::get, "/v1/channels");
    for (const json::value& c : list.at("channels").as_array()) channels.push_back(Text(c, "id"));
  }
  struct Line {
    bool acked;
    std::string deadline, text;
  };
  std::vector<Line> lines;
  const Timestamp now = SystemClock().Now();
  for (const std::string& channel : channels) {
    for (const json::value& m : AllMessages(kCommand, args, channel)) {
      if (Text(m, "sender") == me) continue;
      bool acked = false;
      for (const json::value& a : m.at("acknowledged").as_array()) acked |= Text(a, "party") == me;
      std::string left = "acknowledged";
      if (!acked) {
        const absl::StatusOr<Timestamp> due = ParseRfc3339(Text(m, "deadline"));
        const int64_t s =
            due.ok() ? std::chrono::duration_cast<std::chrono::seconds>(*due - now).count() : 0;
        left = s >= 0 ? fmt::format("{}m{:02}s left", s / 60, s % 60)
                      : fmt::format("OVERDUE by {}m{:02}s", -s / 60, -s % 60);
      }
      lines.push_back(
          {acked, Text(m, "deadline"),
           fmt::format("{:<28} {:<9} from {:<12} {:<22} {}", Text(m, "object_id"),
                       Text(m, "priority"), Text(m, "sender"), left, Text(m, "subject"))});
    }
  }
  // Unacknowledged first, the most urgent first; then acknowledged ones.
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    return std::tie(a.acked, a.deadline) < std::tie(b.acked, b.deadline);
  });
  for (const Line& line : lines) std::cout << line.text << "\n";
  if (lines.empty()) std::cout << "no messages\n";
}

void RunAck(const HotlineArgs& args) {
  constexpr std::string_view kCommand = "hotline ack";
  json::object body;
  if (!args.sign_key.empty()) {
    const parties::PrivateSigningKey key =
        ValueOrDie(kCommand, parties::ReadPrivateKeyFile(args.sign_key), "--sign-key");
    const std::string me = Text(Call(kCommand, args, http::verb::get, "/v1/me"), "party");
    // The statement needs the message's seq and digest: find it by seq or id.
    std::optional<json::value> message;
    for (const json::value& m : AllMessages(kCommand, args, args.channel)) {
      if (Text(m, "id") == args.message ||
          std::to_string(m.at("seq").to_number<int64_t>()) == args.message) {
        message = m;
      }
    }
    if (!message) {
      Die(kCommand, absl::NotFoundError(
                        fmt::format("no message {} in channel {}", args.message, args.channel)));
    }
    const parties::AckStatement statement{
        .kind = parties::kAckKindHotlineMessage,
        .object_id = Text(*message, "object_id"),
        .object_digest = ValueOrDie(kCommand, parties::ParseObjectDigest(Text(*message, "digest"))),
        .party = PartyId(me),
        .time = std::chrono::floor<std::chrono::seconds>(SystemClock().Now())};
    const std::string signature =
        ValueOrDie(kCommand, parties::SignAcknowledgement(key, statement));
    body = {{"signature", Base64(signature)},
            {"key_id", parties::SigningKeyId(key.public_key)},
            {"signed_at", parties::FormatAckTime(statement.time)}};
  }
  json::value ack = Call(kCommand, args, http::verb::post,
                         fmt::format("/v1/channels/{}/messages/{}/ack", args.channel, args.message),
                         body.empty() ? "" : json::serialize(json::value(body)));
  std::cout << fmt::format(
      "acknowledged {} as {} at {} ({}); ledger index {}\n", Text(ack, "object_id"),
      Text(ack, "party"), Text(ack, "at"),
      ack.at("signed").as_bool() ? "signed with key " + Text(ack, "key_id") : "unsigned",
      ack.at("ledger_index").to_number<int64_t>());
}

void RunKeyRegister(const HotlineArgs& args) {
  constexpr std::string_view kCommand = "keys register";
  const parties::PrivateSigningKey key =
      ValueOrDie(kCommand, parties::ReadPrivateKeyFile(args.key_file), "--key");
  json::object body{{"key", Base64(key.public_key)}};
  if (!args.key_name.empty()) body["name"] = args.key_name;
  json::value added = Call(kCommand, args, http::verb::put,
                           fmt::format("/v1/me/keys/{}", parties::SigningKeyId(key.public_key)),
                           json::serialize(json::value(body)));
  std::cout << fmt::format("signing key {} registered for party {}; ledger index {}\n",
                           Text(added, "key_id"), Text(added, "party"),
                           added.at("ledger_index").to_number<int64_t>());
}

void AddServerOptions(CLI::App* command, HotlineArgs& args) {
  command->add_option("--url", args.url, "Server URL. Default: http://127.0.0.1:8080");
  command->add_option("--token", args.token, "Your party's bearer token")->required();
}

}  // namespace

void AddHotlineCommands(CLI::App& app) {
  auto args = std::make_shared<HotlineArgs>();
  CLI::App* hotline = app.add_subcommand("hotline", "Hotline channels: send, inbox, acknowledge");
  hotline->require_subcommand(1);

  CLI::App* channel = hotline->add_subcommand("channel", "Create, list, suspend, resume channels");
  channel->require_subcommand(1);
  CLI::App* create = channel->add_subcommand("create", "Create a channel you are a member of");
  AddServerOptions(create, *args);
  create->add_option("--id", args->id, "Channel id, e.g. amman-hmeimim")->required();
  create->add_option("--name", args->name, "Display name. Default: the id");
  create->add_option("--member", args->members, "A member party (repeat; include yourself)")
      ->required();
  create->add_option("--escalation", args->escalation, "Channel to escalate overdue messages to");
  create->add_option("--deadline", args->deadlines,
                     "PRIORITY=ISO8601 (repeat), e.g. flash=PT2M. Defaults: flash PT2M, immediate "
                     "PT10M, priority PT1H, routine PT24H");
  create->callback([args] { RunCreate(*args); });
  CLI::App* list = channel->add_subcommand("list", "List your channels");
  AddServerOptions(list, *args);
  list->callback([args] { RunList(*args); });
  CLI::App* suspend = channel->add_subcommand("suspend", "Suspend a channel (sends refused)");
  AddServerOptions(suspend, *args);
  suspend->add_option("--channel", args->channel, "Channel id")->required();
  suspend->add_option("--reason", args->reason, "Why (in the ledger's record)")->required();
  suspend->callback([args] { RunSuspend(*args, true); });
  CLI::App* resume = channel->add_subcommand("resume", "Resume a suspended channel");
  AddServerOptions(resume, *args);
  resume->add_option("--channel", args->channel, "Channel id")->required();
  resume->callback([args] { RunSuspend(*args, false); });

  CLI::App* send = hotline->add_subcommand("send", "Send a message (answered once durable)");
  AddServerOptions(send, *args);
  send->add_option("--channel", args->channel, "Channel id")->required();
  send->add_option("--priority", args->priority,
                   "flash|immediate|priority|routine. Default: routine");
  send->add_option("--subject", args->subject, "Subject")->required();
  send->add_option("--text", args->text, "Body text (up to 64 KiB)")->required();
  send->add_option("--id", args->id, "Message UUID, for a retry. Default: a new one");
  send->add_option("--ref", args->refs, "Id of an operation, encounter, message (repeat)");
  send->callback([args] { RunSend(*args); });

  CLI::App* inbox = hotline->add_subcommand("inbox", "Messages to you: unacknowledged first");
  AddServerOptions(inbox, *args);
  inbox->add_option("--channel", args->channel, "Only this channel. Default: all yours");
  inbox->callback([args] { RunInbox(*args); });

  CLI::App* ack = hotline->add_subcommand("ack", "Acknowledge a message, optionally signed");
  AddServerOptions(ack, *args);
  ack->add_option("--channel", args->channel, "Channel id")->required();
  ack->add_option("--message", args->message, "The message's seq or id")->required();
  ack->add_option("--sign-key", args->sign_key,
                  "Private key file (deconflict keys generate); its public key must be "
                  "registered (deconflict keys register)");
  ack->callback([args] { RunAck(*args); });

  // `keys` is registered by AddSigningKeyCommands; register joins it.
  CLI::App* keys = nullptr;
  for (CLI::App* sub : app.get_subcommands([](CLI::App* a) { return a->get_name() == "keys"; })) {
    keys = sub;
  }
  if (keys == nullptr) keys = app.add_subcommand("keys", "Your party's signing keys");
  CLI::App* reg =
      keys->add_subcommand("register", "Register your key's public half with the server");
  AddServerOptions(reg, *args);
  reg->add_option("--key", args->key_file, "Private key file (deconflict keys generate)")
      ->required();
  reg->add_option("--name", args->key_name, "Label, e.g. the duty desk");
  reg->callback([args] { RunKeyRegister(*args); });
}

}  // namespace deconflict::cli
