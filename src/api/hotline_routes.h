// api/hotline_routes.h: the routes of the hotline (hotline/hotline.h) and of a party's own
// signing keys, all behind the one Authorized wrapper (api/authorized.h), open to every role, and
// listed in openapi.json. JSON shapes: api/hotline_json.h.
//
//   POST /v1/channels                          {"id", "name", "members", "escalation_channel"?,
//                                              "deadlines"?}: 201 new, 200 the same again
//   GET  /v1/channels                          {"channels": [...]}: the caller's
//   GET  /v1/channels/{id}                     a channel of the caller's
//   POST /v1/channels/{id}/suspend             {"reason"}: 200 with the channel
//   POST /v1/channels/{id}/resume              200 with the channel
//   POST /v1/channels/{id}/messages            {"id", "priority", "subject", "body", "refs"?}:
//                                              201 {"channel", "seq", "id", "ledger_index", ...}
//                                              once durable; 200 for a retry
//   GET  /v1/channels/{id}/messages?after=&limit=   {"messages": [...], "next_after"}: catch-up
//                                              in channel order (after: a seq, default 0; limit
//                                              default 100, at most 1000, more is 413)
//   POST /v1/channels/{id}/messages/{msg}/ack  {} or {"signature", "key_id"?, "signed_at"}; {msg}
//                                              is the message's id or seq: 201 first, 200 after
//   PUT  /v1/me/keys/{key_id}                  {"key" (base64), "name"?}: the caller registers
//                                              its own Ed25519 public key (signing_key.add);
//                                              key_id must be the key's id; 201, 200 again
//
// Errors (api/reply.h): 400 naming the field; 403 non-member (the answer says nothing of the
// channel); 404 unknown channel or message; 409 suspended channel, message id reused with other
// content, channel id taken; 413 a body field over 64 KiB.
//
// Thread-safety: the handlers are thread-safe; what is passed must outlive the router.
#pragma once

#include "api/http_server.h"
#include "common/clock.h"
#include "hotline/hotline.h"
#include "parties/authenticator.h"
#include "store/store.h"

namespace deconflict::api {

void AddHotlineRoutes(Router& router, parties::Authenticator& authenticator,
                      hotline::Hotline& hotline, store::Store& store, const Clock& clock);

}  // namespace deconflict::api
