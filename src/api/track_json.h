// api/track_json.h: the JSON of `POST /v1/tracks` (issue 9), read strictly, and its answer.
//
//   ASSIGN_OR_RETURN(api::TrackBatch batch, api::ReadTrackBatch(body, caller.party));
//   api::TrackBatchResult result = api::ApplyTrackBatch(
//       std::move(batch), clock.Now(),
//       [&](const TrackId& id) { return NewestHeldTime(caller.party, id); },
//       [&](feeds::TrackReport report) { return table.Upsert(std::move(report.track)); });
//   return JsonReply(200, TrackBatchResultJson(result));
//
// The body:  {"tracks": [{"id": "NAF-01", "time": "2026-11-25T10:00:00Z", "lat": 33.5,
//             "lng": 36.2, "alt_m": 9000, "gs_mps": 230, "trk_deg": 90, "vs_mps": -5,
//             "callsign": "NAF01"}, ...]}
// Units: degrees (WGS84), metres above the WGS84 ellipsoid, m/s, degrees clockwise from true
// north, m/s positive up; time RFC 3339 (common/time.h). "callsign" is optional (null = absent);
// every other member is required; unknown members are refused. Limits: feeds/track_report.h.
//
// A batch is judged report by report: a bad report is refused by its index and field
// ("tracks[17].lat") and the others are applied. Only a body that is not a batch at all (not
// an object, no "tracks" array, unknown top-level members, more than kMaxTracksPerBatch
// reports) is refused as a whole. Thread-safe (pure functions; the callbacks are the caller's).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/json.hpp"
#include "common/clock.h"
#include "common/ids.h"
#include "feeds/track_report.h"

namespace deconflict::api {

// At most this many reports per request. Note: 10,000 reports are about 1.5 MB of JSON, more
// than the HTTP layer's default 1 MiB body limit; the route needs its own limit.
inline constexpr size_t kMaxTracksPerBatch = 10'000;

// A report of the batch and its position in "tracks".
struct IndexedTrackReport {
  size_t index = 0;
  feeds::TrackReport report;
};

// A refused report: InvalidArgument (or the apply callback's error) whose field is the full
// path, e.g. "tracks[17].lat".
struct RefusedTrackReport {
  size_t index = 0;
  absl::Status status;
};

// A batch as read: the well-formed reports, in order, and those refused while reading.
struct TrackBatch {
  std::vector<IndexedTrackReport> reports;
  std::vector<RefusedTrackReport> refused;
};

// Reads a body. Each report's party is `party` (the caller's: ids are namespaced by party).
// Errors: InvalidArgument "body"/"tracks" when the body is not an object holding a "tracks"
// array or has other members; LimitExceeded("tracks") past kMaxTracksPerBatch reports. A report
// that is not an object, misses or mistypes a member, has an unknown member or a time that is
// not RFC 3339 is not an error of the batch: it goes to `refused`. Values are not range-checked
// here (ApplyTrackBatch does it, with the clock and the held tracks).
[[nodiscard]] absl::StatusOr<TrackBatch> ReadTrackBatch(const boost::json::value& body,
                                                        const PartyId& party);

struct TrackBatchResult {
  size_t accepted = 0;
  std::vector<RefusedTrackReport> refused;  // by increasing index
};

// Validates each read report in order (feeds::ValidateTrackReport at `now`, against
// `newest(id)`: the time of the newest report held for the caller's track `id`, nullopt when
// none) and hands the valid ones to `apply`. `apply` must make an applied report visible to
// `newest`, so that a batch holding two reports of one track is judged in order. An error from
// `apply` refuses the report too (its field, if any, prefixed with "tracks[i]"). Returns how
// many were applied and every refused report, those refused by ReadTrackBatch included.
TrackBatchResult ApplyTrackBatch(TrackBatch batch, Timestamp now,
                                 absl::FunctionRef<std::optional<Timestamp>(const TrackId&)> newest,
                                 absl::FunctionRef<absl::Status(feeds::TrackReport)> apply);

// The answer: {"accepted": 2, "refused": [{"index": 17, "field": "tracks[17].lat",
// "message": "tracks[17].lat: 91 is not in [-90, 90]"}]}. "field" is omitted when the error
// names none; messages are escaped and cut (EscapeForMessage) so the body stays valid UTF-8.
boost::json::value TrackBatchResultJson(const TrackBatchResult& result);

}  // namespace deconflict::api
