#include "ledger/entry.h"

#include <optional>
#include <vector>

#include "common/digest.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "ledger/hash.h"

namespace deconflict::ledger {
namespace {

constexpr char kHeader[] = "deconflict-entry/v1";

void AppendEscaped(std::string& out, std::string_view value) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (unsigned char c : value) {
    if (c < 0x21 || c > 0x7E || c == '%') {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = digit(text[i + 1]);
    const int lo = digit(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Formats with exactly six fractional digits, so that the time has one encoding.
std::string FormatTime(Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<microseconds> hms(t - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     hms.subseconds().count());
}

}  // namespace

std::string EncodeEntry(const Entry& entry) {
  std::string out;
  out.reserve(160 + entry.party.size() + entry.object_id.size());
  out += kHeader;
  out += "\nparty ";
  AppendEscaped(out, entry.party);
  out += "\naction ";
  AppendEscaped(out, entry.action);
  out += "\nobject ";
  AppendEscaped(out, entry.object_id);
  out += "\ndigest ";
  out += Hex(entry.content_digest);
  out += "\ntime ";
  out += FormatTime(entry.server_time);
  out += "\n";
  return out;
}

std::optional<std::string> EntryParty(std::string_view bytes) {
  constexpr std::string_view kPrefix = "party ";
  const std::string_view header = kHeader;
  if (bytes.size() <= header.size() || bytes.substr(0, header.size()) != header ||
      bytes[header.size()] != '\n') {
    return std::nullopt;
  }
  bytes.remove_prefix(header.size() + 1);
  const size_t nl = bytes.find('\n');
  if (nl == std::string_view::npos || bytes.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  return Unescape(bytes.substr(kPrefix.size(), nl - kPrefix.size()));
}

absl::StatusOr<Entry> DecodeEntry(std::string_view bytes) {
  auto bad = [](std::string_view line, std::string_view what) {
    return absl::InvalidArgumentError(fmt::format("entry line '{}': {}", line, what));
  };
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < bytes.size()) {
    const size_t nl = bytes.find('\n', start);
    if (nl == std::string_view::npos) {
      return absl::InvalidArgumentError("entry: the last line does not end with a newline");
    }
    lines.push_back(bytes.substr(start, nl - start));
    start = nl + 1;
  }
  static constexpr const char* kKeys[] = {"party", "action", "object", "digest", "time"};
  if (lines.size() != 6) {
    return absl::InvalidArgumentError(fmt::format("entry: {} lines, expected 6", lines.size()));
  }
  if (lines[0] != kHeader) return bad(lines[0], fmt::format("expected '{}'", kHeader));
  std::string values[5];
  for (size_t field_idx = 0; field_idx < 5; ++field_idx) {
    std::string_view line = lines[field_idx + 1];
    const std::string prefix = std::string(kKeys[field_idx]) + " ";
    if (line.substr(0, prefix.size()) != prefix) {
      return bad(line, fmt::format("expected '{}<value>'", prefix));
    }
    std::optional<std::string> value = Unescape(line.substr(prefix.size()));
    if (!value) return bad(line, "bad percent-escape");
    values[field_idx] = std::move(*value);
  }
  Entry entry{.party = values[0], .action = values[1], .object_id = values[2]};
  if (values[3].size() != 64) return bad(lines[4], "the digest is not 64 hex digits");
  std::optional<std::string> digest = FromHex(values[3]);
  if (!digest) return bad(lines[4], "the digest is not lowercase hex");
  entry.content_digest = *std::move(digest);
  absl::StatusOr<Timestamp> time = ParseRfc3339(values[4]);
  if (!time.ok()) return bad(lines[5], std::string(time.status().message()));
  entry.server_time = *time;
  if (EncodeEntry(entry) != bytes) {
    return absl::InvalidArgumentError("entry: not in canonical form (docs/ledger_format.md)");
  }
  return entry;
}

}  // namespace deconflict::ledger
