// hotline/receipts.cc: deliveries and acknowledgements (hotline.h).
#include <algorithm>
#include <charconv>
#include <tuple>

#include "common/status.h"
#include "fmt/format.h"
#include "hotline/hotline.h"
#include "ledger/entry.h"
#include "parties/acknowledgement.h"
#include "store/signing_keys_table.h"

namespace deconflict::hotline {
namespace {

events::HotlineReceipt ReceiptOf(const store::HotlineMessageRecord& m,
                                 const store::HotlineReceiptRecord& r) {
  return events::HotlineReceipt{.channel = ChannelId(m.channel),
                                .channel_seq = m.seq,
                                .id = MessageId(m.id),
                                .party = PartyId(r.party),
                                .at = r.at,
                                .is_signed = !r.signature.empty(),
                                .ledger_index = r.ledger_index};
}

// The message named by `ref` (its id, or its decimal seq) in `channel`, as `db` sees it.
absl::StatusOr<store::HotlineMessageRecord> FindMessage(store::Database& db,
                                                        const std::string& channel,
                                                        const std::string& ref) {
  std::optional<store::HotlineMessageRecord> found;
  int64_t seq = 0;
  auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), seq);
  if (ec == std::errc() && end == ref.data() + ref.size() && seq > 0) {
    ASSIGN_OR_RETURN(found, store::ReadHotlineMessage(db, channel, seq));
  } else {
    std::string id = ref;
    for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSIGN_OR_RETURN(found, store::ReadHotlineMessageById(db, id));
  }
  if (!found || found->channel != channel) {
    return FieldError(absl::StatusCode::kNotFound, "message",
                      fmt::format("no message {} in channel {}", ref, channel));
  }
  return *std::move(found);
}

}  // namespace

absl::StatusOr<bool> Hotline::RecordDelivery(store::Txn& txn, const Delivery& d) const {
  // A known delivery costs no ledger entry.
  ASSIGN_OR_RETURN(bool known,
                   store::HotlineDeliveryKnown(txn.db(), d.message, d.recipient.value()));
  if (known) return false;
  RETURN_IF_ERROR(RecordRun(txn, {&d, 1}));
  return true;
}

absl::Status Hotline::RecordRun(store::Txn& txn, std::span<const Delivery> run) const {
  const Delivery& first = run.front();
  const Delivery& last = run.back();
  std::vector<store::HotlineReceiptRecord> rows;
  rows.reserve(run.size());
  Timestamp latest = first.at;
  for (const Delivery& d : run) {
    rows.push_back({.message = d.message, .party = d.recipient.value(), .at = d.at});
    latest = std::max(latest, d.at);
  }
  const bool one = run.size() == 1;
  ASSIGN_OR_RETURN(
      uint64_t index,
      txn.AppendLedger(
          ledger::EncodeEntry(ledger::Entry{
              .party = first.recipient.value(),
              .action = store::kActionHotlineDeliver,
              .object_id =
                  one ? store::HotlineObjectId(first.channel.value(), first.seq)
                      : store::HotlineRunObjectId(first.channel.value(), first.seq, last.seq),
              .content_digest = one ? store::HotlineDeliveryDigest(rows[0])
                                    : store::HotlineDeliveryRunDigest(rows),
              .server_time = latest}),
          {first.sender.value()}));
  for (store::HotlineReceiptRecord& r : rows) {
    r.ledger_index = static_cast<int64_t>(index);
    ASSIGN_OR_RETURN(bool inserted, store::InsertHotlineDelivery(txn, r));
    if (!inserted) return absl::InternalError("hotline: a delivery row appeared twice");
  }
  return events_
      .Append(txn, {first.sender},
              events::HotlineDelivered{
                  events::HotlineReceipt{.channel = first.channel,
                                         .channel_seq = first.seq,
                                         .id = MessageId(first.message),
                                         .party = first.recipient,
                                         .at = latest,
                                         .is_signed = false,
                                         .ledger_index = static_cast<int64_t>(index),
                                         .through_seq = last.seq}})
      .status();
}

absl::Status Hotline::RecordDeliveries(store::Txn& txn, const std::vector<Delivery>& deliveries,
                                       std::vector<bool>& recorded) const {
  recorded.assign(deliveries.size(), false);
  // Deliveries known already (an acknowledgement recorded one meanwhile) are dropped.
  std::vector<const Delivery*> fresh;
  fresh.reserve(deliveries.size());
  std::vector<size_t> where;  // fresh[i] is deliveries[where[i]]
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const Delivery& d = deliveries[i];
    ASSIGN_OR_RETURN(bool known,
                     store::HotlineDeliveryKnown(txn.db(), d.message, d.recipient.value()));
    if (known) continue;
    fresh.push_back(&d);
    where.push_back(i);
  }
  std::vector<size_t> order(fresh.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(fresh[a]->recipient, fresh[a]->channel, fresh[a]->seq) <
           std::tie(fresh[b]->recipient, fresh[b]->channel, fresh[b]->seq);
  });
  // Runs: one recipient, one channel, one sender, consecutive sequence numbers.
  std::vector<Delivery> run;
  auto flush = [&]() -> absl::Status {
    if (run.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(RecordRun(txn, run));
    run.clear();
    return absl::OkStatus();
  };
  for (size_t k : order) {
    const Delivery& d = *fresh[k];
    if (!run.empty()) {
      const Delivery& prev = run.back();
      if (prev.recipient == d.recipient && prev.channel == d.channel && prev.seq == d.seq) {
        continue;  // the same delivery twice: recorded once
      }
      if (prev.recipient != d.recipient || prev.channel != d.channel || prev.sender != d.sender ||
          d.seq != prev.seq + 1 || run.size() >= kMaxDeliveryRun) {
        RETURN_IF_ERROR(flush());
      }
    }
    run.push_back(d);
    recorded[where[k]] = true;
  }
  return flush();
}

void Hotline::Delivered(const PartyId& recipient, const MessageId& message) {
  {
    WriterLock lock(mu_);
    auto it = open_.find(message.value());
    // Settled messages were acknowledged, hence delivered, by every recipient.
    if (it == open_.end()) return;
    Open& open = it->second;
    if (!open.recipients.contains(recipient) || open.delivered.contains(recipient) ||
        !open.delivering.insert(recipient).second) {
      return;
    }
    pending_deliveries_.push_back(Delivery{.message = message.value(),
                                           .channel = open.channel,
                                           .seq = open.seq,
                                           .sender = open.sender,
                                           .recipient = recipient,
                                           .at = clock_.Now()});
    if (delivery_unit_queued_) return;  // the queued unit will take this one too
    delivery_unit_queued_ = true;
  }
  SubmitDeliveries();
}

void Hotline::SubmitDeliveries() {
  // The unit takes what waits when the writer runs it, not when it is queued: deliveries that
  // arrive meanwhile join it.
  struct Batch {
    bool ran = false;
    std::vector<Delivery> deliveries;
    std::vector<bool> recorded;  // per delivery: false when it was known already
  };
  auto batch = std::make_shared<Batch>();
  auto take = [this, batch] {
    WriterLock lock(mu_);
    batch->ran = true;
    batch->deliveries = std::move(pending_deliveries_);
    pending_deliveries_.clear();
    delivery_unit_queued_ = false;
  };
  store_.Submit(
      [this, batch, take](store::Txn& txn) -> absl::Status {
        take();
        return RecordDeliveries(txn, batch->deliveries, batch->recorded);
      },
      [this, batch, take](absl::Status committed) {
        if (!batch->ran) take();  // the store failed before running it: give the waiting up
        bool any = false;
        {
          WriterLock lock(mu_);
          for (const Delivery& d : batch->deliveries) {
            auto it = open_.find(d.message);
            if (it == open_.end()) continue;
            it->second.delivering.erase(d.recipient);
            if (committed.ok()) it->second.delivered.insert(d.recipient);
          }
        }
        for (bool r : batch->recorded) any = any || r;
        if (committed.ok() && any) events_.Committed();
      });
}

void Hotline::Acknowledge(const PartyId& caller, AckRequest request, Done<AckResult> done) {
  absl::StatusOr<store::HotlineChannelRecord> channel = MemberChannel(caller, request.channel);
  if (!channel.ok()) return done(channel.status());
  // Checked on the caller's thread against the committed row; the unit checks the acks again.
  absl::StatusOr<store::HotlineMessageRecord> found = store_.WithReader(
      [&](store::Database& db) { return FindMessage(db, channel->id, request.message); });
  if (!found.ok()) return done(found.status());
  const store::HotlineMessageRecord& m = *found;
  if (m.sender == caller.value()) {
    return done(FieldError(absl::StatusCode::kPermissionDenied, "message",
                           "a party does not acknowledge its own message"));
  }

  // A signed acknowledgement is verified before anything is written.
  auto result = std::make_shared<AckResult>();
  result->object_id = store::HotlineObjectId(m.channel, m.seq);
  store::HotlineReceiptRecord ack{.message = m.id, .party = caller.value()};
  std::optional<parties::VerifiedAck> verified;
  if (request.signature) {
    absl::StatusOr<std::vector<store::SigningKeyRecord>> keys =
        store::ListSigningKeys(store_, caller.value());
    if (!keys.ok()) return done(keys.status());
    const parties::AckStatement statement{.kind = parties::kAckKindHotlineMessage,
                                          .object_id = result->object_id,
                                          .object_digest = m.digest,
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

  auto delivered = std::make_shared<bool>(false);
  auto settled = std::make_shared<bool>(false);
  store_.Submit(
      [this, m, ack, verified, result, delivered, settled,
       members = channel->members](store::Txn& txn) mutable -> absl::Status {
        ASSIGN_OR_RETURN(std::vector<store::HotlineReceiptRecord> acks,
                         store::ReadHotlineAcks(txn.db(), m.id));
        for (const store::HotlineReceiptRecord& earlier : acks) {
          if (earlier.party == ack.party) {
            result->ack = earlier;
            return absl::OkStatus();
          }
        }
        // An acknowledgement proves receipt: record the delivery first if none was.
        ASSIGN_OR_RETURN(*delivered, RecordDelivery(txn, Delivery{.message = m.id,
                                                                  .channel = ChannelId(m.channel),
                                                                  .seq = m.seq,
                                                                  .sender = PartyId(m.sender),
                                                                  .recipient = PartyId(ack.party),
                                                                  .at = clock_.Now()}));
        ack.at = clock_.Now();
        const ledger::Entry entry =
            verified ? parties::AckLedgerEntry(*verified, ack.at)
                     : ledger::Entry{.party = ack.party,
                                     .action = store::kActionHotlineAck,
                                     .object_id = result->object_id,
                                     .content_digest = store::HotlineAckDigest(ack),
                                     .server_time = ack.at};
        std::vector<std::string> readers;
        for (const std::string& p : members) {
          if (p != ack.party) readers.push_back(p);
        }
        ASSIGN_OR_RETURN(uint64_t index, txn.AppendLedger(ledger::EncodeEntry(entry), readers));
        ack.ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::InsertHotlineAck(txn, ack));
        std::vector<PartyId> told;
        for (const std::string& p : readers) told.emplace_back(p);
        if (std::find(members.begin(), members.end(), m.sender) == members.end()) {
          told.emplace_back(m.sender);  // an escalation's sender need not be a member
        }
        RETURN_IF_ERROR(
            events_.Append(txn, told, events::HotlineAcknowledged{ReceiptOf(m, ack)}).status());
        // Settled once every recipient acknowledged: it leaves the deadline queue for good.
        size_t recipients = 0;
        for (const std::string& p : members) recipients += p != m.sender;
        if (acks.size() + 1 >= recipients) {
          ASSIGN_OR_RETURN(std::optional<store::HotlineMessageRecord> stored,
                           store::ReadHotlineMessageById(txn.db(), m.id));
          if (stored) {
            stored->settled_at = ack.at;
            RETURN_IF_ERROR(store::UpdateHotlineMessageState(txn, *stored));
          }
          *settled = true;
        }
        result->ack = ack;
        result->created = true;
        return absl::OkStatus();
      },
      [this, result, delivered, settled, id = m.id,
       done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (result->created) {
          {
            WriterLock lock(mu_);
            if (auto it = open_.find(id); it != open_.end()) {
              if (*settled) {
                deadlines_.erase({it->second.deadline, id});
                open_.erase(it);
              } else {
                it->second.acked.insert(PartyId(result->ack.party));
                it->second.delivered.insert(PartyId(result->ack.party));
              }
            }
          }
          events_.Committed();
        }
        done(*result);
      });
}

}  // namespace deconflict::hotline
