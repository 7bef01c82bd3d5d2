#include "feeds/sbs_writer.h"

#include <chrono>
#include <cmath>
#include <cstdint>

#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::feeds {
namespace {

bool IsHexIdent(std::string_view id) {
  if (!id.empty() && id[0] == '~') id.remove_prefix(1);
  if (id.size() != 6) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

// "YYYY/MM/DD,HH:MM:SS.mmm", the millisecond truncated.
std::string FormatDateTime(Timestamp time) {
  const auto day = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day ymd(day);
  const auto millis = std::chrono::floor<std::chrono::milliseconds>(time - day).count();
  return fmt::format("{:04}/{:02}/{:02},{:02}:{:02}:{:02}.{:03}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     millis / 3'600'000, millis / 60'000 % 60, millis / 1000 % 60, millis % 1000);
}

}  // namespace

absl::StatusOr<std::string> FormatSbsLines(const TrackReport& report) {
  const tactical::Track& track = report.track;
  // The time checks are relative to a clock; the writer has none, so it passes its own time.
  RETURN_IF_ERROR(ValidateTrackReport(report, track.time, std::nullopt));
  if (!IsHexIdent(track.id.value())) {
    return InvalidField("id", "is not an SBS hex ident (6 hex digits, optionally after '~')");
  }
  if (report.callsign.find(',') != std::string::npos) {
    return InvalidField("callsign", "holds a comma, the SBS field separator");
  }
  if (!report.callsign.empty() &&
      (report.callsign.front() == ' ' || report.callsign.back() == ' ')) {
    // Readers trim fields (ParseSbsLine does, and BaseStation pads callsigns with spaces).
    return InvalidField("callsign", "starts or ends with a space, which SBS readers drop");
  }
  const auto year = static_cast<int>(
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(track.time)).year());
  if (year < 1970 || year > 9999) return InvalidField("time", "is outside the years 1970..9999");

  std::string hex = track.id.value();
  for (char& c : hex) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  const std::string when = FormatDateTime(track.time);
  const std::string head = fmt::format("1,1,{},1,{},{}", hex, when, when);
  std::string lines;
  if (!report.callsign.empty()) {
    lines += fmt::format("MSG,1,{},{},,,,,,,,0,0,0,0\r\n", head, report.callsign);
  }
  const long altitude_ft = std::lround(track.alt_m / 0.3048);
  lines += fmt::format("MSG,3,{},,{},,,{:.5f},{:.5f},,,0,0,0,0\r\n", head, altitude_ft,
                       track.lat_deg, track.lon_deg);
  // ValidateTrackReport keeps the track angle in [0, 360).
  const double ground_speed_kt = track.ground_speed_mps * 3600.0 / 1852.0;
  const long vertical_rate_fpm = std::lround(track.vertical_rate_mps * 60.0 / 0.3048);
  lines += fmt::format("MSG,4,{},,,{:.1f},{:.1f},,,{},,0,0,0,0\r\n", head, ground_speed_kt,
                       track.track_deg, vertical_rate_fpm);
  return lines;
}

std::string SbsHexIdentFor(std::string_view track_id) {
  uint32_t hash = 2166136261u;  // FNV-1a, 32 bits, folded to 24 (xor-fold keeps all bits' say)
  for (char c : track_id) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 16777619u;
  }
  return fmt::format("{:06X}", (hash >> 24) ^ (hash & 0xFFFFFFu));
}

}  // namespace deconflict::feeds
