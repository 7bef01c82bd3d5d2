#include "monitoring/stats.h"

#include <algorithm>
#include <chrono>

#include "common/status.h"
#include "common/time.h"
#include "monitoring/taxonomy.h"

namespace deconflict::monitoring {
namespace {

constexpr int64_t kDayUs = int64_t{86400} * 1000000;

int64_t DayOf(int64_t us) { return us >= 0 ? us / kDayUs : -((-us + kDayUs - 1) / kDayUs); }

void AddTo(Totals& t, const IncidentFact& f) {
  t.count += 1;
  t.best += f.best;
  t.low += f.low;
  t.high += f.high;
}

// The event type (index in EventTypes()) of a taxonomy index.
std::vector<uint8_t> EventIndexOfTaxonomy() {
  std::vector<uint8_t> out;
  for (const SubEventType& s : Taxonomy()) {
    const auto types = EventTypes();
    out.push_back(
        static_cast<uint8_t>(std::find(types.begin(), types.end(), s.event_type) - types.begin()));
  }
  return out;
}

}  // namespace

std::string_view StatusName(Status status) {
  switch (status) {
    case Status::kReported:
      return "reported";
    case Status::kVerified:
      return "verified";
    case Status::kDisputed:
      return "disputed";
    case Status::kUnverifiable:
      return "unverifiable";
  }
  return "reported";
}

absl::StatusOr<GroupBy> ParseGroupBy(std::string_view text) {
  if (text == "day") return GroupBy::kDay;
  if (text == "event_type") return GroupBy::kEventType;
  if (text == "alleged_party") return GroupBy::kAllegedParty;
  if (text == "attributed_party") return GroupBy::kAttributedParty;
  if (text == "admin1") return GroupBy::kAdmin1;
  if (text == "status") return GroupBy::kStatus;
  return InvalidField("group_by",
                      "must be day, event_type, alleged_party, attributed_party, admin1 or status");
}

uint32_t Facts::Intern(std::string_view name) {
  if (auto it = ids_.find(absl::string_view(name.data(), name.size())); it != ids_.end()) {
    return it->second;
  }
  const auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

void Facts::clear() {
  rows_.clear();
  names_.assign(1, std::string());
  ids_.clear();
  ids_.emplace("", 0);
}

absl::StatusOr<Stats> ComputeStats(const Facts& facts, const StatsQuery& q) {
  if (q.from >= q.to) return InvalidField("to", "must be after from");
  const auto length = q.to - q.from;
  if (length > std::chrono::hours(24 * 366 * 100)) {
    return InvalidField("from", "the period is longer than 100 years");
  }
  Stats out{.from = q.from, .to = q.to, .previous_from = q.from - length};
  const int64_t from = Micros(q.from), to = Micros(q.to), previous_from = Micros(out.previous_from);
  const bool box = q.lat_min && q.lat_max && q.lng_min && q.lng_max;
  const bool by_day = q.group_by == GroupBy::kDay;
  static const std::vector<uint8_t> kEventOf = EventIndexOfTaxonomy();

  // Key -> (current, previous); for days, (the day's figures in [from, to), in [previous_from,
  // from)), combined below.
  absl::flat_hash_map<int64_t, std::pair<Totals, Totals>> groups;
  for (const IncidentFact& f : facts.rows()) {
    if (f.occurred_us < previous_from || f.occurred_us >= to) continue;
    if (box &&
        (f.lat < *q.lat_min || f.lat > *q.lat_max || f.lng < *q.lng_min || f.lng > *q.lng_max)) {
      continue;
    }
    const bool current = f.occurred_us >= from;
    AddTo(current ? out.total : out.previous_total, f);
    int64_t key = 0;
    switch (q.group_by) {
      case GroupBy::kDay:
        key = DayOf(f.occurred_us);
        break;
      case GroupBy::kEventType:
        key = f.taxonomy < kEventOf.size() ? kEventOf[f.taxonomy] : 0;
        break;
      case GroupBy::kAllegedParty:
        key = f.alleged;
        break;
      case GroupBy::kAttributedParty:
        key = f.attributed;
        break;
      case GroupBy::kAdmin1:
        key = f.admin1;
        break;
      case GroupBy::kStatus:
        key = static_cast<int64_t>(f.status);
        break;
    }
    std::pair<Totals, Totals>& g = groups[key];
    AddTo(current ? g.first : g.second, f);
  }

  if (by_day) {
    // A day's previous figures are the day before's, wherever they fell.
    auto all = [&](int64_t day) {
      Totals t;
      if (auto it = groups.find(day); it != groups.end()) {
        const auto& [c, p] = it->second;
        t = Totals{c.count + p.count, c.best + p.best, c.low + p.low, c.high + p.high};
      }
      return t;
    };
    std::vector<int64_t> days;
    for (const auto& [day, totals] : groups) {
      if (totals.first.count > 0) days.push_back(day);
      // The day after a day with incidents, when it is inside [from, to).
      const int64_t next = day + 1;
      if (next * kDayUs < to && (next + 1) * kDayUs > from) days.push_back(next);
    }
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    for (int64_t day : days) {
      Totals current;
      if (auto it = groups.find(day); it != groups.end()) current = it->second.first;
      out.groups.push_back(Group{.key = FormatRfc3339(FromMicros(day * kDayUs)).substr(0, 10),
                                 .current = current,
                                 .previous = all(day - 1)});
    }
    return out;
  }
  for (const auto& [key, totals] : groups) {
    std::string name;
    switch (q.group_by) {
      case GroupBy::kEventType:
        name = std::string(EventTypes()[static_cast<size_t>(key)]);
        break;
      case GroupBy::kStatus:
        name = std::string(StatusName(static_cast<Status>(key)));
        break;
      default:
        name = facts.Name(static_cast<uint32_t>(key));
        break;
    }
    out.groups.push_back(
        Group{.key = std::move(name), .current = totals.first, .previous = totals.second});
  }
  std::sort(out.groups.begin(), out.groups.end(),
            [](const Group& a, const Group& b) { return a.key < b.key; });
  return out;
}

}  // namespace deconflict::monitoring
