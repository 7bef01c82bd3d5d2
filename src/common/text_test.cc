#include "common/text.h"

#include <string>

#include "boost/json.hpp"
#include "gtest/gtest.h"

namespace deconflict {
namespace {

TEST(QuoteForMessage, KeepsPrintableTextAndEscapesQuotes) {
  EXPECT_EQ(QuoteForMessage("op-1"), "\"op-1\"");
  EXPECT_EQ(QuoteForMessage("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(QuoteForMessage("Zürich"), "\"Zürich\"");
}

TEST(QuoteForMessage, EscapesControlCharactersAndInvalidUtf8) {
  EXPECT_EQ(QuoteForMessage(std::string("a\0b", 3)), "\"a\\u0000b\"");
  EXPECT_EQ(QuoteForMessage("\x1b[2J"), "\"\\u001B[2J\"");
  EXPECT_EQ(QuoteForMessage("\xC2\x85"), "\"\\u0085\"");      // C1 NEL
  EXPECT_EQ(QuoteForMessage("\xE2\x80\xAE"), "\"\\u202E\"");  // right-to-left override
  EXPECT_EQ(QuoteForMessage("\xff\xfe"), "\"\\xFF\\xFE\"");
  EXPECT_EQ(QuoteForMessage("\xC0\xAF"), "\"\\xC0\\xAF\"");           // overlong '/'
  EXPECT_EQ(QuoteForMessage("\xED\xA0\x80"), "\"\\xED\\xA0\\x80\"");  // surrogate
  EXPECT_EQ(QuoteForMessage("\xE2\x82"), "\"\\xE2\\x82\"");           // truncated sequence
}

TEST(QuoteForMessage, TruncatesLongInputAndSaysHowLong) {
  const std::string id(60 * 1024, 'a');
  const std::string quoted = QuoteForMessage(id);
  EXPECT_EQ(quoted, "\"" + std::string(64, 'a') + "\"\u2026(61440 bytes)");
  EXPECT_EQ(QuoteForMessage(std::string(64, 'b')), "\"" + std::string(64, 'b') + "\"");
}

TEST(QuoteForMessage, AlwaysGivesValidUtf8ThatJsonCarries) {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
  for (size_t max_chars : {size_t{1}, size_t{64}, size_t{1000}}) {
    const std::string quoted = QuoteForMessage(all_bytes, max_chars);
    EXPECT_TRUE(IsValidUtf8(quoted)) << quoted;
    EXPECT_FALSE(FindControlCharacter(quoted).has_value()) << quoted;
    // Boost.JSON refuses invalid UTF-8 in strings by default: the message survives a round trip.
    const std::string json = boost::json::serialize(boost::json::value(quoted));
    EXPECT_EQ(boost::json::parse(json).as_string(), quoted);
  }
}

TEST(EscapeForMessage, LeavesCleanMessagesAloneAndCleansTheRest) {
  EXPECT_EQ(EscapeForMessage("extents[0].lat: must be a number \"x\"", 100),
            "extents[0].lat: must be a number \"x\"");
  EXPECT_EQ(EscapeForMessage("no operation \xff\x1b", 100), "no operation \\xFF\\u001B");
  EXPECT_EQ(EscapeForMessage(std::string(2000, 'a'), 10), "aaaaaaaaaa\u2026(2000 bytes)");
}

TEST(Utf8, ValidatesPerRfc3629) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x9B\xA9"));   // U+1F6E9
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\x80"));  // overlong NUL
}

TEST(Utf8, FindsControlCharacters) {
  EXPECT_EQ(FindControlCharacter("abc"), std::nullopt);
  EXPECT_EQ(FindControlCharacter(std::string("ab\0", 3)), 2u);
  EXPECT_EQ(FindControlCharacter("a\x7f"), 1u);
  EXPECT_EQ(FindControlCharacter("\xC3\xA9\xC2\x9B"), 2u);  // é then C1 CSI
  EXPECT_EQ(FindControlCharacter("\xff"), std::nullopt);
}

}  // namespace
}  // namespace deconflict
