#include "api/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <array>
#include <optional>

#include "absl/strings/str_split.h"
#include "common/status.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

Reply SimpleError(int status, std::string code, std::string message) {
  return JsonReply(status, boost::json::object{
                               {"error", {{"code", std::move(code)}, {"message", std::move(message)}}}});
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const Router& router, size_t max_body)
      : stream_(std::move(socket)), router_(router), max_body_(max_body) {}

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::DoRead, shared_from_this()));
  }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(max_body_);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(std::chrono::seconds(120));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == beast::error::timeout || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return Write(SimpleError(413, "too_large",
                               fmt::format("body: larger than the limit of {} bytes", max_body_)),
                   /*keep_alive=*/false, 11);
    }
    if (ec) {
      return Write(SimpleError(400, "invalid_argument", fmt::format("malformed HTTP request: {}", ec.message())),
                   /*keep_alive=*/false, 11);
    }
    http::request<http::string_body> raw = parser_->release();
    const bool keep_alive = raw.keep_alive();
    const unsigned version = raw.version();

    Request request;
    request.method = std::string(raw.method_string());
    std::string_view target(raw.target().data(), raw.target().size());
    size_t question = target.find('?');
    absl::StatusOr<std::string> path = UrlDecode(target.substr(0, question));
    if (!path.ok()) {
      return Write(SimpleError(400, "invalid_argument", "malformed URL path"), keep_alive, version);
    }
    request.path = *std::move(path);
    if (question != std::string_view::npos) {
      std::string_view query = target.substr(question + 1);
      for (absl::string_view pair : absl::StrSplit(absl::string_view(query.data(), query.size()), '&', absl::SkipEmpty())) {
        size_t eq = pair.find('=');
        auto key = UrlDecode(std::string_view(pair.data(), eq == absl::string_view::npos ? pair.size() : eq));
        auto value = UrlDecode(eq == absl::string_view::npos ? std::string_view()
                                                             : std::string_view(pair.data() + eq + 1, pair.size() - eq - 1));
        if (!key.ok() || !value.ok()) {
          return Write(SimpleError(400, "invalid_argument", "malformed query string"), keep_alive, version);
        }
        request.query[*key] = *value;
      }
    }
    if (auto it = raw.find(http::field::authorization); it != raw.end()) {
      request.authorization = std::string(it->value());
    }
    if (auto it = raw.find(http::field::content_type); it != raw.end()) {
      request.content_type = std::string(it->value());
    }
    // A WebSocket route takes the connection over (events_socket.h); this session ends here.
    if (boost::beast::websocket::is_upgrade(raw)) {
      if (const UpgradeHandler* upgrade = router_.FindUpgrade(request.method, request.path)) {
        stream_.expires_never();
        const std::string path = request.path;
        try {
          (*upgrade)(Upgrade{std::move(request), std::move(raw), stream_.release_socket()});
        } catch (const std::exception& e) {
          spdlog::error("upgrade of {}: handler threw: {}", path, e.what());
        }
        return;
      }
    }
    request.body = std::move(raw.body());

    auto self = shared_from_this();
    Respond respond = [self, keep_alive, version](Reply reply) {
      net::post(self->stream_.get_executor(), [self, reply = std::move(reply), keep_alive, version]() mutable {
        self->Write(std::move(reply), keep_alive, version);
      });
    };
    // Our code does not throw, but libraries may (bad_alloc, Boost.JSON on a damaged row):
    // the boundary answers 500 with a log line instead of ending the process.
    try {
      router_.Dispatch(request, respond);
    } catch (const std::exception& e) {
      spdlog::error("{} {}: handler threw: {}", request.method, request.path, e.what());
      respond(SimpleError(500, "internal", "internal error; the operator's log has the details"));
    }
  }

  void Write(Reply reply, bool keep_alive, unsigned version) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), version);
    response->set(http::field::server, "deconflict");
    response->set(http::field::content_type, reply.content_type);
    response->set(http::field::cache_control, "no-store");
    response->body() = std::move(reply.body);
    response->keep_alive(keep_alive);
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response, keep_alive](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        if (!keep_alive) return self->LingeringClose();
                        self->DoRead();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // After answering a request whose body was not read (413, 400), closing at once would make
  // the kernel reset the connection and the client might never see the answer: send FIN, then
  // read and discard what the client still sends (at most 16 MiB or 5 s) before closing.
  void LingeringClose() {
    Close();
    stream_.expires_after(std::chrono::seconds(5));
    Discard();
  }

  void Discard() {
    stream_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->discarded_ += n;
      if (ec || self->discarded_ > (16u << 20)) {
        beast::error_code ignored;
        self->stream_.socket().close(ignored);
        return;
      }
      self->Discard();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const Router& router_;
  const size_t max_body_;
  std::array<char, 8192> discard_;
  size_t discarded_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Router

void Router::Add(std::string method, std::string pattern, Handler handler) {
  std::vector<std::string> segments = SplitPath(pattern);
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(segments), std::move(handler)});
}

void Router::Dispatch(Request& request, const Respond& respond) const {
  std::vector<std::string> segments = SplitPath(request.path);
  bool path_matched = false;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      const std::string& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        params[want.substr(1, want.size() - 2)] = segments[i];
      } else {
        match = want == segments[i];
      }
    }
    if (!match) continue;
    path_matched = true;
    if (route.method != request.method) continue;
    request.path_params = std::move(params);
    route.handler(request, respond);
    return;
  }
  if (path_matched) {
    respond(SimpleError(405, "method_not_allowed",
                        fmt::format("{} is not allowed on {}", request.method, request.path)));
  } else {
    respond(SimpleError(404, "not_found", fmt::format("no route {} {}", request.method, request.path)));
  }
}

void Router::AddUpgrade(std::string path, UpgradeHandler handler) {
  upgrades_[std::move(path)] = std::move(handler);
}

const UpgradeHandler* Router::FindUpgrade(const std::string& method, const std::string& path) const {
  if (method != "GET") return nullptr;
  auto it = upgrades_.find(path);
  return it == upgrades_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------------------------
// HttpServer

struct HttpServer::Impl {
  Impl(HttpServerOptions o, const Router& r) : options(std::move(o)), router(r), acceptor(ioc) {}

  void DoAccept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket), router, options.max_body_bytes)->Start();
      } else {
        spdlog::warn("accept failed: {}", ec.message());
      }
      DoAccept();
    });
  }

  HttpServerOptions options;
  const Router& router;
  net::io_context ioc;
  tcp::acceptor acceptor;
};

HttpServer::HttpServer(HttpServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) {
    return absl::InvalidArgumentError(fmt::format("listen address '{}' is not an IP address", impl_->options.address));
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(fmt::format("cannot listen on {}:{}: {}", impl_->options.address,
                                              impl_->options.port, ec.message()));
  }
  impl_->DoAccept();
  return absl::OkStatus();
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->options.threads; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void HttpServer::Stop() { impl_->ioc.stop(); }

absl::StatusOr<std::string> UrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        return absl::InvalidArgumentError("bad percent escape");
      }
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace deconflict::api
