// tactical/sim_snapshot.h: tracks from a synthetic snapshot (sim/tracks.h), for the CLI, tests
// and benchmarks. Header-only so that dc_tactical itself does not depend on dc_sim.
#pragma once

#include <vector>

#include "common/clock.h"
#include "sim/tracks.h"
#include "tactical/track.h"

namespace deconflict::tactical {

// One Track per record, all valid at `at` (a snapshot has no time column).
inline std::vector<Track> TracksFromSnapshot(const std::vector<sim::TrackRecord>& records,
                                             Timestamp at) {
  std::vector<Track> tracks;
  tracks.reserve(records.size());
  for (const sim::TrackRecord& r : records) {
    tracks.push_back({.party = PartyId(r.party),
                      .id = TrackId(r.id),
                      .time = at,
                      .lat_deg = r.lat_deg,
                      .lon_deg = r.lon_deg,
                      .alt_m = r.alt_m,
                      .ground_speed_mps = r.gs_mps,
                      .track_deg = r.trk_deg,
                      .vertical_rate_mps = r.vs_mps});
  }
  return tracks;
}

}  // namespace deconflict::tactical
