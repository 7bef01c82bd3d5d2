// api/routes.h: the /v1 routes of deconflict, bound to the services they call.
//
// Every /v1 route needs a valid bearer token except GET /v1/health, GET /v1/version and
// GET /v1/openapi.json. Only parties with the `operator` role may file, change or end
// operations. The routes are listed, with their shapes, in openapi.json (checked by a test).
//
// Each handler returns absl::StatusOr<Reply> (writes through a callback taking one), as the
// ledger handlers do; one wrapper (routes.cc Authorized) authenticates and checks the role.
// The JSON views of strategic's answers are in api/operation_json.h. GET /v1/operations lists
// the caller's own live operations (the console's map). Lists (GET /v1/operations, /v1/conflicts,
// POST /v1/operations/query) take `limit` (default 100, at most 1000) and an opaque `cursor`,
// and answer `next_cursor` while more remain. A host (a party with an agreed territory) reads
// GET /v1/territory/operations, and GET /v1/operations/{id} shows it another party's operation
// as its overlap with the territory ("territory_overlap").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "common/clock.h"
#include "parties/authenticator.h"
#include "store/store.h"
#include "strategic/operation_service.h"

namespace deconflict::api {

using parties::Authenticator;
using parties::Principal;

// A host's live territory (agreements::Agreements::TerritoryOf), as strategic and live take it:
// the thing ("territory/<host>") and one volume per polygon; nullopt when none is agreed.
struct Territory {
  std::string thing;
  std::vector<std::shared_ptr<const geo::Volume4D>> volumes;
};
using TerritoryOf = std::function<std::optional<Territory>(const PartyId&)>;

struct Services {
  store::Store& store;
  strategic::OperationService& operations;
  Authenticator& authenticator;
  const Clock& clock;
  TerritoryOf territory_of;  // may be empty: no party has a territory
};

// Adds every route to `router`. `services` must outlive the router.
void AddRoutes(Router& router, const Services& services);

// Adds the /v1/ledger routes (ledger_http.cc).
void AddLedgerRoutes(Router& router, const Services& services);

// The OpenAPI 3 document served at /v1/openapi.json.
const boost::json::value& OpenApiDocument();

}  // namespace deconflict::api
