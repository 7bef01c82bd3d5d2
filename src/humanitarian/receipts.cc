// humanitarian/receipts.cc: deliveries and acknowledgements (humanitarian.h).
#include <algorithm>

#include "common/status.h"
#include "fmt/format.h"
#include "humanitarian/humanitarian.h"
#include "ledger/entry.h"
#include "parties/acknowledgement.h"
#include "store/signing_keys_table.h"

namespace deconflict::humanitarian {
namespace {

using Type = events::HumanitarianNotice::Type;

events::HumanitarianNotice ReceiptNotice(Type type, const store::HumanitarianRecord& r,
                                         const store::HumanitarianReceiptRecord& receipt) {
  return events::HumanitarianNotice{.type = type,
                                    .kind = r.kind,
                                    .id = r.id,
                                    .version = r.version,
                                    .ovn = r.ovn,
                                    .notifier = PartyId(r.notifier),
                                    .party = PartyId(receipt.party),
                                    .at = receipt.at,
                                    .is_signed = !receipt.signature.empty(),
                                    .digest = r.digest,
                                    .ledger_index = receipt.ledger_index};
}

std::string_view AckKindOf(std::string_view kind) {
  return kind == "site" ? parties::kAckKindHumanitarianSite : parties::kAckKindHumanitarianMovement;
}

}  // namespace

absl::StatusOr<bool> Notifications::RecordDelivery(store::Txn& txn,
                                                   const store::HumanitarianRecord& r,
                                                   const std::string& recipient) const {
  store::HumanitarianReceiptRecord d{.kind = r.kind,
                                     .id = r.id,
                                     .version = r.version,
                                     .party = recipient,
                                     .type = "deliver",
                                     .at = clock_.Now()};
  ASSIGN_OR_RETURN(std::vector<store::HumanitarianReceiptRecord> known,
                   store::ReadHumanitarianReceipts(txn.db(), r.kind, r.id, r.version));
  for (const store::HumanitarianReceiptRecord& k : known) {
    if (k.party == recipient && k.type == "deliver") return false;
  }
  ASSIGN_OR_RETURN(uint64_t index,
                   txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                        .party = recipient,
                                        .action = store::HumanitarianAction(r.kind, "deliver"),
                                        .object_id = store::HumanitarianObjectId(r.id, r.version),
                                        .content_digest = store::HumanitarianReceiptDigest(d),
                                        .server_time = d.at}),
                                    {r.notifier}));
  d.ledger_index = static_cast<int64_t>(index);
  ASSIGN_OR_RETURN(bool inserted, store::InsertHumanitarianReceipt(txn, d));
  if (!inserted) return absl::InternalError("humanitarian: a delivery row appeared twice");
  RETURN_IF_ERROR(
      events_.Append(txn, {PartyId(r.notifier)}, ReceiptNotice(Type::kDelivered, r, d)).status());
  return true;
}

void Notifications::Delivered(const PartyId& recipient, Kind kind, const std::string& id,
                              int64_t version) {
  const std::string key = KeyOf(KindName(kind), id);
  {
    WriterLock lock(mu_);
    auto it = places_.find(key);
    if (it == places_.end()) return;
    Entry& e = it->second;
    const std::string& party = recipient.value();
    if (e.record.version != version ||
        !std::binary_search(e.record.recipients.begin(), e.record.recipients.end(), party) ||
        e.delivered.contains(party) || e.delivering.contains(party)) {
      return;
    }
    e.delivering.insert(party);
  }
  auto recorded = std::make_shared<bool>(false);
  store_.Submit(
      [this, kind, id, version, recipient, recorded](store::Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(std::vector<store::HumanitarianRecord> versions,
                         store::ReadHumanitarianVersions(txn.db(), KindName(kind), id));
        if (versions.size() < static_cast<size_t>(version)) return absl::OkStatus();
        ASSIGN_OR_RETURN(*recorded, RecordDelivery(txn, versions[version - 1], recipient.value()));
        return absl::OkStatus();
      },
      [this, key, version, recipient, recorded](absl::Status committed) {
        {
          WriterLock lock(mu_);
          if (auto it = places_.find(key); it != places_.end()) {
            it->second.delivering.erase(recipient.value());
            // A failed write is retried at the next delivery.
            if (committed.ok() && it->second.record.version == version) {
              it->second.delivered.insert(recipient.value());
            }
          }
        }
        if (committed.ok() && *recorded) events_.Committed();
      });
}

void Notifications::Acknowledge(const PartyId& caller, AckRequest request, Done<AckResult> done) {
  const std::string kind(KindName(request.kind));
  if (!CheckPlaceId(request.id).ok()) {
    return done(
        FieldError(absl::StatusCode::kNotFound, "id", fmt::format("no {} {}", kind, request.id)));
  }
  // Checked on the caller's thread against the committed rows; the unit checks the acks again.
  absl::StatusOr<std::vector<store::HumanitarianRecord>> versions = store_.WithReader(
      [&](store::Database& db) { return store::ReadHumanitarianVersions(db, kind, request.id); });
  if (!versions.ok()) return done(versions.status());
  const auto is_recipient = [&](const store::HumanitarianRecord& r) {
    return std::binary_search(r.recipients.begin(), r.recipients.end(), caller.value());
  };
  if (versions->empty() ||
      (versions->back().notifier != caller.value() && !is_recipient(versions->back()))) {
    return done(
        FieldError(absl::StatusCode::kNotFound, "id",
                   fmt::format("no {} {} notified to {}", kind, request.id, caller.value())));
  }
  if (versions->back().notifier == caller.value()) {
    return done(FieldError(absl::StatusCode::kPermissionDenied, "id",
                           "a notifier does not acknowledge its own notification"));
  }
  const int64_t version = request.version.value_or(versions->back().version);
  if (version < 1 || version > static_cast<int64_t>(versions->size()) ||
      !is_recipient((*versions)[version - 1])) {
    return done(FieldError(absl::StatusCode::kNotFound, "version",
                           fmt::format("no version {} of {} {} notified to {}", version, kind,
                                       request.id, caller.value())));
  }
  const store::HumanitarianRecord r = (*versions)[version - 1];

  // A signed acknowledgement is verified before anything is written.
  store::HumanitarianReceiptRecord ack{
      .kind = kind, .id = r.id, .version = r.version, .party = caller.value(), .type = "ack"};
  std::optional<parties::VerifiedAck> verified;
  if (request.signature) {
    absl::StatusOr<std::vector<store::SigningKeyRecord>> keys =
        store::ListSigningKeys(store_, caller.value());
    if (!keys.ok()) return done(keys.status());
    const parties::AckStatement statement{.kind = std::string(AckKindOf(kind)),
                                          .object_id = store::HumanitarianObjectId(r.id, r.version),
                                          .object_digest = r.digest,
                                          .party = caller,
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
  auto settled = std::make_shared<bool>(false);
  store_.Submit(
      [this, r, ack, verified, result, settled](store::Txn& txn) mutable -> absl::Status {
        ASSIGN_OR_RETURN(std::vector<store::HumanitarianReceiptRecord> receipts,
                         store::ReadHumanitarianReceipts(txn.db(), r.kind, r.id, r.version));
        size_t acks = 0;
        for (const store::HumanitarianReceiptRecord& earlier : receipts) {
          if (earlier.type != "ack") continue;
          ++acks;
          if (earlier.party == ack.party) {
            result->ack = earlier;
            return absl::OkStatus();
          }
        }
        // An acknowledgement proves receipt: record the delivery first if none was.
        ASSIGN_OR_RETURN(bool delivered, RecordDelivery(txn, r, ack.party));
        (void)delivered;
        ack.at = clock_.Now();
        const ledger::Entry entry =
            verified ? parties::AckLedgerEntry(*verified, ack.at)
                     : ledger::Entry{.party = ack.party,
                                     .action = store::HumanitarianAction(r.kind, "ack"),
                                     .object_id = store::HumanitarianObjectId(r.id, r.version),
                                     .content_digest = store::HumanitarianReceiptDigest(ack),
                                     .server_time = ack.at};
        ASSIGN_OR_RETURN(uint64_t index,
                         txn.AppendLedger(ledger::EncodeEntry(entry), {r.notifier}));
        ack.ledger_index = static_cast<int64_t>(index);
        ASSIGN_OR_RETURN(bool inserted, store::InsertHumanitarianReceipt(txn, ack));
        if (!inserted) return absl::InternalError("humanitarian: an ack row appeared twice");
        RETURN_IF_ERROR(
            events_.Append(txn, {PartyId(r.notifier)}, ReceiptNotice(Type::kAcknowledged, r, ack))
                .status());
        // Settled once every recipient acknowledged: it leaves the deadline queue for good.
        if (acks + 1 >= r.recipients.size()) {
          ASSIGN_OR_RETURN(std::vector<store::HumanitarianRecord> stored,
                           store::ReadHumanitarianVersions(txn.db(), r.kind, r.id));
          store::HumanitarianRecord& v = stored.at(r.version - 1);
          v.settled_at = ack.at;
          RETURN_IF_ERROR(store::UpdateHumanitarianState(txn, v));
          *settled = true;
        }
        result->ack = ack;
        result->created = true;
        return absl::OkStatus();
      },
      [this, result, settled, key = KeyOf(kind, r.id), version = r.version,
       done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (result->created) {
          {
            WriterLock lock(mu_);
            if (auto it = places_.find(key);
                it != places_.end() && it->second.record.version == version) {
              it->second.acked.insert(result->ack.party);
              it->second.delivered.insert(result->ack.party);
              if (*settled) {
                it->second.record.settled_at = result->ack.at;
                due_.Clear(key);
              }
            }
          }
          events_.Committed();
        }
        done(*result);
      });
}

}  // namespace deconflict::humanitarian
