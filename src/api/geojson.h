// api/geojson.h: reading GeoJSON (RFC 7946) positions and polygons from request bodies, strictly
// and naming the field of every error. Positions are [longitude, latitude] (an optional third
// number, an altitude, is ignored); a linear ring is closed (its last position equals its
// first) and is returned without the closing position.
//
//   ASSIGN_OR_RETURN(std::vector<geo::LatLng> ring, PolygonRingAt(value, "content.area"));
//
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/json.hpp"
#include "geo/volume.h"

namespace deconflict::api {

// One position [lng, lat] or [lng, lat, alt]: InvalidField(path) otherwise.
[[nodiscard]] absl::StatusOr<geo::LatLng> PositionAt(const boost::json::value& v,
                                                     const std::string& path);
// An array of at most 1,001 positions (LimitExceeded above).
[[nodiscard]] absl::StatusOr<std::vector<geo::LatLng>> PositionsAt(const boost::json::value& v,
                                                                   const std::string& path);
// The coordinates of a Polygon, one closed ring and no holes, at `path` (its "coordinates"
// array): the ring without its closing position. Errors name "<path>[1]" for a hole and
// "<path>[0]" for a ring that is not closed or has fewer than 4 positions.
[[nodiscard]] absl::StatusOr<std::vector<geo::LatLng>> RingOfPolygonAt(
    const boost::json::value& coordinates, const std::string& path);

}  // namespace deconflict::api
