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
// exactly once. Bodies over the limit are answered 413 before the handler runs; malformed HTTP is
// answered 400 and the connection closed.
//
// Thread-safety: Router is thread-compatible (build it, then share it read-only). HttpServer is
// thread-safe.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/reply.h"

namespace deconflict::api {

struct Request {
  std::string method;
  std::string path;                                  // without the query string, URL-decoded
  std::map<std::string, std::string> query;          // URL-decoded query parameters
  std::map<std::string, std::string> path_params;    // from {name} segments of the route
  std::string authorization;                         // the Authorization header, or empty
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
  // `pattern` is a path whose segments may be "{name}" placeholders.
  void Add(std::string method, std::string pattern, Handler handler);
  // Finds the handler for `request` (filling request.path_params). 404 or 405 replies otherwise.
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

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // Default: loopback only.
  uint16_t port = 8080;               // 0 picks a free port. Default: 8080.
  int threads = 2;                    // I/O threads. Default: 2 (one per core here).
  size_t max_body_bytes = 1 << 20;    // Larger bodies get 413. Default: 1 MiB.
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, const Router& router);
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Binds and listens. Unavailable when the address cannot be bound.
  absl::Status Start();
  uint16_t port() const;
  // Serves on the calling thread plus options.threads - 1 more, until Stop().
  void Run();
  // Stops accepting and ends Run(). Thread-safe, and safe from a signal-handling thread.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decodes %XX and '+' in a URL component. InvalidArgument on a bad escape.
absl::StatusOr<std::string> UrlDecode(std::string_view text);

}  // namespace deconflict::api
