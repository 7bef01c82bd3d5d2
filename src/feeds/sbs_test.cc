#include "feeds/sbs.h"

#include <string>

#include "common/status.h"
#include "common/time.h"
#include "geo/internal/fixed_seed_property.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace deconflict::feeds {
namespace {

// Lines as dump1090 and BaseStation write them (the Barebones examples, 22 fields).
constexpr char kPosition[] =
    "MSG,3,5,211,4CA2D6,10057,2008/11/28,14:53:50.594,2008/11/28,14:58:51.153,,37000,,,"
    "51.45735,-1.02826,,,0,0,0,0\r\n";
constexpr char kVelocity[] =
    "MSG,4,5,211,4CA2D6,10057,2008/11/28,14:53:49.986,2008/11/28,14:58:51.153,,,408.3,146.4,,,"
    "64,,,,,";
constexpr char kIdentification[] =
    "MSG,1,1,1,40621D,1,2008/11/28,14:53:50.000,2008/11/28,14:53:50.000,BAW4J   ,,,,,,,,0,0,0,0";

std::string FieldOfLine(std::string_view line) {
  absl::StatusOr<SbsMessage> message = ParseSbsLine(line);
  EXPECT_FALSE(message.ok()) << line;
  return message.ok() ? "" : FieldOf(message.status()).value_or("<none>");
}

TEST(ParseSbsLine, ReadsAnAirbornePosition) {
  absl::StatusOr<SbsMessage> message = ParseSbsLine(kPosition);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->type, SbsMessageType::kMsg);
  EXPECT_EQ(message->transmission_type, 3);
  EXPECT_EQ(message->hex_ident, "4CA2D6");
  EXPECT_EQ(FormatRfc3339(*message->generated), "2008-11-28T14:53:50.594000Z");
  EXPECT_EQ(FormatRfc3339(*message->logged), "2008-11-28T14:58:51.153000Z");
  EXPECT_EQ(message->altitude_ft, 37000);
  EXPECT_EQ(message->lat_deg, 51.45735);
  EXPECT_EQ(message->lon_deg, -1.02826);
  EXPECT_FALSE(message->ground_speed_kt.has_value());
  EXPECT_EQ(message->alert, false);
  EXPECT_EQ(message->on_ground, false);
}

TEST(ParseSbsLine, ReadsAnAirborneVelocity) {
  absl::StatusOr<SbsMessage> message = ParseSbsLine(kVelocity);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->transmission_type, 4);
  EXPECT_EQ(message->ground_speed_kt, 408.3);
  EXPECT_EQ(message->track_deg, 146.4);
  EXPECT_EQ(message->vertical_rate_fpm, 64);
  EXPECT_FALSE(message->lat_deg.has_value());
  EXPECT_FALSE(message->on_ground.has_value());
}

TEST(ParseSbsLine, ReadsACallsignWithoutItsPadding) {
  absl::StatusOr<SbsMessage> message = ParseSbsLine(kIdentification);
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->callsign, "BAW4J");
}

TEST(ParseSbsLine, AcceptsTruncatedLinesAsDump1090AndVrsWriteThem) {
  // VRS writes MSG,8 with 11 fields; dump1090 MSG,4 with 17.
  absl::StatusOr<SbsMessage> short_line =
      ParseSbsLine("MSG,8,0,0,780560,0,2016/11/15,11:38:13.568,2016/11/15,11:38:13.568,");
  ASSERT_TRUE(short_line.ok()) << short_line.status();
  EXPECT_EQ(short_line->transmission_type, 8);
  absl::StatusOr<SbsMessage> velocity = ParseSbsLine(
      "MSG,4,1,1,A699AA,1,2016/11/15,11:38:13.568,2016/11/15,11:38:13.568,,,511.1,52.2,,,-1856");
  ASSERT_TRUE(velocity.ok()) << velocity.status();
  EXPECT_EQ(velocity->vertical_rate_fpm, -1856);
  // Only the hex ident is required.
  EXPECT_TRUE(ParseSbsLine("MSG,7,1,1,A699AA").ok());
}

TEST(ParseSbsLine, AcceptsPaddedFieldsAndNonIcaoAddresses) {
  absl::StatusOr<SbsMessage> message = ParseSbsLine(
      "MSG,3, 0,  0,~4006b3,      0,2009/06/19,06:15:05.984,2009/06/19,06:20:05.984,,18225,,,"
      "51.4870,-1.9225,,,0,0,0,-1");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->hex_ident, "~4006B3");
  EXPECT_EQ(message->on_ground, true);
}

TEST(ParseSbsLine, ReadsOtherMessageTypes) {
  absl::StatusOr<SbsMessage> status =
      ParseSbsLine("STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->type, SbsMessageType::kSta);
  EXPECT_TRUE(status->callsign.empty());  // "RM" is a status, not a callsign
  absl::StatusOr<SbsMessage> id =
      ParseSbsLine("ID,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,EZY1");
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(id->callsign, "EZY1");
}

TEST(ParseSbsLine, RefusalsNameTheField) {
  EXPECT_EQ(FieldOfLine(""), "line");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1"), "line");
  EXPECT_EQ(FieldOfLine(std::string(kPosition) + ",0,0"), "line");  // 24 fields
  // Two lines run together when a line break was lost.
  EXPECT_EQ(FieldOfLine(std::string(kVelocity) + kPosition), "line");
  EXPECT_EQ(FieldOfLine("XYZ,3,1,1,4CA2D6"), "message_type");
  EXPECT_EQ(FieldOfLine("MSG,9,1,1,4CA2D6"), "transmission_type");
  EXPECT_EQ(FieldOfLine("MSG,,1,1,4CA2D6"), "transmission_type");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D"), "hex_ident");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2DG"), "hex_ident");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,,"), "hex_ident");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,2008/13/28,14:53:50.594"), "date_generated");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,2008/02/30,14:53:50.594"), "date_generated");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,2008/11/28,24:53:50.594"), "time_generated");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,2008/11/28,"), "time_generated");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,2008/11/28,14:53:5"), "time_generated");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,,,2008/11/28,x"), "time_logged");
  EXPECT_EQ(FieldOfLine("MSG,1,1,1,4CA2D6,1,,,,,WAYTOOLONG"), "callsign");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,,,,,,nan"), "altitude");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,,,,,,1e5"), "altitude");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,,,,,,999999"), "altitude");
  EXPECT_EQ(FieldOfLine("MSG,4,1,1,4CA2D6,1,,,,,,,-1"), "ground_speed");
  EXPECT_EQ(FieldOfLine("MSG,4,1,1,4CA2D6,1,,,,,,,400,361"), "track");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,,,,,,,,,91,0"), "lat");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,,,,,,,,,45,-180.5"), "lon");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,,,,,,,,,45,"), "lon");
  EXPECT_EQ(FieldOfLine("MSG,3,1,1,4CA2D6,1,,,,,,,,,,7"), "lat");
  EXPECT_EQ(FieldOfLine("MSG,4,1,1,4CA2D6,1,,,,,,,,,,,--64"), "vertical_rate");
  EXPECT_EQ(FieldOfLine("MSG,6,1,1,4CA2D6,1,,,,,,,,,,,,7800"), "squawk");
  EXPECT_EQ(FieldOfLine("MSG,6,1,1,4CA2D6,1,,,,,,,,,,,,7700,2"), "alert");
  EXPECT_EQ(FieldOfLine("MSG,6,1,1,4CA2D6,1,,,,,,,,,,,,7700,0,x"), "emergency");
  EXPECT_EQ(FieldOfLine("MSG,6,1,1,4CA2D6,1,,,,,,,,,,,,7700,0,0,0,true"), "is_on_ground");
}

TEST(ParseSbsLine, RefusesHugeNonUtf8AndNulLinesWithShortMessages) {
  const std::string huge = std::string(kPosition) + std::string(1 << 20, 'x');
  absl::StatusOr<SbsMessage> message = ParseSbsLine(huge);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(FieldOf(message.status()), "line");
  EXPECT_LT(message.status().message().size(), 200u);

  absl::StatusOr<SbsMessage> latin1 = ParseSbsLine("MSG,1,1,1,4CA2D6,1,,,,,\xC9TOILE");
  ASSERT_FALSE(latin1.ok());
  EXPECT_EQ(FieldOf(latin1.status()), "callsign");
  EXPECT_THAT(std::string(latin1.status().message()), ::testing::HasSubstr("\\xC9"));

  EXPECT_EQ(FieldOfLine(std::string("MSG,3,1,1,4CA2D6\0", 17)), "line");
}

DC_PROP(ParseSbsLineProperty, AnyBytesParseOrNameAField, 20261125, 2000,
        (const std::string& bytes)) {
  absl::StatusOr<SbsMessage> message = ParseSbsLine(bytes);
  if (!message.ok()) {
    RC_ASSERT(message.status().code() == absl::StatusCode::kInvalidArgument);
    RC_ASSERT(FieldOf(message.status()).has_value());
  }
}

// Lines of plausible and implausible fields, so every field's parser sees every kind of token.
DC_PROP(ParseSbsLineProperty, RandomFieldsParseOrNameAField, 20261128, 3000, ()) {
  // clang-format off
  const std::vector<std::string> tokens = {
      "", "MSG", "ID", "STA", "3", "9", "4CA2D6", "~4ca2d6", "4CA2D", "2026/11/25", "2026/02/30",
      "10:00:01.5", "25:00:00", "37000", "-1.5", "91", "360", "408.3", "nan", "1e5", "-", ".",
      "7700", "-1", "0", "\xff", std::string(1, '\0'), "BAW4J   ", " 12 ", "\r", "\n",
      std::string(2000, '9')};
  // clang-format on
  const auto fields = *rc::gen::container<std::vector<std::string>>(
      rc::gen::oneOf(rc::gen::elementOf(tokens), rc::gen::arbitrary<std::string>()));
  std::string line;
  for (size_t field_idx = 0; field_idx < fields.size(); ++field_idx) {
    if (field_idx > 0) line += ',';
    line += fields[field_idx];
  }
  absl::StatusOr<SbsMessage> message = ParseSbsLine(line);
  if (!message.ok()) {
    RC_ASSERT(FieldOf(message.status()).has_value());
    RC_ASSERT(message.status().message().size() < 300u);
  }
}

// Random bytes rarely get past the first field; this mutates a valid line instead, so the
// later fields' parsers see garbage too.
DC_PROP(ParseSbsLineProperty, MutatedValidLinesParseOrNameAField, 20261126, 2000,
        (uint16_t position, uint8_t byte, bool insert)) {
  std::string line = kPosition;
  const size_t at = position % line.size();
  if (insert) {
    line.insert(line.begin() + at, static_cast<char>(byte));
  } else {
    line[at] = static_cast<char>(byte);
  }
  absl::StatusOr<SbsMessage> message = ParseSbsLine(line);
  if (!message.ok()) RC_ASSERT(FieldOf(message.status()).has_value());
}

}  // namespace
}  // namespace deconflict::feeds
