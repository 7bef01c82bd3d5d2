// The JSON body of PUT /v1/operations: every error names its field; labels refuse control
// characters (api/operation_json.h).
#include "api/operation_json.h"

#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "gtest/gtest.h"

namespace deconflict::api {
namespace {

using std::chrono::hours;
using strategic::OperationState;

const Timestamp kNow = *ParseRfc3339("2026-11-21T10:00:00Z");

std::string Circle(double lat, double lng, double r, double lo, double hi, Timestamp s,
                   Timestamp e) {
  return fmt::format(
      R"({{"volume": {{"outline_circle": {{"center": {{"lat": {}, "lng": {}}}, "radius": {{"value": {}, "units": "M"}}}},)"
      R"( "altitude_lower": {{"value": {}, "reference": "W84", "units": "M"}}, "altitude_upper": {{"value": {}, "reference": "W84", "units": "M"}}}},)"
      R"( "time_start": {{"value": "{}", "format": "RFC3339"}}, "time_end": {{"value": "{}", "format": "RFC3339"}}}})",
      lat, lng, r, lo, hi, FormatRfc3339(s), FormatRfc3339(e));
}

TEST(ParseOperationRequest, RefusesControlCharactersInTheLabel) {
  const std::string v = Circle(1, 1, 100, 0, 100, kNow, kNow + std::chrono::hours(1));
  for (const std::string& label :
       {std::string("a\\u0000b"), std::string("\\u001b[2J"), std::string("x\\u007f"),
        std::string("\\u0085"), std::string("tab\\there")}) {
    auto body = ParseJson(R"({"extents": [)" + v + R"(], "state": "Accepted", "label": ")" + label +
                          R"("})");
    ASSERT_TRUE(body.ok()) << label;
    absl::Status s = ParseOperationRequest(*body, {}, kNow).status();
    EXPECT_EQ(FieldOf(s), "label") << label << ": " << s;
  }
  auto fine = ParseJson(R"({"extents": [)" + v +
                        R"(], "state": "Accepted", "label": "CAP orbit \u00e9 \u00a0"})");
  EXPECT_TRUE(ParseOperationRequest(*fine, {}, kNow).ok());
}

TEST(ParseOperationRequest, NamesTheFieldOfEveryError) {
  auto parse = [](const std::string& text) {
    auto body = ParseJson(text);
    return ParseOperationRequest(*body, {}, kNow).status();
  };
  const std::string v = Circle(1, 1, 100, 0, 100, kNow, kNow + hours(1));
  EXPECT_EQ(FieldOf(parse(R"({"state": "Accepted"})")), "extents");
  EXPECT_EQ(FieldOf(parse(R"({"extents": [], "state": "Accepted"})")), "extents");
  EXPECT_EQ(FieldOf(parse(R"({"extents": [)" + v + R"(], "state": "Flying"})")), "state");
  EXPECT_EQ(FieldOf(parse(R"({"extents": [)" + v + R"(], "state": "Accepted", "key": [1]})")),
            "key[0]");
  EXPECT_EQ(FieldOf(parse(R"({"extents": [)" + v + R"(], "state": "Accepted", "colour": 1})")),
            "colour");
  std::string many;
  for (int i = 0; i < 101; ++i) many += (i ? "," : "") + v;
  absl::Status too_many = parse(R"({"extents": [)" + many + R"(], "state": "Accepted"})");
  EXPECT_TRUE(IsLimitExceeded(too_many)) << too_many;
  EXPECT_TRUE(
      parse(R"({"extents": [)" + v + R"(], "state": "Activated", "key": ["a"], "label": "x"})")
          .ok());
}

TEST(ParseOperationRequest, SameRequestSameDigestWhateverTheKeyOrder) {
  const std::string v = Circle(1, 1, 100, 0, 100, kNow, kNow + hours(1));
  auto a = ParseOperationRequest(
      *ParseJson(R"({"extents": [)" + v + R"(], "state": "Accepted", "key": ["x", "y"]})"), {},
      kNow);
  auto b = ParseOperationRequest(
      *ParseJson(R"({"key": ["y", "x"], "state": "Accepted", "extents": [)" + v + "]}"), {}, kNow);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->digest, b->digest);
  EXPECT_EQ(a->state, OperationState::kAccepted);
}

}  // namespace
}  // namespace deconflict::api
