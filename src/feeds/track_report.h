// feeds/track_report.h: one track report as a party or a feed submits it, and its validation.
//
//   feeds::TrackReport report{.track = {...}, .callsign = "NAF123"};
//   RETURN_IF_ERROR(feeds::ValidateTrackReport(report, clock.Now(), held_time));
//   RETURN_IF_ERROR(table.Upsert(report.track));
//
// A report is what `POST /v1/tracks` carries (api/track_json.h reads it) and what the SBS-1
// track assembler (feeds/track_assembler.h) emits: a tactical::Track in SI units plus the
// aircraft's optional callsign, which the tactical engine does not need but the live picture
// shows to the owner.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "common/clock.h"
#include "tactical/track.h"

namespace deconflict::feeds {

// Value type; thread-compatible.
struct TrackReport {
  // Party (the submitter, set by the server from the credentials or the feed's configuration,
  // never by the report), id, time, position, altitude, velocity: units in tactical/track.h.
  tactical::Track track;
  // ICAO flight callsign ("NAF123"); empty when unknown. At most 8 printable ASCII characters.
  std::string callsign;
};

// The limits ValidateTrackReport applies (stricter than tactical::ValidateTrack, which only
// guards the engine's arithmetic: these are what a real aircraft report can be).
struct TrackReportLimits {
  static constexpr double kMinAltM = -1000;  // Dead Sea shore -430 m, with margin
  static constexpr double kMaxAltM = 30000;  // above any operational aircraft but balloons
  static constexpr double kMaxGroundSpeedMps = 1500;
  static constexpr double kMaxVerticalRateMps = 200;
  static constexpr size_t kMaxIdChars = 64;
  static constexpr size_t kMaxCallsignChars = 8;
  // How far ahead of the server's clock a report's time may be (clock skew of the sender).
  static constexpr std::chrono::seconds kMaxFuture{10};
};

// OK when the report is acceptable at `now`, given the time of the newest report already held
// for the same (party, id), if any (`newest`). Otherwise InvalidArgument whose field
// (FieldOf) is the report's JSON member name, so the API can prefix it ("tracks[17].lat"):
//   id        1..64 printable ASCII characters, no space (0x21..0x7E)
//   time      not after now + 10 s; not before `newest` (an equal time is accepted, so a retried
//             batch is harmless)
//   lat       finite, [-90, 90] degrees            lng     finite, [-180, 180] degrees
//   alt_m     finite, [-1,000, 30,000] m           gs_mps  finite, [0, 1,500] m/s
//   trk_deg   finite, [0, 360) degrees             vs_mps  finite, [-200, 200] m/s
//   callsign  empty, or 1..8 printable ASCII characters (0x20..0x7E)
// The party is not checked (the server sets it). Checks run in the order above; the first
// failure is returned. A valid report also passes tactical::ValidateTrack once its party is set.
// Thread-safe (pure function).
[[nodiscard]] absl::Status ValidateTrackReport(const TrackReport& report, Timestamp now,
                                               std::optional<Timestamp> newest);

}  // namespace deconflict::feeds
