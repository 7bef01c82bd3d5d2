// monitoring/stats.h: the statistics a monitoring mission publishes (GET /v1/incidents/stats):
// counts and fatalities (best, low and high sums) of the incidents that occurred in [from, to),
// grouped by day, event type, alleged party, attributed party, admin1 or status, each with the
// same figures for the period before (of the same length, ending at `from`) and the change
// against it. For group_by=day a day's previous figures are the day before's.
//
//   Facts facts;                                     // the service keeps one per incident
//   facts.Add(IncidentFact{...});
//   ASSIGN_OR_RETURN(Stats s, ComputeStats(facts, {.from = a, .to = b, .group_by =
//   GroupBy::kDay}));
//
// Facts are compact (48 bytes each, names interned), so the figures over 1,000,000 incidents are
// one scan in memory: no query plan, no index to keep. Days are UTC days of occurred_at.
//
// Thread-safety: Facts is thread-compatible (the service guards it); ComputeStats is pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/clock.h"

namespace deconflict::monitoring {

// An incident's status follows the guarantors' newest findings (monitoring.h): none, reported;
// any disputed, disputed; else any verified, verified; else unverifiable.
enum class Status : uint8_t { kReported, kVerified, kDisputed, kUnverifiable };
std::string_view StatusName(Status status);  // "reported", "verified", ...

enum class GroupBy { kDay, kEventType, kAllegedParty, kAttributedParty, kAdmin1, kStatus };
// InvalidArgument naming "group_by" for anything but day, event_type, alleged_party,
// attributed_party, admin1, status.
[[nodiscard]] absl::StatusOr<GroupBy> ParseGroupBy(std::string_view text);

// What the statistics need of one incident's newest version.
struct IncidentFact {
  int64_t occurred_us = 0;  // microseconds since the epoch
  float lat = 0, lng = 0;
  uint32_t alleged = 0, attributed = 0, admin1 = 0;  // Facts::Name ids (0 is "")
  int32_t best = 0, low = 0, high = 0;
  uint8_t taxonomy = 0;  // index into Taxonomy() (taxonomy.h)
  Status status = Status::kReported;
};

// The facts of every incident, by row, and the names they use.
class Facts {
 public:
  Facts() {
    names_.emplace_back();
    ids_.emplace("", 0);
  }
  // The id of `name` (interned on first use). 0 is "".
  uint32_t Intern(std::string_view name);
  const std::string& Name(uint32_t id) const { return names_[id]; }
  // Appends a fact; returns its row.
  uint32_t Add(const IncidentFact& fact) {
    rows_.push_back(fact);
    return static_cast<uint32_t>(rows_.size() - 1);
  }
  IncidentFact& at(uint32_t row) { return rows_[row]; }
  const std::vector<IncidentFact>& rows() const { return rows_; }
  void clear();

 private:
  std::vector<IncidentFact> rows_;
  std::vector<std::string> names_;
  absl::flat_hash_map<std::string, uint32_t> ids_;
};

struct StatsQuery {
  Timestamp from, to;  // REQUIRES: from < to
  GroupBy group_by = GroupBy::kDay;
  // Only incidents inside the box (all four or none; lng_min <= lng_max).
  std::optional<double> lat_min, lat_max, lng_min, lng_max;
};

struct Totals {
  int64_t count = 0, best = 0, low = 0, high = 0;
  bool operator==(const Totals&) const = default;
};

struct Group {
  std::string key;  // the day ("2026-11-20"), the type, party, admin1 or status ("" unknown)
  Totals current, previous;
  bool operator==(const Group&) const = default;
};

struct Stats {
  Timestamp from, to, previous_from;  // the previous period is [previous_from, from)
  Totals total, previous_total;
  // Every key with an incident in either period (for day: every day of [from, to) with an
  // incident on it or the day before), by key.
  std::vector<Group> groups;
};

// InvalidArgument naming "to" when from >= to, or "from" when the period is over 100 years.
[[nodiscard]] absl::StatusOr<Stats> ComputeStats(const Facts& facts, const StatsQuery& query);

}  // namespace deconflict::monitoring
