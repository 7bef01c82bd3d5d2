#include "common/digest.h"

#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace deconflict {
namespace {

using namespace std::string_view_literals;

// RFC 4648 §10: the same six inputs for every encoding.
constexpr std::string_view kRfc4648Inputs[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};

TEST(Sha256, KnownDigestsOfFips180Inputs) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), kSha256Size);
}

TEST(RandomBytes, HasTheAskedLengthAndDiffers) {
  EXPECT_EQ(RandomBytes(0), "");
  EXPECT_EQ(RandomBytes(32).size(), 32u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(Hex, Rfc4648Base16VectorsInLowerCase) {
  constexpr std::string_view kExpected[] = {"",         "66",         "666f",        "666f6f",
                                            "666f6f62", "666f6f6261", "666f6f626172"};
  for (size_t i = 0; i < std::size(kRfc4648Inputs); ++i) {
    EXPECT_EQ(Hex(kRfc4648Inputs[i]), kExpected[i]);
    EXPECT_EQ(FromHex(kExpected[i]), std::string(kRfc4648Inputs[i]));
  }
  EXPECT_EQ(Hex("\x00\xff\x10"sv), "00ff10");
  EXPECT_EQ(HexEncode("\x00\xff\x10"sv), "00ff10");  // the former name, same output
}

TEST(Hex, StrictDecodingRefusesNonCanonicalText) {
  EXPECT_EQ(FromHex("6"), std::nullopt);      // odd length
  EXPECT_EQ(FromHex("666F"), std::nullopt);   // upper case is not the canonical form
  EXPECT_EQ(FromHex("6g"), std::nullopt);     // outside the alphabet
  EXPECT_EQ(FromHex(" 66"), std::nullopt);    // whitespace
  EXPECT_EQ(FromHex("66\n"), std::nullopt);   // trailing whitespace
  EXPECT_EQ(FromHex("66:6f"), std::nullopt);  // separators
  EXPECT_EQ(FromHex("0x66"), std::nullopt);   // prefix
  EXPECT_EQ(FromHex("66\0"sv
                    "6"),
            std::nullopt);  // NUL inside
}

TEST(Base64, Rfc4648Vectors) {
  constexpr std::string_view kExpected[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                            "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (size_t i = 0; i < std::size(kRfc4648Inputs); ++i) {
    EXPECT_EQ(Base64(kRfc4648Inputs[i]), kExpected[i]);
    EXPECT_EQ(FromBase64(kExpected[i]), std::string(kRfc4648Inputs[i])) << kExpected[i];
  }
  EXPECT_EQ(Base64("\xfb\xff"), "+/8=");
  // The ledger's empty root, as docs/ledger_format.md and the shared test vectors write it.
  EXPECT_EQ(Base64(Sha256("")), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(Base64, StrictDecodingRefusesEverythingButTheCanonicalText) {
  const std::string_view refused[] = {
      "Zg",         // missing padding
      "Zg=",        // short padding
      "Zg===",      // extra padding
      "Z===",       // a lone character cannot encode a byte
      "=Zg=",       // padding first
      "Zh==",       // non-zero padding bits ("Zg==" is the canonical text of "f")
      "Zm9=",       // non-zero padding bits ("Zm8=")
      "Zm 9v",      // whitespace inside
      " Zm9v",      // leading whitespace
      "Zm9v\n",     // trailing newline
      "Zm9v\r\n",   // trailing CRLF
      "Zm9v=",      // trailing padding after a full group
      "Zg==Zg==",   // data after the padding
      "Zm9vYmFy!",  // trailing garbage
      "-_8=",       // the URL-safe alphabet
      "Zm9*",       // outside both alphabets
  };
  for (std::string_view text : refused) {
    EXPECT_EQ(FromBase64(text), std::nullopt) << "'" << text << "'";
  }
  EXPECT_EQ(FromBase64("Zm9\0"sv), std::nullopt);  // NUL inside
}

TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
  constexpr std::string_view kExpected[] = {"",       "Zg",      "Zm8",     "Zm9v",
                                            "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  for (size_t i = 0; i < std::size(kRfc4648Inputs); ++i) {
    EXPECT_EQ(Base64Url(kRfc4648Inputs[i]), kExpected[i]);
    EXPECT_EQ(FromBase64Url(kExpected[i]), std::string(kRfc4648Inputs[i])) << kExpected[i];
  }
  EXPECT_EQ(Base64Url("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");  // the former name, same output
  EXPECT_EQ(FromBase64Url("-_8"), "\xfb\xff");
}

TEST(Base64Url, StrictDecodingRefusesEverythingButTheCanonicalText) {
  const std::string_view refused[] = {
      "Zg==",    // padding
      "Zg=",     // padding
      "Z",       // 4k+1 characters cannot encode whole bytes
      "Zm9vY",   // 4k+1 characters
      "Zh",      // non-zero padding bits ("Zg" is canonical)
      "-_9",     // non-zero padding bits ("-_8" is canonical)
      "+/8",     // the standard alphabet
      "Zm 9v",   // whitespace inside
      "Zm9v\n",  // trailing newline
      " Zm9v",   // leading whitespace
      "Zm9v.",   // outside the alphabet
  };
  for (std::string_view text : refused) {
    EXPECT_EQ(FromBase64Url(text), std::nullopt) << "'" << text << "'";
  }
}

// Every byte string round-trips through every encoding, and the decoders accept the text they
// are given only when it is what the encoder writes (checked on every length mod 3 and all 256
// byte values).
TEST(Encodings, EveryByteStringRoundTrips) {
  for (size_t length = 0; length <= 100; ++length) {
    std::string bytes(length, '\0');
    for (size_t byte_idx = 0; byte_idx < length; ++byte_idx) {
      bytes[byte_idx] = static_cast<char>((length * 37 + byte_idx * 101) % 256);
    }
    EXPECT_EQ(FromHex(Hex(bytes)), bytes) << length;
    EXPECT_EQ(FromBase64(Base64(bytes)), bytes) << length;
    EXPECT_EQ(FromBase64Url(Base64Url(bytes)), bytes) << length;
    EXPECT_EQ(Hex(bytes).size(), 2 * length);
    EXPECT_EQ(Base64(bytes).size(), (length + 2) / 3 * 4);
    EXPECT_EQ(Base64Url(bytes).size(), (length * 4 + 2) / 3);
  }
  std::string all(256, '\0');
  for (int value = 0; value < 256; ++value) all[value] = static_cast<char>(value);
  EXPECT_EQ(FromHex(Hex(all)), all);
  EXPECT_EQ(FromBase64(Base64(all)), all);
  EXPECT_EQ(FromBase64Url(Base64Url(all)), all);
}

}  // namespace
}  // namespace deconflict
