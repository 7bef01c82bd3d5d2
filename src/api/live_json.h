// api/live_json.h: the JSON views of the live picture (live/picture.h) and of its events.
//
//   aircraft    {"party", "track", "time", "lat", "lng", "alt_m", "gs_mps", "trk_deg",
//                "vs_mps"}                                     (never a callsign)
//   prediction  {"at", "t_in_s", "t_out_s", "tcpa_s", "dcpa_m", "distance_m",
//                "vertical_separation_m"}: seconds from "at"; t_in_s null when the pair was
//                already in loss of separation with no end in sight, t_out_s null likewise
//   encounter   {"id", "state": "open"|"closed", "opened_at", "closed_at"?, "close_reason"?,
//                "parties": [a, b], "aircraft": [a, b], "prediction", "acknowledgements":
//                [{"party", "at", "signed", "key_id"?, "ledger_index"}], "object_digest" (hex:
//                what a signed acknowledgement signs), "ledger_index"}
//   track       {"party", "id", "time", "lat", "lng", "alt_m", "gs_mps", "trk_deg", "vs_mps",
//                "callsign"?, "own"}
//
// Thread-safe (pure functions).
#pragma once

#include "boost/json.hpp"
#include "events/event.h"
#include "live/picture.h"
#include "store/encounters_table.h"

namespace deconflict::api {

boost::json::object AircraftJson(const events::AircraftState& state);
boost::json::object PredictionJson(const events::EncounterPrediction& prediction);
// {"encounter", "opened_at", "aircraft", "prediction"}: the body of the encounter.* events.
boost::json::object AlertJson(const events::EncounterAlert& alert);
boost::json::object EncounterJson(const live::EncounterView& view);
boost::json::object VisibleTrackJson(const live::VisibleTrack& track);
boost::json::object TrackPointJson(const store::TrackPointRecord& point);
boost::json::object LiveStatsJson(const live::LiveStats& stats);

}  // namespace deconflict::api
