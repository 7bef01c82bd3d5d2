// api/http_server.h: the HTTP/1.1 server (Boost.Beast over Asio) and its router.
//
//   Router router;
//   router.Add("GET", "/v1/operations/{id}", [](const Request& req, Respond respond) {
//     respond(JsonReply(200, ...));
//   });
//   HttpServer server(HttpServerOptions{.address = "127.0.0.1", .port = 0}, router);
//   RETURN_IF_ERROR(server.Start());   // binds; server.port() is the real port
//   server.Run();                      // blocks until Stop()
//
// Handlers run on one of the server's I/O threads and must not block: a handler that waits for
// the store hands `respond` to the writer and returns; `respond` may be called from any thread,
// exactly once. Before any handler runs, the server answers by itself:
//   - 400 for malformed HTTP (then closes), and for a request target that is not origin-form,
//     has a bad percent escape, or decodes to invalid UTF-8 or a control character
//     (api/request_target.h); 413 for a body over max_body_bytes or a target over
//     max_target_bytes;
//   - 404 / 405 when no route matches (messages quote the path, common/text.h);
//   - 503 with "Retry-After: 1", then close, for a connection accepted while max_connections are
//     open (see Connection limits below).
//
// Connection limits. At most max_connections connections are served at once. Past that, a small
// reserve of further connections (max(4, max_connections / 32)) is accepted only to be answered
// 503 and closed; when the reserve is in use too, the server stops accepting (new connections
// wait in the kernel's backlog) until a connection closes. A new connection must send its first
// request's headers within header_timeout; between requests a keep-alive connection may stay
// idle for idle_timeout, after which its next request's headers must arrive within
// header_timeout of its first byte (a client trickling headers cannot hold a connection); the
// body must follow within body_timeout and the answer be taken within send_timeout. When accept
// fails (EMFILE when descriptors run out, ENFILE, ENOBUFS, ...) the accept loop waits before
// retrying, doubling from 10 ms to 1 s while failures continue, and logs at most one line per
// 5 s with the number of failures not logged.
//
// Thread-safety: Router is thread-compatible (build it, then share it read-only). HttpServer is
// thread-safe.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "api/reply.h"
#include "api/request_target.h"

namespace deconflict::api {

struct Request {
  std::string method;
  std::string path;                                // as received (percent-encoded), no query
  std::vector<std::string> segments;               // path split at '/', then each decoded
  std::map<std::string, std::string> query;        // decoded query parameters
  std::map<std::string, std::string> path_params;  // from {name} segments of the route
  std::string authorization;                       // the Authorization header, or empty
  std::string content_type;
  std::string body;
};

using Respond = std::function<void(Reply)>;
using Handler = std::function<void(const Request&, Respond)>;

// A WebSocket upgrade request handed over with its connection: the route owns the socket from
// then on (it answers the handshake, or an HTTP error, itself). `raw` is the request as read,
// which the WebSocket handshake needs.
struct Upgrade {
  Request request;
  boost::beast::http::request<boost::beast::http::string_body> raw;
  boost::asio::ip::tcp::socket socket;
};
using UpgradeHandler = std::function<void(Upgrade)>;

class Router {
 public:
  // `pattern` is a path whose segments may be "{name}" placeholders; a placeholder matches one
  // decoded segment, which may contain '/' if the client sent it escaped (%2F).
  void Add(std::string method, std::string pattern, Handler handler);
  // Finds the handler for `request` by its decoded `segments` (filling request.path_params) and
  // calls it. Answers 404 (no route has this path) or 405 (another method has) otherwise.
  void Dispatch(Request& request, const Respond& respond) const;

  // A GET route (no placeholders) whose WebSocket upgrade requests go to `handler`; requests
  // without "Upgrade: websocket" still go to the plain route of the same path, if any.
  void AddUpgrade(std::string path, UpgradeHandler handler);
  // The upgrade handler for a GET of `path`, or nullptr.
  const UpgradeHandler* FindUpgrade(const std::string& method, const std::string& path) const;

  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::map<std::string, UpgradeHandler> upgrades_;
};

// 80% of the soft RLIMIT_NOFILE, less 32 descriptors for the store, the ledger and logs, and at
// least 1: the default of HttpServerOptions::max_connections.
size_t DefaultMaxConnections();

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // Default: loopback only.
  uint16_t port = 8080;               // 0 picks a free port. Default: 8080.
  int threads = 2;                    // I/O threads. Default: 2 (one per core here).
  size_t max_body_bytes = 1 << 20;    // Larger bodies get 413. Default: 1 MiB.
  // Paths (exact, no query) whose POST bodies may be larger, with their own limit: a batch of
  // 10,000 track reports is about 1.5 MB. Default: POST /v1/tracks up to 4 MiB.
  std::map<std::string, size_t> large_body_paths = {{"/v1/tracks", size_t{4} << 20}};
  size_t max_target_bytes = kMaxTargetBytes;  // Longer targets get 413. Default: 4 KiB.
  // Connections served at once; 0 means DefaultMaxConnections() read at Start().
  // Default: 0 (sized from the descriptor limit).
  size_t max_connections = 0;
  // A keep-alive connection with no request in progress is closed after this. Default: 30 s.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
  // A request's headers must arrive within this of the connection's accept (first request) or
  // of the request's first byte (later ones). Default: 10 s.
  std::chrono::milliseconds header_timeout = std::chrono::seconds(10);
  // The body must arrive within this after the headers. Default: 30 s.
  std::chrono::milliseconds body_timeout = std::chrono::seconds(30);
  // The client must take the answer within this. Default: 30 s.
  std::chrono::milliseconds send_timeout = std::chrono::seconds(30);
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Router& router);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Binds and listens. InvalidArgument when the address is not an IP address; Unavailable when
  // it cannot be bound.
  [[nodiscard]] absl::Status Start();
  uint16_t port() const;
  // Serves on the calling thread plus options.threads - 1 more, until Stop().
  void Run();
  // Stops accepting and ends Run(). Thread-safe, and safe from a signal-handling thread.
  void Stop();

  // Connections open now (served and being refused with 503). Thread-safe.
  size_t open_connections() const;
  // The connection limit in force (options.max_connections or its default). Valid after Start().
  size_t max_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deconflict::api
