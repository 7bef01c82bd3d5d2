#include "ledger/entry.h"

#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace deconflict::ledger {
namespace {

Entry Sample() {
  return Entry{.party = "RU",
               .action = kActionOperationCreate,
               .object_id = "6f1c2e7a-0000-4000-8000-000000000001",
               .content_digest = std::string(32, '\xab'),
               .server_time = Timestamp(std::chrono::microseconds(1795258800123456))};
}

TEST(Entry, EncodingIsTheDocumentedText) {
  EXPECT_EQ(EncodeEntry(Sample()),
            "deconflict-entry/v1\n"
            "party RU\n"
            "action operation.create\n"
            "object 6f1c2e7a-0000-4000-8000-000000000001\n"
            "digest abababababababababababababababababababababababababababababababab\n"
            "time 2026-11-21T11:00:00.123456Z\n");
}

TEST(Entry, SpacesNewlinesAndPercentInFieldsAreEscaped) {
  Entry e = Sample();
  e.party = "Red Cross\n100%";
  const std::string bytes = EncodeEntry(e);
  EXPECT_NE(bytes.find("party Red%20Cross%0A100%25\n"), std::string::npos);
  auto decoded = DecodeEntry(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, e);
}

TEST(Entry, NonCanonicalEncodingsAreRefused) {
  const std::string good = EncodeEntry(Sample());
  EXPECT_TRUE(DecodeEntry(good).ok());
  std::string escaped_needlessly = good;
  escaped_needlessly.replace(escaped_needlessly.find("party RU"), 8, "party %52U");
  EXPECT_FALSE(DecodeEntry(escaped_needlessly).ok());
  std::string short_time = good;
  short_time.replace(short_time.find(".123456Z"), 8, ".123456000Z");
  EXPECT_FALSE(DecodeEntry(short_time).ok());
  EXPECT_FALSE(DecodeEntry(good.substr(0, good.size() - 1)).ok());  // no final newline
  EXPECT_FALSE(DecodeEntry(good + "extra\n").ok());
  std::string upper_digest = good;
  upper_digest.replace(upper_digest.find("digest ab"), 9, "digest AB");
  EXPECT_FALSE(DecodeEntry(upper_digest).ok());
}

TEST(Entry, PartyIsReadFromTheFirstTwoLines) {
  Entry e = Sample();
  e.party = "Red Cross\n100%";
  EXPECT_EQ(EntryParty(EncodeEntry(e)), e.party);
  EXPECT_EQ(EntryParty("deconflict-entry/v1\nparty RU\n"), "RU");
  EXPECT_EQ(EntryParty("entry 1"), std::nullopt);                            // not an entry
  EXPECT_EQ(EntryParty("deconflict-entry/v1\naction x\n"), std::nullopt);    // no party line
  EXPECT_EQ(EntryParty("deconflict-entry/v1\nparty RU"), std::nullopt);      // line not ended
  EXPECT_EQ(EntryParty("deconflict-entry/v1\nparty R%zz\n"), std::nullopt);  // bad escape
}

RC_GTEST_PROP(EntryProperty, ThePartyOfEveryEntryIsItsParty,
              (std::string party, std::string action)) {
  Entry e = Sample();
  e.party = party;
  e.action = action;
  RC_ASSERT(EntryParty(EncodeEntry(e)) == std::optional<std::string>(party));
}

RC_GTEST_PROP(EntryProperty, EveryEntryRoundTrips,
              (std::string party, std::string action, std::string object, uint64_t micros)) {
  Entry e{.party = party,
          .action = action,
          .object_id = object,
          .content_digest = std::string(32, static_cast<char>(micros & 0xFF)),
          // Any time from 1970 to the end of year 9999.
          .server_time = Timestamp(
              std::chrono::microseconds(static_cast<int64_t>(micros % 253402300800000000ULL)))};
  auto decoded = DecodeEntry(EncodeEntry(e));
  const bool same = decoded.ok() && *decoded == e;
  RC_ASSERT(same);
}

RC_GTEST_PROP(EntryProperty, FlippingAnyBitOfAnEncodingChangesOrBreaksIt, (uint32_t bit)) {
  const std::string good = EncodeEntry(Sample());
  std::string bad = good;
  bad[bit / 8 % bad.size()] ^= static_cast<char>(1 << (bit % 8));
  auto decoded = DecodeEntry(bad);
  const bool same = decoded.ok() && *decoded == Sample();
  RC_ASSERT(!same);
}

}  // namespace
}  // namespace deconflict::ledger
