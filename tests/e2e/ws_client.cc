#include "tests/e2e/ws_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "fmt/format.h"

namespace deconflict::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::unique_ptr<WsClient> WsClient::Connect(int port, const std::string& token, Options options,
                                            int* http_status, std::string* error) {
  std::unique_ptr<WsClient> client(new WsClient());
  beast::error_code ec;
  tcp::socket& socket = beast::get_lowest_layer(client->ws_).socket();
  socket.open(tcp::v4(), ec);
  if (!ec && options.receive_buffer > 0) {
    socket.set_option(net::socket_base::receive_buffer_size(options.receive_buffer), ec);
  }
  if (!ec)
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)),
                   ec);
  if (ec) {
    if (error) *error = "connect: " + ec.message();
    return nullptr;
  }
  client->ws_.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    if (options.token_in == TokenIn::kHeader)
      req.set(http::field::authorization, "Bearer " + token);
    if (options.token_in == TokenIn::kSubprotocol) {
      req.set(http::field::sec_websocket_protocol, "json, bearer." + token);
    }
  }));
  std::string target = options.path;
  if (options.after >= 0) target += fmt::format("?after={}", options.after);
  websocket::response_type response;
  beast::get_lowest_layer(client->ws_).expires_after(std::chrono::seconds(10));
  client->ws_.handshake(response, fmt::format("127.0.0.1:{}", port), target, ec);
  beast::get_lowest_layer(client->ws_).expires_never();
  if (http_status) *http_status = static_cast<int>(response.result_int());
  if (ec) {
    if (error)
      *error = fmt::format("handshake: {} ({}): {}", ec.message(), response.result_int(),
                           response.body());
    return nullptr;
  }
  if (auto it = response.find(http::field::sec_websocket_protocol); it != response.end()) {
    client->subprotocol_ = std::string(it->value());
  }
  if (options.token_in == TokenIn::kFirstMessage) {
    client->Send(boost::json::serialize(boost::json::object{{"token", token}}));
  }
  return client;
}

bool WsClient::Send(const std::string& text) {
  beast::error_code ec;
  ws_.text(true);
  ws_.write(net::buffer(text), ec);
  return !ec;
}

std::optional<std::string> WsClient::NextText(std::chrono::milliseconds timeout) {
  if (closed_) return std::nullopt;
  bool done = false;
  beast::error_code ec;
  buffer_.clear();
  ws_.async_read(buffer_, [&](beast::error_code e, size_t) {
    ec = e;
    done = true;
  });
  ioc_.restart();
  ioc_.run_for(timeout);
  if (!done) {
    beast::get_lowest_layer(ws_).socket().cancel();
    ioc_.restart();
    ioc_.run();
    closed_ = true;
    close_reason_ = "(timed out)";
    return std::nullopt;
  }
  if (ec) {
    closed_ = true;
    close_code_ = ws_.reason().code;
    close_reason_ = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
    return std::nullopt;
  }
  return beast::buffers_to_string(buffer_.data());
}

std::optional<boost::json::value> WsClient::Next(std::chrono::milliseconds timeout) {
  std::optional<std::string> text = NextText(timeout);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(*text, ec);
  if (ec) return std::nullopt;
  return v;
}

}  // namespace deconflict::e2e
