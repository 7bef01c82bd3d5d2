// monitoring/internal/signed.h: what findings, statements, case responses and closes share: the
// plain-text rule of their texts and the check of a party's signature over a statement
// (parties/acknowledgement.h) against its registered keys. Private to monitoring/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/status.h"
#include "common/text.h"
#include "fmt/format.h"
#include "monitoring/monitoring.h"
#include "parties/acknowledgement.h"
#include "store/signing_keys_table.h"

namespace deconflict::monitoring::internal {

// InvalidArgument "is empty" below `least` bytes, LimitExceeded above `most`, InvalidArgument
// when not UTF-8; each naming `field`.
inline absl::Status CheckPlainText(std::string_view text, std::string_view field, size_t least,
                                   size_t most) {
  if (text.size() < least) return InvalidField(field, "is empty");
  if (text.size() > most) {
    return LimitExceeded(field, fmt::format("is {} bytes; at most {}", text.size(), most));
  }
  if (!IsValidUtf8(text)) return InvalidField(field, "is not valid UTF-8");
  return absl::OkStatus();
}

// `sig` of the statement (kind, object id, digest, party, its time) by one of `party`'s keys.
// The errors of parties::VerifyAcknowledgement.
inline absl::StatusOr<parties::VerifiedAck> VerifySigned(
    store::Store& store, const Clock& clock, const PartyId& party, std::string_view kind,
    std::string object_id, const std::string& digest, const Signature& sig) {
  ASSIGN_OR_RETURN(std::vector<store::SigningKeyRecord> keys,
                   store::ListSigningKeys(store, party.value()));
  const parties::AckStatement statement{.kind = std::string(kind),
                                        .object_id = std::move(object_id),
                                        .object_digest = digest,
                                        .party = party,
                                        .time = sig.signed_at};
  return parties::VerifyAcknowledgement(keys, statement, sig.signature, sig.key_id, clock);
}

}  // namespace deconflict::monitoring::internal
