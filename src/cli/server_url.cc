#include "cli/server_url.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string_view>

#include "boost/json.hpp"
#include "fmt/format.h"

namespace deconflict::cli {

bool ParseServerUrl(const std::string& url, Endpoint& out) {
  std::string rest;
  for (std::string_view scheme : {"http://", "ws://"}) {
    if (url.rfind(scheme, 0) == 0) rest = url.substr(scheme.size());
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos) return false;
  const size_t colon = rest.rfind(':');
  out = colon == std::string::npos ? Endpoint{rest, "80"}
                                   : Endpoint{rest.substr(0, colon), rest.substr(colon + 1)};
  return !out.host.empty() && !out.port.empty();
}

std::string ErrorMessage(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (!ec && v.is_object()) {
    if (const auto* error = v.as_object().if_contains("error"); error && error->is_object()) {
      if (const auto* message = error->as_object().if_contains("message");
          message && message->is_string()) {
        return std::string(message->as_string());
      }
    }
  }
  return body.substr(0, 200);
}

absl::StatusOr<HttpAnswer> SendRequest(const Endpoint& server, std::string_view method,
                                       const std::string& target, const std::string& token,
                                       const std::string& body, int timeout) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    return absl::InvalidArgumentError(fmt::format("unknown HTTP method {}", method));
  }
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  boost::asio::ip::tcp::resolver resolver(ioc);
  auto where = resolver.resolve(server.host, server.port, ec);
  stream.expires_after(std::chrono::seconds(timeout));
  if (!ec) stream.connect(where, ec);
  if (ec) {
    return absl::UnavailableError(
        fmt::format("cannot reach {}:{}: {}", server.host, server.port, ec.message()));
  }
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, fmt::format("{}:{}", server.host, server.port));
  request.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> response;
  response.body_limit(64 * 1024 * 1024);  // Beast's default, 8 MB, is small for a case's bundle set
  if (!ec) http::read(stream, buffer, response, ec);
  if (ec) {
    return absl::UnavailableError(fmt::format("{} {}: no answer from {}:{}: {}", method, target,
                                              server.host, server.port, ec.message()));
  }
  return HttpAnswer{.status = static_cast<int>(response.get().result_int()),
                    .body = std::move(response.get().body())};
}

}  // namespace deconflict::cli
