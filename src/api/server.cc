#include "api/server.h"

#include "api/routes.h"
#include "common/status.h"

namespace deconflict::api {

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  std::unique_ptr<Server> server(new Server());
  ASSIGN_OR_RETURN(server->store_,
                   store::Store::Open(options.data_dir, {.synchronous_full = options.synchronous_full,
                                                         .clock = &server->clock_,
                                                         .faults = options.store_faults}));
  server->operations_ = std::make_unique<strategic::OperationService>(*server->store_, server->clock_);
  RETURN_IF_ERROR(server->operations_->Load());
  server->authenticator_ = std::make_unique<Authenticator>(*server->store_);
  server->router_ = std::make_unique<Router>();
  AddRoutes(*server->router_, Services{.store = *server->store_,
                                       .operations = *server->operations_,
                                       .authenticator = *server->authenticator_,
                                       .clock = server->clock_});
  server->http_ = std::make_unique<HttpServer>(
      HttpServerOptions{.address = options.address, .port = options.port, .threads = options.threads},
      *server->router_);
  return server;
}

Server::~Server() {
  // Stop serving, then drain and join the store's writer while the operation service and the
  // io_context its completions post to still exist (members die in reverse order after this).
  if (http_) http_->Stop();
  store_.reset();
}

absl::Status Server::Start() { return http_->Start(); }

}  // namespace deconflict::api
