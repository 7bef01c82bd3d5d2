// common/time.h: RFC 3339 timestamps on the wire (design.md §5: UTC with 'Z').
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/clock.h"

namespace deconflict {

// Parses "2026-11-21T10:00:00Z" or with fractional seconds ("...:00.123456Z") or a numeric
// offset ("+02:00"), which is converted to UTC. Sub-microsecond digits are truncated.
// Returns InvalidArgument (message without field path) on anything else.
[[nodiscard]] absl::StatusOr<Timestamp> ParseRfc3339(std::string_view text);

// Formats as "2026-11-21T10:00:00Z", or with 6 fractional digits when not a whole second.
std::string FormatRfc3339(Timestamp t);

}  // namespace deconflict
