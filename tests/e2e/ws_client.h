// tests/e2e/ws_client.h: a small blocking WebSocket client (GET /v1/events, /v1/tracks/stream) for
// end-to-end tests and the fan-out benchmark (Boost.Beast), with timeouts so that a test never
// hangs.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "boost/json.hpp"

namespace deconflict::e2e {

enum class TokenIn { kHeader, kSubprotocol, kFirstMessage };

class WsClient {
 public:
  struct Options {
    TokenIn token_in = TokenIn::kHeader;
    int64_t after = -1;               // -1: no ?after=
    int receive_buffer = 0;           // SO_RCVBUF in bytes before connecting (0: the system's)
    std::string path = "/v1/events";  // or "/v1/tracks/stream"
  };
  // Connects and handshakes. nullptr on failure, with the HTTP status (0 if none) and a note.
  static std::unique_ptr<WsClient> Connect(int port, const std::string& token, Options options,
                                           int* http_status = nullptr,
                                           std::string* error = nullptr);

  // The next text message as JSON, or nullopt when the socket closed (see close_code/reason),
  // failed, or nothing came within `timeout`.
  std::optional<boost::json::value> Next(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The raw text of the next message (as Next).
  std::optional<std::string> NextText(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Sends one text message.
  bool Send(const std::string& text);

  bool closed() const { return closed_; }
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  const std::string& subprotocol() const { return subprotocol_; }

 private:
  WsClient() : ws_(ioc_) {}
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  bool closed_ = false;
  int close_code_ = 0;
  std::string close_reason_;
  std::string subprotocol_;
};

}  // namespace deconflict::e2e
