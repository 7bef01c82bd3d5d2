// api/case_routes.h: the routes of monitoring's automatic cases (monitoring/cases.h):
//   GET  /v1/cases                 the cases the caller may see, newest first
//   GET  /v1/cases/{id}            the case, its links, respondents, responses and close
//   POST /v1/cases/{id}/responses  a statement by a party that sees the case (201; 200 a retry)
//   POST /v1/cases/{id}/close      guarantors only: the signed closing finding (201; 200 a retry)
//   GET  /v1/cases/{id}/bundle     every ledger entry of the case with its inclusion proof
//                                  against one signed checkpoint (ledger/bundle.h bundle set;
//                                  openings only of entries the caller may read)
// Bodies: api/case_json.h.
#pragma once

#include "api/http_server.h"
#include "monitoring/cases.h"
#include "parties/authenticator.h"
#include "store/store.h"

namespace deconflict::api {

// `authenticator`, `store` and `cases` must outlive the router.
void AddCaseRoutes(Router& router, parties::Authenticator& authenticator, store::Store& store,
                   monitoring::Cases& cases);

}  // namespace deconflict::api
