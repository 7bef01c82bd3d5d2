#include "sim/track_csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "common/ids.h"
#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::sim {
namespace {

constexpr int kColumns = 8;

// The numeric columns 2..7 and the Track fields they map to. Their ranges are the Track's own
// (tactical::ValidateTrack), so the CSV states no second set of limits.
struct NumberColumn {
  const char* name;
  const char* field;
  double tactical::Track::*member;
};
constexpr NumberColumn kNumberColumns[] = {
    {"lat", "lat_deg", &tactical::Track::lat_deg},
    {"lon", "lon_deg", &tactical::Track::lon_deg},
    {"alt_m", "alt_m", &tactical::Track::alt_m},
    {"gs_mps", "ground_speed_mps", &tactical::Track::ground_speed_mps},
    {"trk_deg", "track_deg", &tactical::Track::track_deg},
    {"vs_mps", "vertical_rate_mps", &tactical::Track::vertical_rate_mps},
};

// Debian's Abseil has its own string_view: copy status messages out as std::string.
std::string MessageOf(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

absl::Status LineError(int line, std::string_view column, std::string_view what) {
  return absl::InvalidArgumentError(fmt::format("line {}: {}: {}", line, column, what));
}

absl::Status CheckId(std::string_view id) {
  if (id.empty() || id.size() > 64)
    return absl::InvalidArgumentError("must have 1 to 64 characters");
  for (char c : id) {
    if (c == ',' || c == '"' || std::isspace(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(fmt::format("'{}' contains ',', '\"' or a space", id));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<double> ParseNumber(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not a finite number", text));
  }
  return value;
}

// The CSV column of a Track field named by ValidateTrack ("lat_deg" -> "lat").
std::string_view ColumnOf(std::string_view field) {
  for (const NumberColumn& column : kNumberColumns) {
    if (field == column.field) return column.name;
  }
  return field;
}

// Splits `line` at commas into exactly kColumns fields; false otherwise.
bool SplitFields(std::string_view line, std::string_view (&fields)[kColumns], int& count) {
  count = 0;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    std::string_view field = line.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (count < kColumns) fields[count] = field;
    ++count;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return count == kColumns;
}

absl::StatusOr<tactical::Track> ParseRecord(std::string_view line, int line_number, Timestamp at) {
  std::string_view fields[kColumns];
  int count = 0;
  if (!SplitFields(line, fields, count)) {
    return LineError(
        line_number, "record",
        fmt::format("has {} fields, expected {} ({})", count, kColumns, kTrackCsvHeader));
  }
  tactical::Track record;
  record.time = at;
  if (absl::Status id_ok = CheckId(fields[0]); !id_ok.ok()) {
    return LineError(line_number, "id", MessageOf(id_ok));
  }
  record.id = TrackId(std::string(fields[0]));
  absl::StatusOr<PartyId> party = ParsePartyId(fields[1]);
  if (!party.ok()) return LineError(line_number, "party", MessageOf(party.status()));
  record.party = *std::move(party);
  for (int column = 2; column < kColumns; ++column) {
    const NumberColumn& number = kNumberColumns[column - 2];
    absl::StatusOr<double> value = ParseNumber(fields[column]);
    if (!value.ok()) return LineError(line_number, number.name, MessageOf(value.status()));
    record.*number.member = *value;
  }
  if (absl::Status valid = tactical::ValidateTrack(record); !valid.ok()) {
    // ValidateTrack's message is "<field>: <what>": name the column instead.
    std::string field = FieldOf(valid).value_or("record");
    std::string message = MessageOf(valid);
    std::string_view what = message;
    if (what.starts_with(field + ": ")) what.remove_prefix(field.size() + 2);
    return LineError(line_number, ColumnOf(field), what);
  }
  return record;
}

}  // namespace

absl::Status WriteTrackCsv(const std::vector<tactical::Track>& tracks, std::ostream& out) {
  out << kTrackCsvHeader << '\n';
  std::string line;
  for (size_t record_idx = 0; record_idx < tracks.size(); ++record_idx) {
    const tactical::Track& t = tracks[record_idx];
    line = fmt::format("{},{},{},{},{},{},{},{}", t.id.value(), t.party.value(), t.lat_deg,
                       t.lon_deg, t.alt_m, t.ground_speed_mps, t.track_deg, t.vertical_rate_mps);
    // Validate by reading back what a reader would see (line numbers count the header).
    if (absl::StatusOr<tactical::Track> back =
            ParseRecord(line, static_cast<int>(record_idx) + 2, t.time);
        !back.ok()) {
      return absl::InvalidArgumentError(fmt::format("record {} (id '{}') cannot be written: {}",
                                                    record_idx, t.id.value(),
                                                    MessageOf(back.status())));
    }
    out << line << '\n';
  }
  out.flush();
  if (!out) return absl::InternalError("write failed");
  return absl::OkStatus();
}

absl::Status WriteTrackCsvFile(const std::vector<tactical::Track>& tracks,
                               const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::NotFoundError(fmt::format("cannot open '{}' for writing", path));
  absl::Status status = WriteTrackCsv(tracks, out);
  if (!status.ok()) return status;
  out.close();
  if (!out) return absl::InternalError(fmt::format("cannot write '{}'", path));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<tactical::Track>> ReadTrackCsv(std::istream& in, Timestamp at) {
  std::vector<tactical::Track> tracks;
  absl::flat_hash_set<std::string> ids;
  std::string line;
  int line_number = 0;
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!header_seen) {
      if (line != kTrackCsvHeader) {
        return LineError(
            line_number, "header",
            fmt::format("expected '{}', got '{}'", kTrackCsvHeader, line.substr(0, 200)));
      }
      header_seen = true;
      continue;
    }
    if (line.empty()) continue;
    absl::StatusOr<tactical::Track> record = ParseRecord(line, line_number, at);
    if (!record.ok()) return record.status();
    if (!ids.insert(record->id.value()).second) {
      return LineError(line_number, "id", fmt::format("'{}' appears twice", record->id.value()));
    }
    tracks.push_back(*std::move(record));
  }
  if (in.bad()) return absl::InternalError("read failed");
  if (!header_seen)
    return LineError(1, "header", fmt::format("missing; expected '{}'", kTrackCsvHeader));
  return tracks;
}

absl::StatusOr<std::vector<tactical::Track>> ReadTrackCsvFile(const std::string& path,
                                                              Timestamp at) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("cannot open '{}'", path));
  return ReadTrackCsv(in, at);
}

}  // namespace deconflict::sim
