#include "humanitarian/notification.h"

#include <algorithm>
#include <cmath>

#include "common/status.h"
#include "fmt/format.h"
#include "s2/s2closest_edge_query.h"
#include "s2/s2latlng.h"
#include "s2/s2point_vector_shape.h"
#include "s2/s2polygon.h"
#include "s2/s2polyline.h"

namespace deconflict::humanitarian {
namespace {

bool ValidLatLng(const geo::LatLng& p) {
  return std::isfinite(p.lat_deg) && std::isfinite(p.lng_deg) && std::abs(p.lat_deg) <= 90 &&
         std::abs(p.lng_deg) <= 180;
}

S2Point PointOf(const geo::LatLng& p) {
  return S2LatLng::FromDegrees(p.lat_deg, p.lng_deg).Normalized().ToPoint();
}

absl::Status CheckText(std::string_view text, std::string_view field, size_t max) {
  if (text.size() > max) return LimitExceeded(field, fmt::format("is over {} bytes", max));
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\n' && c != '\t') {
      return InvalidField(field, "holds a control character");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckGeometry(const NotificationRequest& r, const NotificationLimits& limits) {
  const std::string_view field = FieldsOf(r.kind).geometry;
  const Geometry& g = r.geometry;
  using Type = Geometry::Type;
  if (r.kind == Kind::kSite && g.type == Type::kLineString) {
    return InvalidField(field, "must be a GeoJSON Point or Polygon");
  }
  if (r.kind == Kind::kMovement && g.type != Type::kLineString) {
    return InvalidField(field, "must be a GeoJSON LineString");
  }
  if (g.points.size() > limits.max_points) {
    return LimitExceeded(
        field, fmt::format("has {} points; at most {}", g.points.size(), limits.max_points));
  }
  const size_t least = g.type == Type::kPoint ? 1 : g.type == Type::kPolygon ? 3 : 2;
  if (g.points.size() < least || (g.type == Type::kPoint && g.points.size() != 1)) {
    return InvalidField(
        field, fmt::format("needs {} {}", g.type == Type::kPoint ? "exactly" : "at least", least) +
                   (least == 1 ? " position" : " positions"));
  }
  for (size_t i = 0; i < g.points.size(); ++i) {
    if (!ValidLatLng(g.points[i])) {
      return InvalidField(fmt::format("{}.coordinates[{}]", field, i),
                          "latitude must be in [-90, 90] and longitude in [-180, 180]");
    }
    if (i > 0 && g.points[i] == g.points[i - 1]) {
      return InvalidField(fmt::format("{}.coordinates[{}]", field, i),
                          "repeats the previous position");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view KindName(Kind kind) { return kind == Kind::kSite ? "site" : "movement"; }

absl::StatusOr<Kind> ParseKind(std::string_view text, std::string_view field) {
  if (text == "site") return Kind::kSite;
  if (text == "movement") return Kind::kMovement;
  return InvalidField(field, "must be site or movement");
}

std::string_view GeometryTypeName(Geometry::Type type) {
  switch (type) {
    case Geometry::Type::kPoint:
      return "point";
    case Geometry::Type::kPolygon:
      return "polygon";
    case Geometry::Type::kLineString:
      break;
  }
  return "linestring";
}

FieldNames FieldsOf(Kind kind) {
  if (kind == Kind::kSite) return {"location", "buffer_m", "valid_from", "valid_to"};
  return {"route", "corridor_m", "time_start", "time_end"};
}

absl::Status CheckPlaceId(std::string_view id, std::string_view field) {
  const bool ok = !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  }) && std::isalnum(static_cast<unsigned char>(id.front()));
  if (!ok) {
    return InvalidField(field,
                        "must be 1-64 of [a-z0-9._-] starting with a letter or digit (a UUID "
                        "does)");
  }
  if (id == "conflicts") return InvalidField(field, "'conflicts' is reserved");
  return absl::OkStatus();
}

absl::Status ValidateNotification(const NotificationRequest& r, Timestamp now,
                                  const NotificationLimits& limits) {
  const FieldNames f = FieldsOf(r.kind);
  RETURN_IF_ERROR(CheckPlaceId(r.id));
  if (r.kind == Kind::kSite) {
    if (std::find(std::begin(kSiteCategories), std::end(kSiteCategories), r.category) ==
        std::end(kSiteCategories)) {
      return InvalidField("kind",
                          "must be one of hospital, clinic, school, warehouse, office, shelter, "
                          "camp, water, power, other");
    }
    if (r.name.empty()) return InvalidField("name", "is empty");
  } else if (!r.category.empty()) {
    return InvalidField("kind", "a movement has no kind");
  }
  RETURN_IF_ERROR(CheckText(r.name, "name", limits.max_name));
  RETURN_IF_ERROR(CheckGeometry(r, limits));
  if (!std::isfinite(r.buffer_m) || r.buffer_m < 0 || r.buffer_m > limits.max_buffer_m) {
    return InvalidField(f.buffer, fmt::format("must be in [0, {}] metres", limits.max_buffer_m));
  }
  if (r.window.end <= r.window.start) {
    return InvalidField(f.end, fmt::format("must be after {}", f.start));
  }
  if (r.window.end <= now) return InvalidField(f.end, "is in the past");
  if (r.window.end - r.window.start > limits.max_window) {
    return InvalidField(f.end,
                        fmt::format("makes a window over {} days", limits.max_window.count() / 24));
  }
  if (r.recipients.empty()) return InvalidField("recipients", "must name at least one party");
  if (r.recipients.size() > limits.max_recipients) {
    return LimitExceeded("recipients", fmt::format("at most {} parties", limits.max_recipients));
  }
  for (size_t i = 0; i < r.recipients.size(); ++i) {
    const std::string field = fmt::format("recipients[{}]", i);
    if (absl::Status s = ParsePartyId(r.recipients[i].value()).status(); !s.ok()) {
      return InvalidField(field, std::string(s.message()));
    }
    if (i > 0 && !(r.recipients[i - 1] < r.recipients[i])) {
      return InvalidField(field, "must be sorted and distinct");
    }
  }
  RETURN_IF_ERROR(CheckText(r.notes, "notes", limits.max_text));
  RETURN_IF_ERROR(CheckText(r.markings, "markings", limits.max_text));
  if (r.kind == Kind::kSite && (r.vehicles != -1 || !r.markings.empty())) {
    return InvalidField(r.vehicles != -1 ? "vehicles" : "markings", "is for movements only");
  }
  if (r.kind == Kind::kMovement && !r.notes.empty()) {
    return InvalidField("notes", "is for sites only");
  }
  if (r.vehicles < -1 || r.vehicles > limits.max_vehicles) {
    return InvalidField("vehicles", fmt::format("must be in [0, {}]", limits.max_vehicles));
  }
  return absl::OkStatus();
}

// ---- ProtectedPlace ---------------------------------------------------------------------------

absl::StatusOr<std::shared_ptr<const ProtectedPlace>> ProtectedPlace::Make(
    const NotificationRequest& r) {
  std::shared_ptr<ProtectedPlace> place(new ProtectedPlace());
  const std::string_view field = FieldsOf(r.kind).geometry;
  std::vector<S2Point> points;
  points.reserve(r.geometry.points.size());
  for (const geo::LatLng& p : r.geometry.points) points.push_back(PointOf(p));
  S2Cap shape_bound;
  switch (r.geometry.type) {
    case Geometry::Type::kPoint:
      shape_bound = S2Cap::FromPoint(points.front());
      place->index_.Add(std::make_unique<S2PointVectorShape>(points));
      break;
    case Geometry::Type::kPolygon: {
      auto loop = std::make_unique<S2Loop>(points, S2Debug::DISABLE);
      loop->Normalize();  // the smaller region, either winding (geo/volume.h)
      S2Error error;
      if (loop->FindValidationError(&error)) {
        return InvalidField(fmt::format("{}.coordinates", field),
                            fmt::format("is not a simple polygon: {}", error.text()));
      }
      auto polygon = std::make_unique<S2Polygon>(std::move(loop));
      shape_bound = polygon->GetCapBound();
      place->index_.Add(std::make_unique<S2Polygon::OwningShape>(std::move(polygon)));
      place->area_ = true;
      break;
    }
    case Geometry::Type::kLineString: {
      for (size_t i = 1; i < points.size(); ++i) {
        if (points[i] == -points[i - 1]) {
          return InvalidField(fmt::format("{}.coordinates[{}]", field, i),
                              "is antipodal to the previous position");
        }
      }
      auto line = std::make_unique<S2Polyline>(points, S2Debug::DISABLE);
      shape_bound = line->GetCapBound();
      place->index_.Add(std::make_unique<S2Polyline::OwningShape>(std::move(line)));
      break;
    }
  }
  place->index_.ForceBuild();
  place->buffer_m_ = r.buffer_m;
  // Grown by the buffer and 1 m, so that the broad phase never misses what the exact test finds.
  place->bound_ = shape_bound.Expanded(S1Angle(geo::MetersToChordAngle(r.buffer_m + 1)));
  place->window_ = r.window;
  return place;
}

bool ProtectedPlace::Meets(const geo::Volume4D& v) const {
  if (!(v.time().start < window_.end && window_.start < v.time().end)) return false;
  if (!bound_.Intersects(v.BoundingCap())) return false;
  S2ClosestEdgeQuery query(&index_);
  query.mutable_options()->set_include_interiors(area_);
  if (const S2Polygon* polygon = v.s2_polygon(); polygon != nullptr) {
    S2ClosestEdgeQuery::ShapeIndexTarget target(&polygon->index());
    target.set_include_interiors(true);
    return query.IsDistanceLessOrEqual(&target, geo::MetersToChordAngle(buffer_m_));
  }
  const auto& circle = std::get<geo::Circle>(v.footprint());
  S2ClosestEdgeQuery::PointTarget target(v.s2_cap().center());
  return query.IsDistanceLessOrEqual(&target, geo::MetersToChordAngle(buffer_m_ + circle.radius_m));
}

std::optional<geo::Overlap> ProtectedPlace::OverlapWith(const geo::Volume4D& v) const {
  if (!Meets(v)) return std::nullopt;
  S2LatLngRect rect = v.BoundingRect().Intersection(bound_.GetRectBound());
  if (rect.is_empty()) rect = v.BoundingRect();  // conservative bounds that only touch
  return geo::Overlap{
      .rect = rect,
      .altitude = v.altitude(),
      .time = {std::max(v.time().start, window_.start), std::min(v.time().end, window_.end)}};
}

}  // namespace deconflict::humanitarian
