#include "feeds/track_report.h"

#include <cmath>
#include <string_view>

#include "common/status.h"
#include "common/text.h"
#include "common/time.h"
#include "fmt/format.h"

namespace deconflict::feeds {
namespace {

bool AllInRange(std::string_view text, char lo, char hi) {
  for (char c : text) {
    if (c < lo || c > hi) return false;
  }
  return true;
}

// Written so that NaN fails: every comparison with NaN is false.
absl::Status CheckRange(std::string_view field, double value, double lo, double hi,
                        bool hi_inclusive = true) {
  if (!std::isfinite(value)) return InvalidField(field, "is not a finite number");
  const bool above = hi_inclusive ? !(value <= hi) : !(value < hi);
  if (!(value >= lo) || above) {
    return InvalidField(
        field, fmt::format("{} is not in [{}, {}{}", value, lo, hi, hi_inclusive ? "]" : ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateTrackReport(const TrackReport& report, Timestamp now,
                                 std::optional<Timestamp> newest) {
  using Limits = TrackReportLimits;
  const tactical::Track& track = report.track;
  const std::string& id = track.id.value();
  if (id.empty() || id.size() > Limits::kMaxIdChars || !AllInRange(id, '\x21', '\x7e')) {
    return InvalidField("id", fmt::format("{} is not 1 to {} printable ASCII characters "
                                          "without spaces",
                                          QuoteForMessage(id), Limits::kMaxIdChars));
  }
  if (track.time > now + Limits::kMaxFuture) {
    return InvalidField("time", fmt::format("{} is more than {} s ahead of the server's clock ({})",
                                            FormatRfc3339(track.time), Limits::kMaxFuture.count(),
                                            FormatRfc3339(now)));
  }
  if (newest.has_value() && track.time < *newest) {
    return InvalidField("time", fmt::format("{} is older than the track's newest report ({})",
                                            FormatRfc3339(track.time), FormatRfc3339(*newest)));
  }
  RETURN_IF_ERROR(CheckRange("lat", track.lat_deg, -90, 90));
  RETURN_IF_ERROR(CheckRange("lng", track.lon_deg, -180, 180));
  RETURN_IF_ERROR(CheckRange("alt_m", track.alt_m, Limits::kMinAltM, Limits::kMaxAltM));
  RETURN_IF_ERROR(CheckRange("gs_mps", track.ground_speed_mps, 0, Limits::kMaxGroundSpeedMps));
  RETURN_IF_ERROR(CheckRange("trk_deg", track.track_deg, 0, 360, /*hi_inclusive=*/false));
  RETURN_IF_ERROR(CheckRange("vs_mps", track.vertical_rate_mps, -Limits::kMaxVerticalRateMps,
                             Limits::kMaxVerticalRateMps));
  if (report.callsign.size() > Limits::kMaxCallsignChars ||
      !AllInRange(report.callsign, '\x20', '\x7e')) {
    return InvalidField("callsign",
                        fmt::format("{} is not at most {} printable ASCII characters",
                                    QuoteForMessage(report.callsign), Limits::kMaxCallsignChars));
  }
  return absl::OkStatus();
}

}  // namespace deconflict::feeds
