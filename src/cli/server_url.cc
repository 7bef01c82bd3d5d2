#include "cli/server_url.h"

#include <string_view>

#include "boost/json.hpp"

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

}  // namespace deconflict::cli
