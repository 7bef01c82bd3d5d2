// hotline/due_items.h: the bookkeeping a DeadlineSource (deadline_source.h) needs for its items:
// each key's deadline, the same in time order (a tick reads only the due ones: 100,000 pending
// items cost it nothing), and the claims of the deadline unit under way.
//
//   DueItems due;                                   // guarded by the source's lock
//   due.Set("site/al-shifa", deadline);             // a new deadline replaces the key's old one
//   std::vector<std::string> keys = due.Claim(now); // ClaimDue
//   due.Release(keys, committed.ok());              // Judged
//
// Not thread-safe: the source holds its own lock around every call.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace deconflict::hotline {

class DueItems {
 public:
  void Set(const std::string& key, Timestamp at) {
    Clear(key);
    deadlines_[key] = at;
    by_time_.emplace(at, key);
  }
  void Clear(const std::string& key) {
    auto it = deadlines_.find(key);
    if (it == deadlines_.end()) return;
    by_time_.erase({it->second, key});
    deadlines_.erase(it);
  }
  // The keys due at `now` that no unit has claimed, now claimed.
  std::vector<std::string> Claim(Timestamp now) {
    std::vector<std::string> due;
    for (auto it = by_time_.begin(); it != by_time_.end() && it->first <= now; ++it) {
      if (claimed_.contains(it->second)) continue;
      claimed_[it->second] = it->first;
      due.push_back(it->second);
    }
    return due;
  }
  // After the unit: `settled` (it committed) clears each claimed key, unless a newer deadline
  // replaced it meanwhile; either way the claims are released.
  void Release(const std::vector<std::string>& keys, bool settled) {
    for (const std::string& key : keys) {
      auto claim = claimed_.find(key);
      if (claim == claimed_.end()) continue;
      if (settled) {
        auto it = deadlines_.find(key);
        if (it != deadlines_.end() && it->second == claim->second) Clear(key);
      }
      claimed_.erase(claim);
    }
  }
  void clear() {
    deadlines_.clear();
    by_time_.clear();
    claimed_.clear();
  }
  size_t size() const { return deadlines_.size(); }

 private:
  std::map<std::string, Timestamp> deadlines_;
  std::set<std::pair<Timestamp, std::string>> by_time_;
  std::map<std::string, Timestamp> claimed_;
};

}  // namespace deconflict::hotline
