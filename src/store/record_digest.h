// store/record_digest.h: what a ledger entry commits to for a stored row.
//
// A ledger entry that records a change of a stored object carries, as its content digest, the
// digest of the row exactly as stored (every column but the ledger index, which the entry
// itself gives). `deconflict ledger check` recomputes it from the row and names any row whose
// digest differs from its entry's: an edit of the database file is caught even when SQLite's
// own integrity check passes.
//
//   entry.content_digest = OperationRecordDigest(record);
//
// Encoding (stable; changing it is a ledger format change): SHA-256 over the concatenation of
// a domain tag "deconflict/operation/v1\n" and, for each column in the order of OperationRecord,
// text and blobs as a 4-byte big-endian length followed by the bytes, integers and timestamps
// (microseconds since the Unix epoch) as 8-byte big-endian two's complement.
#pragma once

#include <string>

#include "store/store.h"

namespace deconflict::store {

// SHA-256 (32 raw bytes) of the canonical encoding of `record` without its ledger_index.
std::string OperationRecordDigest(const OperationRecord& record);

}  // namespace deconflict::store
