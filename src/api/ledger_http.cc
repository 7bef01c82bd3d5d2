// api/ledger_http.cc: binds the /v1/ledger handlers (ledger_routes.h) to the router. Every
// party may read the ledger's commitments and proofs (openings only where entitled); a party may
// cosign checkpoints as the witness the operator bound to it.
#include "api/authorized.h"
#include "api/ledger_routes.h"
#include "api/routes.h"

namespace deconflict::api {

void AddLedgerRoutes(Router& router, const Services& s) {
  auto read = [s](Reply (*handler)(store::Store&, const QueryParams&)) {
    return Authorized(s.authenticator, Access::kAnyParty,
                      SyncHandler([s, handler](const Request& req, const Principal&) -> ReplyOr {
                        return handler(s.store, req.query);
                      }));
  };
  Reply (*checkpoint)(store::Store&, const QueryParams&) = &GetCheckpoint;  // ?size= overload
  router.Add("GET", "/v1/ledger/checkpoint", read(checkpoint));
  // Everyone gets the commitments; openings only the parties entitled to them.
  router.Add("GET", "/v1/ledger/entries",
             Authorized(s.authenticator, Access::kAnyParty,
                        SyncHandler([s](const Request& req, const Principal& who) -> ReplyOr {
                          return GetEntries(
                              s.store, req.query,
                              LedgerCaller{.party = who.party.value(),
                                           .role = std::string(parties::RoleName(who.role))});
                        })));
  router.Add("GET", "/v1/ledger/proofs/inclusion", read(&GetInclusionProof));
  router.Add("GET", "/v1/ledger/proofs/consistency", read(&GetConsistencyProof));
  router.Add("POST", "/v1/ledger/cosignatures",
             Authorized(s.authenticator, Access::kAnyParty,
                        AsyncHandler([s](const Request& req, const Principal& who, Answer answer) {
                          // Answers after the commit.
                          PostCosignature(s.store, req.body, who.party.value(),
                                          [answer = std::move(answer)](Reply reply) {
                                            answer(std::move(reply));
                                          });
                        })));
}

}  // namespace deconflict::api
