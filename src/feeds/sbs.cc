#include "feeds/sbs.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>

#include "common/status.h"
#include "common/text.h"
#include "fmt/format.h"

namespace deconflict::feeds {
namespace {

// 0-based positions of the fields (the header numbers them from 1).
enum Field : int {
  kType = 0,
  kTransmission = 1,
  kHexIdent = 4,
  kDateGenerated = 6,
  kTimeGenerated = 7,
  kDateLogged = 8,
  kTimeLogged = 9,
  kCallsign = 10,
  kAltitude = 11,
  kGroundSpeed = 12,
  kTrack = 13,
  kLat = 14,
  kLon = 15,
  kVerticalRate = 16,
  kSquawk = 17,
  kAlert = 18,
  kEmergency = 19,
  kSpi = 20,
  kOnGround = 21,
};

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Digits only, at most 9 of them (so the int never overflows).
std::optional<int> ParseDigits(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// A plain decimal number: [-]digits[.digits] or [-].digits. std::from_chars alone would also
// take "nan", "inf" and exponents, none of which the format writes.
absl::StatusOr<std::optional<double>> ParseNumber(std::string_view text, const char* field,
                                                  double lo, double hi) {
  if (text.empty()) return std::optional<double>();
  size_t pos = text[0] == '-' ? 1 : 0;
  size_t digits = 0, dots = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    if (IsDigit(text[i])) {
      ++digits;
    } else if (text[i] == '.') {
      ++dots;
    } else {
      digits = 0;
      break;
    }
  }
  double value = 0;
  if (digits == 0 || dots > 1 ||
      std::from_chars(text.data(), text.data() + text.size(), value).ptr !=
          text.data() + text.size() ||
      !std::isfinite(value)) {
    return InvalidField(field, fmt::format("{} is not a decimal number", QuoteForMessage(text)));
  }
  if (!(value >= lo && value <= hi)) {
    return InvalidField(field, fmt::format("{} is not in [{}, {}]", value, lo, hi));
  }
  return std::optional<double>(value);
}

absl::StatusOr<std::optional<bool>> ParseFlag(std::string_view text, const char* field) {
  if (text.empty()) return std::optional<bool>();
  if (text == "0") return std::optional<bool>(false);
  if (text == "-1" || text == "1") return std::optional<bool>(true);
  return InvalidField(field, fmt::format("{} is not -1, 0 or 1", QuoteForMessage(text)));
}

// "YYYY/MM/DD" and "HH:MM:SS[.f...]" (1 to 9 fractional digits, kept to the microsecond).
absl::StatusOr<std::optional<Timestamp>> ParseDateTime(std::string_view date, std::string_view time,
                                                       const char* date_field,
                                                       const char* time_field) {
  if (date.empty() && time.empty()) return std::optional<Timestamp>();
  if (date.empty()) return InvalidField(date_field, "is empty but the time is not");
  if (time.empty()) return InvalidField(time_field, "is empty but the date is not");
  std::optional<int> year, month, day;
  if (date.size() == 10 && date[4] == '/' && date[7] == '/') {
    year = ParseDigits(date.substr(0, 4));
    month = ParseDigits(date.substr(5, 2));
    day = ParseDigits(date.substr(8, 2));
  }
  const std::chrono::year_month_day ymd{std::chrono::year(year.value_or(0)),
                                        std::chrono::month(month.value_or(0)),
                                        std::chrono::day(day.value_or(0))};
  if (!year || !month || !day || !ymd.ok()) {
    return InvalidField(date_field,
                        fmt::format("{} is not a date YYYY/MM/DD", QuoteForMessage(date)));
  }
  std::optional<int> hours, minutes, seconds, micros = 0;
  if (time.size() >= 8 && time[2] == ':' && time[5] == ':') {
    hours = ParseDigits(time.substr(0, 2));
    minutes = ParseDigits(time.substr(3, 2));
    seconds = ParseDigits(time.substr(6, 2));
    if (time.size() > 8) {
      const std::string_view fraction = time.substr(9);
      micros = time[8] == '.' && fraction.size() <= 9 ? ParseDigits(fraction) : std::nullopt;
      if (micros) {
        for (size_t digit = fraction.size(); digit < 6; ++digit) *micros *= 10;
        for (size_t digit = 6; digit < fraction.size(); ++digit) *micros /= 10;
      }
    }
  }
  // Seconds up to 60 let a leap second through (it reads as the next minute's first second).
  if (!hours || !minutes || !seconds || !micros || *hours > 23 || *minutes > 59 || *seconds > 60) {
    return InvalidField(time_field,
                        fmt::format("{} is not a time HH:MM:SS.fff", QuoteForMessage(time)));
  }
  return std::optional<Timestamp>(std::chrono::sys_days(ymd) + std::chrono::hours(*hours) +
                                  std::chrono::minutes(*minutes) + std::chrono::seconds(*seconds) +
                                  std::chrono::microseconds(*micros));
}

absl::StatusOr<SbsMessageType> ParseType(std::string_view text) {
  if (text == "MSG") return SbsMessageType::kMsg;
  if (text == "SEL") return SbsMessageType::kSel;
  if (text == "ID") return SbsMessageType::kId;
  if (text == "AIR") return SbsMessageType::kAir;
  if (text == "STA") return SbsMessageType::kSta;
  if (text == "CLK") return SbsMessageType::kClk;
  return InvalidField("message_type", fmt::format("{} is not MSG, SEL, ID, AIR, STA or CLK",
                                                  QuoteForMessage(text)));
}

absl::StatusOr<std::string> ParseHexIdent(std::string_view text) {
  std::string hex;
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '~') {
    hex = "~";
    digits.remove_prefix(1);
  }
  bool ok = digits.size() == 6;
  for (char c : digits) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    ok = ok && (IsDigit(c) || (c >= 'A' && c <= 'F'));
    hex.push_back(c);
  }
  if (!ok) {
    return InvalidField("hex_ident", fmt::format("{} is not a 24-bit address of 6 hex digits",
                                                 QuoteForMessage(text)));
  }
  return hex;
}

absl::StatusOr<std::string> ParseCallsign(std::string_view text) {
  bool printable = true;
  for (char c : text) printable = printable && c >= 0x20 && c <= 0x7e;
  if (!printable || text.size() > 8) {
    return InvalidField("callsign", fmt::format("{} is not at most 8 printable ASCII characters",
                                                QuoteForMessage(text)));
  }
  return std::string(text);
}

absl::StatusOr<std::string> ParseSquawk(std::string_view text) {
  bool ok = text.empty() || text.size() == 4;
  for (char c : text) ok = ok && c >= '0' && c <= '7';
  if (!ok) {
    return InvalidField("squawk", fmt::format("{} is not 4 octal digits", QuoteForMessage(text)));
  }
  return std::string(text);
}

// Splits into at most kSbsMaxFields fields; InvalidField("line") when there are more.
absl::StatusOr<std::array<std::string_view, kSbsMaxFields>> Split(std::string_view line,
                                                                  int* count) {
  std::array<std::string_view, kSbsMaxFields> fields{};
  *count = 0;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    const std::string_view field = line.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (*count == kSbsMaxFields) {
      return InvalidField("line", fmt::format("has more than {} fields", kSbsMaxFields));
    }
    fields[(*count)++] = Trim(field);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

}  // namespace

absl::StatusOr<SbsMessage> ParseSbsLine(std::string_view line) {
  if (line.size() > kSbsMaxLineBytes) {
    return InvalidField("line", fmt::format("{} bytes, at most {}", line.size(), kSbsMaxLineBytes));
  }
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find('\0') != std::string_view::npos) return InvalidField("line", "has a NUL byte");
  int count = 0;
  ASSIGN_OR_RETURN(const auto fields, Split(line, &count));
  if (count < kHexIdent + 1) {
    return InvalidField("line", fmt::format("has {} fields, at least {}", count, kHexIdent + 1));
  }

  SbsMessage message;
  ASSIGN_OR_RETURN(message.type, ParseType(fields[kType]));
  const std::string_view transmission = fields[kTransmission];
  if (message.type == SbsMessageType::kMsg) {
    const std::optional<int> value = ParseDigits(transmission);
    if (!value || *value < 1 || *value > 8) {
      return InvalidField("transmission_type",
                          fmt::format("{} is not 1..8", QuoteForMessage(transmission)));
    }
    message.transmission_type = *value;
  } else if (!transmission.empty()) {
    return InvalidField("transmission_type", "must be empty for a message type other than MSG");
  }
  ASSIGN_OR_RETURN(message.hex_ident, ParseHexIdent(fields[kHexIdent]));
  ASSIGN_OR_RETURN(message.generated, ParseDateTime(fields[kDateGenerated], fields[kTimeGenerated],
                                                    "date_generated", "time_generated"));
  ASSIGN_OR_RETURN(message.logged, ParseDateTime(fields[kDateLogged], fields[kTimeLogged],
                                                 "date_logged", "time_logged"));
  // Past this point only MSG fields are read: in STA lines field 11 is a status ("RM"), and
  // the other types end at field 11.
  if (message.type == SbsMessageType::kSta) return message;

  std::string_view callsign = fields[kCallsign];
  while (!callsign.empty() && callsign.back() == ' ') callsign.remove_suffix(1);
  ASSIGN_OR_RETURN(message.callsign, ParseCallsign(callsign));
  ASSIGN_OR_RETURN(message.altitude_ft, ParseNumber(fields[kAltitude], "altitude", -5000, 150000));
  ASSIGN_OR_RETURN(message.ground_speed_kt,
                   ParseNumber(fields[kGroundSpeed], "ground_speed", 0, 4000));
  ASSIGN_OR_RETURN(message.track_deg, ParseNumber(fields[kTrack], "track", 0, 360));
  ASSIGN_OR_RETURN(message.lat_deg, ParseNumber(fields[kLat], "lat", -90, 90));
  ASSIGN_OR_RETURN(message.lon_deg, ParseNumber(fields[kLon], "lon", -180, 180));
  if (message.lat_deg.has_value() != message.lon_deg.has_value()) {
    return InvalidField(message.lat_deg ? "lon" : "lat",
                        "is empty but the other coordinate is not");
  }
  ASSIGN_OR_RETURN(message.vertical_rate_fpm,
                   ParseNumber(fields[kVerticalRate], "vertical_rate", -100000, 100000));
  ASSIGN_OR_RETURN(message.squawk, ParseSquawk(fields[kSquawk]));
  ASSIGN_OR_RETURN(message.alert, ParseFlag(fields[kAlert], "alert"));
  ASSIGN_OR_RETURN(message.emergency, ParseFlag(fields[kEmergency], "emergency"));
  ASSIGN_OR_RETURN(message.spi, ParseFlag(fields[kSpi], "spi"));
  ASSIGN_OR_RETURN(message.on_ground, ParseFlag(fields[kOnGround], "is_on_ground"));
  return message;
}

}  // namespace deconflict::feeds
