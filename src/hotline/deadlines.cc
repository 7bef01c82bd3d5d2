// hotline/deadlines.cc: overdue messages and escalation (hotline.h).
#include <future>

#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "hotline/hotline.h"
#include "ledger/entry.h"

namespace deconflict::hotline {

// What one deadline unit did, applied to memory once durable.
struct Hotline::Judged {
  std::vector<std::string> examined;  // due message ids the unit looked at
  std::vector<std::string> raised;    // ... of which it marked overdue
  std::vector<std::string> settled;   // ... that turned out fully acknowledged (never stored)
  // Escalation messages posted (tracked in the unit; forgotten if it does not commit).
  std::vector<std::string> escalations;
  // Per deadline source, the ids it claimed for this unit.
  std::vector<std::pair<DeadlineSource*, std::vector<std::string>>> claimed;
};

void Hotline::AddDeadlineSource(DeadlineSource& source) {
  WriterLock lock(mu_);
  sources_.push_back(&source);
}

absl::StatusOr<std::string> Hotline::PostEscalation(store::Txn& txn, const ChannelId& to,
                                                    store::HotlineMessageRecord e, Judged& judged) {
  ASSIGN_OR_RETURN(std::optional<store::HotlineChannelRecord> up,
                   store::ReadHotlineChannel(txn.db(), to.value()));
  if (!up) {
    return FieldError(absl::StatusCode::kNotFound, "escalation_channel",
                      fmt::format("no channel {}", to.value()));
  }
  if (e.id.empty()) e.id = NewUuid();
  RETURN_IF_ERROR(Post(txn, *up, e));
  {  // Tracked before the commit, as a send is (hotline.cc); untracked if it fails.
    WriterLock lock(mu_);
    Track(e, *up);
  }
  judged.escalations.push_back(e.id);
  return store::HotlineObjectId(e.channel, e.seq);
}

absl::Status Hotline::Judge(store::Txn& txn, const std::string& id, Timestamp now, Judged& judged) {
  ASSIGN_OR_RETURN(std::optional<store::HotlineMessageRecord> stored,
                   store::ReadHotlineMessageById(txn.db(), id));
  if (!stored || stored->overdue_at || stored->settled_at) return absl::OkStatus();
  store::HotlineMessageRecord& m = *stored;
  ASSIGN_OR_RETURN(std::optional<store::HotlineChannelRecord> channel,
                   store::ReadHotlineChannel(txn.db(), m.channel));
  if (!channel) return absl::InternalError("hotline: a message's channel has no row");
  ASSIGN_OR_RETURN(std::vector<store::HotlineReceiptRecord> acks,
                   store::ReadHotlineAcks(txn.db(), m.id));
  std::vector<PartyId> laggards;
  for (const PartyId& r : RecipientsOf(*channel, m.sender)) {
    const bool acked =
        std::any_of(acks.begin(), acks.end(), [&](const auto& a) { return a.party == r.value(); });
    if (!acked) laggards.push_back(r);
  }
  if (laggards.empty()) {
    judged.settled.push_back(id);
    return absl::OkStatus();
  }
  std::vector<std::string> laggard_ids;
  for (const PartyId& p : laggards) laggard_ids.push_back(p.value());
  const std::string object = store::HotlineObjectId(m.channel, m.seq);

  // The escalation, posted into the escalation channel in this same unit.
  if (!channel->escalation_channel.empty()) {
    ASSIGN_OR_RETURN(std::optional<store::HotlineChannelRecord> up,
                     store::ReadHotlineChannel(txn.db(), channel->escalation_channel));
    if (up) {  // Invariant: a channel escalates only to a channel that exists (CreateChannel).
      const auto deadline =
          std::chrono::duration_cast<std::chrono::microseconds>(m.deadline_at - m.sent_at);
      store::HotlineMessageRecord e{
          .id = NewUuid(),
          .sender = m.sender,
          .priority = m.priority,
          .subject = fmt::format("ESCALATION: {} message {} not acknowledged", m.priority, object),
          .body = fmt::format(
              "The {} message {} (id {}), sent by {} at {} on channel {} ({}), was not "
              "acknowledged within its deadline of {} (due {}) by: {}. Its text stays on "
              "channel {}; its SHA-256 is in the ledger.",
              m.priority, object, m.id, m.sender, FormatRfc3339(m.sent_at), channel->id,
              channel->name, FormatIsoDuration(deadline), FormatRfc3339(m.deadline_at),
              fmt::join(laggard_ids, ", "), channel->id),
          .refs = {m.id},
          .escalates = object};
      ASSIGN_OR_RETURN(m.escalated_to,
                       PostEscalation(txn, ChannelId(up->id), std::move(e), judged));
    }
  }

  // The overdue mark, stored so that it is raised once, across restarts.
  m.overdue_at = now;
  ASSIGN_OR_RETURN(
      uint64_t index,
      txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                           .party = m.sender,
                           .action = store::kActionHotlineOverdue,
                           .object_id = object,
                           .content_digest = store::HotlineOverdueDigest(object, laggard_ids, now),
                           .server_time = now}),
                       laggard_ids));
  m.overdue_ledger_index = static_cast<int64_t>(index);
  RETURN_IF_ERROR(store::UpdateHotlineMessageState(txn, m));
  std::vector<PartyId> told{PartyId(m.sender)};
  told.insert(told.end(), laggards.begin(), laggards.end());
  RETURN_IF_ERROR(events_
                      .Append(txn, told,
                              events::HotlineOverdue{.channel = ChannelId(m.channel),
                                                     .channel_seq = m.seq,
                                                     .id = MessageId(m.id),
                                                     .sender = PartyId(m.sender),
                                                     .priority = m.priority,
                                                     .deadline = m.deadline_at,
                                                     .laggards = laggards,
                                                     .escalated_to = m.escalated_to,
                                                     .ledger_index = m.overdue_ledger_index})
                      .status());
  judged.raised.push_back(id);
  return absl::OkStatus();
}

void Hotline::JudgeDue(std::function<void(absl::Status)> done) {
  const Timestamp now = clock_.Now();
  std::vector<std::string> due;
  {
    WriterLock lock(mu_);
    for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it) {
      Open& open = open_.at(it->second);
      if (open.judging) continue;
      open.judging = true;
      due.push_back(it->second);
    }
  }
  auto judged = std::make_shared<Judged>();
  std::vector<DeadlineSource*> sources;
  {
    ReaderLock lock(mu_);
    sources = sources_;
  }
  bool claimed_any = false;
  for (DeadlineSource* source : sources) {
    std::vector<std::string> ids = source->ClaimDue(now);
    claimed_any |= !ids.empty();
    judged->claimed.emplace_back(source, std::move(ids));
  }
  if (due.empty() && !claimed_any) {
    if (done) done(absl::OkStatus());
    return;
  }
  store_.Submit(
      [this, due, now, judged](store::Txn& txn) -> absl::Status {
        for (const std::string& id : due) {
          RETURN_IF_ERROR(Judge(txn, id, now, *judged));
          judged->examined.push_back(id);
        }
        // The other deadlines of this mechanism, escalated as the messages' are.
        const Escalate escalate = [this, judged](store::Txn& t, const ChannelId& to,
                                                 Escalation e) -> absl::StatusOr<std::string> {
          RETURN_IF_ERROR(ParsePriority(e.priority).status());
          return PostEscalation(t, to,
                                store::HotlineMessageRecord{.sender = std::move(e.sender),
                                                            .priority = std::move(e.priority),
                                                            .subject = std::move(e.subject),
                                                            .body = std::move(e.body),
                                                            .refs = std::move(e.refs),
                                                            .escalates = std::move(e.escalates)},
                                *judged);
        };
        for (const auto& [source, ids] : judged->claimed) {
          for (const std::string& id : ids) RETURN_IF_ERROR(source->Judge(txn, id, now, escalate));
        }
        return absl::OkStatus();
      },
      // A unit that failed leaves its messages in the queue: the next tick tries again.
      [this, due, judged, done = std::move(done)](absl::Status committed) {
        {
          WriterLock lock(mu_);
          for (const std::string& id : due) {
            if (auto it = open_.find(id); it != open_.end()) it->second.judging = false;
          }
          if (committed.ok()) {
            // Every examined message leaves the queue: raised, settled, or raised by an earlier
            // run (its row said so).
            for (const std::string& id : judged->examined) {
              auto it = open_.find(id);
              if (it == open_.end()) continue;
              deadlines_.erase({it->second.deadline, id});
              it->second.overdue = true;
            }
            for (const std::string& id : judged->settled) open_.erase(id);
          }
        }
        if (!committed.ok()) {
          for (const std::string& id : judged->escalations) Untrack(id);
        }
        for (const auto& [source, ids] : judged->claimed) {
          if (!ids.empty()) source->Judged(ids, committed);
        }
        if (committed.ok() &&
            (!judged->raised.empty() || !judged->escalations.empty() || !judged->claimed.empty())) {
          events_.Committed();
        }
        if (done) done(committed);
      });
}

void Hotline::RunDeadlinesNow() { JudgeDue(nullptr); }

absl::Status Hotline::RunDeadlines() {
  auto finished = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> result = finished->get_future();
  JudgeDue([finished](absl::Status s) { finished->set_value(s); });
  return result.get();
}

}  // namespace deconflict::hotline
