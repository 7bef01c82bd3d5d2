// humanitarian/notification.h: what a humanitarian party files (issue 11): a protected site
// (hospital, warehouse, ...: a point or polygon with a buffer, valid over a window) or a movement
// (a convoy route, a line with a corridor, over a time window), with the parties that must be
// told of it. The typed request, its validation (errors name the JSON field of the API, so
// that api/humanitarian_json.cc can pass them on) and its geometry (ProtectedPlace: the exact
// test "does this operation volume come within the buffer during the window?").
//
//   NotificationRequest site{.kind = Kind::kSite, .id = "al-shifa", .category = "hospital", ...};
//   RETURN_IF_ERROR(ValidateNotification(site, clock.Now()));
//   ASSIGN_OR_RETURN(std::shared_ptr<const ProtectedPlace> place, ProtectedPlace::Make(site));
//   if (place->Meets(volume)) ...
//
// Geometry conventions are geo/volume.h's (S2 sphere, geodesic edges, closed sets). A site's
// footprint is its point or polygon grown by buffer_m; a movement's is every point within
// corridor_m of its route (a polyline of geodesic segments). A volume meets a place when its
// footprint comes within that distance (touching counts), at any altitude, and its half-open
// window overlaps the place's.
//
// Thread-safety: value types are thread-compatible; ProtectedPlace is immutable, thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "geo/volume.h"
#include "s2/mutable_s2shape_index.h"
#include "s2/s1chord_angle.h"
#include "s2/s2cap.h"

namespace deconflict::humanitarian {

enum class Kind { kSite, kMovement };
std::string_view KindName(Kind kind);  // "site", "movement"
// InvalidArgument naming `field` unless "site" or "movement".
[[nodiscard]] absl::StatusOr<Kind> ParseKind(std::string_view text, std::string_view field);

// Site categories, as the API spells them ("kind" of a site).
inline constexpr std::string_view kSiteCategories[] = {"hospital", "clinic",  "school", "warehouse",
                                                       "office",   "shelter", "camp",   "water",
                                                       "power",    "other"};

struct Geometry {
  enum class Type { kPoint, kPolygon, kLineString };
  Type type = Type::kPoint;
  // Point: one; polygon: its ring without the repeated closing vertex; line string: in order.
  std::vector<geo::LatLng> points;
  bool operator==(const Geometry&) const = default;
};
std::string_view GeometryTypeName(Geometry::Type type);  // "point", "polygon", "linestring"

struct NotificationLimits {
  size_t max_points = 1000;                  // Default: 1,000 vertices or route points.
  double max_buffer_m = 50000;               // Default: 50 km of buffer or corridor.
  std::chrono::hours max_window{24 * 1100};  // Default: valid at most ~3 years.
  size_t max_recipients = 200;               // Default: 200 parties.
  size_t max_text = 4096;                    // Default: 4 KiB of notes or markings.
  size_t max_name = 200;                     // Default: 200 bytes of name.
  int64_t max_vehicles = 10000;              // Default: 10,000 vehicles.
};

// A site or movement as filed (PUT /v1/sites/{id}, PUT /v1/movements/{id}).
struct NotificationRequest {
  Kind kind = Kind::kSite;
  std::string id;          // [a-z0-9][a-z0-9._-]{0,63}
  std::string category;    // sites: one of kSiteCategories; movements: empty
  std::string name;        // sites: required; movements: optional label
  Geometry geometry;       // sites: point or polygon; movements: line string
  double buffer_m = 0;     // sites' buffer_m (API default 300), movements' corridor_m (default 500)
  geo::TimeWindow window;  // sites: [valid_from, valid_to); movements: [time_start, time_end)
  std::vector<PartyId> recipients;              // sorted, distinct, not the notifier
  std::string notes;                            // sites, optional
  int64_t vehicles = -1;                        // movements, optional (-1: not given)
  std::string markings;                         // movements, optional
  std::optional<ChannelId> escalation_channel;  // hotline channel for overdue escalations
  bool operator==(const NotificationRequest&) const = default;
};

// The API's field names for `kind`.
struct FieldNames {
  std::string_view geometry, buffer, start, end;
};
FieldNames FieldsOf(Kind kind);

// Checks everything but the parties' existence (the service checks them against the store).
// Errors (each naming the field, e.g. "route", "valid_to", "recipients[2]"):
//   InvalidArgument  a malformed id, category, name, geometry, buffer, window, recipient or text
//   LimitExceeded    more than max_points points, or a text or recipient list over its limit
[[nodiscard]] absl::Status ValidateNotification(const NotificationRequest& request, Timestamp now,
                                                const NotificationLimits& limits = {});
// The id rule alone. InvalidArgument naming `field`.
[[nodiscard]] absl::Status CheckPlaceId(std::string_view id, std::string_view field = "id");

// The exact geometry of a place in time. Immutable; thread-safe.
class ProtectedPlace {
 public:
  // REQUIRES: ValidateNotification(request) OK. InvalidArgument naming the geometry field when
  // S2 refuses the shape (self-intersecting polygon, antipodal route points, ...).
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<const ProtectedPlace>> Make(
      const NotificationRequest& request);
  ProtectedPlace(const ProtectedPlace&) = delete;
  ProtectedPlace& operator=(const ProtectedPlace&) = delete;

  // True iff `volume`'s footprint comes within the buffer of the shape (closed) and its window
  // overlaps the place's (half-open). Altitude is not considered: a place is protected from any
  // altitude.
  bool Meets(const geo::Volume4D& volume) const;
  // The overlap to report when Meets: the volume's bounding rectangle clipped to the place's
  // buffered bound, the volume's altitude band, the common window. nullopt iff !Meets.
  std::optional<geo::Overlap> OverlapWith(const geo::Volume4D& volume) const;

  // A cap containing the shape grown by its buffer (the broad phase).
  const S2Cap& bound() const { return bound_; }
  const geo::TimeWindow& window() const { return window_; }

 private:
  ProtectedPlace() = default;
  MutableS2ShapeIndex index_;  // the point, polygon or polyline
  bool area_ = false;          // a polygon: its interior counts
  double buffer_m_ = 0;
  S2Cap bound_;
  geo::TimeWindow window_;
};

}  // namespace deconflict::humanitarian
