#include "api/socket_auth.h"

#include <unistd.h>

#include <boost/beast/http.hpp>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "parties/party.h"

namespace deconflict::api {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;

RawRequest Upgrade(std::string_view protocols) {
  RawRequest raw{http::verb::get, "/v1/events", 11};
  if (!protocols.empty()) raw.set(http::field::sec_websocket_protocol, protocols);
  return raw;
}

TEST(BearerProtocolTest, FindsTheFirstBearerItemAmongOthersWithSpaces) {
  EXPECT_EQ(BearerProtocol(Upgrade("json,  bearer.abc , bearer.def")), "bearer.abc");
  EXPECT_EQ(BearerProtocol(Upgrade("json, chat")), "");
  EXPECT_EQ(BearerProtocol(Upgrade("bearer.")), "");  // no token after the prefix
  EXPECT_EQ(BearerProtocol(Upgrade("")), "");
}

TEST(CredentialsOfTest, TheHeaderWinsAndTheSubprotocolIsEchoedOnlyWhenUsed) {
  Request with_header;
  with_header.authorization = "Bearer from-header";
  UpgradeCredentials both = CredentialsOf(with_header, Upgrade("bearer.from-protocol"));
  EXPECT_EQ(both.authorization, "Bearer from-header");
  EXPECT_EQ(both.protocol, "");

  UpgradeCredentials protocol = CredentialsOf(Request{}, Upgrade("json, bearer.from-protocol"));
  EXPECT_EQ(protocol.authorization, "Bearer from-protocol");
  EXPECT_EQ(protocol.protocol, "bearer.from-protocol");

  UpgradeCredentials none = CredentialsOf(Request{}, Upgrade("json"));
  EXPECT_EQ(none.authorization, "");
  EXPECT_EQ(none.protocol, "");
}

class SocketAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("socket_auth_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = store::Store::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    operator_token_ = Add("RU", parties::Role::kOperator);
    observer_token_ = Add("OBS", parties::Role::kObserver);
    authenticator_ = std::make_unique<parties::Authenticator>(*store_);
  }
  void TearDown() override {
    authenticator_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string Add(const std::string& id, parties::Role role) {
    absl::StatusOr<parties::NewParty> added = parties::AddParty(
        *store_, clock_, parties::PartySpec{.id = PartyId(id), .name = id, .role = role});
    EXPECT_TRUE(added.ok()) << added.status();
    return added.ok() ? added->token : "";
  }

  std::filesystem::path dir_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<parties::Authenticator> authenticator_;
  std::string operator_token_, observer_token_;
};

TEST_F(SocketAuthTest, UpgradeChecksTheTokenThenTheRouteAccess) {
  UpgradeCredentials op{.authorization = "Bearer " + operator_token_, .protocol = ""};
  UpgradeCredentials obs{.authorization = "Bearer " + observer_token_, .protocol = ""};
  absl::StatusOr<parties::Principal> who =
      AuthenticateUpgrade(*authenticator_, op, Access::kOperator);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->party, PartyId("RU"));
  EXPECT_TRUE(AuthenticateUpgrade(*authenticator_, obs, Access::kAnyParty).ok());

  absl::StatusOr<parties::Principal> refused =
      AuthenticateUpgrade(*authenticator_, obs, Access::kOperator);
  EXPECT_TRUE(absl::IsPermissionDenied(refused.status())) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("role 'observer'"));
  EXPECT_TRUE(absl::IsUnauthenticated(
      AuthenticateUpgrade(*authenticator_, UpgradeCredentials{}, Access::kAnyParty).status()));
}

TEST_F(SocketAuthTest, TokenMessageMustBeAnObjectWithAStringToken) {
  absl::StatusOr<parties::Principal> who = AuthenticateTokenMessage(
      *authenticator_, R"({"token": ")" + operator_token_ + R"("})", Access::kAnyParty);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->party, PartyId("RU"));
  for (std::string_view bad : {"", "not json", "[]", R"({"token": 7})", R"({"tok": "x"})"}) {
    absl::StatusOr<parties::Principal> refused =
        AuthenticateTokenMessage(*authenticator_, bad, Access::kAnyParty);
    EXPECT_TRUE(absl::IsUnauthenticated(refused.status())) << bad;
    EXPECT_THAT(std::string(refused.status().message()), HasSubstr("{\"token\""));
  }
  EXPECT_TRUE(absl::IsUnauthenticated(
      AuthenticateTokenMessage(*authenticator_, R"({"token": "wrong"})", Access::kAnyParty)
          .status()));
  EXPECT_TRUE(absl::IsPermissionDenied(
      AuthenticateTokenMessage(*authenticator_, R"({"token": ")" + observer_token_ + R"("})",
                               Access::kOperator)
          .status()));
}

}  // namespace
}  // namespace deconflict::api
