#include "api/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <optional>
#include <thread>

#include "common/mutex.h"
#include "common/status.h"
#include "common/text.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

// Splits a route pattern (never a request path: those go through ParseRequestTarget).
std::vector<std::string> SplitPattern(std::string_view pattern) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string_view::npos) slash = pattern.size();
    if (slash > start) segments.emplace_back(pattern.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

Reply SimpleError(int status, std::string code, std::string message) {
  return JsonReply(
      status,
      boost::json::object{{"error", {{"code", std::move(code)}, {"message", std::move(message)}}}});
}

// Counts open connections against the limits of the header comment. Shared by the accept loop
// and every connection (through ConnectionSlot), so a connection that outlives the server (one
// destroyed with the io_context) stays safe: Detach() stops it from waking the accept loop.
//
// Thread-safe.
class ConnectionGate {
 public:
  explicit ConnectionGate(size_t max_connections)
      : max_connections_(max_connections),
        max_open_(max_connections + std::max<size_t>(4, max_connections / 32)) {}

  // Counts a connection just accepted. True when it may be served (fewer than max_connections
  // are), false when it must be answered 503; pass the answer to Release.
  bool Admit() {
    WriterLock lock(mu_);
    const bool serve = served_ < max_connections_;
    ++(serve ? served_ : rejecting_);
    return serve;
  }

  // True when the accept loop may accept now. Otherwise the gate keeps `resume` and calls it
  // once, from the thread that closes a connection, when one closes.
  bool MayAccept(std::function<void()> resume) {
    WriterLock lock(mu_);
    if (served_ + rejecting_ < max_open_) return true;
    resume_ = std::move(resume);
    return false;
  }

  void Release(bool served) {
    std::function<void()> resume;
    {
      WriterLock lock(mu_);
      --(served ? served_ : rejecting_);
      if (served_ + rejecting_ < max_open_) resume.swap(resume_);
    }
    if (resume) resume();
  }

  void Detach() {
    WriterLock lock(mu_);
    resume_ = nullptr;
  }

  size_t open() const {
    WriterLock lock(mu_);
    return served_ + rejecting_;
  }
  size_t max_connections() const { return max_connections_; }

 private:
  const size_t max_connections_;
  const size_t max_open_;  // max_connections_ plus the reserve answered 503
  mutable Mutex mu_;
  size_t served_ ABSL_GUARDED_BY(mu_) = 0;
  size_t rejecting_ ABSL_GUARDED_BY(mu_) = 0;  // answered 503, lingering until closed
  // Set while the accept loop waits for a free slot.
  std::function<void()> resume_ ABSL_GUARDED_BY(mu_);
};

// One counted connection; releases its place in the gate when destroyed. Movable, so that a
// connection handed over to another protocol (a WebSocket upgrade) keeps its place.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<ConnectionGate> gate, bool served)
      : gate_(std::move(gate)), served_(served) {}
  ConnectionSlot(ConnectionSlot&&) = default;
  ConnectionSlot& operator=(ConnectionSlot&&) = default;
  ~ConnectionSlot() {
    if (gate_) gate_->Release(served_);
  }

 private:
  std::shared_ptr<ConnectionGate> gate_;  // null once moved from
  bool served_;
};

// Builds the handler's Request from the parsed HTTP message; an error reply when the target is
// refused.
absl::StatusOr<Request> MakeRequest(http::request<http::string_body>& raw,
                                    size_t max_target_bytes) {
  Request request;
  request.method = std::string(raw.method_string());
  ASSIGN_OR_RETURN(RequestTarget target,
                   ParseRequestTarget(std::string_view(raw.target().data(), raw.target().size()),
                                      max_target_bytes));
  request.path = std::move(target.path);
  request.segments = std::move(target.segments);
  request.query = std::move(target.query);
  if (auto it = raw.find(http::field::authorization); it != raw.end()) {
    request.authorization = std::string(it->value());
  }
  if (auto it = raw.find(http::field::content_type); it != raw.end()) {
    request.content_type = std::string(it->value());
  }
  request.body = std::move(raw.body());
  return request;
}

// One HTTP/1.1 connection. Its life, each step a method below:
//   ReadHeader -> ReadBody -> OnRequest (dispatch) -> Write -> WaitForNextRequest -> ReadHeader
// or Reject (over the connection limit) -> Write 503 -> LingeringClose.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const Router& router, const HttpServerOptions& options,
          ConnectionSlot slot)
      : stream_(std::move(socket)), router_(router), options_(options), slot_(std::move(slot)) {}

  // Serves requests until the client or a timeout ends the connection.
  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

  // Answers 503 at once and closes: the server is at max_connections.
  void Reject() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      Reply reply =
          SimpleError(503, "unavailable", "the server is at its connection limit; retry shortly");
      self->Write(std::move(reply), /*keep_alive=*/false, 11, /*retry_after=*/true);
    });
  }

 private:
  // A new request: its headers must arrive within header_timeout (from accept for the first
  // request, from its first byte for later ones; see WaitForNextRequest).
  void ReadHeader() {
    parser_.emplace();
    // Beast checks a Content-Length against the limit while it reads the header, before the
    // target is known: allow the largest limit of any route here, then hold the request to its
    // own route's limit in ReadBody.
    body_limit_ = options_.max_body_bytes;
    size_t largest = options_.max_body_bytes;
    for (const auto& [path, limit] : options_.large_body_paths) largest = std::max(largest, limit);
    parser_->body_limit(largest);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(options_.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::ReadBody, shared_from_this()));
  }

  void ReadBody(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    body_limit_ = LimitOf(parser_->get());
    // A declared length over this request's limit is refused before its body is read; a chunked
    // body is held to the limit as it arrives.
    if (boost::optional<uint64_t> length = parser_->content_length();
        length && *length > body_limit_) {
      return OnReadError(http::error::body_limit);
    }
    parser_->body_limit(body_limit_);
    stream_.expires_after(options_.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRequest, shared_from_this()));
  }

  // The body limit of a request: its route's (large_body_paths) or max_body_bytes.
  size_t LimitOf(const http::request<http::string_body>& header) const {
    if (header.method() != http::verb::post) return options_.max_body_bytes;
    std::string_view target = header.target();
    auto it = options_.large_body_paths.find(std::string(target.substr(0, target.find('?'))));
    return it == options_.large_body_paths.end() ? options_.max_body_bytes : it->second;
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      // Also when refused while the header was read (over every route's limit): the start line
      // is parsed by then, so the route's own limit is named.
      body_limit_ = LimitOf(parser_->get());
      return Write(SimpleError(413, "too_large",
                               fmt::format("body: larger than the limit of {} bytes", body_limit_)),
                   /*keep_alive=*/false, 11);
    }
    Write(SimpleError(400, "invalid_argument",
                      fmt::format("malformed HTTP request: {}", ec.message())),
          /*keep_alive=*/false, 11);
  }

  void OnRequest(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    stream_.expires_never();  // the handler may wait for the store; Write sets send_timeout
    http::request<http::string_body> raw = parser_->release();
    const bool keep_alive = raw.keep_alive();
    const unsigned version = raw.version();
    absl::StatusOr<Request> request = MakeRequest(raw, options_.max_target_bytes);
    if (!request.ok()) return Write(ErrorReply(request.status()), keep_alive, version);
    // A WebSocket route takes the connection over (events_socket.h); this session ends here.
    if (boost::beast::websocket::is_upgrade(raw)) {
      if (const UpgradeHandler* upgrade = router_.FindUpgrade(request->method, request->path)) {
        stream_.expires_never();
        const std::string path = request->path;
        try {
          (*upgrade)(Upgrade{*std::move(request), std::move(raw), stream_.release_socket()});
        } catch (const std::exception& e) {
          spdlog::error("upgrade of {}: handler threw: {}", QuoteForMessage(path), e.what());
        }
        return;
      }
    }

    auto self = shared_from_this();
    Respond respond = [self, keep_alive, version](Reply reply) {
      net::post(self->stream_.get_executor(),
                [self, reply = std::move(reply), keep_alive, version]() mutable {
                  self->Write(std::move(reply), keep_alive, version);
                });
    };
    // Our code does not throw, but libraries may (bad_alloc, Boost.JSON on a damaged row):
    // the boundary answers 500 with a log line instead of ending the process.
    try {
      router_.Dispatch(*request, respond);
    } catch (const std::exception& e) {
      spdlog::error("{} {}: handler threw: {}", request->method, QuoteForMessage(request->path),
                    e.what());
      respond(SimpleError(500, "internal", "internal error; the operator's log has the details"));
    }
  }

  void Write(Reply reply, bool keep_alive, unsigned version, bool retry_after = false) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(reply.status), version);
    response->set(http::field::server, "deconflict");
    response->set(http::field::content_type, reply.content_type);
    response->set(http::field::cache_control, "no-store");
    if (retry_after) response->set(http::field::retry_after, "1");
    for (const auto& [name, value] : reply.headers) response->set(name, value);
    response->body() = std::move(reply.body);
    response->keep_alive(keep_alive);
    response->prepare_payload();
    stream_.expires_after(options_.send_timeout);
    http::async_write(
        stream_, *response,
        [self = shared_from_this(), response, keep_alive](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          if (!keep_alive) return self->LingeringClose();
          self->WaitForNextRequest();
        });
  }

  // Keep-alive: the next request may begin up to idle_timeout from now; from its first byte,
  // ReadHeader's header_timeout applies. Bytes already buffered (a pipelined request) start it
  // at once.
  void WaitForNextRequest() {
    if (buffer_.size() > 0) return ReadHeader();
    stream_.expires_after(options_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // After answering a request whose body was not read (413, 400, 503), closing at once would
  // make the kernel reset the connection and the client might never see the answer: send FIN,
  // then read and discard what the client still sends (at most 16 MiB or 5 s) before closing.
  void LingeringClose() {
    Close();
    stream_.expires_after(std::chrono::seconds(5));
    Discard();
  }

  void Discard() {
    stream_.async_read_some(net::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
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
  size_t body_limit_ = 0;  // the current request's (max_body_bytes or a large_body_paths one)
  const Router& router_;
  const HttpServerOptions& options_;  // the server's; outlives every session it runs
  ConnectionSlot slot_;
  std::array<char, 8192> discard_;
  size_t discarded_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Router

void Router::Add(std::string method, std::string pattern, Handler handler) {
  std::vector<std::string> segments = SplitPattern(pattern);
  routes_.push_back(
      Route{std::move(method), std::move(pattern), std::move(segments), std::move(handler)});
}

void Router::Dispatch(Request& request, const Respond& respond) const {
  const std::vector<std::string>& segments = request.segments;
  bool path_matched = false;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    for (size_t segment_idx = 0; segment_idx < segments.size() && match; ++segment_idx) {
      const std::string& want = route.segments[segment_idx];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        params[want.substr(1, want.size() - 2)] = segments[segment_idx];
      } else {
        match = want == segments[segment_idx];
      }
    }
    if (!match) continue;
    path_matched = true;
    if (route.method != request.method) continue;
    request.path_params = std::move(params);
    route.handler(request, respond);
    return;
  }
  // The method is one of Beast's known verbs or a token of at most a header's size: quote both.
  if (path_matched) {
    respond(SimpleError(405, "method_not_allowed",
                        fmt::format("{} is not allowed on {}", QuoteForMessage(request.method),
                                    QuoteForMessage(request.path))));
  } else {
    respond(SimpleError(404, "not_found",
                        fmt::format("no route {} {}", QuoteForMessage(request.method),
                                    QuoteForMessage(request.path))));
  }
}

void Router::AddUpgrade(std::string path, UpgradeHandler handler) {
  upgrades_[std::move(path)] = std::move(handler);
}

const UpgradeHandler* Router::FindUpgrade(const std::string& method,
                                          const std::string& path) const {
  if (method != "GET") return nullptr;
  auto it = upgrades_.find(path);
  return it == upgrades_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------------------------
// HttpServer

size_t DefaultMaxConnections() {
  rlimit limit{};
  rlim_t soft = 1024;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    soft = limit.rlim_cur;
  if (limit.rlim_cur == RLIM_INFINITY) soft = 1 << 20;
  const int64_t connections = static_cast<int64_t>(soft) * 4 / 5 - 32;
  return static_cast<size_t>(std::max<int64_t>(1, connections));
}

struct HttpServer::Impl {
  Impl(HttpServerOptions o, const Router& r)
      : options(std::move(o)), router(r), acceptor(ioc), retry_timer(ioc) {}
  // Connections destroyed with the io_context after this must not wake the accept loop.
  ~Impl() {
    if (gate) gate->Detach();
  }

  void DoAccept() {
    if (!gate->MayAccept([this] { net::post(ioc, [this] { DoAccept(); }); })) return;
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      OnAccept(ec, std::move(socket));
    });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (ec == net::error::connection_aborted) return DoAccept();  // that client gave up: next
    if (ec) return RetryAcceptLater(ec);
    retry_delay = milliseconds(0);
    socket.set_option(tcp::no_delay(true), ec);
    const bool serve = gate->Admit();
    auto session =
        std::make_shared<Session>(std::move(socket), router, options, ConnectionSlot(gate, serve));
    serve ? session->Start() : session->Reject();
    DoAccept();
  }

  // Out of descriptors (EMFILE, ENFILE) or kernel memory: retrying at once would spin, since the
  // pending connection stays ready. Wait, doubling the wait while failures continue.
  void RetryAcceptLater(beast::error_code ec) {
    retry_delay = std::clamp(retry_delay * 2, kMinRetryDelay, kMaxRetryDelay);
    LogAcceptFailure(ec);
    retry_timer.expires_after(retry_delay);
    retry_timer.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec) DoAccept();
    });
  }

  // At most one line per kLogInterval, counting the failures in between.
  void LogAcceptFailure(beast::error_code ec) {
    const auto now = std::chrono::steady_clock::now();
    if (last_accept_log.has_value() && now - *last_accept_log < kLogInterval) {
      ++unlogged_accept_failures;
      return;
    }
    spdlog::warn(
        "accept failed: {}; retrying in {} ms ({} more failures since the last line; "
        "{} connections open)",
        ec.message(), retry_delay.count(), unlogged_accept_failures, gate->open());
    last_accept_log = now;
    unlogged_accept_failures = 0;
  }

  static constexpr milliseconds kMinRetryDelay{10};
  static constexpr milliseconds kMaxRetryDelay{1000};
  static constexpr std::chrono::seconds kLogInterval{5};

  HttpServerOptions options;
  const Router& router;
  std::shared_ptr<ConnectionGate> gate;  // set by Start()
  net::io_context ioc;
  tcp::acceptor acceptor;
  // The accept loop has one step outstanding at a time (an accept, a retry wait, or a wait in
  // the gate), so these need no lock.
  net::steady_timer retry_timer;
  milliseconds retry_delay{0};
  std::optional<std::chrono::steady_clock::time_point> last_accept_log;
  size_t unlogged_accept_failures = 0;
};

HttpServer::HttpServer(HttpServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        fmt::format("listen address '{}' is not an IP address", impl_->options.address));
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
  if (impl_->options.max_connections == 0) impl_->options.max_connections = DefaultMaxConnections();
  impl_->gate = std::make_shared<ConnectionGate>(impl_->options.max_connections);
  impl_->DoAccept();
  return absl::OkStatus();
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->options.threads; ++i)
    threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void HttpServer::Stop() { impl_->ioc.stop(); }

size_t HttpServer::open_connections() const { return impl_->gate ? impl_->gate->open() : 0; }

size_t HttpServer::max_connections() const { return impl_->options.max_connections; }

}  // namespace deconflict::api
