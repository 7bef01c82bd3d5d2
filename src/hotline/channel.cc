#include "hotline/channel.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/status.h"
#include "common/text.h"
#include "fmt/format.h"

namespace deconflict::hotline {
namespace {

constexpr std::array<std::string_view, 4> kPriorityNames = {"flash", "immediate", "priority",
                                                            "routine"};

absl::Status CheckText(std::string_view text, std::string_view field, size_t most) {
  if (text.empty()) return InvalidField(field, "must not be empty");
  if (text.size() > most) return InvalidField(field, fmt::format("must be at most {} bytes", most));
  if (FindControlCharacter(text)) return InvalidField(field, "must not hold control characters");
  return absl::OkStatus();
}

}  // namespace

std::string_view PriorityName(Priority priority) {
  return kPriorityNames[static_cast<size_t>(priority)];
}

absl::StatusOr<Priority> ParsePriority(std::string_view text, std::string_view field) {
  for (Priority p : kPriorities) {
    if (PriorityName(p) == text) return p;
  }
  return InvalidField(field, "must be flash, immediate, priority or routine");
}

absl::StatusOr<std::chrono::microseconds> ParseIsoDuration(std::string_view text,
                                                           std::string_view field) {
  const std::string form =
      "must be an ISO 8601 duration of days, hours, minutes and seconds, e.g. PT2M, PT1H30M, P1D";
  if (text.size() < 3 || text.size() > 40 || text[0] != 'P') return InvalidField(field, form);
  std::string_view rest = text.substr(1);
  int64_t us = 0;
  bool in_time = false, any = false;
  // Designators must come in this order, each at most once: D, then T, then H, M, S.
  constexpr std::string_view kOrder = "DHMS";
  size_t last_unit = 0;
  while (!rest.empty()) {
    if (rest[0] == 'T') {
      if (in_time) return InvalidField(field, form);
      in_time = true;
      rest.remove_prefix(1);
      if (rest.empty()) return InvalidField(field, form);
      continue;
    }
    // A number: digits, and for seconds an optional fraction of up to 6 digits.
    size_t end = 0;
    while (end < rest.size() && std::isdigit(static_cast<unsigned char>(rest[end]))) ++end;
    size_t frac_end = end;
    if (frac_end < rest.size() && rest[frac_end] == '.') {
      ++frac_end;
      while (frac_end < rest.size() && std::isdigit(static_cast<unsigned char>(rest[frac_end])))
        ++frac_end;
    }
    if (end == 0 || end > 9 || frac_end >= rest.size()) return InvalidField(field, form);
    const char unit = rest[frac_end];
    const size_t unit_idx = kOrder.find(unit);
    if (unit_idx == std::string_view::npos || (unit == 'D') == in_time ||
        (any && unit_idx <= last_unit) || (frac_end != end && unit != 'S') || frac_end - end > 7) {
      return InvalidField(field, form);
    }
    int64_t whole = 0;
    std::from_chars(rest.data(), rest.data() + end, whole);
    constexpr std::array<int64_t, 4> kUnitUs = {86'400'000'000, 3'600'000'000, 60'000'000,
                                                1'000'000};
    us += whole * kUnitUs[unit_idx];
    if (frac_end > end + 1) {
      std::string digits(rest.substr(end + 1, frac_end - end - 1));
      digits.resize(6, '0');
      us += std::stoll(digits);
    }
    any = true;
    last_unit = unit_idx;
    rest.remove_prefix(frac_end + 1);
  }
  if (!any) return InvalidField(field, form);
  const std::chrono::microseconds d(us);
  if (d < kMinDeadline || d > kMaxDeadline) {
    return InvalidField(field, "must be between 1 second (PT1S) and 30 days (P30D)");
  }
  return d;
}

std::string FormatIsoDuration(std::chrono::microseconds d) {
  int64_t us = d.count();
  // Whole days from two on read as days (P2D); anything else as hours and less (PT24H, PT1H30M).
  if (us % 86'400'000'000 == 0 && us >= 2 * 86'400'000'000) {
    return fmt::format("P{}D", us / 86'400'000'000);
  }
  std::string out = "PT";
  if (const int64_t h = us / 3'600'000'000; h > 0) out += fmt::format("{}H", h);
  us %= 3'600'000'000;
  if (const int64_t m = us / 60'000'000; m > 0) out += fmt::format("{}M", m);
  us %= 60'000'000;
  if (us > 0 || out == "PT") {
    if (us % 1'000'000 == 0) {
      out += fmt::format("{}S", us / 1'000'000);
    } else {
      std::string frac = fmt::format("{:06}", us % 1'000'000);
      while (frac.back() == '0') frac.pop_back();
      out += fmt::format("{}.{}S", us / 1'000'000, frac);
    }
  }
  return out;
}

absl::Status CheckChannelId(std::string_view id, std::string_view field) {
  if (id.empty() || id.size() > kMaxChannelIdSize) {
    return InvalidField(field, "must have 1 to 64 characters");
  }
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return InvalidField(field, "may contain only A-Z, a-z, 0-9, '.', '_' and '-'");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateChannelRequest(ChannelRequest& request) {
  RETURN_IF_ERROR(CheckChannelId(request.id.value(), "id"));
  RETURN_IF_ERROR(CheckText(request.name, "name", kMaxNameSize));
  if (request.members.size() < 2 || request.members.size() > kMaxMembers) {
    return InvalidField("members", "must list 2 to 64 parties");
  }
  for (size_t i = 0; i < request.members.size(); ++i) {
    if (absl::StatusOr<PartyId> p = ParsePartyId(request.members[i].value()); !p.ok()) {
      return InvalidField(fmt::format("members[{}]", i), std::string(p.status().message()));
    }
    for (size_t j = 0; j < i; ++j) {
      if (request.members[j] == request.members[i]) {
        return InvalidField(fmt::format("members[{}]", i),
                            fmt::format("repeats {}", request.members[i].value()));
      }
    }
  }
  std::sort(request.members.begin(), request.members.end());
  if (request.escalation_channel) {
    RETURN_IF_ERROR(CheckChannelId(request.escalation_channel->value(), "escalation_channel"));
    if (*request.escalation_channel == request.id) {
      return InvalidField("escalation_channel", "must be another channel");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateMessageRequest(MessageRequest& request) {
  if (!IsUuid(request.id.value())) return InvalidField("id", "must be a UUID (8-4-4-4-12 hex)");
  std::string id = request.id.value();
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  request.id = MessageId(std::move(id));
  RETURN_IF_ERROR(CheckText(request.subject, "subject", kMaxSubjectSize));
  if (request.body.empty()) return InvalidField("body", "must not be empty");
  if (request.body.size() > kMaxBodySize) {
    return LimitExceeded("body", fmt::format("is {} bytes; at most {} (64 KiB) are allowed",
                                             request.body.size(), kMaxBodySize));
  }
  if (request.refs.size() > kMaxRefs) return InvalidField("refs", "must have at most 32 ids");
  for (size_t i = 0; i < request.refs.size(); ++i) {
    const std::string& ref = request.refs[i];
    const bool printable = std::all_of(ref.begin(), ref.end(),
                                       [](char c) { return c > 0x20 && c < 0x7f && c != ','; });
    if (ref.empty() || ref.size() > kMaxRefSize || !printable) {
      return InvalidField(fmt::format("refs[{}]", i),
                          "must be 1 to 128 printable ASCII characters without spaces or ','");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckReason(std::string_view reason) {
  if (reason.empty()) return InvalidField("reason", "must not be empty");
  if (reason.size() > kMaxReasonSize) return InvalidField("reason", "must be at most 1024 bytes");
  for (char c : reason) {
    if (c != '\n' && (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)) {
      return InvalidField("reason", "must not hold control characters");
    }
  }
  return absl::OkStatus();
}

}  // namespace deconflict::hotline
