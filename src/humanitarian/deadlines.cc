// humanitarian/deadlines.cc: overdue acknowledgements, judged by the hotline's deadline mechanism
// (hotline/deadline_source.h; humanitarian.h "Deadlines").
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "humanitarian/humanitarian.h"
#include "ledger/entry.h"

namespace deconflict::humanitarian {

std::vector<std::string> Notifications::ClaimDue(Timestamp now) {
  WriterLock lock(mu_);
  return due_.Claim(now);
}

absl::Status Notifications::Judge(store::Txn& txn, const std::string& key, Timestamp now,
                                  const hotline::Escalate& escalate) {
  const size_t slash = key.find('/');
  const std::string kind = key.substr(0, slash), id = key.substr(slash + 1);
  ASSIGN_OR_RETURN(std::optional<store::HumanitarianRecord> stored,
                   store::ReadLatestHumanitarian(txn.db(), kind, id));
  // A newer version (not yet due), or one already judged: nothing to raise.
  if (!stored || stored->overdue_at || stored->settled_at || stored->deadline_at > now) {
    return absl::OkStatus();
  }
  store::HumanitarianRecord& r = *stored;
  ASSIGN_OR_RETURN(std::vector<store::HumanitarianReceiptRecord> receipts,
                   store::ReadHumanitarianReceipts(txn.db(), kind, id, r.version));
  std::vector<std::string> laggards;
  for (const std::string& p : r.recipients) {
    const bool acked = std::any_of(receipts.begin(), receipts.end(), [&](const auto& rc) {
      return rc.party == p && rc.type == "ack";
    });
    if (!acked) laggards.push_back(p);
  }
  const std::string object = store::HumanitarianObjectId(r.id, r.version);
  if (laggards.empty()) {  // Invariant: Acknowledge settles a fully acknowledged version.
    r.settled_at = now;
    return store::UpdateHumanitarianState(txn, r);
  }

  // The escalation, as a hotline message would escalate.
  if (!r.escalation_channel.empty()) {
    absl::StatusOr<std::string> posted = escalate(
        txn, ChannelId(r.escalation_channel),
        hotline::Escalation{
            .sender = r.notifier,
            .priority = kind == "movement" ? "flash" : "immediate",
            .subject =
                fmt::format("ESCALATION: {} {} version {} not acknowledged", kind, r.id, r.version),
            .body = fmt::format(
                "The {} notification {} \"{}\" version {} ({}), filed by {} at {}, was not "
                "acknowledged by its deadline {} by: {}. Its coordinates stay with its notifier, "
                "recipients and guarantors (GET /v1/{}s/{}); its SHA-256 is in the ledger.",
                kind, r.id, r.name, r.version, r.change, r.notifier, FormatRfc3339(r.created_at),
                FormatRfc3339(r.deadline_at), fmt::join(laggards, ", "), kind, r.id),
            .refs = {r.id},
            .escalates = fmt::format("{}/{}", kind, object)});
    if (posted.ok()) {
      r.escalated_to = *posted;
    } else if (posted.status().code() != absl::StatusCode::kNotFound) {
      return posted.status();
    }  // A channel that no longer exists cannot be escalated to; the overdue mark still is.
  }

  // The overdue mark, stored so that it is raised once, across restarts.
  r.overdue_at = now;
  ASSIGN_OR_RETURN(uint64_t index,
                   txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                        .party = r.notifier,
                                        .action = store::HumanitarianAction(kind, "overdue"),
                                        .object_id = object,
                                        .content_digest =
                                            store::HumanitarianOverdueDigest(object, laggards, now),
                                        .server_time = now}),
                                    laggards));
  r.overdue_ledger_index = static_cast<int64_t>(index);
  RETURN_IF_ERROR(store::UpdateHumanitarianState(txn, r));
  std::vector<PartyId> told{PartyId(r.notifier)};
  std::vector<PartyId> laggard_ids;
  for (const std::string& p : laggards) {
    told.emplace_back(p);
    laggard_ids.emplace_back(p);
  }
  return events_
      .Append(txn, told,
              events::HumanitarianNotice{.type = events::HumanitarianNotice::Type::kOverdue,
                                         .kind = kind,
                                         .id = r.id,
                                         .version = r.version,
                                         .ovn = r.ovn,
                                         .notifier = PartyId(r.notifier),
                                         .name = r.name,
                                         .at = now,
                                         .deadline = r.deadline_at,
                                         .laggards = std::move(laggard_ids),
                                         .escalated_to = r.escalated_to,
                                         .digest = r.digest,
                                         .ledger_index = r.overdue_ledger_index})
      .status();
}

void Notifications::Judged(const std::vector<std::string>& keys, const absl::Status& committed) {
  WriterLock lock(mu_);
  due_.Release(keys, committed.ok());  // a newer version's deadline stays
}

}  // namespace deconflict::humanitarian
