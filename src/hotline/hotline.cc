// hotline/hotline.cc: channels and sends (hotline.h). Receipts are in receipts.cc, deadlines
// and escalation in deadlines.cc.
#include "hotline/hotline.h"

#include <algorithm>

#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "ledger/entry.h"
#include "store/parties_table.h"

namespace deconflict::hotline {
namespace {

std::vector<std::string> Values(const std::vector<PartyId>& ids) {
  std::vector<std::string> out;
  for (const PartyId& id : ids) out.push_back(id.value());
  return out;
}

bool IsMember(const store::HotlineChannelRecord& channel, const PartyId& party) {
  return std::binary_search(channel.members.begin(), channel.members.end(), party.value());
}

store::HotlineChannelRecord RecordOf(const PartyId& caller, const ChannelRequest& request,
                                     Timestamp now) {
  store::HotlineChannelRecord c{
      .id = request.id.value(),
      .name = request.name,
      .members = Values(request.members),
      .escalation_channel = request.escalation_channel ? request.escalation_channel->value() : "",
      .created_by = caller.value(),
      .created_at = now};
  for (size_t i = 0; i < 4; ++i) c.deadline_us[i] = request.deadlines.by_priority[i].count();
  return c;
}

// The same request as the stored channel (a retry of its create).
bool SameChannel(const store::HotlineChannelRecord& a, const store::HotlineChannelRecord& b) {
  return a.id == b.id && a.name == b.name && a.members == b.members &&
         a.escalation_channel == b.escalation_channel && a.deadline_us == b.deadline_us &&
         a.created_by == b.created_by;
}

bool SameMessage(const store::HotlineMessageRecord& stored, const PartyId& sender,
                 const MessageRequest& request) {
  return stored.channel == request.channel.value() && stored.sender == sender.value() &&
         stored.priority == PriorityName(request.priority) && stored.subject == request.subject &&
         stored.body == request.body && stored.refs == request.refs;
}

}  // namespace

Hotline::Hotline(store::Store& store, const events::EventLog& events, const Clock& clock,
                 HotlineOptions options)
    : store_(store), events_(events), clock_(clock), options_(options) {}

Hotline::~Hotline() { Stop(); }

std::vector<PartyId> Hotline::RecipientsOf(const store::HotlineChannelRecord& channel,
                                           const std::string& sender) {
  std::vector<PartyId> out;
  for (const std::string& m : channel.members) {
    if (m != sender) out.emplace_back(m);
  }
  return out;
}

void Hotline::Track(const store::HotlineMessageRecord& m,
                    const store::HotlineChannelRecord& channel) {
  Open open{.channel = ChannelId(m.channel),
            .seq = m.seq,
            .sender = PartyId(m.sender),
            .deadline = m.deadline_at,
            .overdue = m.overdue_at.has_value()};
  for (PartyId& p : RecipientsOf(channel, m.sender)) open.recipients.insert(std::move(p));
  if (!open.overdue) deadlines_.emplace(m.deadline_at, m.id);
  open_.insert_or_assign(m.id, std::move(open));
}

void Hotline::Untrack(const std::string& id) {
  WriterLock lock(mu_);
  auto it = open_.find(id);
  if (it == open_.end()) return;
  deadlines_.erase({it->second.deadline, id});
  open_.erase(it);
}

absl::Status Hotline::Load() {
  struct Loaded {
    std::vector<store::HotlineChannelRecord> channels;
    std::vector<store::HotlineMessageRecord> unsettled;
    std::map<std::string, std::pair<std::vector<store::HotlineReceiptRecord>,
                                    std::vector<store::HotlineReceiptRecord>>>
        receipts;
  };
  ASSIGN_OR_RETURN(Loaded loaded,
                   store_.WithReader([](store::Database& db) -> absl::StatusOr<Loaded> {
                     Loaded out;
                     ASSIGN_OR_RETURN(out.channels, store::ListHotlineChannels(db));
                     ASSIGN_OR_RETURN(out.unsettled, store::ListUnsettledHotlineMessages(db));
                     for (const store::HotlineMessageRecord& m : out.unsettled) {
                       auto& [deliveries, acks] = out.receipts[m.id];
                       ASSIGN_OR_RETURN(deliveries, store::ReadHotlineDeliveries(db, m.id));
                       ASSIGN_OR_RETURN(acks, store::ReadHotlineAcks(db, m.id));
                     }
                     return out;
                   }));
  WriterLock lock(mu_);
  channels_.clear();
  open_.clear();
  deadlines_.clear();
  for (store::HotlineChannelRecord& c : loaded.channels) channels_[ChannelId(c.id)] = std::move(c);
  for (const store::HotlineMessageRecord& m : loaded.unsettled) {
    auto channel = channels_.find(ChannelId(m.channel));
    if (channel == channels_.end()) {
      return absl::DataLossError(
          fmt::format("hotline_messages row {}: its channel {} is missing", m.id, m.channel));
    }
    Track(m, channel->second);
    Open& open = open_.at(m.id);
    for (const auto& d : loaded.receipts[m.id].first) open.delivered.insert(PartyId(d.party));
    for (const auto& a : loaded.receipts[m.id].second) open.acked.insert(PartyId(a.party));
  }
  return absl::OkStatus();
}

absl::Status Hotline::Start() {
  if (options_.tick.count() <= 0 || thread_.joinable()) return absl::OkStatus();
  {
    WriterLock lock(stop_mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { DeadlineLoop(); });
  return absl::OkStatus();
}

void Hotline::Stop() {
  {
    WriterLock lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void Hotline::DeadlineLoop() {
  while (true) {
    {
      WriterLock lock(stop_mu_);
      if (stopping_) return;
      stop_cv_.WaitFor(stop_mu_, options_.tick);
      if (stopping_) return;
    }
    RunDeadlinesNow();
  }
}

size_t Hotline::pending_deadlines() const {
  ReaderLock lock(mu_);
  return deadlines_.size();
}

// ---- channels ---------------------------------------------------------------------------------

absl::StatusOr<store::HotlineChannelRecord> Hotline::MemberChannel(const PartyId& caller,
                                                                   const ChannelId& id) const {
  ReaderLock lock(mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) {
    return FieldError(absl::StatusCode::kNotFound, "channel",
                      fmt::format("no channel {}", id.value()));
  }
  if (!IsMember(it->second, caller)) {
    // Nothing about the channel: not its name, members or state.
    return FieldError(absl::StatusCode::kPermissionDenied, "channel",
                      fmt::format("party {} is not a member of this channel", caller.value()));
  }
  return it->second;
}

std::vector<store::HotlineChannelRecord> Hotline::Channels(const PartyId& caller) const {
  ReaderLock lock(mu_);
  std::vector<store::HotlineChannelRecord> out;
  for (const auto& [id, c] : channels_) {
    if (IsMember(c, caller)) out.push_back(c);
  }
  return out;
}

absl::StatusOr<store::HotlineChannelRecord> Hotline::Channel(const PartyId& caller,
                                                             const ChannelId& id) const {
  return MemberChannel(caller, id);
}

void Hotline::CreateChannel(const PartyId& caller, ChannelRequest request,
                            Done<ChannelResult> done) {
  if (absl::Status valid = ValidateChannelRequest(request); !valid.ok()) return done(valid);
  if (!std::binary_search(request.members.begin(), request.members.end(), caller)) {
    return done(
        InvalidField("members", fmt::format("must include the creator, {}", caller.value())));
  }
  auto result = std::make_shared<ChannelResult>();
  result->channel = RecordOf(caller, request, clock_.Now());
  store_.Submit(
      [this, result](store::Txn& txn) -> absl::Status {
        store::HotlineChannelRecord& c = result->channel;
        ASSIGN_OR_RETURN(std::optional<store::HotlineChannelRecord> earlier,
                         store::ReadHotlineChannel(txn.db(), c.id));
        if (earlier) {
          if (!SameChannel(*earlier, c)) {
            return FieldError(
                absl::StatusCode::kAlreadyExists, "id",
                fmt::format("channel {} exists with other members or settings", c.id));
          }
          result->channel = *earlier;
          return absl::OkStatus();
        }
        for (size_t i = 0; i < c.members.size(); ++i) {
          ASSIGN_OR_RETURN(std::optional<bool> revoked,
                           store::PartyIsRevoked(txn, PartyId(c.members[i])));
          if (!revoked || *revoked) {
            return InvalidField(fmt::format("members[{}]", i),
                                fmt::format("{} is {}", c.members[i],
                                            revoked ? "revoked" : "not a party of this server"));
          }
        }
        if (!c.escalation_channel.empty()) {
          ASSIGN_OR_RETURN(std::optional<store::HotlineChannelRecord> escalation,
                           store::ReadHotlineChannel(txn.db(), c.escalation_channel));
          if (!escalation) {
            return InvalidField("escalation_channel",
                                fmt::format("no channel {}", c.escalation_channel));
          }
        }
        c.created_at = clock_.Now();
        ASSIGN_OR_RETURN(uint64_t index,
                         txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                              .party = c.created_by,
                                              .action = store::kActionHotlineChannelCreate,
                                              .object_id = c.id,
                                              .content_digest = store::HotlineChannelDigest(c),
                                              .server_time = c.created_at}),
                                          c.members));
        c.created_ledger_index = c.state_ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::InsertHotlineChannel(txn, c));
        RETURN_IF_ERROR(events_
                            .Append(txn, RecipientsOf(c, ""),
                                    events::HotlineChannelChanged{
                                        .change = events::HotlineChannelChanged::Change::kCreated,
                                        .channel = ChannelId(c.id),
                                        .name = c.name,
                                        .by = PartyId(c.created_by),
                                        .at = c.created_at,
                                        .ledger_index = c.created_ledger_index})
                            .status());
        result->created = true;
        return absl::OkStatus();
      },
      [this, result, done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (result->created) {
          {
            WriterLock lock(mu_);
            channels_[ChannelId(result->channel.id)] = result->channel;
          }
          events_.Committed();
        }
        done(*result);
      });
}

void Hotline::Suspend(const PartyId& caller, const ChannelId& channel, std::string reason,
                      Done<ChannelResult> done) {
  if (absl::Status valid = CheckReason(reason); !valid.ok()) return done(valid);
  ChangeState(caller, channel, std::move(reason), std::move(done));
}

void Hotline::Resume(const PartyId& caller, const ChannelId& channel, Done<ChannelResult> done) {
  ChangeState(caller, channel, std::nullopt, std::move(done));
}

// Suspends (reason set) or resumes (nullopt) the channel.
void Hotline::ChangeState(const PartyId& caller, const ChannelId& channel,
                          std::optional<std::string> reason, Done<ChannelResult> done) {
  if (absl::StatusOr<store::HotlineChannelRecord> c = MemberChannel(caller, channel); !c.ok()) {
    return done(c.status());
  }
  auto result = std::make_shared<ChannelResult>();
  store_.Submit(
      [this, caller, channel, reason, result](store::Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<store::HotlineChannelRecord> stored,
                         store::ReadHotlineChannel(txn.db(), channel.value()));
        if (!stored) return absl::InternalError("hotline: a known channel has no row");
        store::HotlineChannelRecord& c = result->channel = *stored;
        const bool suspend = reason.has_value();
        if (c.suspended_at.has_value() == suspend) return absl::OkStatus();  // nothing to do
        const Timestamp now = clock_.Now();
        c.suspended_at = suspend ? std::optional<Timestamp>(now) : std::nullopt;
        c.suspended_by = suspend ? caller.value() : "";
        c.suspend_reason = reason.value_or("");
        ASSIGN_OR_RETURN(
            uint64_t index,
            txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                 .party = caller.value(),
                                 .action = suspend ? store::kActionHotlineChannelSuspend
                                                   : store::kActionHotlineChannelResume,
                                 .object_id = c.id,
                                 .content_digest = store::HotlineSuspensionDigest(
                                     c.id, caller.value(), c.suspend_reason, now),
                                 .server_time = now}),
                             c.members));
        c.state_ledger_index = static_cast<int64_t>(index);
        RETURN_IF_ERROR(store::UpdateHotlineChannelState(txn, c));
        using Change = events::HotlineChannelChanged::Change;
        RETURN_IF_ERROR(events_
                            .Append(txn, RecipientsOf(c, ""),
                                    events::HotlineChannelChanged{
                                        .change = suspend ? Change::kSuspended : Change::kResumed,
                                        .channel = channel,
                                        .name = c.name,
                                        .by = caller,
                                        .reason = c.suspend_reason,
                                        .at = now,
                                        .ledger_index = c.state_ledger_index})
                            .status());
        result->created = true;
        return absl::OkStatus();
      },
      [this, result, done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) return done(committed);
        if (result->created) {
          {
            WriterLock lock(mu_);
            channels_[ChannelId(result->channel.id)] = result->channel;
          }
          events_.Committed();
        }
        done(*result);
      });
}

// ---- messages ---------------------------------------------------------------------------------

absl::Status Hotline::Post(store::Txn& txn, const store::HotlineChannelRecord& channel,
                           store::HotlineMessageRecord& m) const {
  ASSIGN_OR_RETURN(int64_t last, store::MaxHotlineSeq(txn.db(), channel.id));
  ASSIGN_OR_RETURN(Priority priority, ParsePriority(m.priority));
  m.channel = channel.id;
  m.seq = last + 1;
  m.sent_at = clock_.Now();
  m.deadline_at =
      m.sent_at + std::chrono::microseconds(channel.deadline_us[static_cast<size_t>(priority)]);
  m.digest = store::HotlineMessageDigest(m);
  const std::vector<PartyId> recipients = RecipientsOf(channel, m.sender);
  ASSIGN_OR_RETURN(uint64_t index,
                   txn.AppendLedger(ledger::EncodeEntry(ledger::Entry{
                                        .party = m.sender,
                                        .action = store::kActionHotlineSendPrefix + m.priority,
                                        .object_id = store::HotlineObjectId(m.channel, m.seq),
                                        .content_digest = m.digest,
                                        .server_time = m.sent_at}),
                                    Values(recipients)));
  m.ledger_index = static_cast<int64_t>(index);
  RETURN_IF_ERROR(store::InsertHotlineMessage(txn, m));
  return events_
      .Append(txn, recipients,
              events::HotlineMessage{.channel = ChannelId(m.channel),
                                     .channel_seq = m.seq,
                                     .id = MessageId(m.id),
                                     .sender = PartyId(m.sender),
                                     .priority = m.priority,
                                     .subject = m.subject,
                                     .body = m.body,
                                     .refs = m.refs,
                                     .sent_at = m.sent_at,
                                     .deadline = m.deadline_at,
                                     .escalates = m.escalates,
                                     .digest = m.digest,
                                     .ledger_index = m.ledger_index})
      .status();
}

void Hotline::Send(const PartyId& caller, MessageRequest request, Done<SendResult> done) {
  if (absl::Status valid = ValidateMessageRequest(request); !valid.ok()) return done(valid);
  if (absl::StatusOr<store::HotlineChannelRecord> c = MemberChannel(caller, request.channel);
      !c.ok()) {
    return done(c.status());
  }
  if (store_.pending() > options_.max_pending_writes) {
    return done(Overloaded("the hotline has too many writes waiting; retry shortly"));
  }
  auto result = std::make_shared<SendResult>();
  auto channel = std::make_shared<store::HotlineChannelRecord>();
  store_.Submit(
      [this, caller, request = std::move(request), result,
       channel](store::Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<store::HotlineMessageRecord> earlier,
                         store::ReadHotlineMessageById(txn.db(), request.id.value()));
        if (earlier) {
          if (!SameMessage(*earlier, caller, request)) {
            return FieldError(
                absl::StatusCode::kAlreadyExists, "id",
                fmt::format("message {} was sent before with other content", request.id.value()));
          }
          result->message = *std::move(earlier);
          return absl::OkStatus();
        }
        ASSIGN_OR_RETURN(std::optional<store::HotlineChannelRecord> stored,
                         store::ReadHotlineChannel(txn.db(), request.channel.value()));
        if (!stored) return absl::InternalError("hotline: a known channel has no row");
        *channel = *std::move(stored);
        if (channel->suspended_at) {
          return FieldError(
              absl::StatusCode::kFailedPrecondition, "channel",
              fmt::format("channel {} is suspended (by {} at {}: {}); sends are "
                          "refused until a member resumes it",
                          channel->id, channel->suspended_by, FormatRfc3339(*channel->suspended_at),
                          channel->suspend_reason));
        }
        store::HotlineMessageRecord& m = result->message;
        m.id = request.id.value();
        m.sender = caller.value();
        m.priority = std::string(PriorityName(request.priority));
        m.subject = request.subject;
        m.body = request.body;
        m.refs = request.refs;
        RETURN_IF_ERROR(Post(txn, *channel, m));
        // Tracked before the commit: the hub may push the event (and the socket report its
        // delivery) before this unit's completion runs. Untracked again if the commit fails.
        {
          WriterLock lock(mu_);
          Track(m, *channel);
        }
        result->created = true;
        return absl::OkStatus();
      },
      [this, result, done = std::move(done)](absl::Status committed) {
        if (!committed.ok()) {
          if (result->created) Untrack(result->message.id);
          return done(committed);
        }
        if (result->created) events_.Committed();
        done(*result);
      });
}

absl::StatusOr<std::vector<MessageView>> Hotline::Messages(const PartyId& caller,
                                                           const ChannelId& channel, int64_t after,
                                                           int64_t limit) {
  ASSIGN_OR_RETURN(store::HotlineChannelRecord c, MemberChannel(caller, channel));
  ASSIGN_OR_RETURN(
      std::vector<MessageView> views,
      store_.WithReader([&](store::Database& db) -> absl::StatusOr<std::vector<MessageView>> {
        ASSIGN_OR_RETURN(std::vector<store::HotlineMessageRecord> rows,
                         store::ListHotlineMessages(db, channel.value(), after, limit));
        std::vector<MessageView> out;
        for (store::HotlineMessageRecord& m : rows) {
          MessageView view{.recipients = RecipientsOf(c, m.sender)};
          ASSIGN_OR_RETURN(view.deliveries, store::ReadHotlineDeliveries(db, m.id));
          ASSIGN_OR_RETURN(view.acks, store::ReadHotlineAcks(db, m.id));
          view.message = std::move(m);
          out.push_back(std::move(view));
        }
        return out;
      }));
  for (const MessageView& v : views) {
    if (v.message.sender != caller.value()) Delivered(caller, MessageId(v.message.id));
  }
  return views;
}

}  // namespace deconflict::hotline
