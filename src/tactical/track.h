// tactical/track.h: a live track report, the input of the tactical engine. The one description
// of a track's fields: sim/ generates these and sim/track_csv.h maps them to CSV.
#pragma once

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/ids.h"

namespace deconflict::tactical {

// One state report of one aircraft of one party. Value type; thread-compatible.
// A track is identified by (party, id): a later report with the same pair replaces it.
struct Track {
  PartyId party;
  TrackId id;
  Timestamp time;                // when the state was valid
  double lat_deg = 0;            // geodetic latitude, [-90, 90]
  double lon_deg = 0;            // longitude, [-180, 180]
  double alt_m = 0;              // metres above the WGS84 ellipsoid
  double ground_speed_mps = 0;   // >= 0
  double track_deg = 0;          // clockwise from true north; any finite value
  double vertical_rate_mps = 0;  // positive up
  friend bool operator==(const Track&, const Track&) = default;
};

// OK, or InvalidArgument naming the field ("lat_deg: 91 is not in [-90, 90]") when a value is
// not finite or out of range: lat [-90, 90], lon [-180, 180], alt [-2,000, 100,000] m, ground
// speed [0, 2,000] m/s, vertical rate [-1,000, 1,000] m/s, track angle finite; party and id
// non-empty.
[[nodiscard]] absl::Status ValidateTrack(const Track& track);

}  // namespace deconflict::tactical
