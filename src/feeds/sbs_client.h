// feeds/sbs_client.h: a client of one SBS-1 (BaseStation) TCP feed, the text stream that
// dump1090, readsb and BaseStation serve on port 30003, turned into track reports.
//
//   ASSIGN_OR_RETURN(feeds::SbsFeedSpec feed, feeds::ParseSbsFeedSpec("NORTH=radar1:30003"));
//   feeds::SbsClient client({.feed = feed, .clock = &clock}, [&](feeds::TrackReport report) {
//     // On the client's own thread: ValidateTrackReport, then into the track table.
//   });
//   RETURN_IF_ERROR(client.Start());  // returns at once; connects in the background
//   ...
//   feeds::SbsClientStats stats = client.stats();  // any thread
//   client.Stop();                                 // or let the destructor stop it
//
// The client owns one thread running its own Asio io_context. On it, in a loop until Stop():
//   1. resolve feed.host and connect to feed.port (each address in turn), within
//      connect_timeout;
//   2. read bytes and split them into lines at '\n' ("\r\n" or a lone "\n"); each complete line
//      goes to a feeds::TrackAssembler (AddLine(line, clock->Now())) and every report it
//      completes goes to the sink. A line longer than max_line_bytes is skipped whole and
//      counted in `overlong_lines` (at most max_line_bytes of a line are held, so garbage
//      without line breaks cannot grow memory); bad lines are counted by the assembler by field
//      (track_assembler.h) and skipped. Nothing a feed sends stops the client;
//   3. when the feed closes, fails, or stays silent for idle_timeout (when set), or the
//      connection cannot be made: drop the unfinished last line (counted in `partial_lines`),
//      wait a back-off, and go to 1. The back-off starts at initial_backoff and doubles after
//      each failed attempt, up to max_backoff; each wait is drawn at random from
//      [back-off / 2, back-off] (jitter, so that clients of a restarted receiver spread out). A
//      connection that delivered at least one complete line resets it to initial_backoff.
// Every expire_interval the assembler forgets aircraft no longer heard (TrackAssembler::Expire),
// connected or not.
//
// Logging (spdlog's default logger, each line naming the feed as "NORTH=radar1:30003"): one
// line per change of state (connected; disconnected with the reason; the first failure to
// connect after a change, not each retry while the same error repeats), and at most one summary
// of bad lines per bad_line_log_interval (how many, by field, and the first one quoted with
// QuoteForMessage), never one line per bad input line.
//
// Reports are not checked with ValidateTrackReport (the sink knows the newest time it holds per
// track); they are what the assembler emits, party set to feed.party.
//
// Thread-safety: SbsClient is thread-safe (Start, Stop and stats may be called from any thread),
// except that Stop (and the destructor) must not be called from the sink. The sink is called on
// the client's thread only, one report at a time, never after Stop returns. Free functions are
// thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "feeds/sbs.h"
#include "feeds/track_assembler.h"
#include "feeds/track_report.h"

namespace deconflict::feeds {

// Where one feed is and whose tracks it carries. Value type; thread-compatible.
struct SbsFeedSpec {
  PartyId party;
  std::string host;  // a name or an address; an IPv6 address without its brackets ("::1")
  uint16_t port = 0;

  // "PARTY=HOST:PORT", IPv6 addresses in brackets: what ParseSbsFeedSpec reads back.
  std::string ToString() const;
  friend bool operator==(const SbsFeedSpec&, const SbsFeedSpec&) = default;
};

// Parses the value of `--sbs-feed`: "PARTY=HOST:PORT", e.g. "NORTH=radar1.example.org:30003",
// "NORTH=10.0.0.7:30003", "NORTH=[::1]:30003". PARTY as ParsePartyId reads it; HOST a DNS name
// (letters, digits, '-', '_', '.'; at most 253 characters) or an IPv4 address, or an IPv6
// address in brackets; PORT decimal, 1..65535. Returns InvalidArgument whose message starts
// "--sbs-feed: " and says what is wrong, quoting the input (common/text.h), e.g.
// `--sbs-feed: "NORTH=host" needs PARTY=HOST:PORT`. Thread-safe (pure function).
[[nodiscard]] absl::StatusOr<SbsFeedSpec> ParseSbsFeedSpec(std::string_view text);

// Built with designated initialisers: SbsClientOptions{.feed = feed, .clock = &clock}.
struct SbsClientOptions {
  // The feed. REQUIRES: party and host non-empty, port non-zero (ParseSbsFeedSpec's results
  // are). Default: empty.
  SbsFeedSpec feed;
  // The first wait after a failed or dropped connection. REQUIRES: positive. Default: 250 ms.
  std::chrono::milliseconds initial_backoff{250};
  // The longest wait. REQUIRES: >= initial_backoff. Default: 30 s.
  std::chrono::milliseconds max_backoff{30'000};
  // Resolving and connecting (all addresses together) must finish within this.
  // REQUIRES: positive. Default: 10 s.
  std::chrono::milliseconds connect_timeout{10'000};
  // A connection that delivers no byte for this long is dropped and made again; zero never
  // drops a silent feed (dump1090 sends nothing while no aircraft is heard, so only set this
  // when the feed always has traffic). REQUIRES: >= 0. Default: 0 (off).
  std::chrono::milliseconds idle_timeout{0};
  // A line (with its line break) longer than this is skipped and counted in overlong_lines.
  // Values above kSbsMaxLineBytes only let longer lines reach the parser, which refuses them.
  // REQUIRES: positive. Default: kSbsMaxLineBytes (1,024 bytes).
  size_t max_line_bytes = kSbsMaxLineBytes;
  // How the lines become reports (track_assembler.h); its `party` is replaced by feed.party.
  // Default: TrackAssemblerOptions's defaults (received times, 10 s max_partial_age).
  TrackAssemblerOptions assembler;
  // How often TrackAssembler::Expire runs. REQUIRES: positive. Default: 1 s.
  std::chrono::milliseconds expire_interval{1'000};
  // At most one log line about bad lines per this interval. REQUIRES: positive. Default: 10 s.
  std::chrono::milliseconds bad_line_log_interval{10'000};
  // The time lines are received at (the reports' times with SbsTimeSource::kReceived), and the
  // `now` of Expire. With kGenerated, Expire compares the lines' own times with this clock: a
  // replay of an old recording needs a clock on the recording's time line, or its aircraft are
  // forgotten every expire_interval. Borrowed; must outlive the client. Default: nullptr, the
  // system clock.
  const Clock* clock = nullptr;
};

// A snapshot of what a client has done since Start. Value type; thread-compatible.
struct SbsClientStats {
  // Connected now.
  bool connected = false;
  // Connections attempted (each resolve-and-connect), made, and ended (by the feed, an error,
  // idle_timeout; not by Stop).
  uint64_t connect_attempts = 0;
  uint64_t connects = 0;
  uint64_t disconnects = 0;
  // Bytes received.
  uint64_t bytes = 0;
  // Lines skipped for being longer than max_line_bytes (not handed to the assembler).
  uint64_t overlong_lines = 0;
  // Unfinished lines dropped when a connection ended.
  uint64_t partial_lines = 0;
  // The back-off the next failed attempt waits (before jitter): initial_backoff after a
  // connection that delivered a line, doubling up to max_backoff while attempts fail.
  std::chrono::milliseconds backoff{0};
  // The assembler's counters: lines handed over, bad lines by field, ignored lines, reports
  // (each one passed to the sink).
  TrackAssemblerCounters assembler;
  // Aircraft the assembler holds.
  size_t aircraft = 0;
  // The error that ended the last connection or attempt, empty when none yet.
  std::string last_error;

  // Every line skipped as bad: the assembler's bad lines and the overlong ones.
  uint64_t bad_lines() const { return assembler.bad_lines + overlong_lines; }
};

// Thread-safe; see the file comment for the threads and the sink.
class SbsClient {
 public:
  using Sink = std::function<void(TrackReport)>;

  // Does not connect: Start does. REQUIRES: sink non-empty and does not throw.
  SbsClient(SbsClientOptions options, Sink sink);
  SbsClient(const SbsClient&) = delete;
  SbsClient& operator=(const SbsClient&) = delete;
  // Stops (see Stop).
  ~SbsClient();

  // Starts the client's thread and returns at once: connecting happens there, failures are
  // retried, never returned. Returns InvalidArgument naming the option that breaks a REQUIRES
  // of SbsClientOptions ("initial_backoff: ..."), FailedPrecondition when called before (a
  // client runs once).
  [[nodiscard]] absl::Status Start();

  // Closes the connection, cancels every wait (a back-off, a connect, a DNS lookup) and joins
  // the thread; after it returns the sink is not called again. Safe to call before Start (it
  // does nothing), twice, and from several threads. A DNS lookup cannot be interrupted
  // (getaddrinfo): destroying the client while one is under way waits for it to end (a name in
  // /etc/hosts or an address, as in tests, never waits). REQUIRES: not called from the sink.
  void Stop();

  // A consistent snapshot, updated after each read from the socket and each change of state.
  SbsClientStats stats() const;

 private:
  class Impl;  // the Asio side, in sbs_client.cc
  std::unique_ptr<Impl> impl_;
};

}  // namespace deconflict::feeds
