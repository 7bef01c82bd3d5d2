#include "api/server.h"

#include "api/event_routes.h"
#include "api/routes.h"
#include "common/status.h"

namespace deconflict::api {

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  std::unique_ptr<Server> server(new Server());
  ASSIGN_OR_RETURN(server->store_,
                   store::Store::Open(options.data_dir, {.synchronous_full = options.synchronous_full}));
  server->event_hub_ = std::make_unique<events::Hub>(*server->store_);
  server->event_log_ = std::make_unique<events::EventLog>(
      server->clock_, [hub = server->event_hub_.get()] { hub->Notify(); });
  server->operations_ = std::make_unique<strategic::OperationService>(
      *server->store_, server->clock_, strategic::OperationServiceOptions{}, server->event_log_.get());
  RETURN_IF_ERROR(server->operations_->Load());
  server->authenticator_ = std::make_unique<Authenticator>(*server->store_);
  server->router_ = std::make_unique<Router>();
  AddRoutes(*server->router_, Services{.store = *server->store_,
                                       .operations = *server->operations_,
                                       .authenticator = *server->authenticator_,
                                       .clock = server->clock_});
  AddEventRoutes(*server->router_, *server->authenticator_, *server->event_hub_,
                 EventsSocketOptions{.max_queue = options.events_max_queue});
  server->http_ = std::make_unique<HttpServer>(
      HttpServerOptions{.address = options.address, .port = options.port, .threads = options.threads},
      *server->router_);
  return server;
}

Server::~Server() {
  // Stop serving, then drain and join the store's writer while the operation service and the
  // io_context its completions post to still exist (members die in reverse order after this).
  if (http_) http_->Stop();
  // The hub reads the store: stop its thread first. It stays alive (Notify is then a no-op) for
  // the store's last completions, which may still call it.
  if (event_hub_) event_hub_->Stop();
  store_.reset();
}

absl::Status Server::Start() {
  RETURN_IF_ERROR(event_hub_->Start());
  return http_->Start();
}

}  // namespace deconflict::api
