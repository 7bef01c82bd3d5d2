// tactical/track_table.h: the latest report of every live track.
//
//   TrackTable table({.max_age = std::chrono::seconds(10)});
//   RETURN_IF_ERROR(table.Upsert(report));      // as reports arrive
//   table.Expire(clock.Now());                  // once a cycle, before detection
//   detector.Detect(table.tracks(), clock.Now());
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "common/clock.h"
#include "tactical/track.h"

namespace deconflict::tactical {

struct TrackTableOptions {
  // A track whose latest report is older than this is dropped by Expire. Default: 10 s.
  std::chrono::duration<double> max_age = std::chrono::seconds(10);
};

// Tracks keyed by (party, id), stored densely. Memory O(tracks). Thread-compatible: const
// methods may run concurrently; Upsert and Expire need external locking (the tactical engine
// calls them from its own thread).
class TrackTable {
 public:
  explicit TrackTable(TrackTableOptions options = {});
  TrackTable(const TrackTable&) = delete;
  TrackTable& operator=(const TrackTable&) = delete;

  // Inserts the track, or replaces the held report of the same (party, id) if `track.time` is
  // not older than it; an older report is ignored (reports may arrive out of order).
  // Returns InvalidArgument naming the field if the track is invalid (ValidateTrack).
  [[nodiscard]] absl::Status Upsert(Track track);

  // Drops every track with time < now - max_age. Returns how many were dropped. May reorder
  // the tracks.
  size_t Expire(Timestamp now);

  // The tracks, in no particular order. Valid until the next Upsert or Expire.
  std::span<const Track> tracks() const { return tracks_; }
  size_t size() const { return tracks_.size(); }
  // The held report of (party, id), or nullptr. Valid until the next Upsert or Expire.
  const Track* Find(const PartyId& party, const TrackId& id) const;

 private:
  using Key = std::pair<std::string, std::string>;
  TrackTableOptions options_;
  std::vector<Track> tracks_;
  absl::flat_hash_map<Key, size_t> index_;  // Invariant: tracks_[index_[k]] has key k.
};

}  // namespace deconflict::tactical
