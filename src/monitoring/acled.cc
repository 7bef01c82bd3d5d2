#include "monitoring/acled.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstring>
#include <deque>
#include <iterator>
#include <optional>

#include "common/status.h"
#include "fmt/format.h"
#include "monitoring/taxonomy.h"

namespace deconflict::monitoring {
namespace {

// The current layout, in order; Column indexes it.
constexpr std::array<std::string_view, 31> kColumns = {
    "event_id_cnty", "event_date",     "year",     "time_precision", "disorder_type",
    "event_type",    "sub_event_type", "actor1",   "assoc_actor_1",  "inter1",
    "actor2",        "assoc_actor_2",  "inter2",   "interaction",    "civilian_targeting",
    "iso",           "region",         "country",  "admin1",         "admin2",
    "admin3",        "location",       "latitude", "longitude",      "geo_precision",
    "source",        "source_scale",   "notes",    "fatalities",     "tags",
    "timestamp"};

enum Column : int {
  kEventIdCnty,
  kEventDate,
  kYear,
  kTimePrecision,
  kDisorderType,
  kEventType,
  kSubEventType,
  kActor1,
  kAssocActor1,
  kInter1,
  kActor2,
  kAssocActor2,
  kInter2,
  kInteraction,
  kCivilianTargeting,
  kIso,
  kRegion,
  kCountry,
  kAdmin1,
  kAdmin2,
  kAdmin3,
  kLocation,
  kLatitude,
  kLongitude,
  kGeoPrecision,
  kSource,
  kSourceScale,
  kNotes,
  kFatalities,
  kTags,
  kTimestamp,
  kNumColumns
};
static_assert(kNumColumns == kColumns.size());

constexpr Column kRequired[] = {kEventIdCnty,   kEventType, kSubEventType, kEventDate,
                                kTimePrecision, kActor1,    kLatitude,     kLongitude,
                                kGeoPrecision,  kFatalities};

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// ---------------------------------------------------------------------------------------------
// RFC 4180 records, one at a time. Fields are views into the input, or (for quoted fields with
// '""') into pool_, which stays valid until the next call to Next.
class CsvReader {
 public:
  enum class Result { kEnd, kRecord, kError };

  CsvReader(std::string_view text, int64_t line) : text_(text), line_(line) {}

  // Skips empty lines and reads one record. kError: the record is malformed (error_field(),
  // error_message()); the reader has moved past it and can go on.
  Result Next();

  std::span<const std::string_view> fields() const { return fields_; }
  int64_t record_line() const { return record_line_; }
  size_t record_start() const { return record_start_; }
  size_t pos() const { return pos_; }
  void set_line(int64_t line) { line_ = line; }
  size_t error_field() const { return error_field_; }
  std::string_view error_message() const { return error_message_; }

 private:
  Result ReadQuoted();
  std::string_view Unescape(std::string_view raw);
  // Ends the record at the LF at `line_end`: the next one starts after it, on the next line.
  void EndLine(size_t line_end) {
    pos_ = line_end + 1;
    ++line_;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_;
  int64_t record_line_ = 0;
  size_t record_start_ = 0;
  std::vector<std::string_view> fields_;
  // A deque: its strings do not move when it grows, so views into earlier ones stay valid.
  std::deque<std::string> pool_;
  size_t pool_used_ = 0;
  size_t error_field_ = 0;
  std::string_view error_message_;
};

CsvReader::Result CsvReader::Next() {
  const size_t n = text_.size();
  while (pos_ < n && (text_[pos_] == '\n' ||
                      (text_[pos_] == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n'))) {
    pos_ += text_[pos_] == '\n' ? 1 : 2;
    ++line_;
  }
  if (pos_ >= n) return Result::kEnd;
  record_line_ = line_;
  record_start_ = pos_;
  fields_.clear();
  pool_used_ = 0;
  for (;;) {
    if (pos_ < n && text_[pos_] == '"') {
      if (Result r = ReadQuoted(); r != Result::kRecord) return r;
    } else {
      // Unquoted: up to the next ',' or line end; the common case, kept to one scan.
      const char* begin = text_.data() + pos_;
      const char* end = text_.data() + n;
      const char* at = begin;
      while (at != end && *at != ',' && *at != '\n') ++at;
      std::string_view value(begin, static_cast<size_t>(at - begin));
      if (at != end && *at == '\n' && !value.empty() && value.back() == '\r') {
        value.remove_suffix(1);
      }
      fields_.push_back(value);
      pos_ = static_cast<size_t>(at - text_.data());
      if (at == end) return Result::kRecord;
      if (*at == ',') {
        ++pos_;
        continue;
      }
      EndLine(pos_);
      return Result::kRecord;
    }
    // After a quoted field: the record goes on (','), ends, or is malformed.
    if (pos_ >= n) return Result::kRecord;
    const char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (c == '\n') {
      EndLine(pos_);
      return Result::kRecord;
    }
    if (c == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') {
      EndLine(pos_ + 1);
      return Result::kRecord;
    }
    error_field_ = fields_.size() - 1;
    error_message_ = "has text after its closing quote";
    const size_t line_end = text_.find('\n', pos_);
    if (line_end == std::string_view::npos) {
      pos_ = n;
    } else {
      EndLine(line_end);
    }
    return Result::kError;
  }
}

// At an opening quote: reads the field up to its closing quote, counting the line ends inside.
CsvReader::Result CsvReader::ReadQuoted() {
  const size_t start = pos_ + 1;
  bool escaped = false;
  size_t close = start;
  for (;;) {
    close = text_.find('"', close);
    if (close == std::string_view::npos) {
      line_ += std::count(text_.begin() + start, text_.end(), '\n');
      pos_ = text_.size();
      error_field_ = fields_.size();
      error_message_ = "has a quoted value that is not closed before the end of the input";
      return Result::kError;
    }
    if (close + 1 < text_.size() && text_[close + 1] == '"') {
      escaped = true;
      close += 2;
      continue;
    }
    break;
  }
  const std::string_view raw = text_.substr(start, close - start);
  line_ += std::count(raw.begin(), raw.end(), '\n');
  fields_.push_back(escaped ? Unescape(raw) : raw);
  pos_ = close + 1;
  return Result::kRecord;
}

std::string_view CsvReader::Unescape(std::string_view raw) {
  if (pool_used_ == pool_.size()) pool_.emplace_back();
  std::string& out = pool_[pool_used_++];
  out.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    out.push_back(raw[i]);
    if (raw[i] == '"') ++i;  // '""' -> '"' (ReadQuoted saw the pair)
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values.

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

template <typename T>
std::optional<T> ParseNumber(std::string_view text) {
  text = Trim(text);
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<unsigned> ParseDigits(std::string_view s, size_t min_size, size_t max_size) {
  if (s.size() < min_size || s.size() > max_size) return std::nullopt;
  unsigned value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

constexpr std::array<std::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

// "2025-05-16" or "16 May 2025" (month in full or its first three letters, any case).
std::optional<std::chrono::year_month_day> ParseDate(std::string_view text) {
  using namespace std::chrono;
  text = Trim(text);
  std::optional<unsigned> y, m, d;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    y = ParseDigits(text.substr(0, 4), 4, 4);
    m = ParseDigits(text.substr(5, 2), 2, 2);
    d = ParseDigits(text.substr(8, 2), 2, 2);
  } else {
    const size_t first = text.find(' ');
    const size_t last = text.rfind(' ');
    if (first == std::string_view::npos || first == last) return std::nullopt;
    d = ParseDigits(text.substr(0, first), 1, 2);
    y = ParseDigits(text.substr(last + 1), 4, 4);
    const std::string_view month = text.substr(first + 1, last - first - 1);
    for (size_t month_idx = 0; month_idx < kMonths.size(); ++month_idx) {
      if (EqualsIgnoreCase(month, kMonths[month_idx]) ||
          (month.size() == 3 && EqualsIgnoreCase(month, kMonths[month_idx].substr(0, 3)))) {
        m = static_cast<unsigned>(month_idx + 1);
      }
    }
  }
  if (!y || !m || !d) return std::nullopt;
  const year_month_day ymd{year(static_cast<int>(*y)), month(*m), day(*d)};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

// The ACLED column of a ValidateIncident field.
std::string ColumnOfField(std::string_view field) {
  if (field == "id") return "event_id_cnty";
  if (field == "occurred_at") return "event_date";
  if (field == "location.lat") return "latitude";
  if (field == "location.lng") return "longitude";
  if (field == "alleged_party") return "actor1";
  if (field == "target") return "actor2";
  if (field == "location_name") return "location";
  if (field.starts_with("fatalities")) return "fatalities";
  if (field.starts_with("sources")) return "source";
  if (field.starts_with("acled.")) return std::string(field.substr(6));
  return std::string(field);
}

// ---------------------------------------------------------------------------------------------
// Header and rows.

struct Header {
  std::array<int, kNumColumns> index;  // field index of each column; -1 when absent
  std::vector<std::string> names;      // every header field, trimmed and lower-cased
};

absl::StatusOr<Header> ReadHeader(CsvReader& reader) {
  const CsvReader::Result result = reader.Next();
  if (result == CsvReader::Result::kEnd) return InvalidField("header", "is missing (empty input)");
  if (result == CsvReader::Result::kError) {
    return InvalidField(
        "header", fmt::format("field {} {}", reader.error_field() + 1, reader.error_message()));
  }
  Header header;
  header.index.fill(-1);
  for (std::string_view raw : reader.fields()) {
    std::string name(Trim(raw));
    std::transform(name.begin(), name.end(), name.begin(), Lower);
    const auto known = std::find(kColumns.begin(), kColumns.end(), name);
    if (known != kColumns.end()) {
      int& at = header.index[static_cast<size_t>(known - kColumns.begin())];
      if (at >= 0) return InvalidField("header", fmt::format("names column {} twice", name));
      at = static_cast<int>(header.names.size());
    }
    header.names.push_back(std::move(name));
  }
  std::string missing;
  for (Column column : kRequired) {
    if (header.index[column] >= 0) continue;
    missing += missing.empty() ? "" : ", ";
    missing += kColumns[column];
  }
  if (!missing.empty()) {
    return InvalidField("header", fmt::format("lacks the required column(s) {}", missing));
  }
  return header;
}

struct Fault {
  std::string column;
  std::string message;
};

// Fills `r` from one record whose field count is the header's.
std::optional<Fault> MapRecord(const Header& header, std::span<const std::string_view> fields,
                               Timestamp now, IncidentRequest& r) {
  auto get = [&](Column c) -> std::string_view {
    const int at = header.index[c];
    return at < 0 ? std::string_view() : fields[static_cast<size_t>(at)];
  };
  auto fault = [](Column c, std::string message) {
    return Fault{std::string(kColumns[c]), std::move(message)};
  };

  // Date, precision codes, numbers.
  const std::optional<std::chrono::year_month_day> date = ParseDate(get(kEventDate));
  if (!date) return fault(kEventDate, "must be a date, YYYY-MM-DD or DD Month YYYY");
  r.occurred_at = Timestamp(std::chrono::sys_days(*date));
  if (const std::string_view year = Trim(get(kYear)); !year.empty()) {
    const std::optional<int> y = ParseNumber<int>(year);
    if (!y) return fault(kYear, "must be an integer");
    if (*y != static_cast<int>(date->year())) {
      return fault(
          kYear, fmt::format("is {} but event_date is in {}", *y, static_cast<int>(date->year())));
    }
  }
  const std::optional<int> time_precision = ParseNumber<int>(get(kTimePrecision));
  if (!time_precision) return fault(kTimePrecision, "must be 1, 2 or 3");
  r.time_precision = *time_precision;
  const std::optional<int> geo_precision = ParseNumber<int>(get(kGeoPrecision));
  if (!geo_precision) return fault(kGeoPrecision, "must be 1, 2 or 3");
  r.geo_precision = *geo_precision;
  const std::optional<double> lat = ParseNumber<double>(get(kLatitude));
  if (!lat) return fault(kLatitude, "must be a number in [-90, 90]");
  const std::optional<double> lng = ParseNumber<double>(get(kLongitude));
  if (!lng) return fault(kLongitude, "must be a number in [-180, 180]");
  r.location = {*lat, *lng};
  const std::optional<int64_t> fatalities = ParseNumber<int64_t>(get(kFatalities));
  if (!fatalities) return fault(kFatalities, "must be an integer >= 0");
  r.fatalities = {.best = *fatalities, .low = *fatalities, .high = *fatalities};

  // Texts, verbatim.
  r.id.assign(get(kEventIdCnty));
  r.event_type.assign(get(kEventType));
  r.sub_event_type.assign(get(kSubEventType));
  r.alleged_party.assign(get(kActor1));
  r.target.assign(get(kActor2));
  r.notes.assign(get(kNotes));
  r.admin1.assign(get(kAdmin1));
  r.admin2.assign(get(kAdmin2));
  r.location_name.assign(get(kLocation));
  for (std::string_view rest = get(kSource); !rest.empty();) {
    const size_t semicolon = rest.find(';');
    const std::string_view part = Trim(rest.substr(0, semicolon));
    if (!part.empty()) r.sources.emplace_back(part);
    if (semicolon == std::string_view::npos) break;
    rest.remove_prefix(semicolon + 1);
  }
  AcledExtras& a = r.acled;
  a.disorder_type.assign(get(kDisorderType));
  a.assoc_actor_1.assign(get(kAssocActor1));
  a.inter1.assign(get(kInter1));
  a.assoc_actor_2.assign(get(kAssocActor2));
  a.inter2.assign(get(kInter2));
  a.interaction.assign(get(kInteraction));
  a.civilian_targeting.assign(get(kCivilianTargeting));
  a.iso.assign(get(kIso));
  a.region.assign(get(kRegion));
  a.country.assign(get(kCountry));
  a.admin3.assign(get(kAdmin3));
  a.source_scale.assign(get(kSourceScale));
  a.tags.assign(get(kTags));
  a.timestamp.assign(get(kTimestamp));

  // The incident's own rules, named by column.
  if (absl::Status valid = ValidateIncident(r, now); !valid.ok()) {
    const std::string field = FieldOf(valid).value_or("");
    std::string_view message(valid.message().data(), valid.message().size());
    if (message.starts_with(field) && message.substr(field.size()).starts_with(": ")) {
      message.remove_prefix(field.size() + 2);
    }
    return Fault{ColumnOfField(field), std::string(message)};
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Writing.

void AppendValue(std::string_view value, std::string& out) {
  const bool quote = !value.empty() && (value.front() == ' ' || value.back() == ' ' ||
                                        value.find_first_of(",\"\r\n") != std::string_view::npos);
  if (!quote) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

std::span<const std::string_view> AcledColumns() { return kColumns; }

std::string AcledHeaderLine() {
  std::string line;
  for (std::string_view column : kColumns) {
    if (!line.empty()) line.push_back(',');
    line.append(column);
  }
  line.push_back('\n');
  return line;
}

absl::StatusOr<AcledBatch> ParseAcled(std::string_view csv, int64_t first_line, Timestamp now) {
  if (csv.starts_with(kBom)) csv.remove_prefix(kBom.size());
  CsvReader reader(csv, 1);
  ASSIGN_OR_RETURN(const Header header, ReadHeader(reader));
  reader.set_line(first_line);

  AcledBatch batch;
  // Line ends bound the record count from above (a quoted one may hold several).
  batch.rows.reserve(static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')));
  for (;;) {
    const CsvReader::Result result = reader.Next();
    if (result == CsvReader::Result::kEnd) break;
    const int64_t line = reader.record_line();
    const std::span<const std::string_view> fields = reader.fields();
    if (result == CsvReader::Result::kError) {
      const size_t at = reader.error_field();
      batch.errors.push_back({line, at < header.names.size() ? header.names[at] : "",
                              std::string(reader.error_message())});
      continue;
    }
    if (fields.size() != header.names.size()) {
      batch.errors.push_back(
          {line, fields.size() < header.names.size() ? header.names[fields.size()] : "",
           fmt::format("the record has {} fields; the header has {}", fields.size(),
                       header.names.size())});
      continue;
    }
    AcledRow& row = batch.rows.emplace_back();
    row.line = line;
    if (std::optional<Fault> fault = MapRecord(header, fields, now, row.request)) {
      batch.rows.pop_back();
      batch.errors.push_back({line, std::move(fault->column), std::move(fault->message)});
    }
  }
  return batch;
}

void AppendAcledCsvRow(const IncidentRequest& r, std::string_view tags, std::string& out) {
  const std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(r.occurred_at)};
  const int year = static_cast<int>(date.year());
  const std::string_view disorder_type = r.acled.disorder_type.empty()
                                             ? DisorderTypeOf(r.event_type, r.sub_event_type)
                                             : std::string_view(r.acled.disorder_type);
  auto text = [&out](std::string_view value) {
    AppendValue(value, out);
    out.push_back(',');
  };
  const AcledExtras& a = r.acled;
  text(r.id);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02},{},{},", year,
                 static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), year,
                 r.time_precision);
  for (std::string_view value :
       {disorder_type, std::string_view(r.event_type), std::string_view(r.sub_event_type),
        std::string_view(r.alleged_party), std::string_view(a.assoc_actor_1),
        std::string_view(a.inter1), std::string_view(r.target), std::string_view(a.assoc_actor_2),
        std::string_view(a.inter2), std::string_view(a.interaction),
        std::string_view(a.civilian_targeting), std::string_view(a.iso), std::string_view(a.region),
        std::string_view(a.country), std::string_view(r.admin1), std::string_view(r.admin2),
        std::string_view(a.admin3), std::string_view(r.location_name)}) {
    text(value);
  }
  // fmt's "{}" for a double is the shortest text that reads back to it.
  fmt::format_to(std::back_inserter(out), "{},{},{},", r.location.lat_deg, r.location.lng_deg,
                 r.geo_precision);
  std::string sources;
  for (const std::string& source : r.sources) {
    if (!sources.empty()) sources += "; ";
    sources += source;
  }
  text(sources);
  text(a.source_scale);
  text(r.notes);
  fmt::format_to(std::back_inserter(out), "{},", r.fatalities.best);
  text(tags);
  AppendValue(a.timestamp, out);
  out.push_back('\n');
}

std::string AcledCsvRow(const IncidentRequest& r, std::string_view tags) {
  std::string out;
  AppendAcledCsvRow(r, tags, out);
  return out;
}

absl::StatusOr<std::pair<std::string_view, std::vector<AcledChunk>>> SplitAcled(
    std::string_view csv, size_t rows) {
  if (rows == 0) return InvalidField("rows", "must be at least 1");
  const size_t bom = csv.starts_with(kBom) ? kBom.size() : 0;
  CsvReader reader(csv.substr(bom), 1);
  RETURN_IF_ERROR(ReadHeader(reader).status());
  const std::string_view header = csv.substr(0, bom + reader.pos());
  const std::string_view body = csv.substr(header.size());

  std::vector<AcledChunk> chunks;
  size_t in_chunk = rows;  // records in the last chunk; `rows` opens a new one
  while (reader.Next() != CsvReader::Result::kEnd) {
    const size_t start = reader.record_start() - (header.size() - bom);
    if (in_chunk == rows) {
      if (!chunks.empty()) {
        const std::string_view last = chunks.back().records;
        chunks.back().records =
            last.substr(0, start - static_cast<size_t>(last.data() - body.data()));
      }
      chunks.push_back({body.substr(start), reader.record_line()});
      in_chunk = 0;
    }
    ++in_chunk;
  }
  return std::pair{header, std::move(chunks)};
}

}  // namespace deconflict::monitoring
