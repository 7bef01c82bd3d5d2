// api/server.h: the whole service in one object: store, operations, authentication, routes and
// the HTTP server. `deconflict serve` and the end-to-end tests run exactly this.
//
//   ASSIGN_OR_RETURN(auto server, Server::Create(ServerOptions{.data_dir = dir, .port = 0}));
//   RETURN_IF_ERROR(server->Start());
//   std::cout << server->port();
//   server->Run();  // until Stop()
//
// A party revoked while the server runs (`deconflict party revoke` in another process) has its
// operations ended in the store; the authenticator notices at the next request, and the server
// reloads its operations before that request is answered (ReloadOperationsAfterRevocation).
//
// Thread-safety: Stop() is thread-safe; the rest is called from one thread.
#pragma once

#include <memory>
#include <string>

#include "agreements/agreements.h"
#include "api/http_server.h"
#include "common/clock.h"
#include "common/ids.h"
#include "events/event_log.h"
#include "events/hub.h"
#include "feeds/sbs_client.h"
#include "hotline/hotline.h"
#include "humanitarian/humanitarian.h"
#include "live/picture.h"
#include "monitoring/cases.h"
#include "monitoring/monitoring.h"
#include "parties/authenticator.h"
#include "store/store.h"
#include "strategic/operation_service.h"

namespace deconflict::api {

struct ServerOptions {
  std::string data_dir;               // REQUIRED: the store's directory
  std::string address = "127.0.0.1";  // Default: loopback.
  uint16_t port = 8080;               // Default: 8080; 0 picks a free port.
  int threads = 2;                    // Default: 2 I/O threads.
  bool synchronous_full = true;       // Default: every commit fsynced.
  store::FaultInjector* store_faults =
      nullptr;  // Tests only (store/fault_injector.h). Default: none.
  // Events queued for one WebSocket before it is closed as slow (events_socket.h). Default: 1024.
  size_t events_max_queue = 1024;
  // Connections served at once (http_server.h); 0: sized from the descriptor limit. Default: 0.
  size_t max_connections = 0;
  // A keep-alive connection idle this long is closed. Default: 30 s.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
  // Queries showing other parties' operations, per party per rolling minute
  // (strategic/operation_service.h). Default: 30.
  size_t max_probes_per_minute = 30;
  // The live picture: cycle, track age, acknowledgement deadline, history (live/picture.h).
  live::LivePictureOptions live;
  // SBS-1 feeds to connect to, "PARTY=HOST:PORT" each, feeding that party's tracks
  // (feeds/sbs_client.h). Create refuses a malformed one, or one whose party is not a known,
  // unrevoked operator. Default: none.
  std::vector<std::string> sbs_feeds;
  // The hotline: how often deadlines are checked (hotline/hotline.h). Default: 250 ms.
  hotline::HotlineOptions hotline;
  // Humanitarian notifications: deadlines and limits (humanitarian/humanitarian.h).
  humanitarian::NotificationOptions humanitarian;
  // The server's clock runs this far ahead of (or behind) the wall clock: a test and demo seam
  // (`serve --clock-offset-s`), e.g. a run "two days later" against the same store. Default: 0.
  std::chrono::seconds clock_offset{0};
  // Monitoring's automatic cases: response deadline, track radius and window (monitoring/cases.h).
  monitoring::CaseOptions cases;
  // The built operator's console served at / (api/console_routes.h): a directory with
  // index.html and assets/. Empty: GET / answers 404 saying how to build it. Default: empty
  // (`deconflict serve` defaults to the `web` directory next to its binary).
  std::string web_root;
};

class Server {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Server>> Create(ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  [[nodiscard]] absl::Status Start();
  uint16_t port() const { return http_->port(); }
  void Run() { http_->Run(); }
  void Stop() { http_->Stop(); }

  store::Store& store() { return *store_; }
  strategic::OperationService& operations() { return *operations_; }
  const events::EventLog& event_log() const { return *event_log_; }
  events::Hub& event_hub() { return *event_hub_; }
  const Clock& clock() const { return clock_; }
  live::LivePicture& live() { return *live_; }
  hotline::Hotline& hotline() { return *hotline_; }
  humanitarian::Notifications& notifications() { return *notifications_; }
  const Router& router() const { return *router_; }

 private:
  Server() = default;
  // The authenticator's on_revoked hook: the revoked parties' operations were ended in the store
  // (parties::RevokeParty, usually by `deconflict party revoke` in another process); rebuild the
  // in-memory operations from the store. Blocks until done.
  void ReloadOperationsAfterRevocation(const std::vector<PartyId>& revoked);

  OffsetClock clock_;  // the wall clock, shifted by ServerOptions::clock_offset
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<events::Hub> event_hub_;       // reads store_
  std::unique_ptr<events::EventLog> event_log_;  // notifies event_hub_
  std::unique_ptr<strategic::OperationService> operations_;
  std::unique_ptr<live::LivePicture> live_;
  std::vector<std::unique_ptr<feeds::SbsClient>> feeds_;  // feed live_
  std::unique_ptr<hotline::Hotline> hotline_;
  std::unique_ptr<humanitarian::Notifications> notifications_;
  std::unique_ptr<agreements::Agreements> agreements_;
  std::unique_ptr<monitoring::Incidents> incidents_;
  std::unique_ptr<monitoring::Cases> cases_;  // incidents_'s hook; reads notifications_
  std::unique_ptr<parties::Authenticator> authenticator_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace deconflict::api
