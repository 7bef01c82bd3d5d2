#include "tactical/track.h"

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::tactical {

absl::Status ValidateTrack(const Track& track) {
  if (track.party.empty()) return InvalidField("party", "is empty");
  if (track.id.empty()) return InvalidField("id", "is empty");
  struct Check {
    const char* field;
    double value, lo, hi;
  };
  const Check checks[] = {
      {"lat_deg", track.lat_deg, -90, 90},
      {"lon_deg", track.lon_deg, -180, 180},
      {"alt_m", track.alt_m, -2000, 100000},
      {"ground_speed_mps", track.ground_speed_mps, 0, 2000},
      {"track_deg", track.track_deg, -1e9, 1e9},
      {"vertical_rate_mps", track.vertical_rate_mps, -1000, 1000},
  };
  for (const Check& check : checks) {
    // Written so that NaN fails too.
    if (!(check.value >= check.lo && check.value <= check.hi)) {
      return InvalidField(check.field,
                          fmt::format("{} is not in [{}, {}]", check.value, check.lo, check.hi));
    }
  }
  return absl::OkStatus();
}

}  // namespace deconflict::tactical
