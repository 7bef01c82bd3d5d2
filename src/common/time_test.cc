#include "common/time.h"

#include "gtest/gtest.h"

namespace deconflict {
namespace {

using namespace std::chrono;

TEST(Rfc3339, RoundTripsWholeSeconds) {
  auto t = ParseRfc3339("2026-11-21T10:00:00Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-21T10:00:00Z");
  EXPECT_EQ(t->time_since_epoch(), duration_cast<microseconds>(seconds(1795255200)));
}

TEST(Rfc3339, KeepsMicrosecondsAndConvertsOffsets) {
  auto a = ParseRfc3339("2026-11-21T12:00:00.5+02:00");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(FormatRfc3339(*a), "2026-11-21T10:00:00.500000Z");
}

TEST(Rfc3339, RefusesMalformedText) {
  for (const char* bad :
       {"", "2026-11-21", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-21T10:00:00",
        "2026-11-21T25:00:00Z", "2026-11-21T10:00:00Zjunk", "2026-11-21T10:00:00.Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace deconflict
