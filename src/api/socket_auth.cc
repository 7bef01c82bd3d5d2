#include "api/socket_auth.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "common/status.h"

namespace deconflict::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

std::string BearerProtocol(const RawRequest& raw) {
  auto it = raw.find(http::field::sec_websocket_protocol);
  if (it == raw.end()) return "";
  std::string_view rest(it->value().data(), it->value().size());
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.size() > kBearerProtocol.size() &&
        item.substr(0, kBearerProtocol.size()) == kBearerProtocol) {
      return std::string(item);
    }
  }
  return "";
}

UpgradeCredentials CredentialsOf(const Request& request, const RawRequest& raw) {
  UpgradeCredentials credentials{.authorization = request.authorization, .protocol = ""};
  if (credentials.authorization.empty()) {
    credentials.protocol = BearerProtocol(raw);
    if (!credentials.protocol.empty()) {
      credentials.authorization = "Bearer " + credentials.protocol.substr(kBearerProtocol.size());
    }
  }
  return credentials;
}

absl::StatusOr<parties::Principal> AuthenticateUpgrade(parties::Authenticator& authenticator,
                                                       const UpgradeCredentials& credentials,
                                                       Access access) {
  ASSIGN_OR_RETURN(parties::Principal who, authenticator.Authenticate(credentials.authorization));
  RETURN_IF_ERROR(CheckAccess(who, access));
  return who;
}

absl::StatusOr<parties::Principal> AuthenticateTokenMessage(parties::Authenticator& authenticator,
                                                            std::string_view message,
                                                            Access access) {
  boost::system::error_code parse_error;
  boost::json::value parsed = boost::json::parse(message, parse_error);
  const boost::json::string* token = nullptr;
  if (!parse_error && parsed.is_object()) {
    if (const boost::json::value* t = parsed.as_object().if_contains("token")) {
      token = t->if_string();
    }
  }
  if (token == nullptr) {
    return absl::UnauthenticatedError("the first message must be {\"token\": \"<token>\"}");
  }
  ASSIGN_OR_RETURN(parties::Principal who,
                   authenticator.Authenticate("Bearer " + std::string(*token)));
  RETURN_IF_ERROR(CheckAccess(who, access));
  return who;
}

void AnswerHandshakeWith(WebSocket& ws, const std::string& protocol) {
  ws.set_option(websocket::stream_base::decorator([protocol](websocket::response_type& res) {
    res.set(http::field::server, "deconflict");
    if (!protocol.empty()) res.set(http::field::sec_websocket_protocol, protocol);
  }));
}

void RefuseUpgrade(WebSocket& ws, unsigned version, Reply reply, std::shared_ptr<void> keep_alive) {
  auto response = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(reply.status), version);
  response->set(http::field::server, "deconflict");
  response->set(http::field::content_type, reply.content_type);
  response->body() = std::move(reply.body);
  response->keep_alive(false);
  response->prepare_payload();
  http::async_write(
      ws.next_layer(), *response, [&ws, response, keep_alive](beast::error_code, size_t) {
        beast::error_code ignored;
        ws.next_layer().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
      });
}

}  // namespace deconflict::api
