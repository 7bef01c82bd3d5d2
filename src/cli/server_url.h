// cli/server_url.h: what the client commands (`watch`, `sim feed`) share about the server they
// talk to: its URL and the message of its error bodies.
//
//   cli::Endpoint server;
//   if (!cli::ParseServerUrl(args.url, server)) Die(...);   // "http://127.0.0.1:8080"
//   std::cerr << cli::ErrorMessage(response.body());         // {"error": {"message"}} or the body
//
// Thread-safe (pure functions).
#pragma once

#include <string>

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

}  // namespace deconflict::cli
