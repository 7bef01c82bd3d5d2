#include "api/geojson.h"

#include <cmath>

#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::api {

namespace json = boost::json;

// One GeoJSON position [lng, lat] or [lng, lat, alt].
absl::StatusOr<geo::LatLng> PositionAt(const json::value& v, const std::string& path) {
  if (!v.is_array() || v.get_array().size() < 2 || v.get_array().size() > 3) {
    return InvalidField(path, "must be a position [longitude, latitude]");
  }
  ASSIGN_OR_RETURN(double lng, NumberAt(v.get_array()[0], path + "[0]"));
  ASSIGN_OR_RETURN(double lat, NumberAt(v.get_array()[1], path + "[1]"));
  if (std::abs(lng) > 180) return InvalidField(path + "[0]", "longitude must be in [-180, 180]");
  if (std::abs(lat) > 90) return InvalidField(path + "[1]", "latitude must be in [-90, 90]");
  return geo::LatLng{lat, lng};
}

absl::StatusOr<std::vector<geo::LatLng>> PositionsAt(const json::value& v,
                                                     const std::string& path) {
  if (!v.is_array()) return InvalidField(path, "must be an array of positions");
  std::vector<geo::LatLng> out;
  const json::array& a = v.get_array();
  if (a.size() > 1001) return LimitExceeded(path, "has more than 1,000 positions");
  for (size_t i = 0; i < a.size(); ++i) {
    ASSIGN_OR_RETURN(geo::LatLng p, PositionAt(a[i], fmt::format("{}[{}]", path, i)));
    out.push_back(p);
  }
  return out;
}

absl::StatusOr<std::vector<geo::LatLng>> RingOfPolygonAt(const json::value& coordinates,
                                                         const std::string& path) {
  if (!coordinates.is_array() || coordinates.get_array().empty()) {
    return InvalidField(path, "must be an array of linear rings");
  }
  if (coordinates.get_array().size() > 1) {
    return InvalidField(path + "[1]", "holes are not supported: send the outer ring only");
  }
  ASSIGN_OR_RETURN(std::vector<geo::LatLng> ring,
                   PositionsAt(coordinates.get_array()[0], path + "[0]"));
  if (ring.size() < 4 || !(ring.front() == ring.back())) {
    return InvalidField(path + "[0]",
                        "a linear ring needs 4 or more positions, the last equal to the first "
                        "(RFC 7946 §3.1.6)");
  }
  ring.pop_back();
  return ring;
}

}  // namespace deconflict::api
