#include "feeds/track_assembler.h"

#include <cmath>
#include <utility>

#include "common/status.h"

namespace deconflict::feeds {
namespace {

constexpr double kMetresPerFoot = 0.3048;        // exact (international foot)
constexpr double kMpsPerKnot = 1852.0 / 3600.0;  // exact (international nautical mile)
constexpr double kMpsPerFootPerMinute = 0.3048 / 60.0;

}  // namespace

TrackAssembler::TrackAssembler(TrackAssemblerOptions options) : options_(std::move(options)) {}

std::optional<TrackReport> TrackAssembler::AddLine(std::string_view line, Timestamp received_at) {
  ++counters_.lines;
  absl::StatusOr<SbsMessage> message = ParseSbsLine(line);
  if (!message.ok()) {
    ++counters_.bad_lines;
    ++counters_.bad_lines_by_field[FieldOf(message.status()).value_or("line")];
    return std::nullopt;
  }
  return Add(*message, received_at);
}

bool TrackAssembler::Fresh(const std::optional<Timestamp>& piece_time, Timestamp now) const {
  if (!piece_time.has_value()) return false;
  const std::chrono::duration<double> age = now - *piece_time;
  // Both ways: with generated times a held piece may be newer than the message being added.
  return std::abs(age.count()) <= options_.max_partial_age.count();
}

std::optional<TrackReport> TrackAssembler::Add(const SbsMessage& message, Timestamp received_at) {
  // When: the receiver's clock or ours.
  Timestamp now = received_at;
  if (options_.time_source == SbsTimeSource::kGenerated) {
    if (!message.generated.has_value()) {
      ++counters_.bad_lines;
      ++counters_.bad_lines_by_field["date_generated"];
      return std::nullopt;
    }
    now = *message.generated + options_.generated_utc_offset;
  }
  const bool has_position = message.lat_deg.has_value();
  const bool has_velocity = message.ground_speed_kt.has_value() && message.track_deg.has_value();
  const bool contributes = has_position || has_velocity || message.altitude_ft.has_value() ||
                           message.vertical_rate_fpm.has_value() || !message.callsign.empty();
  // ID lines ("an aircraft set or changed its callsign") carry only a callsign; the other
  // non-MSG types describe the receiver's user interface, not the aircraft.
  const bool aircraft_message =
      message.type == SbsMessageType::kMsg || message.type == SbsMessageType::kId;
  if (!aircraft_message || !contributes) {
    ++counters_.ignored_lines;
    return std::nullopt;
  }

  auto it = aircraft_.find(message.hex_ident);
  if (it == aircraft_.end()) {
    if (aircraft_.size() >= options_.max_aircraft) {
      ++counters_.aircraft_over_limit;
      return std::nullopt;
    }
    it = aircraft_.emplace(message.hex_ident, Aircraft{}).first;
  }
  Aircraft& aircraft = it->second;
  if (now > aircraft.newest) aircraft.newest = now;
  // Each piece moves forward only.
  auto update = [now](auto& piece, auto value) {
    if (!piece.time.has_value() || *piece.time <= now) {
      piece.value = value;
      piece.time = now;
    }
  };
  if (!message.callsign.empty()) aircraft.callsign = message.callsign;
  if (has_position) update(aircraft.position, Position{*message.lat_deg, *message.lon_deg});
  if (message.altitude_ft) update(aircraft.alt_m, *message.altitude_ft * kMetresPerFoot);
  if (has_velocity) {
    // The parser allows 360; the engine's convention is [0, 360).
    const double track = *message.track_deg >= 360 ? 0.0 : *message.track_deg;
    update(aircraft.velocity, Velocity{*message.ground_speed_kt * kMpsPerKnot, track});
  }
  if (message.vertical_rate_fpm) {
    update(aircraft.vertical_rate_mps, *message.vertical_rate_fpm * kMpsPerFootPerMinute);
  }

  const bool kinematic = has_position || has_velocity || message.altitude_ft.has_value() ||
                         message.vertical_rate_fpm.has_value();
  if (!kinematic || !Fresh(aircraft.position.time, now) || !Fresh(aircraft.alt_m.time, now) ||
      !Fresh(aircraft.velocity.time, now)) {
    return std::nullopt;
  }
  TrackReport report;
  tactical::Track& track = report.track;
  track.party = options_.party;
  track.id = TrackId(it->first);
  track.time = *aircraft.position.time;
  track.lat_deg = aircraft.position.value.lat_deg;
  track.lon_deg = aircraft.position.value.lon_deg;
  track.alt_m = aircraft.alt_m.value;
  track.ground_speed_mps = aircraft.velocity.value.ground_speed_mps;
  track.track_deg = aircraft.velocity.value.track_deg;
  track.vertical_rate_mps =
      Fresh(aircraft.vertical_rate_mps.time, now) ? aircraft.vertical_rate_mps.value : 0.0;
  report.callsign = aircraft.callsign;
  ++counters_.reports;
  return report;
}

size_t TrackAssembler::Expire(Timestamp now) {
  const auto cutoff =
      now - std::chrono::duration_cast<std::chrono::microseconds>(options_.max_partial_age);
  size_t forgotten = 0;
  for (auto it = aircraft_.begin(); it != aircraft_.end();) {
    if (it->second.newest < cutoff) {
      aircraft_.erase(it++);  // flat_hash_map's erase(iterator) returns void
      ++forgotten;
    } else {
      ++it;
    }
  }
  return forgotten;
}

}  // namespace deconflict::feeds
