#include "parties/authenticator.h"

#include <unistd.h>

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace deconflict::parties {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("authenticator_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = store::Store::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // "Bearer <token>" of a new party, added through `store` (another process's, if it is not ours).
  std::string Add(store::Store& store, const std::string& id, std::string_view role) {
    absl::StatusOr<NewParty> added =
        AddParty(store, clock_, PartySpec{.id = PartyId(id), .name = id, .role = *ParseRole(role)});
    EXPECT_TRUE(added.ok()) << added.status();
    return "Bearer " + (added.ok() ? added->token : "");
  }
  std::string Add(const std::string& id, std::string_view role = "operator") {
    return Add(*store_, id, role);
  }

  static void ExpectUnauthenticated(const absl::StatusOr<Principal>& who, std::string_view says) {
    ASSERT_FALSE(who.ok());
    EXPECT_TRUE(absl::IsUnauthenticated(who.status())) << who.status();
    EXPECT_THAT(std::string(who.status().message()), HasSubstr(std::string(says)));
  }

  std::filesystem::path dir_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(AuthenticatorTest, EachActivePartyIsKnownWithItsRole) {
  Authenticator auth(*store_);
  for (Role role : kAllRoles) {
    const std::string id = "P-" + std::string(RoleName(role));
    const std::string header = Add(id, RoleName(role));
    absl::StatusOr<Principal> who = auth.Authenticate(header);
    ASSERT_TRUE(who.ok()) << who.status();
    EXPECT_EQ(*who, (Principal{.party = PartyId(id), .role = role}));
  }
}

TEST_F(AuthenticatorTest, MissingHeaderIsUnauthenticated) {
  Authenticator auth(*store_);
  ExpectUnauthenticated(auth.Authenticate(""), "missing Authorization header");
}

TEST_F(AuthenticatorTest, OtherSchemesThanBearerAreUnauthenticated) {
  Authenticator auth(*store_);
  const std::string header = Add("RU");
  const std::string token = header.substr(7);
  for (const std::string& bad :
       {"Basic " + token, "bearer " + token, token, std::string("Bearer "), "Bearer" + token}) {
    ExpectUnauthenticated(auth.Authenticate(bad), "must be 'Bearer <token>'");
  }
}

TEST_F(AuthenticatorTest, MisshapenAndUnknownTokensAreUnauthenticated) {
  Authenticator auth(*store_);
  Add("RU");
  ExpectUnauthenticated(auth.Authenticate("Bearer dc_wrong"),
                        "followed by 43 base64url characters");
  ExpectUnauthenticated(auth.Authenticate("Bearer " + NewToken()), "unknown token");
}

TEST_F(AuthenticatorTest, RevokedPartyIsUnauthenticatedNamingIt) {
  Authenticator auth(*store_);
  const std::string header = Add("RU");
  ASSERT_TRUE(auth.Authenticate(header).ok());
  ASSERT_TRUE(RevokeParty(*store_, clock_, PartyId("RU")).ok());
  ExpectUnauthenticated(auth.Authenticate(header), "the token of party RU has been revoked");
}

TEST_F(AuthenticatorTest, ChangesByAnotherProcessCountAtTheNextRequestWithoutRestart) {
  std::vector<std::vector<PartyId>> revocations;
  Authenticator auth(*store_, {.on_revoked = [&](const std::vector<PartyId>& revoked) {
    revocations.push_back(revoked);
  }});
  const std::string ru = Add("RU");
  ASSERT_TRUE(auth.Authenticate(ru).ok());
  {
    // `deconflict party add|revoke` while the server runs: its own store on the same files.
    auto cli = store::Store::Open(dir_.string());
    ASSERT_TRUE(cli.ok()) << cli.status();
    const std::string us = Add(**cli, "US", "host");
    absl::StatusOr<Principal> who = auth.Authenticate(us);
    ASSERT_TRUE(who.ok()) << who.status();
    EXPECT_EQ(who->role, Role::kHost);
    EXPECT_TRUE(revocations.empty());

    ASSERT_TRUE(RevokeParty(**cli, clock_, PartyId("RU")).ok());
  }
  ExpectUnauthenticated(auth.Authenticate(ru), "revoked");
  EXPECT_THAT(revocations, ElementsAre(ElementsAre(PartyId("RU"))));
  // Told once: later refreshes do not repeat it.
  Add("FR");
  ExpectUnauthenticated(auth.Authenticate("Bearer " + NewToken()), "unknown token");
  EXPECT_EQ(revocations.size(), 1u);
}

TEST_F(AuthenticatorTest, RevocationHookRunsBeforeTheRequestThatNoticedItIsAnswered) {
  bool hook_ran = false;
  Authenticator auth(*store_,
                     {.on_revoked = [&](const std::vector<PartyId>&) { hook_ran = true; }});
  const std::string us = Add("US");
  Add("RU");
  ASSERT_TRUE(auth.Authenticate(us).ok());
  ASSERT_TRUE(RevokeParty(*store_, clock_, PartyId("RU")).ok());
  ASSERT_FALSE(hook_ran);
  // US's request is the first to see the new data version: it is answered only after the hook.
  ASSERT_TRUE(auth.Authenticate(us).ok());
  EXPECT_TRUE(hook_ran);
}

TEST_F(AuthenticatorTest, PartiesRevokedBeforeTheFirstRefreshAreNotReported) {
  Add("RU");
  ASSERT_TRUE(RevokeParty(*store_, clock_, PartyId("RU")).ok());
  int calls = 0;
  Authenticator auth(*store_, {.on_revoked = [&](const std::vector<PartyId>&) { ++calls; }});
  ASSERT_TRUE(auth.Refresh().ok());
  const std::string us = Add("US");
  ASSERT_TRUE(auth.Authenticate(us).ok());
  EXPECT_EQ(calls, 0);
}

TEST_F(AuthenticatorTest, UnknownRoleInTheStoreIsUnavailableWithAGenericMessage) {
  const std::string token = NewToken();
  ASSERT_TRUE(store_
                  ->Write([&](store::Txn& txn) {
                    return txn.InsertParty(store::PartyRecord{.id = "ODD",
                                                              .name = "odd",
                                                              .role = "pilot",
                                                              .token_hash = HashToken(token),
                                                              .created_at = clock_.Now()});
                  })
                  .ok());
  Authenticator auth(*store_);
  absl::Status refreshed = auth.Refresh();
  EXPECT_TRUE(absl::IsDataLoss(refreshed)) << refreshed;
  EXPECT_THAT(std::string(refreshed.message()), HasSubstr("party 'ODD'"));
  absl::StatusOr<Principal> who = auth.Authenticate("Bearer " + token);
  EXPECT_TRUE(absl::IsUnavailable(who.status())) << who.status();
  EXPECT_EQ(who.status().message(), "cannot read the parties table");
}

}  // namespace
}  // namespace deconflict::parties
