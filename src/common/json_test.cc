#include "common/json.h"

#include "common/status.h"
#include "gtest/gtest.h"

namespace deconflict {
namespace {

TEST(JsonObject, NamesMissingAndUnknownFields) {
  auto v = ParseJson(R"({"lat": 1, "extra": true})");
  ASSERT_TRUE(v.ok());
  auto obj = JsonObject::Of(*v, "center");
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(*obj->Number("lat"), 1.0);
  auto lng = obj->Number("lng");
  EXPECT_EQ(FieldOf(lng.status()), "center.lng");
  auto rest = obj->NoOtherFields();
  EXPECT_EQ(FieldOf(rest), "center.extra");
}

TEST(JsonObject, RefusesMalformedJsonAndWrongTypes) {
  EXPECT_EQ(FieldOf(ParseJson("{").status()), "body");
  auto v = ParseJson(R"({"lat": "north"})");
  auto obj = JsonObject::Of(*v, "");
  EXPECT_EQ(FieldOf(obj->Number("lat").status()), "lat");
}

TEST(SerializeJson, WritesDoublesInTheirShortestForm) {
  boost::json::value v = {{"lat", 35.1}, {"alt", 4000.0}, {"n", 3}, {"s", "a\"b"}, {"l", {0.5, -1e-7}}};
  EXPECT_EQ(SerializeJson(v), R"({"lat":35.1,"alt":4000,"n":3,"s":"a\"b","l":[0.5,-1e-07]})");
  EXPECT_EQ(boost::json::parse(SerializeJson(v)).at("lat").as_double(), 35.1);
}

TEST(FieldPrefix, JoinsPaths) {
  absl::Status s = InvalidField("lat", "out of range");
  EXPECT_EQ(FieldOf(WithFieldPrefix(s, "center")), "center.lat");
  EXPECT_EQ(WithFieldPrefix(s, "center").message(), "center.lat: out of range");
  EXPECT_EQ(FieldOf(WithFieldPrefix(InvalidField("[2]", "x"), "vertices")), "vertices[2]");
}

}  // namespace
}  // namespace deconflict
