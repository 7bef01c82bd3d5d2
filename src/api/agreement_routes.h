// api/agreement_routes.h: the agreements' routes (agreements/agreements.h), every one for any
// party (the service decides who sees what):
//   PUT  /v1/proposals/{id}            propose (201; 200: the same proposal again)
//   GET  /v1/proposals                 the caller's proposals (?after=<id>&limit=)
//   GET  /v1/proposals/{id}            approvers and guarantors; 404 for others
//   POST /v1/proposals/{id}/decision   approve or reject, optionally signed (201)
//   GET  /v1/agreements/{type}/{id}    an agreement's versions (type aor, territory or text)
//   GET  /v1/lists/{name}              the agreed list (?at=<RFC 3339>: as it was then)
// Bodies: api/agreement_json.h.
#pragma once

#include "agreements/agreements.h"
#include "api/http_server.h"
#include "parties/authenticator.h"

namespace deconflict::api {

// `authenticator` and `agreements` must outlive the router.
void AddAgreementRoutes(Router& router, parties::Authenticator& authenticator,
                        agreements::Agreements& agreements);

}  // namespace deconflict::api
