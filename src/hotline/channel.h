// hotline/channel.h: the value types of the hotline (hotline.h) and the checks of what a client
// sends: priorities, deadlines as ISO 8601 durations, channel and message requests. Pure
// functions; every error is InvalidArgument (or LimitExceeded for the body's size) naming the
// field, as the API answers it.
//
//   ASSIGN_OR_RETURN(Priority p, ParsePriority("flash"));
//   ASSIGN_OR_RETURN(std::chrono::microseconds d, ParseIsoDuration("PT2M", "deadlines.flash"));
//
// Thread-safe (pure functions, value types).
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/ids.h"

namespace deconflict::hotline {

enum class Priority { kFlash = 0, kImmediate = 1, kPriority = 2, kRoutine = 3 };
inline constexpr std::array<Priority, 4> kPriorities = {Priority::kFlash, Priority::kImmediate,
                                                        Priority::kPriority, Priority::kRoutine};

// "flash", "immediate", "priority", "routine".
std::string_view PriorityName(Priority priority);
// The name above (exactly, lower case). InvalidArgument naming `field` otherwise.
[[nodiscard]] absl::StatusOr<Priority> ParsePriority(std::string_view text,
                                                     std::string_view field = "priority");

// An ISO 8601 duration of days, hours, minutes and seconds: "P1D", "PT2M", "PT1H30M",
// "PT0.5S" (seconds may have up to 6 decimals; no years, months or weeks: they have no fixed
// length). InvalidArgument naming `field` otherwise, and unless kMinDeadline <= d <= kMaxDeadline.
inline constexpr std::chrono::microseconds kMinDeadline = std::chrono::seconds(1);
inline constexpr std::chrono::microseconds kMaxDeadline = std::chrono::days(30);
[[nodiscard]] absl::StatusOr<std::chrono::microseconds> ParseIsoDuration(std::string_view text,
                                                                         std::string_view field);
// The shortest form ParseIsoDuration reads back: "PT2M", "PT24H", "PT1.5S".
std::string FormatIsoDuration(std::chrono::microseconds d);

// How long the recipients of a message have to acknowledge it, by priority.
struct Deadlines {
  // Defaults: flash 2 min, immediate 10 min, priority 1 h, routine 24 h.
  std::array<std::chrono::microseconds, 4> by_priority = {
      std::chrono::minutes(2), std::chrono::minutes(10), std::chrono::hours(1),
      std::chrono::hours(24)};
  std::chrono::microseconds of(Priority p) const { return by_priority[static_cast<size_t>(p)]; }
  bool operator==(const Deadlines&) const = default;
};

// Limits of what a client sends.
inline constexpr size_t kMaxChannelIdSize = 64;
inline constexpr size_t kMaxNameSize = 200;  // channel name
inline constexpr size_t kMaxMembers = 64;
inline constexpr size_t kMaxSubjectSize = 256;  // bytes
inline constexpr size_t kMaxBodySize = 64 * 1024;
inline constexpr size_t kMaxRefs = 32;
inline constexpr size_t kMaxRefSize = 128;
inline constexpr size_t kMaxReasonSize = 1024;

// POST /v1/channels.
struct ChannelRequest {
  ChannelId id;  // 1-64 of [A-Za-z0-9._-]: it appears in "<channel>/<seq>" object ids
  std::string name;
  std::vector<PartyId> members;  // sorted and distinct after ValidateChannelRequest
  std::optional<ChannelId> escalation_channel;
  Deadlines deadlines;
};

// POST /v1/channels/{id}/messages.
struct MessageRequest {
  ChannelId channel;
  MessageId id;  // a UUID, lower-cased by ValidateMessageRequest
  Priority priority = Priority::kRoutine;
  std::string subject;
  std::string body;
  std::vector<std::string> refs;  // ids of operations, encounters, messages ...
};

// The id's grammar. InvalidArgument naming `field`.
[[nodiscard]] absl::Status CheckChannelId(std::string_view id, std::string_view field = "id");
// Checks the fields and puts members in order ("members[2]: ..." names the bad one): id, name
// (1-200 bytes, no control characters), members (2-64 party ids, no repeat), the escalation
// channel's id (not the channel itself).
[[nodiscard]] absl::Status ValidateChannelRequest(ChannelRequest& request);
// id (a UUID), subject (1-256 bytes, no control characters), body (not empty; over 64 KiB:
// LimitExceeded naming "body"), refs (at most 32, each 1-128 printable ASCII without ',' or
// spaces). Lower-cases the id.
[[nodiscard]] absl::Status ValidateMessageRequest(MessageRequest& request);
// A suspension's reason: 1-1024 bytes, no control characters but newlines.
[[nodiscard]] absl::Status CheckReason(std::string_view reason);

}  // namespace deconflict::hotline
