#include "feeds/sbs_client.h"

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "common/mutex.h"
#include "common/status.h"
#include "common/text.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"

namespace deconflict::feeds {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// ---------------------------------------------------------------------------------------------
// --sbs-feed PARTY=HOST:PORT

namespace {

absl::Status FeedSpecError(std::string_view text, std::string_view what) {
  return absl::InvalidArgumentError(fmt::format("--sbs-feed: {} {}", QuoteForMessage(text), what));
}

// A DNS name or an IPv4 address: the characters either may hold.
bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::optional<uint16_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int port = 0;
  std::from_chars(text.data(), text.data() + text.size(), port);
  if (port < 1 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

}  // namespace

std::string SbsFeedSpec::ToString() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("{}={}{}{}:{}", party.value(), ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
}

absl::StatusOr<SbsFeedSpec> ParseSbsFeedSpec(std::string_view text) {
  constexpr std::string_view kShape = "needs PARTY=HOST:PORT";
  const size_t equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0) return FeedSpecError(text, kShape);
  SbsFeedSpec spec;
  absl::StatusOr<PartyId> party = ParsePartyId(text.substr(0, equals));
  if (!party.ok()) {
    return FeedSpecError(text, "has a bad party: 1 to 32 letters, digits, '-' or '_'");
  }
  spec.party = *std::move(party);

  // HOST:PORT, with an IPv6 address in brackets.
  std::string_view address = text.substr(equals + 1);
  std::string_view port_text;
  if (address.starts_with('[')) {
    const size_t close = address.find(']');
    if (close == std::string_view::npos) return FeedSpecError(text, "lacks the ']' of [IPV6]");
    const std::string host(address.substr(1, close - 1));
    error_code ec;
    net::ip::make_address_v6(host, ec);
    if (ec) return FeedSpecError(text, "has a bad IPv6 address in [...]");
    std::string_view rest = address.substr(close + 1);
    if (!rest.starts_with(':')) return FeedSpecError(text, kShape);
    spec.host = host;
    port_text = rest.substr(1);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return FeedSpecError(text, kShape);
    const std::string_view host = address.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return FeedSpecError(text, "needs brackets around an IPv6 address: PARTY=[ADDRESS]:PORT");
    }
    if (!IsHostName(host)) {
      return FeedSpecError(text,
                           "has a bad host: a name (letters, digits, '-', '_', '.') or "
                           "an address");
    }
    spec.host = std::string(host);
    port_text = address.substr(colon + 1);
  }
  std::optional<uint16_t> port = ParsePort(port_text);
  if (!port) return FeedSpecError(text, "has a bad port: a number from 1 to 65535");
  spec.port = *port;
  return spec;
}

// ---------------------------------------------------------------------------------------------
// The client

namespace {

absl::Status CheckOptions(const SbsClientOptions& options) {
  auto bad = [](std::string_view field, std::string_view what) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", field, what));
  };
  if (options.feed.party.empty()) return bad("feed.party", "is empty");
  if (options.feed.host.empty()) return bad("feed.host", "is empty");
  if (options.feed.port == 0) return bad("feed.port", "is 0");
  if (options.initial_backoff <= milliseconds(0)) return bad("initial_backoff", "not positive");
  if (options.max_backoff < options.initial_backoff) {
    return bad("max_backoff", "is less than initial_backoff");
  }
  if (options.connect_timeout <= milliseconds(0)) return bad("connect_timeout", "not positive");
  if (options.idle_timeout < milliseconds(0)) return bad("idle_timeout", "is negative");
  if (options.max_line_bytes == 0) return bad("max_line_bytes", "is 0");
  if (!(options.assembler.max_partial_age.count() > 0) ||
      !std::isfinite(options.assembler.max_partial_age.count())) {
    return bad("assembler.max_partial_age", "not finite and positive");
  }
  if (options.expire_interval <= milliseconds(0)) return bad("expire_interval", "not positive");
  if (options.bad_line_log_interval <= milliseconds(0)) {
    return bad("bad_line_log_interval", "not positive");
  }
  return absl::OkStatus();
}

TrackAssemblerOptions AssemblerOptions(const SbsClientOptions& options) {
  TrackAssemblerOptions assembler = options.assembler;
  assembler.party = options.feed.party;
  return assembler;
}

}  // namespace

// Everything but the lifecycle (Start/Stop) and the stats snapshot runs on the client's thread,
// in Asio handlers; so the members below `io_context_` need no lock. One connection at a time:
//   Connect -> (resolve) -> OnResolved -> (connect) -> OnConnected -> Read -> OnRead -> Read ...
//   any failure -> EndConnection -> (back-off) -> Connect
// `generation_` numbers the attempts so that a deadline armed for an earlier one does nothing.
class SbsClient::Impl {
 public:
  Impl(SbsClientOptions options, Sink sink)
      : options_(std::move(options)),
        sink_(std::move(sink)),
        clock_(options_.clock != nullptr ? *options_.clock : system_clock_),
        name_(options_.feed.ToString()),
        assembler_(AssemblerOptions(options_)),
        next_backoff_(options_.initial_backoff),
        random_(std::random_device{}()) {}

  ~Impl() { Stop(); }

  absl::Status Start() {
    WriterLock lock(lifecycle_mu_);
    if (phase_ != Phase::kNew) return absl::FailedPreconditionError("SbsClient: started before");
    RETURN_IF_ERROR(CheckOptions(options_));
    phase_ = Phase::kRunning;
    net::post(io_context_, [this] {
      Connect();
      Housekeep(error_code());
    });
    thread_ = std::thread([this] { io_context_.run(); });
    return absl::OkStatus();
  }

  void Stop() {
    WriterLock lock(lifecycle_mu_);
    if (phase_ != Phase::kRunning) return;
    // io_context::stop is thread-safe and makes run() return at once, whatever it waits for;
    // the handlers not run are destroyed with the io_context, never called.
    io_context_.stop();
    thread_.join();
    phase_ = Phase::kStopped;
    error_code ignored;
    socket_.close(ignored);
    WriterLock stats_lock(stats_mu_);
    stats_.connected = false;
  }

  SbsClientStats stats() const {
    ReaderLock lock(stats_mu_);
    return stats_;
  }

 private:
  enum class Phase { kNew, kRunning, kStopped };

  void Connect();
  void OnResolved(const error_code& ec, const tcp::resolver::results_type& results);
  void OnConnected(const error_code& ec, const tcp::endpoint& endpoint);
  void Read();
  void OnRead(const error_code& ec, size_t bytes);
  void TakeBytes(std::string_view bytes);
  void TakeLine(std::string_view line);
  void NoteBadLine(std::string_view line);
  void EndConnection(std::string_view reason);
  void ArmDeadline(milliseconds timeout);
  void Housekeep(const error_code& ec);
  void LogBadLines();
  void Publish();

  // Set at construction, read-only after.
  const SbsClientOptions options_;
  const Sink sink_;
  SystemClock system_clock_;
  const Clock& clock_;
  const std::string name_;  // "NORTH=radar1:30003", for the log

  // The client's thread only (see the class comment).
  TrackAssembler assembler_;
  net::io_context io_context_;  // before the I/O objects, which it must outlive
  tcp::resolver resolver_{io_context_};
  tcp::socket socket_{io_context_};
  net::steady_timer deadline_{io_context_};  // connect_timeout, then idle_timeout
  net::steady_timer backoff_timer_{io_context_};
  net::steady_timer housekeeping_timer_{io_context_};
  std::array<char, 16 * 1024> read_buffer_{};
  // The unfinished line. Invariant: line_.size() <= options_.max_line_bytes.
  std::string line_;
  bool skipping_line_ = false;  // the current line is over-long: drop bytes up to its '\n'
  uint64_t generation_ = 0;     // of the current connection attempt
  bool connected_ = false;
  bool timed_out_ = false;       // the deadline of the current attempt fired
  bool delivered_line_ = false;  // the current connection delivered a complete line
  milliseconds next_backoff_;
  std::mt19937_64 random_;
  std::string logged_failure_;  // the connect failure last logged; cleared on connecting
  SbsClientStats local_;        // this thread's counters, published into stats_
  // The bad-line summary: counters when it was last written, the first bad line since.
  SteadyTime next_bad_line_log_{};
  uint64_t logged_overlong_ = 0;
  std::map<std::string, uint64_t> logged_bad_by_field_;
  std::string first_bad_line_;  // quoted; empty when none since the last summary
  SteadyTime next_expire_{};

  mutable Mutex stats_mu_;
  SbsClientStats stats_ ABSL_GUARDED_BY(stats_mu_);

  Mutex lifecycle_mu_;
  Phase phase_ ABSL_GUARDED_BY(lifecycle_mu_) = Phase::kNew;
  std::thread thread_;  // joinable while phase_ is kRunning
};

// Resolve, then connect to each address in turn, all within connect_timeout.
void SbsClient::Impl::Connect() {
  ++generation_;
  ++local_.connect_attempts;
  timed_out_ = false;
  delivered_line_ = false;
  Publish();
  ArmDeadline(options_.connect_timeout);
  resolver_.async_resolve(options_.feed.host, std::to_string(options_.feed.port),
                          tcp::resolver::numeric_service,
                          [this](const error_code& ec, const tcp::resolver::results_type& results) {
                            OnResolved(ec, results);
                          });
}

void SbsClient::Impl::OnResolved(const error_code& ec, const tcp::resolver::results_type& results) {
  if (ec)
    return EndConnection(timed_out_ ? "cannot resolve: timed out"
                                    : "cannot resolve: " + ec.message());
  net::async_connect(socket_, results, [this](const error_code& ec, const tcp::endpoint& endpoint) {
    OnConnected(ec, endpoint);
  });
}

void SbsClient::Impl::OnConnected(const error_code& ec, const tcp::endpoint& endpoint) {
  if (ec)
    return EndConnection(timed_out_ ? "cannot connect: timed out"
                                    : "cannot connect: " + ec.message());
  error_code ignored;
  socket_.set_option(net::socket_base::keep_alive(true), ignored);
  connected_ = true;
  logged_failure_.clear();
  ++local_.connects;
  local_.connected = true;
  Publish();
  spdlog::info("sbs feed {}: connected to {}", name_,
               fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port()));
  if (options_.idle_timeout > milliseconds(0)) {
    ArmDeadline(options_.idle_timeout);
  } else {
    deadline_.cancel();
  }
  Read();
}

void SbsClient::Impl::Read() {
  socket_.async_read_some(net::buffer(read_buffer_),
                          [this](const error_code& ec, size_t bytes) { OnRead(ec, bytes); });
}

void SbsClient::Impl::OnRead(const error_code& ec, size_t bytes) {
  // Bytes that came with an error (none in practice) are still taken.
  if (bytes > 0) {
    local_.bytes += bytes;
    TakeBytes(std::string_view(read_buffer_.data(), bytes));
    Publish();
  }
  if (ec) {
    if (ec == net::error::eof) return EndConnection("the feed closed the connection");
    return EndConnection(timed_out_
                             ? fmt::format("no data for {} ms", options_.idle_timeout.count())
                             : ec.message());
  }
  if (options_.idle_timeout > milliseconds(0)) ArmDeadline(options_.idle_timeout);
  Read();
}

// Splits `bytes` at '\n', joining the unfinished line of the previous read.
void SbsClient::Impl::TakeBytes(std::string_view bytes) {
  while (!bytes.empty()) {
    const size_t newline = bytes.find('\n');
    const bool complete = newline != std::string_view::npos;
    const std::string_view piece = bytes.substr(0, complete ? newline + 1 : bytes.size());
    bytes.remove_prefix(piece.size());
    if (!skipping_line_ && line_.size() + piece.size() > options_.max_line_bytes) {
      // Over-long: keep a prefix for the log, drop the rest up to the line break.
      NoteBadLine(line_.empty() ? piece : std::string_view(line_));
      skipping_line_ = true;
      line_.clear();
    }
    if (!complete) {
      if (!skipping_line_) line_.append(piece);
      return;
    }
    if (skipping_line_) {
      ++local_.overlong_lines;
      skipping_line_ = false;
    } else if (line_.empty()) {
      TakeLine(piece);  // the common case: a whole line within one read, not copied
    } else {
      line_.append(piece);
      TakeLine(line_);
      line_.clear();
    }
  }
}

void SbsClient::Impl::TakeLine(std::string_view line) {
  const uint64_t bad_before = assembler_.counters().bad_lines;
  std::optional<TrackReport> report = assembler_.AddLine(line, clock_.Now());
  delivered_line_ = true;
  if (assembler_.counters().bad_lines != bad_before) NoteBadLine(line);
  if (report) sink_(*std::move(report));
}

void SbsClient::Impl::NoteBadLine(std::string_view line) {
  if (!first_bad_line_.empty()) return;
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  first_bad_line_ = QuoteForMessage(line);
}

// Closes the connection or abandons the attempt, logs the change of state, and waits a back-off
// before the next attempt.
void SbsClient::Impl::EndConnection(std::string_view reason) {
  deadline_.cancel();
  error_code ignored;
  socket_.close(ignored);
  if (!line_.empty() || skipping_line_) ++local_.partial_lines;
  line_.clear();
  skipping_line_ = false;
  local_.last_error = std::string(reason);

  // The back-off: doubling while attempts fail, back to the start after a useful connection.
  if (delivered_line_) next_backoff_ = options_.initial_backoff;
  const milliseconds backoff = next_backoff_;
  next_backoff_ = backoff > options_.max_backoff / 2 ? options_.max_backoff : 2 * backoff;
  local_.backoff = backoff;
  std::uniform_int_distribution<int64_t> jitter(backoff.count() / 2, backoff.count());
  const milliseconds wait(jitter(random_));

  if (connected_) {
    connected_ = false;
    local_.connected = false;
    ++local_.disconnects;
    spdlog::warn("sbs feed {}: disconnected: {}; reconnecting", name_, reason);
  } else if (reason != logged_failure_) {
    // Once per kind of failure, not once per retry.
    spdlog::warn("sbs feed {}: {}; retrying with back-off (up to {} s)", name_, reason,
                 options_.max_backoff.count() / 1000.0);
    logged_failure_ = std::string(reason);
  }
  Publish();
  backoff_timer_.expires_after(wait);
  backoff_timer_.async_wait([this](const error_code& ec) {
    if (!ec) Connect();
  });
}

// The deadline of the current attempt or connection: when it fires, the pending resolve,
// connect or read fails with operation_aborted and EndConnection takes over.
void SbsClient::Impl::ArmDeadline(milliseconds timeout) {
  deadline_.expires_after(timeout);
  deadline_.async_wait([this, generation = generation_](const error_code& ec) {
    if (ec || generation != generation_) return;  // re-armed, cancelled, or an old attempt
    timed_out_ = true;
    resolver_.cancel();
    error_code ignored;
    socket_.close(ignored);
  });
}

// Runs every min(expire_interval, bad_line_log_interval): forgets aircraft no longer heard and
// writes the bad-line summary when one is due.
void SbsClient::Impl::Housekeep(const error_code& ec) {
  if (ec) return;
  const SteadyTime now = std::chrono::steady_clock::now();
  if (now >= next_expire_) {
    assembler_.Expire(clock_.Now());
    next_expire_ = now + options_.expire_interval;
    Publish();
  }
  if (now >= next_bad_line_log_ && !first_bad_line_.empty()) {
    LogBadLines();
    next_bad_line_log_ = now + options_.bad_line_log_interval;
  }
  housekeeping_timer_.expires_after(
      std::min(options_.expire_interval, options_.bad_line_log_interval));
  housekeeping_timer_.async_wait([this](const error_code& ec) { Housekeep(ec); });
}

// "sbs feed NORTH=radar1:30003: skipped 12 bad lines (lat 9, line 2, overlong 1) since the last
// count; the first: "MSG,3,..."".
void SbsClient::Impl::LogBadLines() {
  const TrackAssemblerCounters& counters = assembler_.counters();
  uint64_t total = 0;
  std::string by_reason;
  auto add = [&](std::string_view reason, uint64_t count) {
    if (count == 0) return;
    total += count;
    by_reason += fmt::format("{}{} {}", by_reason.empty() ? "" : ", ", reason, count);
  };
  for (const auto& [field, count] : counters.bad_lines_by_field) {
    add(field, count - logged_bad_by_field_[field]);
  }
  add("overlong", local_.overlong_lines - logged_overlong_);
  if (total == 0) return;  // an over-long line still being skipped: counted when it ends
  spdlog::warn("sbs feed {}: skipped {} bad lines ({}) since the last count; the first: {}", name_,
               total, by_reason, first_bad_line_);
  logged_bad_by_field_ = counters.bad_lines_by_field;
  logged_overlong_ = local_.overlong_lines;
  first_bad_line_.clear();
}

void SbsClient::Impl::Publish() {
  local_.assembler = assembler_.counters();
  local_.aircraft = assembler_.aircraft();
  WriterLock lock(stats_mu_);
  stats_ = local_;
}

// ---------------------------------------------------------------------------------------------

SbsClient::SbsClient(SbsClientOptions options, Sink sink)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(sink))) {}

SbsClient::~SbsClient() = default;

absl::Status SbsClient::Start() { return impl_->Start(); }

void SbsClient::Stop() { impl_->Stop(); }

SbsClientStats SbsClient::stats() const { return impl_->stats(); }

}  // namespace deconflict::feeds
