// cli/serve_command.cc: `deconflict serve`, the service itself.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "api/server.h"
#include "cli/commands.h"
#include "common/status.h"
#include "cli/demo.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"

namespace deconflict::cli {
namespace {

struct ServeArgs {
  std::string data;
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  bool demo = false;
  size_t events_max_queue = 1024;
};

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

void Serve(const ServeArgs& args) {
  std::string address;
  uint16_t port = 0;
  if (!ParseListen(args.listen, address, port)) {
    std::cerr << fmt::format("deconflict: --listen '{}' must be ADDRESS:PORT, e.g. 127.0.0.1:8080\n", args.listen);
    throw CLI::RuntimeError(2);
  }
  // SIGINT/SIGTERM are taken by one thread (sigwait) and stop the server cleanly; every thread
  // started from here inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<api::Server>> server = api::Server::Create(
      api::ServerOptions{.data_dir = args.data, .address = address, .port = port, .threads = args.threads,
                         .events_max_queue = args.events_max_queue});
  if (!server.ok()) {
    std::cerr << fmt::format("deconflict: cannot start: {}\n", server.status().message());
    throw CLI::RuntimeError(1);
  }
  if (absl::Status started = (*server)->Start(); !started.ok()) {
    std::cerr << fmt::format("deconflict: {}\n", started.message());
    throw CLI::RuntimeError(1);
  }
  if (args.demo) {
    absl::StatusOr<Demo> demo = LoadDemo(**server);
    if (!demo.ok()) {
      std::cerr << fmt::format("deconflict: demo not loaded: {}\n", demo.status().message());
      throw CLI::RuntimeError(1);
    }
    std::cout << DemoBanner(*demo, fmt::format("http://{}:{}", address, (*server)->port())) << "\n";
  }
  std::cout << fmt::format("deconflict listening on http://{}:{} (store {})\n", address,
                           (*server)->port(), args.data)
            << std::flush;

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("signal {}: stopping", sig);
    (*server)->Stop();
  });
  (*server)->Run();
  // Run returns only after Stop(); wake the waiter if it is still blocked (it is not, unless
  // Run ended another way).
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand("serve", "Run the deconfliction service");
  serve->add_option("--data", args->data, "Data directory of the store (created if missing)")->required();
  serve->add_option("--listen", args->listen, "ADDRESS:PORT to listen on; port 0 picks a free one")
      ->capture_default_str();
  serve->add_option("--threads", args->threads, "HTTP I/O threads")->capture_default_str()->check(CLI::Range(1, 64));
  serve->add_option("--events-max-queue", args->events_max_queue,
                    "Events queued for one /v1/events socket before it is closed as slow")
      ->capture_default_str()->check(CLI::Range(1, 1 << 20));
  serve->add_flag("--demo", args->demo, "Fill a fresh store with three parties and a few operations, print their tokens");
  serve->callback([args] { Serve(*args); });
}

}  // namespace deconflict::cli
