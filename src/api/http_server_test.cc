// Tests of api/http_server.h and api/request_target.h: target parsing and routing as units, then
// a real HttpServer on port 0 spoken to over sockets with raw bytes.
#include "api/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <sstream>
#include <thread>

#include "api/request_target.h"
#include "common/json.h"
#include "common/status.h"
#include "common/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spdlog/sinks/base_sink.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------------------------
// Target parsing

TEST(HttpTarget, EscapedSlashStaysInsideItsSegment) {
  auto target = ParseRequestTarget("/v1/operations/abc%2Fdef");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_THAT(target->segments, ::testing::ElementsAre("v1", "operations", "abc/def"));
  EXPECT_EQ(target->path, "/v1/operations/abc%2Fdef");
}

TEST(HttpTarget, PlusIsLiteralInThePathAndASpaceInTheQuery) {
  auto target = ParseRequestTarget("/v1/a+b%20c?q=x+y&plus=%2B&empty=&flag");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_THAT(target->segments, ::testing::ElementsAre("v1", "a+b c"));
  EXPECT_EQ(target->query.at("q"), "x y");
  EXPECT_EQ(target->query.at("plus"), "+");
  EXPECT_EQ(target->query.at("empty"), "");
  EXPECT_EQ(target->query.at("flag"), "");
}

TEST(HttpTarget, EmptySegmentsAreDroppedAndUtf8IsKept) {
  auto target = ParseRequestTarget("//v1///caf%C3%A9/");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_THAT(target->segments, ::testing::ElementsAre("v1", "café"));
}

TEST(HttpTarget, InvalidPercentEscapeIsRefusedNamingTheSegment) {
  auto target = ParseRequestTarget("/v1/operations/x%zz");
  ASSERT_FALSE(target.ok());
  EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(target.status()), "path");
  EXPECT_EQ(target.status().message(), "path: segment 3 \"x%zz\" has an invalid percent escape");
  EXPECT_FALSE(ParseRequestTarget("/v1/x%4").ok());
  // Segments are counted as the router sees them: empty ones are not.
  EXPECT_THAT(ParseRequestTarget("//v1//x%zz").status().message(), HasSubstr("segment 2 "));
  EXPECT_THAT(ParseRequestTarget("//v1//x%00").status().message(), HasSubstr("segment 2 "));

  auto query = ParseRequestTarget("/v1/entries?limit=%G1");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(FieldOf(query.status()), "query");
  EXPECT_THAT(query.status().message(), HasSubstr("\"limit=%G1\""));
}

TEST(HttpTarget, ControlCharactersAndInvalidUtf8AreRefusedOnceDecoded) {
  for (const char* path : {"/v1/a%00b", "/v1/a%1Bb", "/v1/%7F", "/v1/%C2%85", "/v1/%0A"}) {
    auto target = ParseRequestTarget(path);
    ASSERT_FALSE(target.ok()) << path;
    EXPECT_EQ(FieldOf(target.status()), "path") << path;
    EXPECT_THAT(target.status().message(), HasSubstr("segment 2")) << path;
    EXPECT_THAT(target.status().message(), HasSubstr("control character")) << path;
  }
  auto invalid = ParseRequestTarget("/v1/%FF%FE");
  ASSERT_FALSE(invalid.ok());
  EXPECT_THAT(invalid.status().message(), HasSubstr("not valid UTF-8"));

  auto query = ParseRequestTarget("/v1/entries?after=1%00");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(FieldOf(query.status()), "query");
  EXPECT_THAT(query.status().message(), HasSubstr("value of parameter \"after\""));
}

TEST(HttpTarget, RepeatedQueryParameterIsRefused) {
  auto target = ParseRequestTarget("/v1/entries?limit=1&limit=1000000");
  ASSERT_FALSE(target.ok());
  EXPECT_EQ(target.status().message(), "query: parameter \"limit\" is given more than once");
}

TEST(HttpTarget, OverlongTargetIsOverALimit) {
  const std::string target = "/v1/operations/" + std::string(kMaxTargetBytes, 'a');
  auto parsed = ParseRequestTarget(target);
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(IsLimitExceeded(parsed.status()));
  EXPECT_EQ(FieldOf(parsed.status()), "path");
  EXPECT_TRUE(ParseRequestTarget(target, 2 * kMaxTargetBytes).ok());
}

TEST(HttpTarget, OnlyOriginFormIsAccepted) {
  EXPECT_FALSE(ParseRequestTarget("http://example.com/v1/health").ok());
  EXPECT_FALSE(ParseRequestTarget("*").ok());
  EXPECT_FALSE(ParseRequestTarget("v1/health").ok());
  auto raw_byte = ParseRequestTarget("/v1/\xff");
  ASSERT_FALSE(raw_byte.ok());
  EXPECT_TRUE(IsValidUtf8(std::string(raw_byte.status().message())));
  EXPECT_THAT(raw_byte.status().message(), HasSubstr("\\xFF"));
}

// ---------------------------------------------------------------------------------------------
// Error replies

TEST(HttpReply, ErrorMessagesAreValidUtf8AndSmallWhateverAHandlerPutInThem) {
  const std::string id = std::string(60 * 1024, 'a') + "\xff\xfe";
  Reply reply = ErrorReply(absl::NotFoundError(fmt::format("no operation {}", id)));
  EXPECT_EQ(reply.status, 404);
  EXPECT_LT(reply.body.size(), 1200u);
  EXPECT_TRUE(IsValidUtf8(reply.body));
  ASSERT_TRUE(ParseJson(reply.body).ok()) << reply.body.substr(0, 200);
  EXPECT_THAT(reply.body, HasSubstr(fmt::format("({} bytes)", id.size() + 13)));

  Reply field = ErrorReply(InvalidField("label\xc0", "must not hold \x1b"));
  EXPECT_TRUE(IsValidUtf8(field.body));
  EXPECT_EQ(boost::json::parse(field.body).at("error").at("field"), "label\\xC0");
}

// ---------------------------------------------------------------------------------------------
// Router

Request RequestFor(std::string method, std::string_view target) {
  absl::StatusOr<RequestTarget> parsed = ParseRequestTarget(target, 1 << 20);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  Request request;
  request.method = std::move(method);
  request.path = parsed->path;
  request.segments = parsed->segments;
  request.query = parsed->query;
  return request;
}

// A router with the operation routes' shapes; handlers answer which route ran and its params.
Router OperationRouter() {
  Router router;
  auto named = [](std::string name) {
    return [name](const Request& req, Respond respond) {
      boost::json::object params;
      for (const auto& [key, value] : req.path_params) params[key] = value;
      respond(JsonReply(200, boost::json::object{{"route", name}, {"params", params}}));
    };
  };
  router.Add("PUT", "/v1/operations/{id}", named("put"));
  router.Add("PUT", "/v1/operations/{id}/{ovn}", named("update"));
  router.Add("GET", "/v1/operations/{id}", named("get"));
  return router;
}

Reply Dispatched(const Router& router, Request request) {
  Reply answer;
  router.Dispatch(request, [&](Reply reply) { answer = std::move(reply); });
  return answer;
}

TEST(HttpRouter, EscapedSlashNeverReachesTheTwoParameterRoute) {
  Router router = OperationRouter();
  Reply reply = Dispatched(router, RequestFor("PUT", "/v1/operations/abc%2Fovn1"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(boost::json::parse(reply.body),
            boost::json::parse(R"({"route": "put", "params": {"id": "abc/ovn1"}})"));
  reply = Dispatched(router, RequestFor("PUT", "/v1/operations/abc/ovn1"));
  EXPECT_EQ(boost::json::parse(reply.body).at("route"), "update");
}

TEST(HttpRouter, NotFoundAndMethodNotAllowedQuoteThePath) {
  Router router = OperationRouter();
  Reply not_allowed = Dispatched(router, RequestFor("DELETE", "/v1/operations/x"));
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_EQ(boost::json::parse(not_allowed.body).at("error").at("message"),
            "\"DELETE\" is not allowed on \"/v1/operations/x\"");
  Reply not_found = Dispatched(router, RequestFor("GET", "/v1/nothing"));
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(boost::json::parse(not_found.body).at("error").at("message"),
            "no route \"GET\" \"/v1/nothing\"");
}

TEST(HttpRouter, MessagesStaySmallAndValidUtf8WhateverThePath) {
  Router router = OperationRouter();
  Request request;
  request.method = "GET";
  request.path = "/v1/" + std::string(60 * 1024, 'a') + "\xff\xfe\x1b[2J";
  request.segments = {"v1", request.path.substr(4)};
  Reply reply = Dispatched(router, request);
  EXPECT_EQ(reply.status, 404);
  EXPECT_LT(reply.body.size(), 300u) << reply.body.substr(0, 300);
  EXPECT_TRUE(IsValidUtf8(reply.body));
  EXPECT_THAT(reply.body, HasSubstr(fmt::format("({} bytes)", request.path.size())));
  EXPECT_TRUE(ParseJson(reply.body).ok());
}

// ---------------------------------------------------------------------------------------------
// A real server on port 0

// Runs an HttpServer on its own threads for the duration of a test.
class RunningServer {
 public:
  RunningServer(HttpServerOptions options, Router router) : router_(std::move(router)) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(std::move(options), router_);
    absl::Status started = server_->Start();
    EXPECT_TRUE(started.ok()) << started;
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~RunningServer() {
    server_->Stop();
    thread_.join();
  }
  uint16_t port() const { return server_->port(); }
  HttpServer& server() { return *server_; }

 private:
  Router router_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

Router EchoRouter() {
  Router router;
  router.Add("GET", "/echo/{id}", [](const Request& req, Respond respond) {
    boost::json::object query;
    for (const auto& [key, value] : req.query) query[key] = value;
    respond(
        JsonReply(200, boost::json::object{{"id", req.path_params.at("id")}, {"query", query}}));
  });
  return router;
}

// A blocking client connection with a receive timeout, speaking raw bytes.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  // Sends `raw`; false when the server has closed the connection.
  bool Send(std::string_view raw) {
    beast::error_code ec;
    net::write(socket_, net::buffer(raw.data(), raw.size()), ec);
    return !ec;
  }
  // Reads one response; status 0 when the connection ended first or 5 s passed. Raw recv (with
  // SO_RCVTIMEO) rather than Asio's blocking read, which would wait for ever on a silent server.
  http::response<http::string_body> Read() {
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    // The parser takes a header only whole: bytes it leaves stay in pending_ and are offered
    // again with what arrives next.
    bool need_more = pending_.empty();
    while (!parser.is_done()) {
      if (need_more) {
        char chunk[16384];
        const ssize_t n = ::recv(socket_.native_handle(), chunk, sizeof chunk, 0);
        if (n <= 0) return NoAnswer();
        pending_.append(chunk, static_cast<size_t>(n));
      }
      beast::error_code ec;
      const size_t used = parser.put(net::buffer(pending_), ec);
      pending_.erase(0, used);
      if (ec && ec != http::error::need_more) return NoAnswer();
      need_more = ec == http::error::need_more || pending_.empty();
    }
    return parser.release();
  }
  http::response<http::string_body> Get(std::string_view target) {
    Send(fmt::format("GET {} HTTP/1.1\r\nHost: test\r\n\r\n", target));
    return Read();
  }
  // Status 0 (a default-constructed response says 200).
  static http::response<http::string_body> NoAnswer() {
    http::response<http::string_body> none;
    none.result(0u);
    return none;
  }
  void SetReceiveTimeout(milliseconds timeout) {
    timeval tv{.tv_sec = timeout.count() / 1000, .tv_usec = (timeout.count() % 1000) * 1000};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  // True when the server closes the connection (EOF or reset) before `within`.
  bool ClosedWithin(milliseconds within) {
    timeval timeout{.tv_sec = within.count() / 1000, .tv_usec = (within.count() % 1000) * 1000};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    char byte;
    ssize_t n = ::recv(socket_.native_handle(), &byte, 1, 0);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  std::string pending_;  // received bytes the parser has not taken yet
};

TEST(HttpServerTarget, EscapedSlashAndPlusReachTheHandlerAsSent) {
  RunningServer running({}, EchoRouter());
  Client client(running.port());
  auto response = client.Get("/echo/a%2Fb+c?q=x+y");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(boost::json::parse(response.body()),
            boost::json::parse(R"({"id": "a/b+c", "query": {"q": "x y"}})"));
  EXPECT_EQ(client.Get("/echo/a/b").result_int(), 404);
}

TEST(HttpServerTarget, BadTargetsAre400NamingThePart) {
  RunningServer running({}, EchoRouter());
  Client client(running.port());
  auto nul = client.Get("/echo/a%00");
  EXPECT_EQ(nul.result_int(), 400);
  EXPECT_EQ(boost::json::parse(nul.body()).at("error").at("field"), "path");
  auto escape = client.Get("/echo/%zz");
  EXPECT_EQ(escape.result_int(), 400);
  EXPECT_THAT(escape.body(), HasSubstr("segment 2 \\\"%zz\\\""));
  auto raw = client.Get("/echo/\xff\xfe");  // raw bytes: Beast or Boost.URL refuses them
  EXPECT_EQ(raw.result_int(), 400);
  EXPECT_TRUE(IsValidUtf8(raw.body()));
}

TEST(HttpServerTarget, HugeAndInvalidPathsGetSmallValidAnswers) {
  RunningServer running({.max_target_bytes = 100 * 1024}, EchoRouter());
  Client client(running.port());
  auto huge = client.Get("/nothing/" + std::string(60 * 1024, 'a') + "%FF");
  EXPECT_EQ(huge.result_int(), 400);  // not valid UTF-8 once decoded
  EXPECT_LT(huge.body().size(), 300u);
  EXPECT_TRUE(ParseJson(huge.body()).ok()) << huge.body().substr(0, 300);
  auto long_404 = client.Get("/nothing/" + std::string(60 * 1024, 'a'));
  EXPECT_EQ(long_404.result_int(), 404);
  EXPECT_LT(long_404.body().size(), 300u);

  RunningServer limited({}, EchoRouter());
  Client other(limited.port());
  auto over = other.Get("/echo/" + std::string(8 * 1024, 'a'));
  EXPECT_EQ(over.result_int(), 413);
  EXPECT_EQ(boost::json::parse(over.body()).at("error").at("field"), "path");
}

// ---------------------------------------------------------------------------------------------
// Connection limits and timeouts

TEST(HttpServerLimits, DefaultMaxConnectionsFollowsTheDescriptorLimit) {
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit lowered = saved;
  lowered.rlim_cur = std::min<rlim_t>(saved.rlim_max, 1000);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  const int64_t expected = static_cast<int64_t>(lowered.rlim_cur) * 4 / 5 - 32;  // 768 at 1000
  EXPECT_EQ(DefaultMaxConnections(), static_cast<size_t>(std::max<int64_t>(1, expected)));
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);

  HttpServerOptions defaults;
  EXPECT_LE(defaults.idle_timeout, std::chrono::seconds(30));
  EXPECT_LE(defaults.header_timeout, std::chrono::seconds(10));
}

TEST(HttpServerLimits, OverTheConnectionCapNewConnectionsGet503) {
  RunningServer running({.max_connections = 2}, EchoRouter());
  auto first = std::make_unique<Client>(running.port());
  Client second(running.port());
  EXPECT_EQ(first->Get("/echo/1").result_int(), 200);
  EXPECT_EQ(second.Get("/echo/2").result_int(), 200);

  Client third(running.port());
  auto refused = third.Get("/echo/3");
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_EQ(refused[http::field::retry_after], "1");
  EXPECT_EQ(running.server().max_connections(), 2u);

  // Once a connection closes, a new one is served again.
  first.reset();
  const auto deadline = steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (steady_clock::now() < deadline && status != 200) {
    std::this_thread::sleep_for(milliseconds(20));
    Client again(running.port());
    status = again.Get("/echo/4").result_int();
  }
  EXPECT_EQ(status, 200);
}

TEST(HttpServerLimits, PastTheReserveTheServerStopsAcceptingUntilAConnectionCloses) {
  // max_connections 1: one served, a reserve of 4 answered 503 (they linger while their clients
  // keep them open), then nothing is accepted.
  RunningServer running({.max_connections = 1}, EchoRouter());
  auto served = std::make_unique<Client>(running.port());
  ASSERT_EQ(served->Get("/echo/served").result_int(), 200);
  std::vector<std::unique_ptr<Client>> refused;
  for (int refused_idx = 0; refused_idx < 4; ++refused_idx) {
    refused.push_back(std::make_unique<Client>(running.port()));
    EXPECT_EQ(refused.back()->Get("/echo/refused").result_int(), 503);
  }
  EXPECT_EQ(running.server().open_connections(), 5u);

  Client waiting(running.port());  // the kernel completes the handshake; the server waits
  waiting.SetReceiveTimeout(milliseconds(300));
  EXPECT_EQ(waiting.Get("/echo/waiting").result_int(), 0);
  EXPECT_EQ(running.server().open_connections(), 5u);

  // The served connection closes: the waiting one is accepted and served.
  served.reset();
  waiting.SetReceiveTimeout(milliseconds(5000));
  auto response = waiting.Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(boost::json::parse(response.body()).at("id"), "waiting");
}

TEST(HttpServerLimits, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  RunningServer running({.idle_timeout = milliseconds(200)}, EchoRouter());
  Client client(running.port());
  ASSERT_EQ(client.Get("/echo/1").result_int(), 200);
  const auto answered = steady_clock::now();
  EXPECT_TRUE(client.ClosedWithin(milliseconds(3000)));
  const auto idle = steady_clock::now() - answered;
  EXPECT_GE(idle, milliseconds(150));
  EXPECT_LT(idle, milliseconds(2000));
  // The server forgets the connection once its last step has ended.
  for (int wait_idx = 0; wait_idx < 100 && running.server().open_connections() > 0; ++wait_idx) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(running.server().open_connections(), 0u);
}

TEST(HttpServerLimits, HeadersTrickledSlowerThanTheHeaderTimeoutAreCutOff) {
  RunningServer running({.idle_timeout = milliseconds(5000), .header_timeout = milliseconds(300)},
                        EchoRouter());
  Client client(running.port());
  // A slowloris client: one header byte every 50 ms, each well within the idle timeout.
  const std::string request =
      "GET /echo/1 HTTP/1.1\r\nHost: test\r\nX-Slow: " + std::string(200, 'z');
  const auto start = steady_clock::now();
  bool cut_off = false;
  for (char byte : request) {
    if (!client.Send(std::string_view(&byte, 1))) {
      cut_off = true;
      break;
    }
    if (client.ClosedWithin(milliseconds(50))) {
      cut_off = true;
      break;
    }
  }
  EXPECT_TRUE(cut_off);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

// CPU time (user + system) this process has used.
milliseconds ProcessCpuTime() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& tv) { return tv.tv_sec * 1000 + tv.tv_usec / 1000; };
  return milliseconds(ms(usage.ru_utime) + ms(usage.ru_stime));
}

// A log sink whose text the test reads under the sink's own lock while the server's thread
// may still be logging (an ostringstream read bare is a data race TSan reports).
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string str() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    text_.append(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::string text_;
};

TEST(HttpServerLimits, AcceptBacksOffWhenDescriptorsRunOutAndServesOnceTheyFree) {
  // Capture the log: the server logs accept failures through spdlog's default logger.
  auto log = std::make_shared<CaptureSink>();
  auto previous_logger = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", log));

  {
    RunningServer running({.threads = 1, .max_connections = 10000}, EchoRouter());
    rlimit saved{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit lowered = saved;
    lowered.rlim_cur = 256;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);

    // Every descriptor but one is taken; the client's socket takes the last and connects (the
    // kernel completes the handshake), so the server's accept fails with EMFILE. A raw socket:
    // an io_context would need descriptors of its own.
    std::vector<int> fillers;
    for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;) fillers.push_back(fd);
    ASSERT_EQ(errno, EMFILE);
    ::close(fillers.back());
    fillers.pop_back();
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(client, 0);
    sockaddr_in server_address{.sin_family = AF_INET, .sin_port = htons(running.port())};
    server_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(
        ::connect(client, reinterpret_cast<sockaddr*>(&server_address), sizeof server_address), 0);

    const milliseconds cpu_before = ProcessCpuTime();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const milliseconds cpu_used = ProcessCpuTime() - cpu_before;

    for (int fd : fillers) ::close(fd);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);

    // Spinning would use about the whole second; backing off from 10 ms uses a few ms.
    RecordProperty("server_cpu_ms_over_1s", static_cast<int>(cpu_used.count()));
    EXPECT_LT(cpu_used, milliseconds(100));
    const std::string lines = log->str();
    const auto failures = std::count(lines.begin(), lines.end(), '\n');
    EXPECT_GE(failures, 1);
    EXPECT_LE(failures, 2) << lines.substr(0, 2000);
    EXPECT_THAT(lines, HasSubstr("accept failed"));

    // The waiting connection is served once descriptors are free (the wait is at most 1 s).
    const std::string request =
        "GET /echo/after HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(::send(client, request.data(), request.size(), 0),
              static_cast<ssize_t>(request.size()));
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string answer;
    char chunk[4096];
    for (ssize_t n; (n = ::recv(client, chunk, sizeof chunk, 0)) > 0;) answer.append(chunk, n);
    ::close(client);
    EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 200"));
  }
  spdlog::set_default_logger(previous_logger);
}

}  // namespace
}  // namespace deconflict::api

namespace deconflict::api {
namespace {

// A route that answers how many body bytes it got.
Router BodySizeRouter() {
  Router router;
  for (const char* path : {"/v1/tracks", "/small"}) {
    router.Add("POST", path, [](const Request& req, Respond respond) {
      respond(JsonReply(200, boost::json::object{{"bytes", req.body.size()}}));
    });
  }
  return router;
}

std::string Post(std::string_view path, size_t bytes) {
  return fmt::format("POST {} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n{}", path, bytes,
                     std::string(bytes, 'x'));
}

TEST(HttpServerLimits, ALargeBodyRouteTakesItsOwnLimitAndOthersKeepTheDefault) {
  RunningServer server(HttpServerOptions{}, BodySizeRouter());
  // 1.5 MB: over the 1 MiB default, under the 4 MiB of POST /v1/tracks (10,000 reports).
  const size_t batch = 1'500'000;
  Client tracks(server.port());
  ASSERT_TRUE(tracks.Send(Post("/v1/tracks", batch)));
  auto answer = tracks.Read();
  EXPECT_EQ(answer.result_int(), 200u) << answer.body();
  EXPECT_NE(answer.body().find("1500000"), std::string::npos) << answer.body();

  Client small(server.port());
  ASSERT_TRUE(small.Send(Post("/small", batch)));
  answer = small.Read();
  EXPECT_EQ(answer.result_int(), 413u);
  EXPECT_NE(answer.body().find("limit of 1048576 bytes"), std::string::npos) << answer.body();

  Client huge(server.port());
  huge.Send(fmt::format("POST /v1/tracks HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n",
                        5u << 20));
  answer = huge.Read();
  EXPECT_EQ(answer.result_int(), 413u);
  EXPECT_NE(answer.body().find("limit of 4194304 bytes"), std::string::npos) << answer.body();
}

}  // namespace
}  // namespace deconflict::api
