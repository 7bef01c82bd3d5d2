// api/ledger_routes.h: the /v1/ledger handlers, independent of the HTTP library. The router
// (ledger_http.cc) authenticates the caller and passes the query parameters and body; each
// handler returns the whole reply. Shapes are in openapi.json, formats in
// docs/ledger_format.md.
//
//   GET  /v1/ledger/checkpoint?size=                   GetCheckpoint       text/plain signed note
//   GET  /v1/ledger/entries?start=&end=                GetEntries          {"entries": [...]}
//                                                      (openings only for entitled callers)
//   GET  /v1/ledger/proofs/inclusion?index=&size=      GetInclusionProof   {"index","size","proof"}
//   GET  /v1/ledger/proofs/consistency?from=&to=       GetConsistencyProof {"from","to","proof"}
//   POST /v1/ledger/cosignatures                       PostCosignature     201 {"size","witness"}
//
// Bad query parameters answer 400 with the parameter as the error's "field". Sizes default to
// the newest checkpoint's, so that a client can always verify a proof against a signed root.
//
// Thread-safe: the handlers only use the store's thread-safe API.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "api/reply.h"
#include "store/store.h"

namespace deconflict::api {

// Most entries one GET /v1/ledger/entries returns; the client pages with `start`.
inline constexpr uint64_t kMaxLedgerEntriesPerPage = 1000;

using QueryParams = std::map<std::string, std::string>;

// The newest checkpoint with every witness cosignature on it (C2SP signed note, text/plain).
Reply GetCheckpoint(store::Store& store);
// Same, or with `size` the stored checkpoint of exactly that tree size (404 field "size" when
// there is none): witnesses' cosignatures usually land on a checkpoint that is no longer the
// newest, and clients that want a cosigned one ask for its size.
Reply GetCheckpoint(store::Store& store, const QueryParams& query);

// Who reads the ledger (from the authenticated principal).
struct LedgerCaller {
  std::string party;
  std::string role;  // design.md §2
};

// Entries [start, end): `start` required; `end` optional, default and cap start + 1000, cut to
// the tree size. 400 when start is not below the tree size or end <= start.
// Every caller gets each entry's leaf bytes ("data": a salted commitment, ledger/commitment.h),
// enough to verify proofs and checkpoints; the "opening" (salt and readable entry) only goes to
// callers entitled to the object: the entry's party, guarantors, and the parties named as
// readers when the entry was appended (store::StoredOpening::Entitles).
Reply GetEntries(store::Store& store, const QueryParams& query, const LedgerCaller& caller);

// The RFC 9162 inclusion proof of entry `index` (required) in the tree of `size` entries
// (optional, default the newest checkpoint's size; at most that).
Reply GetInclusionProof(store::Store& store, const QueryParams& query);

// The RFC 9162 consistency proof from `from` (required, >= 1) to `to` (optional, default the
// newest checkpoint's size; from <= to <= that size).
Reply GetConsistencyProof(store::Store& store, const QueryParams& query);

// A witness cosignature from the authenticated party `party_id`. Body:
//   {"witness_key": "<name>+<key id hex>+<base64(0x04 || Ed25519 public key)>",
//    "size": <tree size of a stored checkpoint>,
//    "cosignature": "— <name> <base64(key id || timestamp || signature)>"}
// Witness names are bound to a party and key by the server's operator (`deconflict ledger
// witness add`), never by the first poster: 404 (field "witness_key") for a name nobody bound,
// 403 naming the witness for another party or another key. The cosignature must verify
// (tlog-cosignature) over the stored checkpoint of `size` (400 field "cosignature", 404 field
// "size" when there is no such checkpoint).
//
// Like every write, it goes through the store's writer (Store::Submit): the body is parsed here,
// on the caller's (I/O) thread, which never waits for the database; `respond` is called exactly
// once, on the writer thread after the commit (201), or at once for a bad body (400) or when
// kMaxPendingLedgerWrites units already wait for the writer (429).
void PostCosignature(store::Store& store, std::string_view body, const std::string& party_id,
                     std::function<void(Reply)> respond);

// Most units waiting for the store's writer before a cosignature is refused with 429.
inline constexpr size_t kMaxPendingLedgerWrites = 4096;

}  // namespace deconflict::api
