// store/hotline_check.cc: CheckHotlineRows (hotline_table.h), `deconflict ledger check` for the
// hotline's tables.
#include <limits>
#include <map>

#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "store/hotline_table.h"

namespace deconflict::store {
namespace {

struct Found {
  uint64_t index = 0;
  ledger::Entry entry;
};

class Mismatches {
 public:
  void Add(std::string line) {
    if (count_++ < kMaxRowsNamed) lines_.push_back(std::move(line));
  }
  absl::Status ToStatus() const {
    if (count_ == 0) return absl::OkStatus();
    std::string message = fmt::format("{} hotline row(s) differ from the ledger:", count_);
    for (const std::string& line : lines_) message += "\n  " + line;
    if (count_ > kMaxRowsNamed)
      message += fmt::format("\n  ... and {} more", count_ - kMaxRowsNamed);
    return absl::DataLossError(message);
  }

 private:
  int count_ = 0;
  std::vector<std::string> lines_;
};

// True when the entry at `index` has this action, object and party (and digest, when given).
bool Matches(const std::map<uint64_t, ledger::Entry>& entries, int64_t index,
             std::string_view action, std::string_view object, std::string_view party,
             const std::string* digest) {
  auto it = entries.find(static_cast<uint64_t>(index));
  if (index < 0 || it == entries.end()) return false;
  const ledger::Entry& e = it->second;
  return e.action == action && e.object_id == object && e.party == party &&
         (digest == nullptr || e.content_digest == *digest);
}

void CheckChannel(const HotlineChannelRecord& c, const std::map<uint64_t, ledger::Entry>& entries,
                  const std::map<std::string, Found>& latest_state, Mismatches& diffs,
                  uint64_t& matched) {
  const std::string digest = HotlineChannelDigest(c);
  if (!Matches(entries, c.created_ledger_index, kActionHotlineChannelCreate, c.id, c.created_by,
               &digest)) {
    return diffs.Add(
        fmt::format("hotline_channels row {}: does not match the "
                    "hotline.channel.create entry at its index {}",
                    c.id, c.created_ledger_index));
  }
  auto state = latest_state.find(c.id);
  if (state == latest_state.end() ||
      static_cast<int64_t>(state->second.index) != c.state_ledger_index) {
    return diffs.Add(
        fmt::format("hotline_channels row {}: state_ledger_index {} is not the "
                    "channel's latest entry",
                    c.id, c.state_ledger_index));
  }
  const ledger::Entry& e = state->second.entry;
  const bool suspended_entry = e.action == kActionHotlineChannelSuspend;
  if (suspended_entry != c.suspended_at.has_value() ||
      (suspended_entry &&
       e.content_digest !=
           HotlineSuspensionDigest(c.id, c.suspended_by, c.suspend_reason, *c.suspended_at))) {
    return diffs.Add(
        fmt::format("hotline_channels row {}: its suspension state does not match "
                    "ledger entry {} ({})",
                    c.id, state->second.index, e.action));
  }
  ++matched;
}

// A run of deliveries sharing the entry at `index`: one party, the consecutive messages
// first..last of the channel, every one present, and the entry's object and digest theirs.
void CheckRun(const std::string& channel, int64_t index,
              const std::vector<std::pair<int64_t, HotlineReceiptRecord>>& run,
              const std::map<uint64_t, ledger::Entry>& entries, Mismatches& diffs,
              uint64_t& matched) {
  const int64_t first = run.front().first, last = run.back().first;
  bool whole = last - first + 1 == static_cast<int64_t>(run.size());
  std::vector<HotlineReceiptRecord> rows;
  rows.reserve(run.size());
  for (size_t i = 0; i < run.size(); ++i) {
    whole = whole && run[i].first == first + static_cast<int64_t>(i) &&
            run[i].second.party == run.front().second.party;
    rows.push_back(run[i].second);
  }
  const std::string object = HotlineRunObjectId(channel, first, last);
  const std::string digest = whole ? HotlineDeliveryRunDigest(rows) : std::string();
  if (!whole ||
      !Matches(entries, index, kActionHotlineDeliver, object, rows.front().party, &digest)) {
    return diffs.Add(
        fmt::format("hotline_deliveries rows of {} ({} rows of {}): do not match the run "
                    "recorded by ledger entry {}",
                    object, run.size(), rows.front().party, index));
  }
  matched += run.size();
}

absl::Status CheckMessages(Database& db, const HotlineChannelRecord& c,
                           const std::map<uint64_t, ledger::Entry>& entries, Mismatches& diffs,
                           uint64_t& matched) {
  ASSIGN_OR_RETURN(std::vector<HotlineMessageRecord> messages,
                   ListHotlineMessages(db, c.id, 0, std::numeric_limits<int64_t>::max()));
  // Deliveries recorded as runs (one entry for consecutive messages), by ledger index: (seq, row)
  // in seq order, since the messages are read in seq order.
  std::map<int64_t, std::vector<std::pair<int64_t, HotlineReceiptRecord>>> runs;
  for (const HotlineMessageRecord& m : messages) {
    const std::string object = HotlineObjectId(m.channel, m.seq);
    if (HotlineMessageDigest(m) != m.digest ||
        !Matches(entries, m.ledger_index, kActionHotlineSendPrefix + m.priority, object, m.sender,
                 &m.digest)) {
      diffs.Add(
          fmt::format("hotline_messages row {} ({}): its content does not match the "
                      "digest committed by ledger entry {}",
                      object, m.id, m.ledger_index));
      continue;
    }
    if (m.overdue_at && !Matches(entries, m.overdue_ledger_index, kActionHotlineOverdue, object,
                                 m.sender, nullptr)) {
      diffs.Add(
          fmt::format("hotline_messages row {}: overdue_at is set but ledger entry {} is "
                      "not its hotline.overdue entry",
                      object, m.overdue_ledger_index));
      continue;
    }
    ++matched;
    ASSIGN_OR_RETURN(std::vector<HotlineReceiptRecord> deliveries, ReadHotlineDeliveries(db, m.id));
    for (HotlineReceiptRecord& d : deliveries) {
      auto entry = entries.find(static_cast<uint64_t>(d.ledger_index));
      if (d.ledger_index >= 0 && entry != entries.end() &&
          entry->second.action == kActionHotlineDeliver && entry->second.object_id != object) {
        runs[d.ledger_index].emplace_back(m.seq, std::move(d));  // one of a run: judged below
        continue;
      }
      const std::string digest = HotlineDeliveryDigest(d);
      if (!Matches(entries, d.ledger_index, kActionHotlineDeliver, object, d.party, &digest)) {
        diffs.Add(
            fmt::format("hotline_deliveries row ({}, {}): does not match the entry at its "
                        "ledger_index {}",
                        object, d.party, d.ledger_index));
        continue;
      }
      ++matched;
    }
    ASSIGN_OR_RETURN(std::vector<HotlineReceiptRecord> acks, ReadHotlineAcks(db, m.id));
    for (const HotlineReceiptRecord& a : acks) {
      const std::string digest = HotlineAckDigest(a);
      if (!Matches(entries, a.ledger_index, kActionHotlineAck, object, a.party, &digest)) {
        diffs.Add(
            fmt::format("hotline_acks row ({}, {}): does not match the entry at its "
                        "ledger_index {}",
                        object, a.party, a.ledger_index));
        continue;
      }
      ++matched;
    }
  }
  for (const auto& [index, run] : runs) CheckRun(c.id, index, run, entries, diffs, matched);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<uint64_t> CheckHotlineRows(Database& db, const EntryWalk& walk) {
  std::map<uint64_t, ledger::Entry> entries;  // every hotline entry, by index
  std::map<std::string, Found> latest_state;  // channel -> its latest create/suspend/resume
  std::map<std::string, uint64_t> created;    // channel -> its create entry
  RETURN_IF_ERROR(walk([&](uint64_t index, const ledger::Entry& entry) -> absl::Status {
    if (entry.action.rfind("hotline.", 0) != 0) return absl::OkStatus();
    entries[index] = entry;
    if (entry.action == kActionHotlineChannelCreate ||
        entry.action == kActionHotlineChannelSuspend ||
        entry.action == kActionHotlineChannelResume) {
      latest_state[entry.object_id] = Found{.index = index, .entry = entry};
      if (entry.action == kActionHotlineChannelCreate) created[entry.object_id] = index;
    }
    return absl::OkStatus();
  }));
  Mismatches diffs;
  uint64_t matched = 0;
  ASSIGN_OR_RETURN(std::vector<HotlineChannelRecord> channels, ListHotlineChannels(db));
  for (const HotlineChannelRecord& c : channels) {
    created.erase(c.id);
    CheckChannel(c, entries, latest_state, diffs, matched);
    RETURN_IF_ERROR(CheckMessages(db, c, entries, diffs, matched));
  }
  for (const auto& [id, index] : created) {
    diffs.Add(fmt::format("hotline_channels row {}: missing, though ledger entry {} records it", id,
                          index));
  }
  RETURN_IF_ERROR(diffs.ToStatus());
  return matched;
}

}  // namespace deconflict::store
