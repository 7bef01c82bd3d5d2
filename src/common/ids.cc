#include "common/ids.h"

#include <cctype>
#include <cstring>

#include "common/digest.h"
#include "fmt/format.h"

namespace deconflict {

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

std::string NewUuid() {
  // libsodium's generator: thread-safe, and visible to ThreadSanitizer (Debian's Abseil random
  // pool is not instrumented).
  const std::string bytes = RandomBytes(16);
  uint64_t hi, lo;
  std::memcpy(&hi, bytes.data(), 8);
  std::memcpy(&lo, bytes.data() + 8, 8);
  hi = (hi & ~0xF000ull) | 0x4000ull;                            // version 4
  lo = (lo & ~(0xC000000000000000ull)) | 0x8000000000000000ull;  // variant 10
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

absl::StatusOr<PartyId> ParsePartyId(std::string_view text) {
  if (text.empty() || text.size() > 32) {
    return absl::InvalidArgumentError("party id must have 1 to 32 characters");
  }
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return absl::InvalidArgumentError(
          fmt::format("party id '{}' may contain only letters, digits, '-' and '_'", text));
    }
  }
  return PartyId(std::string(text));
}

}  // namespace deconflict
