#include "common/ids.h"

#include "gtest/gtest.h"

namespace deconflict {
namespace {

TEST(Ids, NewUuidIsCanonicalVersion4) {
  for (int i = 0; i < 100; ++i) {
    std::string id = NewUuid();
    ASSERT_TRUE(IsUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
  }
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("0123456789abcdef0123456789abcdef0123"));
}

TEST(Ids, PartyIdsAreShortCodes) {
  EXPECT_TRUE(ParsePartyId("UN-OCHA").ok());
  EXPECT_FALSE(ParsePartyId("").ok());
  EXPECT_FALSE(ParsePartyId("a b").ok());
  EXPECT_FALSE(ParsePartyId(std::string(33, 'x')).ok());
}

}  // namespace
}  // namespace deconflict
