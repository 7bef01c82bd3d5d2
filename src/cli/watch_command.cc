// cli/watch_command.cc: `deconflict watch`, a terminal client of GET /v1/events (WebSocket).
//
//   deconflict watch --url http://127.0.0.1:8080 --token dc_... [--after 41] [--count 10]
//
// Prints each event as one JSON line on stdout, as it arrives. When the connection drops or the
// server closes it (slow consumer, restart), it reconnects with ?after=<last seq printed>, so no
// event is lost or printed twice, waiting 0.2 s, 0.4 s, ... up to 10 s between attempts (reset
// after a successful connection). Connection notes go to stderr.
//
// Exit status: 0 after --count events; 3 when the server refuses the token (HTTP 401: unknown or
// revoked); 2 for a bad --url or another refusal (4xx). It never gives up on network errors or
// 5xx answers.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "boost/json.hpp"
#include "cli/commands.h"
#include "cli/exit.h"
#include "cli/server_url.h"
#include "fmt/format.h"

namespace deconflict::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct WatchArgs {
  std::string url;
  std::string token;
  int64_t after = 0;
  int64_t count = 0;  // 0: forever
};

enum class Outcome { kRetry, kDone };

// One connection: prints events until it drops. Dies (cli/exit.h) on a refusal.
Outcome WatchOnce(const WatchArgs& args, const Endpoint& endpoint, int64_t& after, int64_t& printed,
                  bool& connected) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  websocket::stream<tcp::socket> ws(ioc);
  beast::error_code ec;
  auto results = resolver.resolve(endpoint.host, endpoint.port, ec);
  if (!ec) net::connect(ws.next_layer(), results, ec);
  if (ec) {
    std::cerr << fmt::format("watch: cannot connect to {}:{}: {}\n", endpoint.host, endpoint.port,
                             ec.message());
    return Outcome::kRetry;
  }
  ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    req.set(http::field::authorization, "Bearer " + args.token);
  }));
  websocket::response_type response;
  ws.handshake(response, fmt::format("{}:{}", endpoint.host, endpoint.port),
               fmt::format("/v1/events?after={}", after), ec);
  if (ec) {
    const int status = static_cast<int>(response.result_int());
    const std::string message = ErrorMessage(response.body());
    if (status == 401) {
      Die("watch",
          absl::UnauthenticatedError(
              fmt::format("the server refused the token (HTTP 401): {}", message)),
          {}, 3);
    }
    if (status >= 400 && status < 500) {
      Die("watch",
          absl::FailedPreconditionError(
              fmt::format("the server refused (HTTP {}): {}", status, message)),
          {}, 2);
    }
    std::cerr << fmt::format("watch: handshake failed: {} {}\n", ec.message(),
                             status ? std::to_string(status) : "");
    return Outcome::kRetry;
  }
  connected = true;
  std::cerr << fmt::format("watch: connected, after={}\n", after);
  beast::flat_buffer buffer;
  while (true) {
    ws.read(buffer, ec);
    if (ec) {
      if (ec == websocket::error::closed) {
        std::cerr << fmt::format("watch: the server closed the stream ({} {}); resuming after={}\n",
                                 static_cast<int>(ws.reason().code),
                                 std::string(ws.reason().reason.data(), ws.reason().reason.size()),
                                 after);
      } else {
        std::cerr << fmt::format("watch: connection lost ({}); resuming after={}\n", ec.message(),
                                 after);
      }
      return Outcome::kRetry;
    }
    std::string line = beast::buffers_to_string(buffer.data());
    buffer.clear();
    boost::system::error_code parse_error;
    boost::json::value event = boost::json::parse(line, parse_error);
    if (!parse_error && event.is_object()) {
      if (const auto* seq = event.as_object().if_contains("seq"); seq && seq->is_int64())
        after = seq->as_int64();
    }
    std::cout << line << '\n' << std::flush;
    if (args.count > 0 && ++printed >= args.count) {
      ws.close(websocket::close_code::normal, ec);
      return Outcome::kDone;
    }
  }
}

void Watch(const WatchArgs& args) {
  Endpoint endpoint;
  if (!ParseServerUrl(args.url, endpoint)) {
    Die("watch",
        absl::InvalidArgumentError(
            fmt::format("--url '{}' must be http://HOST:PORT or ws://HOST:PORT", args.url)),
        {}, 2);
  }
  int64_t after = args.after;
  int64_t printed = 0;
  auto backoff = std::chrono::milliseconds(200);
  while (true) {
    bool connected = false;
    if (WatchOnce(args, endpoint, after, printed, connected) == Outcome::kDone) return;
    if (connected) backoff = std::chrono::milliseconds(200);
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10'000));
  }
}

}  // namespace

void AddWatchCommand(CLI::App& app) {
  auto args = std::make_shared<WatchArgs>();
  CLI::App* watch = app.add_subcommand(
      "watch",
      "Print the events of the token's party as they arrive (GET /v1/events), one JSON per line; "
      "reconnects and resumes by itself. Exit 3 when the token is refused");
  watch->add_option("--url", args->url, "Server, http://HOST:PORT")->required();
  watch->add_option("--token", args->token, "The party's bearer token")->required();
  watch->add_option("--after", args->after, "Start after this seq (0: from the first event)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  watch->add_option("--count", args->count, "Exit after printing this many events (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  watch->callback([args] { Watch(*args); });
}

}  // namespace deconflict::cli
