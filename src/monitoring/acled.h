// monitoring/acled.h: ACLED's CSV export, read into IncidentRequests and written back
// (issue 13). The column mapping is below.
//
//   ASSIGN_OR_RETURN(AcledBatch batch, ParseAcled(csv, /*first_line=*/2, clock.Now()));
//   for (const AcledRowError& e : batch.errors) ...  // "line 7, latitude: must be ..."
//   for (AcledRow& row : batch.rows) Store(std::move(row.request));
//
//   std::string out = AcledHeaderLine();
//   for (const IncidentRequest& r : incidents) out += AcledCsvRow(r, r.acled.tags);
//
// The CSV is RFC 4180: fields separated by ',', optionally in double quotes; inside quotes '""'
// stands for '"' and ',', CR and LF are data. A record ends with LF or CRLF; the last one may
// lack it. Lines that are entirely empty are skipped (not records). Being lenient where nothing
// is ambiguous, a '"' inside an unquoted field is data.
//
// Reading goes by column NAME, so columns may come in any order. Header names are compared
// case-insensitively with surrounding spaces ignored, and a UTF-8 byte order mark before the
// header is skipped. Both ACLED layouts are read:
//  - the current one (AcledColumns(), 31 columns, the one AcledCsvRow writes);
//  - the older one (data_id, iso, event_id_cnty, event_id_no_cnty, event_date, ..., timestamp,
//    iso3): data_id, event_id_no_cnty and iso3 are read and dropped, and disorder_type, absent
//    there, stays empty (AcledCsvRow then derives it from the event type).
// Columns of neither layout are ignored. Required: event_id_cnty, event_date, time_precision,
// event_type, sub_event_type, actor1, latitude, longitude, geo_precision, fatalities.
//
// Row -> IncidentRequest:
//   event_id_cnty -> id; event_date -> occurred_at at 00:00:00Z, as "2025-05-16" or ACLED's
//   older "16 May 2025" (English month name, full or its first three letters, any case);
//   year, when present and not empty, must be that date's year; time_precision,
//   geo_precision, fatalities: integers (fatalities -> best = low = high); latitude,
//   longitude: decimal numbers -> location; actor1 -> alleged_party; actor2 -> target;
//   source -> sources, split on ';', parts trimmed of spaces and tabs, empty parts dropped;
//   location -> location_name; event_type, sub_event_type, notes, admin1, admin2 as named;
//   disorder_type, assoc_actor_1, inter1, assoc_actor_2, inter2, interaction,
//   civilian_targeting, iso, region, country, admin3, source_scale, tags, timestamp -> acled.*.
// Text is kept verbatim (no trimming); numbers and dates may have surrounding spaces. Each
// request then passes ValidateIncident, whose field is reported as its column (location.lat ->
// latitude, fatalities.high -> fatalities, sources[2] -> source, acled.iso -> iso, ...).
//
// Round trip: a file in the current layout whose values are canonical (dates YYYY-MM-DD, year
// and disorder_type filled in, numbers as AcledCsvRow prints them, sources joined by "; ", no
// empty lines, LF line ends) parses to requests whose AcledCsvRow(r, r.acled.tags) lines are the
// file's records byte for byte.
//
// Speed: one pass over the input; unquoted fields (and quoted ones without '""') are views into
// it, so the cost is the request's own strings (about 300,000 rows/s per core for ACLED's
// ~300-byte rows).
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "monitoring/incident.h"

namespace deconflict::monitoring {

// The 31 columns of ACLED's current export, in its order. The span refers to static storage.
std::span<const std::string_view> AcledColumns();
// AcledColumns() joined by ',' and ended by "\n".
std::string AcledHeaderLine();

// A record that could not be read or failed validation. `line` is the 1-based line in the
// user's file where the record starts; `column` the ACLED column at fault, or "" when the record
// as a whole is (more fields than the header); `message` says what is wrong with it, without
// the column (e.g. "must be a number in [-90, 90]").
struct AcledRowError {
  int64_t line = 0;
  std::string column;
  std::string message;
  bool operator==(const AcledRowError&) const = default;
};

struct AcledRow {
  int64_t line = 0;  // where the record starts, as in AcledRowError
  IncidentRequest request;
};

// The good rows and the errors of one input, each in file order.
struct AcledBatch {
  std::vector<AcledRow> rows;
  std::vector<AcledRowError> errors;
};

// Reads `csv`: a header line, then records. `first_line` is the line number (1-based, in the
// user's file) of the first line after the header, so that a file sent in chunks (SplitAcled)
// still has its errors named by the user's lines. `now` is ValidateIncident's.
//
// Row errors (one per bad record; the record is skipped, the others are read):
//  - a field count other than the header's (fewer: the first missing column is named; more:
//    column "");
//  - a quoted field not closed before the end of the input (that record takes the rest of the
//    input), or followed by something other than ',' or the end of the record;
//  - a required column's value that is not a number, integer or date as above; a year that is
//    not the date's;
//  - everything ValidateIncident refuses (incident.h), named by its column.
// Whole-input errors: InvalidArgument with field "header" for an empty input, a header that
// lacks a required column (named in the message) or names a column twice.
[[nodiscard]] absl::StatusOr<AcledBatch> ParseAcled(std::string_view csv, int64_t first_line,
                                                    Timestamp now);

// One record of the current layout, ended by "\n", for `r` (the same as AppendAcledCsvRow).
std::string AcledCsvRow(const IncidentRequest& r, std::string_view tags);
// Appends the record to `out` (no allocation once `out` has grown): for writers of many rows.
//  - Values are quoted only when they hold ',', '"', CR or LF or begin or end with a space.
//  - event_date: the UTC date of occurred_at as YYYY-MM-DD (the time of day is dropped);
//    year: that date's year.
//  - disorder_type: r.acled.disorder_type, or DisorderTypeOf(event_type, sub_event_type) when
//    that is empty.
//  - latitude, longitude: the shortest decimal text that reads back to the same double.
//  - fatalities: fatalities.best (low and high are not in ACLED's layout).
//  - source: sources joined by "; ".
//  - tags: `tags` (the caller composes it; r.acled.tags is ignored).
//  - the observation is not written (ACLED has no columns for it).
void AppendAcledCsvRow(const IncidentRequest& r, std::string_view tags, std::string& out);

// A run of whole records of a file, without its header.
struct AcledChunk {
  std::string_view records;  // into the `csv` given to SplitAcled
  int64_t first_line = 0;    // the file line where `records` starts
};

// For a client that sends a big file in parts: splits `csv` (header first) into chunks of at
// most `rows` records each, never inside a quoted field. Returns the header line (with its
// line end, and the byte order mark if any) and the chunks, in order; each part can be read by
// ParseAcled(header + chunk.records, chunk.first_line, now). Empty lines are not records (they
// stay in the chunk they fall in). The returned views point into `csv`.
// Errors: InvalidArgument "rows" when rows is 0; the header errors of ParseAcled. A quoted field
// left open runs to the end of the last chunk (ParseAcled reports it).
[[nodiscard]] absl::StatusOr<std::pair<std::string_view, std::vector<AcledChunk>>> SplitAcled(
    std::string_view csv, size_t rows);

}  // namespace deconflict::monitoring
