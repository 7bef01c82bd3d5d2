// sim/track_csv.h: the track snapshot CSV format.
//
// Grammar (one header line, then one record per line; '\n' or "\r\n" line ends; no quoting):
//
//   id,party,lat,lon,alt_m,gs_mps,trk_deg,vs_mps
//   <id>,<party>,<lat>,<lon>,<alt_m>,<gs_mps>,<trk_deg>,<vs_mps>
//
//   id       1..64 characters, none of ',', '"', whitespace; unique in the file
//   party    a party id (common/ids.h: 1..32 of [A-Za-z0-9_-])
//   lat      degrees in [-90, 90]          lon     degrees in [-180, 180]
//   alt_m    metres above the WGS84 ellipsoid, in [-2000, 100000]
//   gs_mps   ground speed in [0, 2000] m/s trk_deg track angle, finite, clockwise from north
//   vs_mps   vertical rate in [-1000, 1000] m/s, positive up
//
// Numbers are decimal (std::from_chars general format); nan and inf are refused. Blank lines
// are skipped. The writer prints the shortest text that reads back to the same double, so
// Write then Read is exact.
//
//   ASSIGN_OR_RETURN(std::vector<TrackRecord> tracks, ReadTrackCsvFile("tracks.csv"));
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sim/tracks.h"

namespace deconflict::sim {

inline constexpr char kTrackCsvHeader[] = "id,party,lat,lon,alt_m,gs_mps,trk_deg,vs_mps";

// Writes the header and one line per record. Returns InvalidArgument if a record would not
// read back (bad id or party, value out of range), naming the record; Internal on a stream
// failure.
absl::Status WriteTrackCsv(const std::vector<TrackRecord>& tracks, std::ostream& out);
absl::Status WriteTrackCsvFile(const std::vector<TrackRecord>& tracks, const std::string& path);

// Reads a whole snapshot. Returns InvalidArgument whose message starts with "line N:" (1-based,
// the header is line 1) and names the column for the first bad line: wrong header, wrong number
// of fields, a value that is not a number or out of range, a duplicate id. NotFound when the
// file cannot be opened.
absl::StatusOr<std::vector<TrackRecord>> ReadTrackCsv(std::istream& in);
absl::StatusOr<std::vector<TrackRecord>> ReadTrackCsvFile(const std::string& path);

}  // namespace deconflict::sim
