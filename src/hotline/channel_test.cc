#include "hotline/channel.h"

#include "common/status.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace deconflict::hotline {
namespace {

using namespace std::chrono_literals;

TEST(IsoDuration, ReadsDaysHoursMinutesAndSeconds) {
  EXPECT_EQ(*ParseIsoDuration("PT2M", "d"), 2min);
  EXPECT_EQ(*ParseIsoDuration("PT1H30M", "d"), 90min);
  EXPECT_EQ(*ParseIsoDuration("P1D", "d"), 24h);
  EXPECT_EQ(*ParseIsoDuration("P1DT1S", "d"), 24h + 1s);
  EXPECT_EQ(*ParseIsoDuration("PT1.5S", "d"), 1500ms);
  EXPECT_EQ(*ParseIsoDuration("PT24H", "d"), 24h);
}

TEST(IsoDuration, RefusesOtherFormsNamingTheField) {
  for (const char* bad : {"",     "P",      "PT",     "2M",    "PT2",          "P1M",  "P1Y",
                          "P1W",  "PT2M1H", "PT1M1M", "PT-1S", "PT1.5M",       "P1H",  "PT1D",
                          "PT0S", "PT0.5S", "P31D",   "pt2m",  "PT1.1234567S", "PT 2M"}) {
    absl::StatusOr<std::chrono::microseconds> d = ParseIsoDuration(bad, "deadlines.flash");
    EXPECT_FALSE(d.ok()) << bad;
    EXPECT_EQ(FieldOf(d.status()), "deadlines.flash") << bad;
  }
}

RC_GTEST_PROP(IsoDuration, FormatReadsBackToTheSameDuration, ()) {
  const int64_t us = *rc::gen::inRange<int64_t>(1'000'000, 30LL * 86'400'000'000 + 1);
  const std::string text = FormatIsoDuration(std::chrono::microseconds(us));
  absl::StatusOr<std::chrono::microseconds> back = ParseIsoDuration(text, "d");
  RC_ASSERT(back.ok());
  RC_ASSERT(back->count() == us);
}

TEST(Priority, NamesRoundTripAndUnknownIsRefused) {
  for (Priority p : kPriorities) EXPECT_EQ(*ParsePriority(PriorityName(p)), p);
  absl::StatusOr<Priority> bad = ParsePriority("urgent");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(FieldOf(bad.status()), "priority");
}

TEST(Deadlines, DefaultsAreTheIssuesFlash2mImmediate10mPriority1hRoutine24h) {
  Deadlines d;
  EXPECT_EQ(d.of(Priority::kFlash), 2min);
  EXPECT_EQ(d.of(Priority::kImmediate), 10min);
  EXPECT_EQ(d.of(Priority::kPriority), 1h);
  EXPECT_EQ(d.of(Priority::kRoutine), 24h);
}

MessageRequest Message() {
  return MessageRequest{.channel = ChannelId("amman-hmeimim"),
                        .id = MessageId("0B4E3F0C-1D2A-4B5C-8D9E-0F1A2B3C4D5E"),
                        .priority = Priority::kFlash,
                        .subject = "Strike package north of Palmyra",
                        .body = "Two Su-34 at FL250 from 0700Z"};
}

TEST(MessageRequest, EmptySubjectOrBodyAndOversizeBodyNameTheField) {
  MessageRequest ok = Message();
  ASSERT_TRUE(ValidateMessageRequest(ok).ok());
  EXPECT_EQ(ok.id.value(), "0b4e3f0c-1d2a-4b5c-8d9e-0f1a2b3c4d5e");  // lower-cased

  MessageRequest no_subject = Message();
  no_subject.subject = "";
  EXPECT_EQ(FieldOf(ValidateMessageRequest(no_subject)), "subject");
  MessageRequest no_body = Message();
  no_body.body = "";
  EXPECT_EQ(FieldOf(ValidateMessageRequest(no_body)), "body");
  MessageRequest big = Message();
  big.body = std::string(kMaxBodySize + 1, 'x');
  absl::Status too_big = ValidateMessageRequest(big);
  EXPECT_TRUE(IsLimitExceeded(too_big)) << too_big;
  EXPECT_EQ(FieldOf(too_big), "body");
  MessageRequest not_uuid = Message();
  not_uuid.id = MessageId("42");
  EXPECT_EQ(FieldOf(ValidateMessageRequest(not_uuid)), "id");
  MessageRequest bad_ref = Message();
  bad_ref.refs = {"op-1", "a,b"};
  EXPECT_EQ(FieldOf(ValidateMessageRequest(bad_ref)), "refs[1]");
}

TEST(ChannelRequest, MembersAreCheckedAndSorted) {
  ChannelRequest r{.id = ChannelId("amman-hmeimim"),
                   .name = "Amman-Hmeimim",
                   .members = {PartyId("RU"), PartyId("US")}};
  ASSERT_TRUE(ValidateChannelRequest(r).ok());
  r.members = {PartyId("US"), PartyId("RU"), PartyId("US")};
  EXPECT_EQ(FieldOf(ValidateChannelRequest(r)), "members[2]");
  r.members = {PartyId("US")};
  EXPECT_EQ(FieldOf(ValidateChannelRequest(r)), "members");
  r.members = {PartyId("US"), PartyId("R U")};
  EXPECT_EQ(FieldOf(ValidateChannelRequest(r)), "members[1]");
  r.members = {PartyId("US"), PartyId("RU")};
  r.id = ChannelId("a/b");
  EXPECT_EQ(FieldOf(ValidateChannelRequest(r)), "id");
  r.id = ChannelId("x");
  r.escalation_channel = ChannelId("x");
  EXPECT_EQ(FieldOf(ValidateChannelRequest(r)), "escalation_channel");
}

}  // namespace
}  // namespace deconflict::hotline
