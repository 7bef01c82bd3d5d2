#include "tactical/track_table.h"

#include "common/status.h"

namespace deconflict::tactical {

TrackTable::TrackTable(TrackTableOptions options) : options_(options) {}

absl::Status TrackTable::Upsert(Track track) {
  RETURN_IF_ERROR(ValidateTrack(track));
  Key key(track.party.value(), track.id.value());
  auto [it, inserted] = index_.try_emplace(std::move(key), tracks_.size());
  if (inserted) {
    tracks_.push_back(std::move(track));
  } else if (track.time >= tracks_[it->second].time) {
    tracks_[it->second] = std::move(track);
  }
  return absl::OkStatus();
}

size_t TrackTable::Expire(Timestamp now) {
  const auto oldest = now - std::chrono::duration_cast<std::chrono::microseconds>(options_.max_age);
  size_t dropped = 0;
  for (size_t track_idx = 0; track_idx < tracks_.size();) {
    if (tracks_[track_idx].time >= oldest) {
      ++track_idx;
      continue;
    }
    // Swap-remove, keeping the index in step.
    index_.erase(Key(tracks_[track_idx].party.value(), tracks_[track_idx].id.value()));
    if (track_idx + 1 != tracks_.size()) {
      tracks_[track_idx] = std::move(tracks_.back());
      index_[Key(tracks_[track_idx].party.value(), tracks_[track_idx].id.value())] = track_idx;
    }
    tracks_.pop_back();
    ++dropped;
  }
  return dropped;
}

const Track* TrackTable::Find(const PartyId& party, const TrackId& id) const {
  auto it = index_.find(Key(party.value(), id.value()));
  return it == index_.end() ? nullptr : &tracks_[it->second];
}

}  // namespace deconflict::tactical
