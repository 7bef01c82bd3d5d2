// feeds/sbs.h: parsing one SBS-1 (BaseStation) line, the text format that dump1090, readsb and
// Kinetic's BaseStation serve on TCP port 30003.
//
//   absl::StatusOr<feeds::SbsMessage> message = feeds::ParseSbsLine(line);
//   if (!message.ok()) { ++bad_lines[FieldOf(message.status()).value_or("line")]; continue; }
//
// The format (after the "Barebones" description of BaseStation's socket data, and dump1090's
// output): one message per line, ending in "\r\n" (a lone "\n" is accepted), fields separated by
// commas, positional, at most 22:
//    1 message type      MSG, SEL, ID, AIR, STA or CLK
//    2 transmission type MSG only: 1 ES identification (callsign), 2 ES surface position,
//                        3 ES airborne position, 4 ES airborne velocity, 5 surveillance
//                        altitude, 6 surveillance ID (squawk), 7 air-to-air, 8 all-call reply
//    3 session id, 4 aircraft id          not interpreted
//    5 hex ident         ICAO 24-bit address, 6 hex digits; dump1090 prefixes a non-ICAO
//                        address (TIS-B, anonymous) with '~'
//    6 flight id                          not interpreted
//    7 date generated    YYYY/MM/DD       8 time generated  HH:MM:SS[.fff] (receiver's clock;
//    9 date logged       YYYY/MM/DD      10 time logged     HH:MM:SS[.fff]  no time zone)
//   11 callsign          up to 8 characters, trailing spaces removed
//   12 altitude          feet, barometric (pressure altitude, 1013.25 hPa datum)
//   13 ground speed      knots            14 track          degrees true, [0, 360]
//   15 latitude, 16 longitude             decimal degrees, WGS84
//   17 vertical rate     feet per minute, positive up
//   18 squawk            4 octal digits
//   19 alert (squawk changed), 20 emergency, 21 SPI (ident), 22 is on ground:
//                        "-1" (or "1") true, "0" false
// Any field may be empty (absent); real feeds also stop early (dump1090 and VRS write fewer
// than 22 fields for some types), so missing trailing fields are absent too. Spaces around a
// field are ignored (RadarBox pads fields). What this parser refuses, each with InvalidArgument
// whose field (common/status.h FieldOf) names the culprit:
//   "line"               longer than kSbsMaxLineBytes, more than 22 fields (two lines run
//                        together when a line break is lost), fewer than 5, a NUL byte
//   "message_type"       not one of the six types
//   "transmission_type"  MSG without 1..8 (non-MSG types must leave it empty)
//   "hex_ident"          not 6 hex digits (after an optional '~'); required
//   "date_generated", "time_generated", "date_logged", "time_logged"
//                        not a valid date/time, or a date without its time or vice versa
//   "callsign"           more than 8 characters or not printable ASCII
//   "altitude" [-5,000, 150,000] ft, "ground_speed" [0, 4,000] kt, "track" [0, 360] deg,
//   "lat" [-90, 90], "lon" [-180, 180] (both or neither), "vertical_rate" [-100,000, 100,000]
//                        ft/min: not a plain decimal number or out of range
//   "squawk"             not 4 octal digits
//   "alert", "emergency", "spi", "is_on_ground"   not -1, 0 or 1
// A truncated last field ("51.45" cut from "51.45735") cannot be told from a complete one: the
// reader must hand over complete lines only. Any bytes are safe to pass: no exceptions, no
// undefined behaviour, messages quote client bytes with QuoteForMessage.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/clock.h"

namespace deconflict::feeds {

// Longer lines are refused without being split (a real line is under 200 bytes).
inline constexpr size_t kSbsMaxLineBytes = 1024;
inline constexpr int kSbsMaxFields = 22;

enum class SbsMessageType { kMsg, kSel, kId, kAir, kSta, kClk };

// One parsed line, values as the format carries them (feet, knots, ft/min): conversion to SI
// units happens in the track assembler. Absent fields are nullopt (or empty strings).
// Value type; thread-compatible.
struct SbsMessage {
  SbsMessageType type = SbsMessageType::kMsg;
  int transmission_type = 0;  // 1..8 for MSG, 0 otherwise
  std::string hex_ident;      // upper case, e.g. "4CA2D6" or "~1A2B3C"
  // Date and time as written, read as if they were UTC (the format has no time zone: see
  // TrackAssemblerOptions::generated_utc_offset). Millisecond precision or finer.
  std::optional<Timestamp> generated;
  std::optional<Timestamp> logged;
  std::string callsign;  // trailing spaces removed; empty when absent
  std::optional<double> altitude_ft;
  std::optional<double> ground_speed_kt;
  std::optional<double> track_deg;
  std::optional<double> lat_deg;  // lat and lon are both present or both absent
  std::optional<double> lon_deg;
  std::optional<double> vertical_rate_fpm;
  std::string squawk;  // 4 octal digits, or empty
  std::optional<bool> alert;
  std::optional<bool> emergency;
  std::optional<bool> spi;
  std::optional<bool> on_ground;
};

// Parses one line (a trailing "\r\n" or "\n" is allowed). Returns the message, or
// InvalidArgument naming the field as listed in the file comment. Thread-safe (pure function).
[[nodiscard]] absl::StatusOr<SbsMessage> ParseSbsLine(std::string_view line);

}  // namespace deconflict::feeds
