#include "tests/e2e/harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "common/time.h"
#include "fmt/format.h"

namespace deconflict::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string BinaryPath() {
  if (const char* env = std::getenv("DECONFLICT_BINARY"); env && *env) return env;
  return DECONFLICT_DEFAULT_BINARY;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "deconflict-e2e-XXXXXX").string();
  char* made = ::mkdtemp(tmpl.data());
  path_ = made ? made : "";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

namespace {

std::vector<char*> Argv(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

CliResult RunCli(const std::vector<std::string>& args) {
  CliResult result;
  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) return result;
  const std::string binary = BinaryPath();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    auto argv = Argv(binary, args);
    ::execv(binary.c_str(), argv.data());
    _exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  // Drain stderr in the background order-independently: outputs here are small.
  result.out = ReadAll(out_pipe[0]);
  result.err = ReadAll(err_pipe[0]);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
}

bool ServerProcess::Start() {
  int out_pipe[2];
  if (::pipe(out_pipe) != 0) return false;
  const std::string binary = BinaryPath();
  std::vector<std::string> args = {"serve", "--data", data_dir_, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out_pipe[1], 1);
    ::close(out_pipe[0]);
    auto argv = Argv(binary, args);
    ::execv(binary.c_str(), argv.data());
    _exit(127);
  }
  ::close(out_pipe[1]);
  stdout_fd_ = out_pipe[0];
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[4096];
      ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
      if (n <= 0) break;
      seen.append(buf, static_cast<size_t>(n));
      constexpr std::string_view kListening = "listening on http://127.0.0.1:";
      size_t at = seen.find(kListening);
      if (at != std::string::npos) {
        size_t digits = at + kListening.size();
        size_t end = seen.find_first_not_of("0123456789", digits);
        if (end != std::string::npos && end > digits) {
          port_ = std::stoi(seen.substr(digits, end - digits));
          banner_ = seen.substr(0, at);
          return true;
        }
      }
    }
  }
  error_ = "server did not print its port; output: " + seen;
  Kill();
  return false;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
}

int ServerProcess::WaitExit(int timeout_ms) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    ::poll(nullptr, 0, 20);  // waitpid has no timeout; poll the child every 20 ms
  }
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

boost::json::value HttpResult::json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

struct HttpConnection::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  int port;
  bool connected = false;
};

HttpConnection::HttpConnection(int port) : impl_(new Impl) { impl_->port = port; }
HttpConnection::~HttpConnection() { delete impl_; }

HttpResult HttpConnection::Send(const std::string& method, const std::string& target,
                                const std::string& body, const std::string& token) {
  HttpResult result;
  beast::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    // Only a request on a reused keep-alive connection that the server had already closed is
    // sent again; a fresh connection's failure is the answer (status 0).
    const bool reused = impl_->connected;
    if (!impl_->connected) {
      impl_->stream.close();
      impl_->stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), impl_->port), ec);
      if (ec) return result;
      impl_->connected = true;
    }
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(true);
    http::write(impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (!ec) http::read(impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      impl_->connected = false;
      const bool closed_before_answer = ec == http::error::end_of_stream ||
                                        ec == net::error::connection_reset ||
                                        ec == net::error::broken_pipe || ec == net::error::eof;
      if (reused && closed_before_answer) continue;
      return result;
    }
    auto res = parser.release();
    result.status = res.result_int();
    result.body = res.body();
    result.content_type = std::string(res[http::field::content_type]);
    if (!res.keep_alive()) impl_->connected = false;
    return result;
  }
  return result;
}

HttpResult Http(int port, const std::string& method, const std::string& target,
                const std::string& body, const std::string& token) {
  HttpConnection connection(port);
  return connection.Send(method, target, body, token);
}

namespace {

std::string At(int offset_s) {
  auto now =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  return FormatRfc3339(std::chrono::floor<std::chrono::seconds>(now) +
                       std::chrono::seconds(offset_s));
}

std::string Wrap(const std::string& outline, double lo, double hi, int s, int e) {
  return fmt::format(
      R"({{"volume": {{{}, "altitude_lower": {{"value": {}, "reference": "W84", "units": "M"}}, )"
      R"("altitude_upper": {{"value": {}, "reference": "W84", "units": "M"}}}}, )"
      R"("time_start": {{"value": "{}", "format": "RFC3339"}}, "time_end": {{"value": "{}", "format": "RFC3339"}}}})",
      outline, lo, hi, At(s), At(e));
}

}  // namespace

std::string CircleVolume(double lat, double lng, double radius_m, double lo_m, double hi_m,
                         int start_offset_s, int end_offset_s) {
  return Wrap(
      fmt::format(
          R"("outline_circle": {{"center": {{"lat": {}, "lng": {}}}, "radius": {{"value": {}, "units": "M"}}}})",
          lat, lng, radius_m),
      lo_m, hi_m, start_offset_s, end_offset_s);
}

std::string PolygonVolume(const std::vector<std::pair<double, double>>& vertices, double lo_m,
                          double hi_m, int start_offset_s, int end_offset_s) {
  std::string list;
  for (const auto& [lat, lng] : vertices) {
    if (!list.empty()) list += ", ";
    list += fmt::format(R"({{"lat": {}, "lng": {}}})", lat, lng);
  }
  return Wrap(fmt::format(R"("outline_polygon": {{"vertices": [{}]}})", list), lo_m, hi_m,
              start_offset_s, end_offset_s);
}

std::string OperationBody(const std::vector<std::string>& volumes,
                          const std::vector<std::string>& key, const std::string& state) {
  std::string extents, keys;
  for (const auto& v : volumes) extents += (extents.empty() ? "" : ", ") + v;
  for (const auto& k : key) keys += (keys.empty() ? "\"" : ", \"") + k + "\"";
  return fmt::format(R"({{"extents": [{}], "state": "{}", "key": [{}]}})", extents, state, keys);
}

std::string AddParty(const std::string& data_dir, const std::string& id, const std::string& role) {
  CliResult r = RunCli(
      {"party", "add", "--data", data_dir, "--id", id, "--name", id + " forces", "--role", role});
  size_t at = r.out.find("token: ");
  if (r.exit_code != 0 || at == std::string::npos) {
    std::cerr << "party add failed: " << r.out << r.err << "\n";
    return "";
  }
  size_t end = r.out.find('\n', at);
  return r.out.substr(at + 7, end - at - 7);
}

CliResult ExportAndVerify(const std::string& data_dir, int64_t index) {
  const std::string bundle = data_dir + "/entry-" + std::to_string(index) + ".bundle";
  CliResult exported = RunCli(
      {"ledger", "export", "--data", data_dir, "--index", std::to_string(index), "--out", bundle});
  if (exported.exit_code != 0) return exported;
  CliResult log_key = RunCli({"ledger", "key", "--data", data_dir});
  std::string key = log_key.out;
  while (!key.empty() && key.back() == '\n') key.pop_back();
  return RunCli({"ledger", "verify", "--bundle", bundle, "--key", key});
}

}  // namespace deconflict::e2e
