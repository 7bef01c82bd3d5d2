#include "sim/track_csv.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "common/ids.h"
#include "fmt/format.h"

namespace deconflict::sim {
namespace {

constexpr int kColumns = 8;
constexpr const char* kColumnNames[kColumns] = {"id",    "party",  "lat",     "lon",
                                                "alt_m", "gs_mps", "trk_deg", "vs_mps"};

struct Range {
  double lo, hi;
};
// Accepted ranges of the numeric columns 2..7 (trk_deg only has to be finite).
constexpr Range kRanges[kColumns] = {{0, 0},          {0, 0},    {-90, 90},   {-180, 180},
                                     {-2000, 100000}, {0, 2000}, {-1e9, 1e9}, {-1000, 1000}};

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

absl::StatusOr<double> ParseNumber(std::string_view text, Range range) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return absl::InvalidArgumentError(fmt::format("'{}' is not a finite number", text));
  }
  if (value < range.lo || value > range.hi) {
    return absl::InvalidArgumentError(
        fmt::format("{} is not in [{}, {}]", value, range.lo, range.hi));
  }
  return value;
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

absl::StatusOr<TrackRecord> ParseRecord(std::string_view line, int line_number) {
  std::string_view fields[kColumns];
  int count = 0;
  if (!SplitFields(line, fields, count)) {
    return LineError(
        line_number, "record",
        fmt::format("has {} fields, expected {} ({})", count, kColumns, kTrackCsvHeader));
  }
  TrackRecord record;
  if (absl::Status id_ok = CheckId(fields[0]); !id_ok.ok()) {
    return LineError(line_number, "id", MessageOf(id_ok));
  }
  record.id = std::string(fields[0]);
  if (auto party = ParsePartyId(fields[1]); !party.ok()) {
    return LineError(line_number, "party", MessageOf(party.status()));
  }
  record.party = std::string(fields[1]);
  double* numbers[kColumns] = {nullptr,       nullptr,        &record.lat_deg, &record.lon_deg,
                               &record.alt_m, &record.gs_mps, &record.trk_deg, &record.vs_mps};
  for (int column = 2; column < kColumns; ++column) {
    absl::StatusOr<double> value = ParseNumber(fields[column], kRanges[column]);
    if (!value.ok()) return LineError(line_number, kColumnNames[column], MessageOf(value.status()));
    *numbers[column] = *value;
  }
  return record;
}

}  // namespace

absl::Status WriteTrackCsv(const std::vector<TrackRecord>& tracks, std::ostream& out) {
  out << kTrackCsvHeader << '\n';
  std::string line;
  for (size_t record_idx = 0; record_idx < tracks.size(); ++record_idx) {
    const TrackRecord& t = tracks[record_idx];
    line = fmt::format("{},{},{},{},{},{},{},{}", t.id, t.party, t.lat_deg, t.lon_deg, t.alt_m,
                       t.gs_mps, t.trk_deg, t.vs_mps);
    // Validate by reading back what a reader would see (line numbers count the header).
    if (absl::StatusOr<TrackRecord> back = ParseRecord(line, static_cast<int>(record_idx) + 2);
        !back.ok()) {
      return absl::InvalidArgumentError(fmt::format("record {} (id '{}') cannot be written: {}",
                                                    record_idx, t.id, MessageOf(back.status())));
    }
    out << line << '\n';
  }
  out.flush();
  if (!out) return absl::InternalError("write failed");
  return absl::OkStatus();
}

absl::Status WriteTrackCsvFile(const std::vector<TrackRecord>& tracks, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::NotFoundError(fmt::format("cannot open '{}' for writing", path));
  absl::Status status = WriteTrackCsv(tracks, out);
  if (!status.ok()) return status;
  out.close();
  if (!out) return absl::InternalError(fmt::format("cannot write '{}'", path));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TrackRecord>> ReadTrackCsv(std::istream& in) {
  std::vector<TrackRecord> tracks;
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
    absl::StatusOr<TrackRecord> record = ParseRecord(line, line_number);
    if (!record.ok()) return record.status();
    if (!ids.insert(record->id).second) {
      return LineError(line_number, "id", fmt::format("'{}' appears twice", record->id));
    }
    tracks.push_back(*std::move(record));
  }
  if (in.bad()) return absl::InternalError("read failed");
  if (!header_seen)
    return LineError(1, "header", fmt::format("missing; expected '{}'", kTrackCsvHeader));
  return tracks;
}

absl::StatusOr<std::vector<TrackRecord>> ReadTrackCsvFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(fmt::format("cannot open '{}'", path));
  return ReadTrackCsv(in);
}

}  // namespace deconflict::sim
