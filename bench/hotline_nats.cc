// The NATS JetStream half of the hotline benchmark (bench/hotline_systems.h): Debian's
// nats-server started here with a temporary store, driven with the libnats C client.
#include <nats/nats.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/hotline_systems.h"
#include "fmt/format.h"
#include "tests/e2e/harness.h"

namespace deconflict::bench {
namespace {

constexpr const char* kStream = "HOTLINE";
constexpr const char* kSubject = "hotline.bench";

std::string NatsError(natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0)) {
  const char* last = nats_GetLastError(nullptr);
  return fmt::format("{} (js error {}){}{}", natsStatus_GetText(s), static_cast<int>(jerr),
                     last ? ": " : "", last ? last : "");
}

// Runs `argv` and returns (exit status, stdout + stderr).
std::pair<int, std::string> Capture(const std::vector<std::string>& argv) {
  std::string command;
  for (const auto& a : argv) command += "'" + a + "' ";
  command += "2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  char chunk[512];
  while (size_t n = std::fread(chunk, 1, sizeof chunk, pipe)) out.append(chunk, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// One recipient: its own connection and durable push consumer. Its callback runs on the
// subscription's own delivery thread (libnats' default), records the receipt, then acks.
struct NatsRecipient {
  int idx = 0;
  std::atomic<Deliveries*>* record = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* sub = nullptr;
  std::atomic<int64_t> bad_payloads{0};
};

void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  const int64_t now = NowNs();
  auto* r = static_cast<NatsRecipient*>(closure);
  const char* data = natsMsg_GetData(msg);
  const int len = natsMsg_GetDataLength(msg);
  const int64_t index = len >= 36 ? IndexOfUuid(std::string_view(data, 36)) : -1;
  Deliveries* record = r->record->load();
  if (index < 0) {
    r->bad_payloads.fetch_add(1);
  } else if (record != nullptr) {
    record->Received(r->idx, index, now);
  }
  natsMsg_Ack(msg, nullptr);  // fire-and-forget; the consumer's ack floor moves on
  natsMsg_Destroy(msg);
}

class JetStreamSender : public Sender {
 public:
  JetStreamSender(jsCtx* js, const SystemOptions& options)
      : js_(js), run_(options.run), payload_(static_cast<size_t>(options.body_bytes), 'x') {}
  bool Send(int worker, int64_t index, std::string& error) override {
    // The payload starts with the message's UUID (also its Nats-Msg-Id, JetStream's
    // idempotency key, as deconflict's message id is), then filler to body_bytes.
    thread_local std::string payload;
    payload = payload_;
    const std::string id = MessageUuid(run_, index);
    payload.replace(0, id.size(), id);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id.c_str();
    jsPubAck* ack = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&ack, js_, kSubject, payload.data(), static_cast<int>(payload.size()),
                              &po, &jerr);
    bool ok = s == NATS_OK && ack != nullptr && !ack->Duplicate;
    if (!ok) error = s == NATS_OK ? "duplicate PubAck" : NatsError(s, jerr);
    if (ack) jsPubAck_Destroy(ack);
    return ok;
  }

 private:
  jsCtx* js_;
  const uint32_t run_;
  const std::string payload_;
};

class JetStream : public HotlineSystem {
 public:
  JetStream(const SystemOptions& options, JetStreamOptions jetstream)
      : options_(options), jetstream_(std::move(jetstream)) {}
  ~JetStream() override { Stop(); }

  // "JetStream 2.9.10 (default sync)": the version is nats-server's.
  std::string name() const override {
    const size_t v = version_.find(" v");
    return fmt::format("JetStream {} ({})",
                       v == std::string::npos ? version_ : version_.substr(v + 2),
                       jetstream_.label);
  }
  std::string durability() const override {
    return jetstream_.jetstream_block.empty()
               ? "PubAck after write(2) to the stream file; fsync only every 2 min (2.9 "
                 "fixed); survives a process crash, not a power loss"
               : "PubAck after fsync (" + jetstream_.jetstream_block + ")";
  }
  bool Start(std::string& error, bool& unsupported) override;
  void SetRecord(Deliveries* record) override { record_.store(record); }
  Sender& sender() override { return *sender_; }
  int reconnects() const override {
    int n = 0;
    for (const auto& r : recipients_) n += Reconnects(r->nc);
    return n;
  }
  std::string ServerMemory() const override {
    return pid_ > 0 ? ProcessMemory(pid_) : memory_at_stop_;
  }
  void Stop() override;

 private:
  bool StartServer(std::string& error, bool& unsupported);
  bool Connect(natsConnection** nc, jsCtx** js, std::string& error);
  static int Reconnects(natsConnection* nc) {
    natsStatistics* stats = nullptr;
    uint64_t reconnected = 0;
    if (natsStatistics_Create(&stats) == NATS_OK && natsConnection_GetStats(nc, stats) == NATS_OK) {
      natsStatistics_GetCounts(stats, nullptr, nullptr, nullptr, nullptr, &reconnected);
    }
    natsStatistics_Destroy(stats);
    return static_cast<int>(reconnected);
  }

  const SystemOptions options_;
  const JetStreamOptions jetstream_;
  std::string version_ = "nats-server";
  std::unique_ptr<e2e::TempDir> dir_;
  pid_t pid_ = -1;
  std::string url_;
  std::string memory_at_stop_;
  natsConnection* sender_nc_ = nullptr;
  jsCtx* sender_js_ = nullptr;
  std::unique_ptr<JetStreamSender> sender_;
  std::vector<std::unique_ptr<NatsRecipient>> recipients_;
  std::atomic<Deliveries*> record_{nullptr};
};

// Paragraph 1: the configuration, checked by the server itself (`-t`), then the server on a
// random loopback port (port -1) that it writes to its ports file.
bool JetStream::StartServer(std::string& error, bool& unsupported) {
  auto [version_status, version] = Capture({"nats-server", "--version"});
  if (version_status != 0) {
    error = "nats-server --version: " + version + " (bash scripts/install-deps.sh installs it)";
    return false;
  }
  version_ = version.substr(0, version.find('\n'));
  dir_ = std::make_unique<e2e::TempDir>();
  const std::string conf = dir_->path() + "/nats.conf";
  std::ofstream(conf) << fmt::format(
      "host: 127.0.0.1\nport: -1\njetstream {{\n  store_dir: \"{}/store\"\n  {}\n}}\n",
      dir_->path(), jetstream_.jetstream_block);
  auto [check_status, check] = Capture({"nats-server", "-t", "-c", conf});
  if (check_status != 0) {
    unsupported = true;
    error = fmt::format("{} refuses `{}`: {}", version_, jetstream_.jetstream_block,
                        check.substr(0, check.find_last_not_of("\n") + 1));
    return false;
  }
  const std::string log = dir_->path() + "/nats.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execlp("nats-server", "nats-server", "-c", conf.c_str(), "--ports_file_dir",
             dir_->path().c_str(), "-l", log.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string ports = fmt::format("{}/nats-server_{}.ports", dir_->path(), pid_);
  for (int waited_ms = 0; waited_ms < 10'000; waited_ms += 20) {
    std::ifstream in(ports);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    if (size_t at = s.find("nats://"); at != std::string::npos) {
      url_ = s.substr(at, s.find('"', at) - at);
      return true;
    }
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  error = "nats-server did not start: " + text.str().substr(0, 1000);
  return false;
}

bool JetStream::Connect(natsConnection** nc, jsCtx** js, std::string& error) {
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, url_.c_str());
  if (s == NATS_OK) s = natsOptions_SetNoEcho(opts, true);
  if (s == NATS_OK) s = natsConnection_Connect(nc, opts);
  if (s == NATS_OK) s = natsConnection_JetStream(js, *nc, nullptr);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) error = "connect " + url_ + ": " + NatsError(s);
  return s == NATS_OK;
}

bool JetStream::Start(std::string& error, bool& unsupported) {
  unsupported = false;
  if (!StartServer(error, unsupported)) return false;

  // Paragraph 2: the stream (file storage, one replica, no limits) on the sender's connection.
  if (!Connect(&sender_nc_, &sender_js_, error)) return false;
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = kStream;
  const char* subjects[] = {kSubject};
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  sc.Replicas = 1;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  if (natsStatus s = js_AddStream(nullptr, sender_js_, &sc, nullptr, &jerr); s != NATS_OK) {
    error = "js_AddStream: " + NatsError(s, jerr);
    return false;
  }

  // Paragraph 3: one connection and durable push consumer per recipient.
  for (int idx = 0; idx < options_.recipients; ++idx) {
    auto r = std::make_unique<NatsRecipient>();
    r->idx = idx;
    r->record = &record_;
    if (!Connect(&r->nc, &r->js, error)) return false;
    const std::string durable = fmt::format("R{}", idx + 1);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = kStream;
    so.ManualAck = true;
    so.Config.Durable = durable.c_str();
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.DeliverPolicy = js_DeliverAll;
    so.Config.MaxAckPending = 1 << 20;  // never the limit of the run
    natsStatus s = js_Subscribe(&r->sub, r->js, kSubject, OnMessage, r.get(), nullptr, &so, &jerr);
    if (s == NATS_OK) s = natsSubscription_SetPendingLimits(r->sub, -1, -1);
    if (s != NATS_OK) {
      error = fmt::format("js_Subscribe {}: {}", durable, NatsError(s, jerr));
      return false;
    }
    recipients_.push_back(std::move(r));
  }
  sender_ = std::make_unique<JetStreamSender>(sender_js_, options_);
  return true;
}

void JetStream::Stop() {
  for (auto& r : recipients_) {
    if (r->sub) natsSubscription_Destroy(r->sub);  // leaves the durable consumer (libnats 3.4+)
    if (r->js) jsCtx_Destroy(r->js);
    if (r->nc) natsConnection_Destroy(r->nc);
  }
  recipients_.clear();
  if (sender_js_) jsCtx_Destroy(sender_js_);
  if (sender_nc_) natsConnection_Destroy(sender_nc_);
  sender_js_ = nullptr;
  sender_nc_ = nullptr;
  sender_.reset();
  if (pid_ > 0) {
    memory_at_stop_ = ProcessMemory(pid_);
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  dir_.reset();
}

}  // namespace

std::unique_ptr<HotlineSystem> MakeJetStream(const SystemOptions& options,
                                             const JetStreamOptions& jetstream) {
  return std::make_unique<JetStream>(options, jetstream);
}

}  // namespace deconflict::bench
