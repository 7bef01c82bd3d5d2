// cli/serve_command.cc: `deconflict serve`, the service itself.
//
// Exit status: 0 after SIGINT/SIGTERM; 1 when it cannot start (bad flags, another server holds
// the data directory, the store refuses to open); 3 when the store failed while serving (a failed
// commit could not be rolled back): the server answers 503 for --failure-exit-delay-ms, then
// exits so that a supervisor restarts it on a fresh connection.
//
// DECONFLICT_TEST_FAIL_COMMIT (tests only): injects faults into the store's group commits, e.g.
// "commit@1" or "commit@1,rollback@1" (store/fault_injector.h, ScriptedFaults). Never set it in
// production: the server logs a warning when it is set.
#include <signal.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "api/server.h"
#include "cli/commands.h"
#include "cli/demo.h"
#include "cli/exit.h"
#include "common/status.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"
#include "store/dir_lock.h"
#include "store/fault_injector.h"

namespace deconflict::cli {
namespace {

namespace net = boost::asio;

constexpr int kExitStoreFailed = 3;
constexpr char kFaultsVariable[] = "DECONFLICT_TEST_FAIL_COMMIT";

struct ServeArgs {
  std::string data;
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  bool demo = false;
  int failure_exit_delay_ms = 2000;
  size_t events_max_queue = 1024;
  size_t max_connections = 0;
  double idle_timeout_s = 30;
  size_t max_probes_per_minute = 30;
  // The live picture (live/picture.h).
  int cycle_ms = 1000;
  double track_max_age_s = 30;
  double ack_deadline_s = 30;
  double history_interval_s = 10;
  double history_window_h = 24;
  std::vector<std::string> sbs_feeds;
  // Humanitarian notifications' acknowledgement deadlines (humanitarian/humanitarian.h).
  double site_ack_deadline_s = 24 * 3600;
  int64_t clock_offset_s = 0;
  double case_response_deadline_s = 48 * 3600;
  double movement_ack_deadline_s = 2 * 3600;
  std::string web_root;  // empty: the `web` directory next to the binary
};

// The `web` directory beside this executable (where the release build puts the console), or
// empty when the executable's path cannot be read.
std::string DefaultWebRoot() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return (exe.parent_path() / "web").string();
}

// Through cli/exit.h: "deconflict serve: <message>", with the documented exit status
// (1 cannot start, 2 bad flags, 3 store failure).
[[noreturn]] void Fail(int code, const std::string& message) {
  Die("serve", absl::FailedPreconditionError(message), {}, code);
}

live::LivePictureOptions LiveOptionsOf(const ServeArgs& args) {
  using Seconds = std::chrono::duration<double>;
  return live::LivePictureOptions{.cycle = std::chrono::milliseconds(args.cycle_ms),
                                  .track_max_age = Seconds(args.track_max_age_s),
                                  .ack_deadline = Seconds(args.ack_deadline_s),
                                  .history_interval = Seconds(args.history_interval_s),
                                  .history_window = Seconds(args.history_window_h * 3600)};
}

// "127.0.0.1:8080" -> address, port. Port 0 picks a free one.
bool ParseListen(const std::string& listen, std::string& address, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  address = listen.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  try {
    int p = std::stoi(listen.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return true;
}

// The test-only fault script from the environment, or nullptr.
std::unique_ptr<store::ScriptedFaults> FaultsFromEnvironment() {
  const char* script = std::getenv(kFaultsVariable);
  if (script == nullptr || *script == '\0') return nullptr;
  absl::StatusOr<std::unique_ptr<store::ScriptedFaults>> faults =
      store::ScriptedFaults::Parse(script);
  if (!faults.ok()) Fail(2, fmt::format("{}: {}", kFaultsVariable, faults.status().message()));
  spdlog::warn("{}={}: injecting store faults (for tests only)", kFaultsVariable, script);
  return *std::move(faults);
}

void Serve(const ServeArgs& args) {
  std::string address;
  uint16_t port = 0;
  if (!ParseListen(args.listen, address, port)) {
    Fail(2, fmt::format("--listen '{}' must be ADDRESS:PORT, e.g. 127.0.0.1:8080", args.listen));
  }
  const SystemClock clock;
  // One server per data directory, held until the process ends (store/dir_lock.h).
  absl::StatusOr<store::DataDirLock> lock = store::DataDirLock::Acquire(args.data, clock);
  if (!lock.ok()) Fail(1, fmt::format("cannot start: {}", lock.status().message()));
  std::unique_ptr<store::ScriptedFaults> faults = FaultsFromEnvironment();
  // A file-size limit (ulimit -f) must make writes fail, which health reports, not kill us.
  ::signal(SIGXFSZ, SIG_IGN);

  absl::StatusOr<std::unique_ptr<api::Server>> server = api::Server::Create(api::ServerOptions{
      .data_dir = args.data,
      .address = address,
      .port = port,
      .threads = args.threads,
      .store_faults = faults.get(),
      .events_max_queue = args.events_max_queue,
      .max_connections = args.max_connections,
      .idle_timeout = std::chrono::milliseconds(static_cast<int64_t>(args.idle_timeout_s * 1000)),
      .max_probes_per_minute = args.max_probes_per_minute,
      .live = LiveOptionsOf(args),
      .sbs_feeds = args.sbs_feeds,
      .humanitarian =
          humanitarian::NotificationOptions{
              .site_deadline = std::chrono::seconds(static_cast<int64_t>(args.site_ack_deadline_s)),
              .movement_deadline =
                  std::chrono::seconds(static_cast<int64_t>(args.movement_ack_deadline_s))},
      .clock_offset = std::chrono::seconds(args.clock_offset_s),
      .cases = monitoring::CaseOptions{.response_deadline = std::chrono::seconds(
                                           static_cast<int64_t>(args.case_response_deadline_s))},
      .web_root = args.web_root.empty() ? DefaultWebRoot() : args.web_root});
  if (!server.ok()) Fail(1, fmt::format("cannot start: {}", server.status().message()));
  if (absl::Status started = (*server)->Start(); !started.ok())
    Fail(1, std::string(started.message()));
  if (args.demo) {
    absl::StatusOr<Demo> demo = LoadDemo(**server);
    if (!demo.ok()) Fail(1, fmt::format("demo not loaded: {}", demo.status().message()));
    std::cout << DemoBanner(*demo, fmt::format("http://{}:{}", address, (*server)->port())) << "\n";
  }

  // Signals and the store's failure are handled on a control loop of their own; either ends
  // Run() below.
  net::io_context control;
  auto keep_running = net::make_work_guard(control);
  net::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping", sig);
    (*server)->Stop();
  });
  net::steady_timer exit_timer(control);
  (*server)->store().OnFailure([&](const absl::Status& failure) {
    net::post(control, [&, failure] {
      spdlog::critical("{}; answering 503 for {} ms, then exiting with status {}",
                       failure.message(), args.failure_exit_delay_ms, kExitStoreFailed);
      exit_timer.expires_after(std::chrono::milliseconds(args.failure_exit_delay_ms));
      exit_timer.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) (*server)->Stop();
      });
    });
  });
  std::thread control_thread([&] { control.run(); });

  std::cout << fmt::format("deconflict listening on http://{}:{} (store {})\n", address,
                           (*server)->port(), args.data)
            << std::flush;
  (*server)->Run();

  // Nothing may post to `control` once it is gone.
  (*server)->store().OnFailure(nullptr);
  keep_running.reset();
  control.stop();
  control_thread.join();
  if (std::optional<absl::Status> failure = (*server)->store().failure()) {
    Fail(kExitStoreFailed, fmt::format("stopped: {}", failure->message()));
  }
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand("serve", "Run the deconfliction service");
  serve->add_option("--data", args->data, "Data directory of the store (created if missing)")
      ->required();
  serve->add_option("--listen", args->listen, "ADDRESS:PORT to listen on; port 0 picks a free one")
      ->capture_default_str();
  serve->add_option("--threads", args->threads, "HTTP I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve
      ->add_option("--events-max-queue", args->events_max_queue,
                   "Events queued for one /v1/events socket before it is closed as slow")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  serve
      ->add_option("--max-connections", args->max_connections,
                   "Connections served at once; past it new ones get 503 (0: 80% of the "
                   "descriptor limit less 32)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{1} << 20));
  serve
      ->add_option("--idle-timeout-s", args->idle_timeout_s,
                   "A keep-alive connection idle this many seconds is closed")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  serve
      ->add_option("--max-probes-per-minute", args->max_probes_per_minute,
                   "Queries showing other parties' operations allowed per party per minute (429 "
                   "past it)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  serve->add_option("--cycle-ms", args->cycle_ms, "Live picture: milliseconds between two cycles")
      ->capture_default_str()
      ->check(CLI::Range(10, 60000));
  serve
      ->add_option("--track-max-age-s", args->track_max_age_s,
                   "Live picture: a track not reported for this long leaves the picture")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
  serve
      ->add_option("--ack-deadline-s", args->ack_deadline_s,
                   "Live picture: an encounter not acknowledged by a party this long after it "
                   "opened raises encounter.unacknowledged")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 86400.0));
  serve
      ->add_option("--history-interval-s", args->history_interval_s,
                   "Live picture: one stored position per track per this many seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  serve
      ->add_option("--history-window-h", args->history_window_h,
                   "Live picture: track history older than this many hours is pruned")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 8760.0));
  serve
      ->add_option("--sbs-feed", args->sbs_feeds,
                   "PARTY=HOST:PORT: read that party's tracks from an SBS-1 (BaseStation) feed, "
                   "as dump1090 serves on port 30003 (repeatable)")
      ->take_all();
  serve
      ->add_option("--site-ack-deadline-s", args->site_ack_deadline_s,
                   "Humanitarian: a site version not acknowledged by every recipient this long "
                   "after it was filed is overdue (and escalates)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 30 * 86400.0));
  serve
      ->add_option("--movement-ack-deadline-s", args->movement_ack_deadline_s,
                   "Humanitarian: the same for a movement starting within 24 h (later ones: the "
                   "site deadline's default, 24 h)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 30 * 86400.0));
  serve
      ->add_option("--case-response-deadline-s", args->case_response_deadline_s,
                   "Monitoring: a party linked to an automatic case that has not responded this "
                   "long after it opened is overdue (and escalates)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 90 * 86400.0));
  serve
      ->add_option("--clock-offset-s", args->clock_offset_s,
                   "Testing and demos: run the server's clock this many seconds ahead of the "
                   "wall clock (negative: behind), e.g. 172800 to act two days later on the same "
                   "store")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{-10} * 365 * 86400, int64_t{10} * 365 * 86400));
  serve->add_option("--web-root", args->web_root,
                    "The built operator's console served at / (a directory with index.html and "
                    "assets/); default: the `web` directory next to this binary, where the "
                    "release build puts it");
  serve->add_flag("--demo", args->demo,
                  "Fill a fresh store with three parties and a few operations, print their tokens");
  serve
      ->add_option("--failure-exit-delay-ms", args->failure_exit_delay_ms,
                   "When the store fails for good, answer 503 this long (for health checks and "
                   "requests in flight), then exit with status 3")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  serve->callback([args] { Serve(*args); });
}

}  // namespace deconflict::cli
