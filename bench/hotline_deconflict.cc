// The deconflict half of the hotline benchmark (bench/hotline_systems.h).
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <thread>
#include <vector>

#include "bench/hotline_systems.h"
#include "fmt/format.h"
#include "tests/e2e/harness.h"

namespace deconflict::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// The text between `"key":"` and the next quote in `text`, or "" (the event stream writes compact
// JSON; the bench writes no quotes into subjects or bodies).
std::string_view StringField(std::string_view text, std::string_view key) {
  const std::string needle = fmt::format("\"{}\":\"", key);
  const size_t at = text.find(needle);
  if (at == std::string_view::npos) return {};
  const size_t start = at + needle.size(), end = text.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : text.substr(start, end - start);
}
int64_t NumberField(std::string_view text, std::string_view key) {
  const std::string needle = fmt::format("\"{}\":", key);
  const size_t at = text.find(needle);
  if (at == std::string_view::npos) return -1;
  return std::atoll(std::string(text.substr(at + needle.size(), 20)).c_str());
}

// One recipient party's GET /v1/events WebSocket, read by its own thread. A socket that closes
// while the benchmark runs (e.g. closed as slow) reconnects with ?after=<last seq>, so nothing is
// lost or repeated; each reconnection is counted.
class Recipient {
 public:
  Recipient(int idx, int port, std::string token, std::atomic<Deliveries*>& record)
      : idx_(idx), port_(port), token_(std::move(token)), record_(record) {}
  Recipient(const Recipient&) = delete;
  Recipient& operator=(const Recipient&) = delete;

  bool Connect(std::string& error) {
    ws_ = std::make_unique<websocket::stream<tcp::socket>>(ioc_);
    beast::error_code ec;
    ws_->next_layer().connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port_)), ec);
    if (ec) {
      error = "connect: " + ec.message();
      return false;
    }
    ws_->next_layer().set_option(tcp::no_delay(true));
    ws_->set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
      req.set(http::field::authorization, "Bearer " + token_);
    }));
    const std::string target =
        last_seq_ > 0 ? fmt::format("/v1/events?after={}", last_seq_) : "/v1/events";
    websocket::response_type response;
    ws_->handshake(response, fmt::format("127.0.0.1:{}", port_), target, ec);
    if (ec) error = fmt::format("handshake: {} (HTTP {})", ec.message(), response.result_int());
    return !ec;
  }
  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }
  // REQUIRES: the server was stopped first (that is what ends the blocking reads).
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  int reconnects() const { return reconnects_.load(); }
  void set_stopping(std::atomic<bool>* stopping) { stopping_ = stopping; }

 private:
  void Loop() {
    beast::flat_buffer buffer;
    for (;;) {
      beast::error_code ec;
      buffer.clear();
      ws_->read(buffer, ec);
      const int64_t now = NowNs();
      if (ec) {
        if (stopping_->load() || !Reconnect()) return;
        continue;
      }
      const std::string_view text(static_cast<const char*>(buffer.data().data()), buffer.size());
      if (int64_t seq = NumberField(text, "seq"); seq > 0) last_seq_ = seq;
      if (StringField(text, "type") != "hotline.message") continue;
      const int64_t index = IndexOfUuid(StringField(text, "id"));
      Deliveries* record = record_.load();
      if (record != nullptr && index >= 0) record->Received(idx_, index, now);
    }
  }
  bool Reconnect() {
    for (int attempt = 0; attempt < 50 && !stopping_->load(); ++attempt) {
      std::string error;
      if (Connect(error)) {
        reconnects_.fetch_add(1);
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  const int idx_;
  const int port_;
  const std::string token_;
  std::atomic<Deliveries*>& record_;
  std::atomic<bool>* stopping_ = nullptr;
  net::io_context ioc_;
  std::unique_ptr<websocket::stream<tcp::socket>> ws_;
  int64_t last_seq_ = 0;  // only the reading thread touches it after Start
  std::atomic<int> reconnects_{0};
  std::thread thread_;
};

class DeconflictSender : public Sender {
 public:
  DeconflictSender(int port, std::string token, std::string channel, const SystemOptions& options)
      : token_(std::move(token)),
        target_(fmt::format("/v1/channels/{}/messages", channel)),
        body_(static_cast<size_t>(options.body_bytes), 'x'),
        run_(options.run) {
    for (int worker = 0; worker < options.inflight; ++worker) {
      connections_.push_back(std::make_unique<e2e::HttpConnection>(port));
    }
  }
  bool Send(int worker, int64_t index, std::string& error) override {
    const std::string request =
        fmt::format(R"({{"id":"{}","priority":"routine","subject":"bench {}","body":"{}"}})",
                    MessageUuid(run_, index), index, body_);
    e2e::HttpResult r = connections_[worker]->Send("POST", target_, request, token_);
    if (r.status == 201) return true;
    error = fmt::format("HTTP {}: {}", r.status, r.body.substr(0, 200));
    return false;
  }

 private:
  const std::string token_;
  const std::string target_;
  const std::string body_;
  const uint32_t run_;
  std::vector<std::unique_ptr<e2e::HttpConnection>> connections_;
};

class Deconflict : public HotlineSystem {
 public:
  explicit Deconflict(const SystemOptions& options) : options_(options) {}
  ~Deconflict() override { Stop(); }

  std::string name() const override { return version_; }
  std::string durability() const override {
    return "201 after COMMIT: SQLite WAL, synchronous=FULL (fsync before the answer), group commit";
  }
  bool Start(std::string& error, bool& unsupported) override;
  void SetRecord(Deliveries* record) override { record_.store(record); }
  Sender& sender() override { return *sender_; }
  int reconnects() const override {
    int n = 0;
    for (const auto& r : recipients_) n += r->reconnects();
    return n;
  }
  std::string ServerMemory() const override {
    return server_ ? ProcessMemory(server_->pid()) : memory_at_stop_;
  }
  void Stop() override {
    if (!server_) return;
    stopping_.store(true);
    memory_at_stop_ = ProcessMemory(server_->pid());
    server_->Stop();  // closes every socket: the recipients' reads end
    for (auto& r : recipients_) r->Join();
    recipients_.clear();
    server_.reset();
  }

 private:
  const SystemOptions options_;
  std::string version_ = "deconflict";
  std::unique_ptr<e2e::TempDir> dir_;
  std::unique_ptr<e2e::ServerProcess> server_;
  std::unique_ptr<DeconflictSender> sender_;
  std::vector<std::unique_ptr<Recipient>> recipients_;
  std::atomic<Deliveries*> record_{nullptr};
  std::atomic<bool> stopping_{false};
  std::string memory_at_stop_;
};

bool Deconflict::Start(std::string& error, bool& unsupported) {
  unsupported = false;
  e2e::CliResult version = e2e::RunCli({"--version"});
  if (version.exit_code == 0) version_ = version.out.substr(0, version.out.find('\n'));
  dir_ = std::make_unique<e2e::TempDir>();

  // Paragraph 1: parties (before the server holds the data directory), then the server.
  const std::string sender_token = e2e::AddParty(dir_->path(), "S1", "operator");
  std::vector<std::string> tokens;
  std::string members = "\"S1\"";
  for (int idx = 0; idx < options_.recipients; ++idx) {
    tokens.push_back(e2e::AddParty(dir_->path(), fmt::format("R{}", idx + 1), "operator"));
    members += fmt::format(",\"R{}\"", idx + 1);
  }
  for (const auto& t : tokens) {
    if (t.empty() || sender_token.empty()) {
      error = "deconflict party add failed";
      return false;
    }
  }
  server_ = std::make_unique<e2e::ServerProcess>(dir_->path());
  if (!server_->Start()) {
    error = "deconflict serve: " + server_->error();
    server_.reset();
    return false;
  }

  // Paragraph 2: the channel of all the parties, created by the sender.
  const std::string channel = fmt::format("bench-{}", options_.run);
  e2e::HttpResult created = e2e::Http(
      server_->port(), "POST", "/v1/channels",
      fmt::format(R"({{"id":"{}","name":"hotline benchmark","members":[{}]}})", channel, members),
      sender_token);
  if (created.status != 201) {
    error = fmt::format("POST /v1/channels: HTTP {}: {}", created.status, created.body);
    return false;
  }

  // Paragraph 3: the recipients' sockets and the sender's connections.
  for (int idx = 0; idx < options_.recipients; ++idx) {
    recipients_.push_back(std::make_unique<Recipient>(idx, server_->port(), tokens[idx], record_));
    recipients_.back()->set_stopping(&stopping_);
    if (!recipients_.back()->Connect(error)) {
      error = fmt::format("R{} GET /v1/events: {}", idx + 1, error);
      return false;
    }
    recipients_.back()->Start();
  }
  sender_ = std::make_unique<DeconflictSender>(server_->port(), sender_token, channel, options_);
  return true;
}

}  // namespace

std::unique_ptr<HotlineSystem> MakeDeconflict(const SystemOptions& options) {
  return std::make_unique<Deconflict>(options);
}

std::string ProcessMemory(int pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return fmt::format("VmHWM {:.0f} MiB",
                         std::atof(line.c_str() + line.find_first_of("0123456789")) / 1024);
    }
  }
  return "VmHWM ?";
}

}  // namespace deconflict::bench
