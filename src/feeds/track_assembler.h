// feeds/track_assembler.h: SBS-1 lines of one feed -> track reports in SI units.
//
//   feeds::TrackAssembler assembler({.party = PartyId("NORTH")});
//   for (std::string_view line : lines_from_port_30003) {
//     if (std::optional<feeds::TrackReport> report = assembler.AddLine(line, clock.Now())) {
//       ... ValidateTrackReport(*report, now, held) then into the track table ...
//     }
//   }
//   assembler.Expire(clock.Now());  // now and then, to forget aircraft no longer heard
//
// A Mode S receiver reports one aircraft in pieces: the callsign (MSG,1), the position with the
// altitude (MSG,3; MSG,2 on the surface), the velocity (MSG,4; ground speed and track also in
// MSG,2), the altitude alone (MSG,5, MSG,7). The assembler keeps, per hex ident, the newest of
// each piece with its time, whatever the message type that carried it, and emits a report
// whenever a message brings a position, an altitude or a velocity and all three are known and
// none is older than `max_partial_age` than the message's own time.
//
// The emitted report:
//   id            the hex ident ("4CA2D6", "~1A2B3C" for non-ICAO addresses); party: options
//   time          the position's time
//   lat/lon       as received (WGS84 degrees)
//   alt_m         SBS altitude is barometric: pressure altitude in feet above the 1013.25 hPa
//                 isobar, not a geometric height. It is converted with the exact factor
//                 0.3048 m/ft and taken as metres above the WGS84 ellipsoid, which ignores
//                 (a) the local pressure's deviation from the standard atmosphere (about 8 m per
//                 hPa near the ground, so +-250 m on a deep low or high, and temperature errors
//                 of a few percent of the height aloft) and (b) the geoid undulation (-106 to
//                 +85 m). Aircraft near each other share (a), and air traffic separates them on
//                 pressure altitude anyway, so SBS tracks are consistent among themselves; mixing
//                 them with geometric (GNSS) altitudes of other sources carries that error.
//   ground_speed  knots * 1852/3600 (exact)     track   degrees true, 360 read as 0
//   vertical rate feet/minute * 0.3048/60 (exact); 0 when the feed never sent one, or when the
//                 last one is older than max_partial_age (MSG,2 surface reports carry none)
//   callsign      the newest received (MSG,1, ID, or any MSG line with field 11), else empty
// Which time a piece carries is `time_source`: when it was received (the default: the feed's
// clock may be wrong or in local time), or the line's generated date/time plus
// `generated_utc_offset` (a replayed recording, the sim feed). A piece older than the one held
// is ignored (lines may arrive out of order when replaying with generated times).
//
// Bad lines never stop the feed: they are counted by reason (the field ParseSbsLine names) and
// skipped; so are lines that contribute nothing (SEL, AIR, STA, CLK, MSG,6 and MSG,8).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "common/clock.h"
#include "common/ids.h"
#include "feeds/sbs.h"
#include "feeds/track_report.h"

namespace deconflict::feeds {

enum class SbsTimeSource { kReceived, kGenerated };

struct TrackAssemblerOptions {
  // The party whose tracks this feed carries. REQUIRES: non-empty. Default: empty.
  PartyId party;
  // A piece (position, altitude, velocity) older than this, measured from the time of the
  // message being added, is stale: no report is emitted until it is refreshed. Expire() also
  // forgets an aircraft whose newest piece is older than this. Default: 10 s.
  // REQUIRES: finite and positive.
  std::chrono::duration<double> max_partial_age = std::chrono::seconds(10);
  // Which time stamps the pieces. Default: kReceived.
  SbsTimeSource time_source = SbsTimeSource::kReceived;
  // With kGenerated, added to the generated date/time to get UTC (a receiver writing local
  // time at UTC+2 needs -2 h). Default: 0.
  std::chrono::microseconds generated_utc_offset{0};
  // At most this many aircraft are held; a line for a new aircraft beyond it is counted in
  // `aircraft_over_limit` and dropped, so a garbage feed cannot grow memory without bound.
  // Default: 100,000.
  size_t max_aircraft = 100'000;
};

// What the assembler has seen. Value type.
struct TrackAssemblerCounters {
  // Every line handed to AddLine.
  uint64_t lines = 0;
  // Refused by ParseSbsLine, or lacking a generated time with kGenerated.
  uint64_t bad_lines = 0;
  // The same by the field that was wrong (ParseSbsLine's names; "date_generated" for a missing
  // generated time). A bounded set of keys.
  std::map<std::string, uint64_t> bad_lines_by_field;
  // Parsed but carrying nothing for a track (non-MSG types, MSG,6, MSG,8).
  uint64_t ignored_lines = 0;
  // Lines of new aircraft dropped at max_aircraft.
  uint64_t aircraft_over_limit = 0;
  // Reports emitted.
  uint64_t reports = 0;
};

// Not thread-safe: a feed's reader owns its assembler.
class TrackAssembler {
 public:
  explicit TrackAssembler(TrackAssemblerOptions options);
  TrackAssembler(const TrackAssembler&) = delete;
  TrackAssembler& operator=(const TrackAssembler&) = delete;

  // Parses and adds one line received at `received_at`. Returns the report it completes, if
  // any. Never fails: a bad line is counted and skipped.
  std::optional<TrackReport> AddLine(std::string_view line, Timestamp received_at);

  // Adds a parsed message (AddLine without the parsing and the line counters).
  std::optional<TrackReport> Add(const SbsMessage& message, Timestamp received_at);

  // Forgets every aircraft whose newest piece is older than now - max_partial_age. Returns how
  // many were forgotten.
  size_t Expire(Timestamp now);

  const TrackAssemblerCounters& counters() const { return counters_; }
  size_t aircraft() const { return aircraft_.size(); }

 private:
  template <typename T>
  struct Piece {
    T value{};
    std::optional<Timestamp> time;  // nullopt: never received
  };
  struct Position {
    double lat_deg = 0, lon_deg = 0;
  };
  struct Velocity {
    double ground_speed_mps = 0, track_deg = 0;
  };
  struct Aircraft {
    Piece<Position> position;
    Piece<double> alt_m;
    Piece<Velocity> velocity;
    Piece<double> vertical_rate_mps;
    std::string callsign;
    Timestamp newest{};
  };

  bool Fresh(const std::optional<Timestamp>& piece_time, Timestamp now) const;

  TrackAssemblerOptions options_;
  TrackAssemblerCounters counters_;
  absl::flat_hash_map<std::string, Aircraft> aircraft_;  // by hex ident
};

}  // namespace deconflict::feeds
