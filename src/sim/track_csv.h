// sim/track_csv.h: the track snapshot CSV format, the one text mapping of tactical::Track
// (tactical/track.h). A snapshot has no time column: every track read gets the `at` given.
//
// Grammar (one header line, then one record per line; '\n' or "\r\n" line ends; no quoting):
//
//   id,party,lat,lon,alt_m,gs_mps,trk_deg,vs_mps
//   <id>,<party>,<lat>,<lon>,<alt_m>,<gs_mps>,<trk_deg>,<vs_mps>
//
// Columns map to Track fields: lat -> lat_deg, lon -> lon_deg, gs_mps -> ground_speed_mps,
// trk_deg -> track_deg, vs_mps -> vertical_rate_mps; id, party and alt_m keep their names.
//
//   id       1..64 characters, none of ',', '"', whitespace; unique in the file
//   party    a party id (common/ids.h: 1..32 of [A-Za-z0-9_-])
//   others   numbers within the ranges of tactical::ValidateTrack (tactical/track.h); an error
//            names the CSV column ("line 3: lat: 91 is not in [-90, 90]")
//
// Numbers are decimal (std::from_chars general format); nan and inf are refused. Blank lines
// are skipped. The writer prints the shortest text that reads back to the same double, so
// Write then Read is exact (with the same `at`).
//
//   ASSIGN_OR_RETURN(std::vector<tactical::Track> tracks, ReadTrackCsvFile("tracks.csv", now));
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "tactical/track.h"

namespace deconflict::sim {

inline constexpr char kTrackCsvHeader[] = "id,party,lat,lon,alt_m,gs_mps,trk_deg,vs_mps";

// Writes the header and one line per track (its time is not written). Returns InvalidArgument if a
// record would not read back (bad id or party, value out of range), naming the record; Internal on
// a stream failure.
[[nodiscard]] absl::Status WriteTrackCsv(const std::vector<tactical::Track>& tracks,
                                         std::ostream& out);
[[nodiscard]] absl::Status WriteTrackCsvFile(const std::vector<tactical::Track>& tracks,
                                             const std::string& path);

// Reads a whole snapshot; every track's time is `at` (default: the epoch). Returns InvalidArgument
// whose message starts with "line N:" (1-based, the header is line 1) and names the column for the
// first bad line: wrong header, wrong number of fields, a value that is not a number or out of
// range, a duplicate id. NotFound when the file cannot be opened.
[[nodiscard]] absl::StatusOr<std::vector<tactical::Track>> ReadTrackCsv(std::istream& in,
                                                                        Timestamp at = {});
[[nodiscard]] absl::StatusOr<std::vector<tactical::Track>> ReadTrackCsvFile(const std::string& path,
                                                                            Timestamp at = {});

}  // namespace deconflict::sim
