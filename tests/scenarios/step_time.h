// tests/scenarios/step_time.h: the runner's time offsets ("+1h30m", "-30s", "-2d"), shared by
// the step files.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include "common/clock.h"
#include "common/time.h"

namespace deconflict::e2e {

// "+1h30m" -> 5400, "-30s" -> -30, "-2d" -> -172800.
inline int OffsetSeconds(const std::string& text) {
  const int sign = text.at(0) == '-' ? -1 : 1;
  size_t i = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  int total = 0;
  while (i < text.size()) {
    const size_t unit = text.find_first_of("dhms", i);
    if (unit == std::string::npos)
      throw std::invalid_argument("offset needs d, h, m or s: " + text);
    const int value = std::stoi(text.substr(i, unit - i));
    total += value * (text[unit] == 'd'   ? 86400
                      : text[unit] == 'h' ? 3600
                      : text[unit] == 'm' ? 60
                                          : 1);
    i = unit + 1;
  }
  return sign * total;
}

// RFC 3339 of now + the offset.
inline std::string TimeIn(const std::string& offset) {
  return FormatRfc3339(SystemClock().Now() + std::chrono::seconds(OffsetSeconds(offset)));
}

}  // namespace deconflict::e2e
