// live/acknowledge.cc: LivePicture::Acknowledge (picture.h), the one write a party makes to an
// encounter.
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "live/picture.h"
#include "parties/acknowledgement.h"
#include "store/record_digest.h"
#include "store/signing_keys_table.h"

namespace deconflict::live {

void LivePicture::Acknowledge(const Viewer& viewer, AckRequest request,
                              std::function<void(absl::StatusOr<AckResult>)> done) {
  const std::string party = viewer.party.value();
  // Checked on the caller's thread against the committed row; checked again in the unit.
  absl::StatusOr<std::optional<store::EncounterRecord>> found = store_.WithReader(
      [&](store::Database& db) { return store::ReadEncounter(db, request.encounter); });
  if (!found.ok()) return done(found.status());
  if (!*found || !Visible(viewer, **found)) {
    return done(
        absl::NotFoundError(fmt::format("encounter: no encounter {} of yours", request.encounter)));
  }
  const store::EncounterRecord& row = **found;
  if (row.party_a != party && row.party_b != party) {
    return done(absl::PermissionDeniedError(
        fmt::format("encounter: only {} and {}, its parties, acknowledge encounter {}", row.party_a,
                    row.party_b, row.id)));
  }
  const std::string other = row.party_a == party ? row.party_b : row.party_a;

  // A signed acknowledgement is verified before anything is written.
  store::EncounterAckRecord ack{.encounter = row.id, .party = party};
  std::optional<parties::VerifiedAck> verified;
  if (request.signature) {
    absl::StatusOr<std::vector<store::SigningKeyRecord>> keys =
        store::ListSigningKeys(store_, party);
    if (!keys.ok()) return done(keys.status());
    const parties::AckStatement statement{.kind = parties::kAckKindEncounter,
                                          .object_id = std::to_string(row.id),
                                          .object_digest = store::EncounterOpeningDigest(row),
                                          .party = viewer.party,
                                          .time = request.signature->signed_at};
    absl::StatusOr<parties::VerifiedAck> checked = parties::VerifyAcknowledgement(
        *keys, statement, request.signature->signature, request.signature->key_id, clock_);
    if (!checked.ok()) return done(checked.status());
    verified = *std::move(checked);
    ack.key_id = verified->key_id;
    ack.signature = verified->signature;
    ack.statement = verified->statement_bytes;
  }

  auto result = std::make_shared<AckResult>();
  store_.Submit(
      [this, ack, verified, other, result](store::Txn& txn) mutable -> absl::Status {
        ASSIGN_OR_RETURN(std::vector<store::EncounterAckRecord> acks,
                         store::ReadEncounterAcks(txn.db(), ack.encounter));
        for (const store::EncounterAckRecord& earlier : acks) {
          if (earlier.party == ack.party) {
            result->ack = earlier;
            result->created = false;
            return absl::OkStatus();
          }
        }
        ack.at = clock_.Now();
        ledger::Entry entry = verified
                                  ? parties::AckLedgerEntry(*verified, ack.at)
                                  : ledger::Entry{.party = ack.party,
                                                  .action = ledger::kActionEncounterAck,
                                                  .object_id = std::to_string(ack.encounter),
                                                  .content_digest = store::EncounterAckDigest(ack),
                                                  .server_time = ack.at};
        ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(ledger::EncodeEntry(entry), {other}));
        ack.ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::InsertEncounterAck(txn, ack));
        ASSIGN_OR_RETURN(std::vector<std::string> guarantors,
                         store::ActivePartiesWithRole(txn.db(), "guarantor"));
        std::vector<PartyId> recipients{PartyId(other)};
        for (const std::string& g : guarantors) recipients.emplace_back(g);
        RETURN_IF_ERROR(events_
                            .Append(txn, recipients,
                                    events::EncounterAcknowledged{.encounter = ack.encounter,
                                                                  .party = PartyId(ack.party),
                                                                  .at = ack.at,
                                                                  .is_signed = verified.has_value(),
                                                                  .ledger_index = ack.ledger_index})
                            .status());
        result->ack = ack;
        result->created = true;
        return absl::OkStatus();
      },
      [this, result, done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (result->created) {
          {
            WriterLock lock(view_mu_);
            if (auto it = open_.find(result->ack.encounter); it != open_.end()) {
              it->second.acked.insert(result->ack.party);
            }
          }
          events_.Committed();
        }
        done(*result);
      });
}

}  // namespace deconflict::live
