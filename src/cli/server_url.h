// cli/server_url.h: what the client commands (`watch`, `sim feed`) share about the server they
// talk to: its URL and the message of its error bodies.
//
//   cli::Endpoint server;
//   if (!cli::ParseServerUrl(args.url, server)) Die(...);   // "http://127.0.0.1:8080"
//   std::cerr << cli::ErrorMessage(response.body());         // {"error": {"message"}} or the body
//   ASSIGN_OR_RETURN(cli::HttpAnswer answer, cli::SendRequest(server, "GET", "/v1/cases", token));
//
// Thread-safe (pure functions; SendRequest blocks on its own connection).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace deconflict::cli {

struct Endpoint {
  std::string host;
  std::string port;  // "80" when the URL names none
};

// "http://host:port" or "ws://host:port" (a trailing "/" allowed, no path); false otherwise.
// TLS is not served by deconflict, so https and wss are refused.
bool ParseServerUrl(const std::string& url, Endpoint& out);

// The message of a JSON error body ({"error": {"message": ...}}), or else the body's first
// 200 bytes.
std::string ErrorMessage(const std::string& body);

struct HttpAnswer {
  int status = 0;  // the HTTP status code
  std::string body;
};

// One HTTP/1.1 request on a new connection to `server`, with "Authorization: Bearer <token>"
// (and "Content-Type: application/json" when `body` is not empty); whatever status it answers.
// Unavailable saying why when the server cannot be reached or does not answer within `timeout`
// seconds (default 30); InvalidArgument for an unknown `method`.
[[nodiscard]] absl::StatusOr<HttpAnswer> SendRequest(
    const Endpoint& server, std::string_view method, const std::string& target,
    const std::string& token, const std::string& body = "", int timeout = 30);

}  // namespace deconflict::cli
