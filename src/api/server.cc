#include "api/server.h"

#include <algorithm>
#include <future>

#include "api/agreement_routes.h"
#include "api/case_routes.h"
#include "api/console_routes.h"
#include "api/event_routes.h"
#include "api/hotline_routes.h"
#include "api/humanitarian_routes.h"
#include "api/incident_routes.h"
#include "api/live_routes.h"
#include "api/routes.h"
#include "common/status.h"
#include "fmt/ranges.h"
#include "spdlog/spdlog.h"

namespace deconflict::api {

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  std::unique_ptr<Server> server(new Server());
  server->clock_.SetOffset(options.clock_offset);
  ASSIGN_OR_RETURN(server->store_, store::Store::Open(options.data_dir,
                                                      {.synchronous_full = options.synchronous_full,
                                                       .clock = &server->clock_,
                                                       .faults = options.store_faults}));
  server->event_hub_ = std::make_unique<events::Hub>(*server->store_);
  server->event_log_ = std::make_unique<events::EventLog>(
      server->clock_, [hub = server->event_hub_.get()] { hub->Notify(); });
  server->operations_ = std::make_unique<strategic::OperationService>(
      *server->store_, server->clock_,
      strategic::OperationServiceOptions{.max_probes_per_minute = options.max_probes_per_minute},
      server->event_log_.get());
  server->live_ = std::make_unique<live::LivePicture>(*server->store_, *server->event_log_,
                                                      server->clock_, options.live);
  server->hotline_ = std::make_unique<hotline::Hotline>(*server->store_, *server->event_log_,
                                                        server->clock_, options.hotline);
  // Humanitarian notifications: checked by the key rule (strategic/protected_volumes.h), their
  // deadlines judged and escalated by the hotline's mechanism (hotline/deadline_source.h).
  server->notifications_ = std::make_unique<humanitarian::Notifications>(
      *server->store_, *server->event_log_, server->clock_, options.humanitarian);
  server->operations_->AddProtectedVolumes(*server->notifications_);
  server->hotline_->AddDeadlineSource(*server->notifications_);
  // Agreements: AORs and territories in the key rule, proposal expiry on the hotline's clock.
  server->agreements_ = std::make_unique<agreements::Agreements>(
      *server->store_, *server->event_log_, server->clock_);
  server->operations_->AddProtectedVolumes(*server->agreements_);
  server->hotline_->AddDeadlineSource(*server->agreements_);
  // Ceasefire monitoring: incidents, findings, statements, ACLED exchange, statistics.
  server->incidents_ =
      std::make_unique<monitoring::Incidents>(*server->store_, *server->event_log_, server->clock_);
  // The automatic case: opened in the unit of a violent incident on a notified place; response
  // deadlines on the hotline's clock.
  server->cases_ = std::make_unique<monitoring::Cases>(
      *server->store_, *server->event_log_, server->clock_, *server->notifications_, options.cases);
  server->incidents_->SetHook(server->cases_.get());
  server->hotline_->AddDeadlineSource(*server->cases_);
  server->authenticator_ = std::make_unique<parties::Authenticator>(
      *server->store_, parties::AuthenticatorOptions{
                           .on_revoked = [s = server.get()](const std::vector<PartyId>& revoked) {
                             s->ReloadOperationsAfterRevocation(revoked);
                           }});
  ASSIGN_OR_RETURN(std::vector<parties::EndedOperation> ended,
                   parties::EndOperationsOfRevokedParties(*server->store_, server->clock_));
  if (!ended.empty()) {
    spdlog::warn("api: ended {} live operations of parties revoked by an older version",
                 ended.size());
  }
  // Parties first, operations second: a revocation committed after this read is reported by the
  // hook, one committed before it is already in what Load reads.
  RETURN_IF_ERROR(server->authenticator_->Refresh());
  RETURN_IF_ERROR(server->operations_->Load());
  RETURN_IF_ERROR(server->live_->Load());
  RETURN_IF_ERROR(server->hotline_->Load());
  RETURN_IF_ERROR(server->notifications_->Load());
  RETURN_IF_ERROR(server->agreements_->Load());
  RETURN_IF_ERROR(server->incidents_->Load());
  RETURN_IF_ERROR(server->cases_->Load());
  // The server's own feeds: the operator names the party each one speaks for.
  for (const std::string& text : options.sbs_feeds) {
    ASSIGN_OR_RETURN(feeds::SbsFeedSpec spec, feeds::ParseSbsFeedSpec(text));
    ASSIGN_OR_RETURN(std::vector<store::PartyRecord> parties, server->store_->ListParties());
    auto party = std::find_if(parties.begin(), parties.end(), [&](const store::PartyRecord& p) {
      return p.id == spec.party.value();
    });
    if (party == parties.end() || party->revoked_at || party->role != "operator") {
      return absl::InvalidArgumentError(
          fmt::format("--sbs-feed {}: {} is not an operator of this store (deconflict party "
                      "list)",
                      spec.ToString(), spec.party.value()));
    }
    server->feeds_.push_back(std::make_unique<feeds::SbsClient>(
        feeds::SbsClientOptions{.feed = spec, .clock = &server->clock_},
        [live = server->live_.get()](feeds::TrackReport report) {
          (void)live->Offer(std::move(report));  // refusals are counted in live->stats()
        }));
  }
  server->router_ = std::make_unique<Router>();
  // A host's read view (issue 12): its agreed territory, for operations and live tracks.
  TerritoryOf territory_of =
      [agreements = server->agreements_.get()](const PartyId& party) -> std::optional<Territory> {
    std::optional<agreements::TerritoryView> t = agreements->TerritoryOf(party);
    if (!t) return std::nullopt;
    return Territory{.thing = t->thing, .volumes = t->volumes};
  };
  AddRoutes(*server->router_, Services{.store = *server->store_,
                                       .operations = *server->operations_,
                                       .authenticator = *server->authenticator_,
                                       .clock = server->clock_,
                                       .territory_of = territory_of});
  AddLiveRoutes(*server->router_, *server->authenticator_, *server->live_, server->clock_,
                territory_of);
  AddHotlineRoutes(*server->router_, *server->authenticator_, *server->hotline_, *server->store_,
                   server->clock_);
  AddHumanitarianRoutes(*server->router_, *server->authenticator_, *server->notifications_);
  AddAgreementRoutes(*server->router_, *server->authenticator_, *server->agreements_);
  AddIncidentRoutes(*server->router_, *server->authenticator_, *server->incidents_);
  AddCaseRoutes(*server->router_, *server->authenticator_, *server->store_, *server->cases_);
  AddConsoleRoutes(*server->router_, options.web_root);
  // A hotline.message or humanitarian.notified written to a recipient's socket or page is its
  // delivery (hotline.h, humanitarian.h).
  AddEventRoutes(
      *server->router_, *server->authenticator_, *server->event_hub_,
      EventsSocketOptions{
          .max_queue = options.events_max_queue,
          .on_delivered = [hotline = server->hotline_.get(),
                           notifications = server->notifications_.get()](const events::Event& e) {
            if (const auto* m = std::get_if<events::HotlineMessage>(&e.payload)) {
              hotline->Delivered(e.recipient, m->id);
            } else if (const auto* n = std::get_if<events::HumanitarianNotice>(&e.payload)) {
              notifications->Delivered(
                  e.recipient,
                  n->kind == "site" ? humanitarian::Kind::kSite : humanitarian::Kind::kMovement,
                  n->id, n->version);
            }
          }});
  server->http_ =
      std::make_unique<HttpServer>(HttpServerOptions{.address = options.address,
                                                     .port = options.port,
                                                     .threads = options.threads,
                                                     .max_connections = options.max_connections,
                                                     .idle_timeout = options.idle_timeout},
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
  // The feeds put reports into the picture, whose cycle thread submits to the store: stop them
  // before the store drains.
  feeds_.clear();
  if (live_) live_->Stop();
  if (hotline_) hotline_->Stop();
  store_.reset();
}

absl::Status Server::Start() {
  RETURN_IF_ERROR(event_hub_->Start());
  RETURN_IF_ERROR(live_->Start());
  RETURN_IF_ERROR(hotline_->Start());
  for (const auto& feed : feeds_) RETURN_IF_ERROR(feed->Start());
  return http_->Start();
}

void Server::ReloadOperationsAfterRevocation(const std::vector<PartyId>& revoked) {
  // Load runs on the store's writer thread, in the completion of a unit of work: between two
  // group commits, so no unit has changes in memory that the store does not have yet.
  // The promise is owned by the completion (set_value may still run when get() returns).
  auto reloaded = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> done = reloaded->get_future();
  store_->Submit([](store::Txn&) { return absl::OkStatus(); },
                 [this, reloaded](absl::Status) { reloaded->set_value(operations_->Load()); });
  std::vector<std::string> ids;
  for (const PartyId& id : revoked) ids.push_back(id.value());
  if (absl::Status s = done.get(); !s.ok()) {
    spdlog::critical("api: parties {} revoked, but the operations could not be reloaded: {}",
                     fmt::join(ids, ", "), s.ToString());
    return;
  }
  spdlog::info("api: parties {} revoked; operations reloaded ({} live)", fmt::join(ids, ", "),
               operations_->live_operations());
}

}  // namespace deconflict::api
