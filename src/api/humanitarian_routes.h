// api/humanitarian_routes.h: the routes of humanitarian notifications
// (humanitarian/humanitarian.h), for sites under /v1/sites and movements under /v1/movements:
//
//   PUT    /v1/sites/{id}          humanitarian role: a new version (201) or a retry (200)
//   DELETE /v1/sites/{id}          humanitarian role: the removal request, a new version
//   GET    /v1/sites/{id}          notifier, recipients, guarantors: the place, per-recipient
//                                  status and history (the read is recorded); others 404
//   GET    /v1/sites/{id}/reads    the notifier: reads and refused attempts
//   POST   /v1/sites/{id}/ack      a recipient: its acknowledgement, optionally signed
//   GET    /v1/sites.geojson       the live places the caller may read (RFC 7946)
//   GET    /v1/sites/conflicts     the operations that met the caller's places (sites and
//                                  movements)
// and the same for /v1/movements (but /conflicts). Bodies: api/humanitarian_json.h.
#pragma once

#include "api/http_server.h"
#include "humanitarian/humanitarian.h"
#include "parties/authenticator.h"

namespace deconflict::api {

// `authenticator` and `notifications` must outlive the router.
void AddHumanitarianRoutes(Router& router, parties::Authenticator& authenticator,
                           humanitarian::Notifications& notifications);

}  // namespace deconflict::api
