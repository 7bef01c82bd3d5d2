// feeds/sbs_writer.h: track reports -> SBS-1 (BaseStation) lines, as dump1090 serves them on
// port 30003, for `deconflict sim feed --sbs-listen` and for tests of the feed client.
//
//   ASSIGN_OR_RETURN(std::string lines, feeds::FormatSbsLines(report));
//   socket.write(lines);  // "MSG,1,...\r\nMSG,3,...\r\nMSG,4,...\r\n"
//
// One report becomes MSG,1 (identification; only when it has a callsign), MSG,3 (airborne
// position) and MSG,4 (airborne velocity), each of 22 fields ending in "\r\n", in the layout
// of feeds/sbs.h, with session, aircraft and flight ids 1 and the four flags 0. Precision is
// that of the format as dump1090 and BaseStation write it:
//   date/time     the report's time in UTC (unlike dump1090, which writes local time; read it
//                 with SbsTimeSource::kGenerated and a zero offset), truncated to the millisecond;
//                 generated and logged times are equal
//   altitude      alt_m / 0.3048 rounded to whole feet (within 0.1524 m); written as barometric
//                 altitude, so reading it back is exact only up to that rounding (the
//                 assembler's approximation, track_assembler.h, is the inverse of this one)
//   ground speed  knots, 1 decimal (within 0.0258 m/s)
//   track         degrees in [0, 360), 1 decimal (within 0.05 degrees; 359.96 is written 360.0,
//                 which the assembler reads as 0)
//   lat, lon      5 decimals (within 0.000005 degrees, about 0.56 m)
//   vertical rate feet per minute, whole (within 0.00254 m/s)
// ParseSbsLine followed by TrackAssembler (kGenerated) gives back the report within these
// bounds; sbs_writer_test.cc checks it on random reports. A report at a limit of
// ValidateTrackReport may come back just past it (alt_m -1,000 is written -3,281 ft and read
// -1,000.05 m; gs_mps 1,500 comes back 1,500.01): a reader validating with those limits refuses
// it, as it would a real receiver's report there.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "feeds/track_report.h"

namespace deconflict::feeds {

// The lines for `report`. Errors (InvalidArgument naming the field): whatever
// ValidateTrackReport refuses (apart from the time checks, which need a clock); "id" when the id
// is not a hex ident (6 hex digits, optionally after '~'); "callsign" when it holds a comma or
// starts or ends with a space; "time" outside the years 1970..9999. Thread-safe (pure function).
[[nodiscard]] absl::StatusOr<std::string> FormatSbsLines(const TrackReport& report);

// A stable 24-bit address for any track id, as 6 upper-case hex digits (a 24-bit FNV-1a hash),
// for tracks whose ids are not ICAO addresses (the sim's "dense-17"). Different ids may collide
// (by the birthday bound, likely beyond a few thousand tracks); the caller that needs distinct
// addresses checks. Thread-safe.
std::string SbsHexIdentFor(std::string_view track_id);

}  // namespace deconflict::feeds
