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
  boost::json::value v = {
      {"lat", 35.1}, {"alt", 4000.0}, {"n", 3}, {"s", "a\"b"}, {"l", {0.5, -1e-7}}};
  EXPECT_EQ(SerializeJson(v), R"({"lat":35.1,"alt":4000,"n":3,"s":"a\"b","l":[0.5,-1e-07]})");
  EXPECT_EQ(boost::json::parse(SerializeJson(v)).at("lat").as_double(), 35.1);
}

TEST(FieldPrefix, JoinsPaths) {
  absl::Status s = InvalidField("lat", "out of range");
  EXPECT_EQ(FieldOf(WithFieldPrefix(s, "center")), "center.lat");
  EXPECT_EQ(WithFieldPrefix(s, "center").message(), "center.lat: out of range");
  EXPECT_EQ(FieldOf(WithFieldPrefix(InvalidField("[2]", "x"), "vertices")), "vertices[2]");
}

TEST(ParseJson, RefusesDuplicateKeysNamingKeyAndPath) {
  auto top = ParseJson(R"({"a": 1, "b": 2, "a": 3})");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(FieldOf(top.status()), "body");
  EXPECT_EQ(top.status().message(), "body: duplicate key \"a\"");

  auto nested = ParseJson(R"({"extents": [{"volume": {"outline_circle": {}, "x": [1, {"y": 0}],
                                                      "outline_circle": null}}]})");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(nested.status().message(), "extents[0].volume: duplicate key \"outline_circle\"");

  auto in_second_element = ParseJson(R"({"l": [{"k": 1}, [0, 1, {"k": 1, "k": 1}]]})");
  ASSERT_FALSE(in_second_element.ok());
  EXPECT_EQ(FieldOf(in_second_element.status()), "l[1][2]");
}

TEST(ParseJson, SameKeyInSiblingObjectsIsNotADuplicate) {
  auto v = ParseJson(R"({"v": [{"lat": 1, "lng": 2}, {"lat": 3, "lng": 4}], "lat": {"lat": 5}})");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(SerializeJson(*v), R"({"v":[{"lat":1,"lng":2},{"lat":3,"lng":4}],"lat":{"lat":5}})");
}

TEST(ParseJson, DuplicateAmongManyKeysIsFound) {
  // Past the linear scan's size the handler switches to a hash set: both paths must find it.
  std::string text = "{";
  for (int key_idx = 0; key_idx < 1000; ++key_idx)
    text += "\"k" + std::to_string(key_idx) + "\": 0,";
  text += "\"k999\": 1}";
  auto v = ParseJson(text);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "body: duplicate key \"k999\"");
  text.replace(text.rfind("k999"), 4, "k1000");
  EXPECT_TRUE(ParseJson(text).ok());
}

TEST(ParseJson, DuplicateKeyWithEscapesIsQuotedInTheMessage) {
  // "\u0000" and "\u0000" are the same key; the message shows it escaped, never raw.
  auto v = ParseJson(R"({"\u0000\u001b": 1, "\u0000\u001b": 2})");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "body: duplicate key \"\\u0000\\u001B\"");
  // An unknown key of 60 KB is named truncated.
  auto big = ParseJson("{\"" + std::string(60000, 'x') + "\": 1}");
  ASSERT_TRUE(big.ok());
  auto obj = JsonObject::Of(*big, "");
  EXPECT_LT(obj->NoOtherFields().message().size(), 120u);
}

TEST(ParseJson, StillRefusesMalformedAndTrailingInput) {
  EXPECT_FALSE(ParseJson(R"({"a": 1} x)").ok());
  EXPECT_FALSE(ParseJson(R"({"a": 1)").ok());
  EXPECT_FALSE(ParseJson("").ok());
  EXPECT_EQ(FieldOf(ParseJson("\"\xff\"").status()), "body");  // invalid UTF-8
  std::string deep(65, '[');
  EXPECT_FALSE(ParseJson(deep + std::string(65, ']')).ok());
  EXPECT_TRUE(ParseJson(std::string(64, '[') + std::string(64, ']')).ok());
  EXPECT_EQ(ParseJson(" [1, 2.5, \"s\", true, null] ")->as_array().size(), 5u);
}

}  // namespace
}  // namespace deconflict
