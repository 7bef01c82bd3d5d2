#include "strategic/operation_service.h"

#include <algorithm>
#include <filesystem>
#include <future>

#include "common/ids.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "gtest/gtest.h"

namespace deconflict::strategic {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const Timestamp kNow = *ParseRfc3339("2026-11-21T10:00:00Z");

std::string Circle(double lat, double lng, double r, double lo, double hi, Timestamp s,
                   Timestamp e) {
  return fmt::format(
      R"({{"volume": {{"outline_circle": {{"center": {{"lat": {}, "lng": {}}}, "radius": {{"value": {}, "units": "M"}}}},)"
      R"( "altitude_lower": {{"value": {}, "reference": "W84", "units": "M"}}, "altitude_upper": {{"value": {}, "reference": "W84", "units": "M"}}}},)"
      R"( "time_start": {{"value": "{}", "format": "RFC3339"}}, "time_end": {{"value": "{}", "format": "RFC3339"}}}})",
      lat, lng, r, lo, hi, FormatRfc3339(s), FormatRfc3339(e));
}

absl::StatusOr<OperationRequest> Request(const std::vector<std::string>& volumes,
                                         const std::vector<std::string>& key = {}) {
  std::vector<geo::Volume4D> extents;
  for (const auto& v : volumes) {
    ASSIGN_OR_RETURN(boost::json::value json, ParseJson(v));
    ASSIGN_OR_RETURN(geo::Volume4D volume, geo::Volume4D::FromJson(json, "extents", {}, kNow));
    extents.push_back(std::move(volume));
  }
  return MakeOperationRequest(std::move(extents), OperationState::kAccepted, key, "", {});
}

class OperationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("opsvc_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Open();
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    service_.reset();
    store_.reset();
    auto store = store::Store::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    for (const char* party : {"RU", "US"}) {
      (void)store_->Write([&](store::Txn& txn) {
        return txn.InsertParty({.id = party,
                                .name = party,
                                .role = "operator",
                                .token_hash = std::string(32, party[0]),
                                .created_at = kNow});
      });
    }
    service_ = std::make_unique<OperationService>(*store_, clock_,
                                                  OperationServiceOptions{.eviction_interval = {}});
    ASSERT_TRUE(service_->Load().ok());
  }
  WriteOutcome Put(const std::string& party, const std::string& id,
                   absl::StatusOr<OperationRequest> req,
                   std::optional<std::string> ovn = std::nullopt) {
    EXPECT_TRUE(req.ok()) << req.status();
    std::promise<WriteOutcome> p;
    service_->Put(Caller{.party = PartyId(party)}, OperationId(id), ovn, *std::move(req),
                  [&](WriteOutcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
  WriteOutcome End(const std::string& party, const std::string& id, const std::string& ovn) {
    std::promise<WriteOutcome> p;
    service_->End(Caller{.party = PartyId(party)}, OperationId(id), ovn,
                  [&](WriteOutcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
  static std::string OvnOf(const WriteOutcome& o) {
    return o.result ? o.result->operation.ovn : "";
  }

  FakeClock clock_{kNow};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<OperationService> service_;
};

TEST_F(OperationServiceTest, MissingOvnOfOverlappingOperationIsRefused) {
  const std::string a = NewUuid(), b = NewUuid();
  WriteOutcome first =
      Put("RU", a, Request({Circle(35, 38, 5000, 0, 1000, kNow + hours(1), kNow + hours(2))}));
  ASSERT_TRUE(first.status.ok()) << first.status;
  EXPECT_TRUE(first.result->created);
  WriteOutcome refused =
      Put("US", b, Request({Circle(35, 38.01, 5000, 0, 1000, kNow + hours(1), kNow + hours(2))}));
  EXPECT_TRUE(absl::IsAborted(refused.status)) << refused.status;
  ASSERT_TRUE(refused.refusal.has_value());
  ASSERT_EQ(refused.refusal->missing.size(), 1u);
  EXPECT_EQ(refused.refusal->missing[0].other.id.value(), a);
  EXPECT_EQ(service_->live_operations(), 1u);
  WriteOutcome accepted =
      Put("US", b,
          Request({Circle(35, 38.01, 5000, 0, 1000, kNow + hours(1), kNow + hours(2))},
                  {OvnOf(first)}));
  ASSERT_TRUE(accepted.status.ok()) << accepted.status;
  EXPECT_EQ(accepted.result->conflicts.size(), 1u);
}

TEST_F(OperationServiceTest, AHostSeesOperationsInItsTerritoryAsTheOverlapOnly) {
  const std::string inside = NewUuid(), outside = NewUuid();
  ASSERT_TRUE(
      Put("RU", inside, Request({Circle(35, 38, 5000, 0, 1000, kNow + hours(1), kNow + hours(2))}))
          .status.ok());
  ASSERT_TRUE(
      Put("US", outside, Request({Circle(10, 10, 5000, 0, 1000, kNow + hours(1), kNow + hours(2))}))
          .status.ok());
  // HOST's territory: a box from 34.9 N to 35.1 N, 37.9 E to 38.0 E (half the circle).
  absl::StatusOr<geo::Volume4D> land =
      geo::Volume4D::Make(geo::Polygon{{{34.9, 37.9}, {34.9, 38.0}, {35.1, 38.0}, {35.1, 37.9}}},
                          {-8000, 100000}, {kNow, kNow + hours(24)}, geo::VolumeLimits{}, kNow, "");
  ASSERT_TRUE(land.ok()) << land.status();
  Caller host{.party = PartyId("HOST"), .territory = {std::make_shared<geo::Volume4D>(*land)}};

  Page<QueryHit> page = service_->InTerritory(host, {});
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].ref.id.value(), inside);
  EXPECT_FALSE(page.items[0].whole.has_value());
  ASSERT_TRUE(page.items[0].overlap.has_value());
  // The overlap is clipped to the territory: nothing east of 38.0 E, the band the operation's.
  EXPECT_LE(page.items[0].overlap->rect.lng_hi().degrees(), 38.0 + 1e-6);
  EXPECT_EQ(page.items[0].overlap->altitude.upper_m, 1000);

  absl::StatusOr<OperationView> view = service_->Get(host, OperationId(inside));
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_FALSE(view->whole.has_value());
  EXPECT_TRUE(view->overlaps.empty());
  ASSERT_TRUE(view->territory.has_value());
  EXPECT_TRUE(absl::IsNotFound(service_->Get(host, OperationId(outside)).status()));
  // Without its territory the host sees nothing.
  EXPECT_TRUE(service_->InTerritory(Caller{.party = PartyId("HOST")}, {}).items.empty());
  EXPECT_TRUE(absl::IsNotFound(
      service_->Get(Caller{.party = PartyId("HOST")}, OperationId(inside)).status()));
}

TEST_F(OperationServiceTest, OwnListsOnlyTheCallersLiveOperationsWholeAndPaged) {
  std::vector<std::string> ru = {NewUuid(), NewUuid(), NewUuid()};
  for (const std::string& id : ru) {
    ASSERT_TRUE(
        Put("RU", id, Request({Circle(1, 1, 500, 0, 100, kNow + hours(1), kNow + hours(2))}))
            .status.ok());
  }
  ASSERT_TRUE(
      Put("US", NewUuid(), Request({Circle(50, 1, 500, 0, 100, kNow + hours(1), kNow + hours(2))}))
          .status.ok());
  std::sort(ru.begin(), ru.end());
  Page<store::OperationRecord> first = service_->Own(Caller{.party = PartyId("RU")}, {.limit = 2});
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].id, ru[0]);
  EXPECT_EQ(first.items[1].id, ru[1]);
  EXPECT_FALSE(first.items[0].extents.empty());  // whole
  EXPECT_EQ(first.next, ru[1]);
  Page<store::OperationRecord> rest =
      service_->Own(Caller{.party = PartyId("RU")}, {.limit = 2, .after = first.next});
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].id, ru[2]);
  EXPECT_TRUE(rest.next.empty());
  EXPECT_TRUE(service_->Own(Caller{.party = PartyId("TR")}, {}).items.empty());
}

TEST_F(OperationServiceTest, SamePartyOverlapsNeedNoKey) {
  ASSERT_TRUE(Put("RU", NewUuid(), Request({Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(1))}))
                  .status.ok());
  EXPECT_TRUE(Put("RU", NewUuid(), Request({Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(1))}))
                  .status.ok());
}

TEST_F(OperationServiceTest, PastOverlapIsNoConflict) {
  ASSERT_TRUE(Put("RU", NewUuid(),
                  Request({Circle(1, 1, 5000, 0, 1000, kNow + minutes(10), kNow + minutes(20))}))
                  .status.ok());
  clock_.Advance(minutes(30));
  // A window starting before now overlaps the old one only in the past.
  WriteOutcome later =
      Put("US", NewUuid(), Request({Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(2))}));
  EXPECT_TRUE(later.status.ok()) << later.status;
}

TEST_F(OperationServiceTest, UpdateNeedsCurrentOvnAndOwnership) {
  const std::string a = NewUuid();
  WriteOutcome v1 = Put("RU", a, Request({Circle(2, 2, 1000, 0, 100, kNow, kNow + hours(1))}));
  ASSERT_TRUE(v1.status.ok());
  auto change = [&] { return Request({Circle(2, 2, 1500, 0, 100, kNow, kNow + hours(1))}); };
  EXPECT_TRUE(absl::IsPermissionDenied(Put("US", a, change(), OvnOf(v1)).status));
  EXPECT_TRUE(absl::IsAborted(Put("RU", a, change(), "stale").status));
  WriteOutcome v2 = Put("RU", a, change(), OvnOf(v1));
  ASSERT_TRUE(v2.status.ok()) << v2.status;
  EXPECT_EQ(v2.result->operation.version, 2);
  EXPECT_NE(OvnOf(v1), OvnOf(v2));
  EXPECT_TRUE(absl::IsNotFound(Put("RU", NewUuid(), change(), "x").status));
}

TEST_F(OperationServiceTest, IdenticalRetryIsIdempotentAndDifferentBodyIsRefused) {
  const std::string a = NewUuid();
  auto body = [&] { return Request({Circle(3, 3, 1000, 0, 100, kNow, kNow + hours(1))}); };
  WriteOutcome first = Put("RU", a, body());
  WriteOutcome again = Put("RU", a, body());
  ASSERT_TRUE(again.status.ok()) << again.status;
  EXPECT_FALSE(again.result->created);
  EXPECT_EQ(OvnOf(first), OvnOf(again));
  EXPECT_EQ(first.result->ledger_index, again.result->ledger_index);
  EXPECT_TRUE(absl::IsAlreadyExists(
      Put("RU", a, Request({Circle(3, 3, 2000, 0, 100, kNow, kNow + hours(1))})).status));
  EXPECT_TRUE(absl::IsAlreadyExists(Put("US", a, body()).status));
}

TEST_F(OperationServiceTest, EndedOperationLeavesTheIndexButStaysReadable) {
  const std::string a = NewUuid();
  WriteOutcome v1 = Put("RU", a, Request({Circle(4, 4, 1000, 0, 100, kNow, kNow + hours(1))}));
  WriteOutcome ended = End("RU", a, OvnOf(v1));
  ASSERT_TRUE(ended.status.ok()) << ended.status;
  EXPECT_EQ(service_->live_operations(), 0u);
  EXPECT_TRUE(Put("US", NewUuid(), Request({Circle(4, 4, 1000, 0, 100, kNow, kNow + hours(1))}))
                  .status.ok());
  auto got = service_->Get(Caller{.party = PartyId("RU")}, OperationId(a));
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->whole.has_value());
  EXPECT_EQ(got->whole->state, "Ended");
  EXPECT_TRUE(
      absl::IsNotFound(service_->Get(Caller{.party = PartyId("US")}, OperationId(a)).status()));
  EXPECT_TRUE(
      service_->Get(Caller{.party = PartyId("US"), .sees_everything = true}, OperationId(a)).ok());
}

TEST_F(OperationServiceTest, StateIsRebuiltFromTheStore) {
  const std::string a = NewUuid();
  WriteOutcome v1 = Put("RU", a, Request({Circle(5, 5, 1000, 0, 100, kNow, kNow + hours(1))}));
  ASSERT_TRUE(v1.status.ok());
  Open();
  EXPECT_EQ(service_->live_operations(), 1u);
  WriteOutcome refused =
      Put("US", NewUuid(), Request({Circle(5, 5, 1000, 0, 100, kNow, kNow + hours(1))}));
  EXPECT_TRUE(absl::IsAborted(refused.status));
}

TEST_F(OperationServiceTest, LedgerIndexesGrowWithEveryWrite) {
  WriteOutcome a =
      Put("RU", NewUuid(), Request({Circle(6, 6, 1000, 0, 100, kNow, kNow + hours(1))}));
  WriteOutcome b =
      Put("RU", NewUuid(), Request({Circle(7, 7, 1000, 0, 100, kNow, kNow + hours(1))}));
  EXPECT_EQ(b.result->ledger_index, a.result->ledger_index + 1);
}

TEST_F(OperationServiceTest, ProbesAreStoredBeforeTheAnswerAndSurviveARestart) {
  const std::string a = NewUuid();
  ASSERT_TRUE(
      Put("RU", a, Request({Circle(8, 8, 1000, 0, 100, kNow, kNow + hours(1))})).status.ok());
  auto area = geo::Volume4D::FromJson(
      *ParseJson(Circle(8, 8, 10000, 0, 100, kNow, kNow + hours(1))), "area", {}, kNow);
  ASSERT_TRUE(area.ok());
  std::promise<absl::StatusOr<Page<QueryHit>>> answered;
  service_->Query(Caller{.party = PartyId("US"), .may_probe = true}, *area, {},
                  [&](absl::StatusOr<Page<QueryHit>> r) { answered.set_value(std::move(r)); });
  absl::StatusOr<Page<QueryHit>> hits = answered.get_future().get();
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_EQ(hits->items.size(), 1u);
  // Recorded before the answer: the owner sees it now, and after a restart.
  auto probes = service_->Probes(Caller{.party = PartyId("RU")});
  ASSERT_TRUE(probes.ok()) << probes.status();
  ASSERT_EQ(probes->size(), 1u);
  EXPECT_EQ((*probes)[0].party.value(), "US");
  Open();
  probes = service_->Probes(Caller{.party = PartyId("RU")});
  ASSERT_TRUE(probes.ok());
  ASSERT_EQ(probes->size(), 1u);
  EXPECT_EQ((*probes)[0].count, 1u);
  EXPECT_EQ((*probes)[0].operation.value(), a);
}

TEST_F(OperationServiceTest, AnUnparseableRowIsNamedByTableAndIdAtStart) {
  const std::string id = NewUuid();
  ASSERT_TRUE(store_
                  ->Write([&](store::Txn& txn) {
                    return txn.PutOperation({.id = id,
                                             .party = "RU",
                                             .version = 1,
                                             .ovn = NewUuid(),
                                             .state = "Accepted",
                                             .label = "",
                                             .extents = "[{\"volume\": ",
                                             .request_digest = "d",
                                             .created_at = kNow,
                                             .updated_at = kNow,
                                             .ledger_index = 0});
                  })
                  .ok());
  OperationService fresh(*store_, clock_, OperationServiceOptions{.eviction_interval = {}});
  absl::Status loaded = fresh.Load();
  EXPECT_TRUE(absl::IsDataLoss(loaded)) << loaded;
  EXPECT_EQ(loaded.message(), "operations row " + id + ": extents: malformed JSON");
}

TEST(MakeOperationRequest, RefusesControlCharactersInTheLabelAndNamesEveryField) {
  auto volume = [] {
    std::vector<geo::Volume4D> v;
    v.push_back(*geo::Volume4D::FromJson(
        *ParseJson(Circle(1, 1, 100, 0, 100, kNow, kNow + hours(1))), "e", {}, kNow));
    return v;
  };
  for (const std::string& label :
       {std::string("a\0b", 3), std::string("\x1b[2J"), std::string("x\x7f"),
        std::string("\xc2\x85"), std::string("tab\there")}) {
    absl::Status s =
        MakeOperationRequest(volume(), OperationState::kAccepted, {}, label, {}).status();
    EXPECT_EQ(FieldOf(s), "label") << s;
  }
  EXPECT_TRUE(MakeOperationRequest(volume(), OperationState::kAccepted, {},
                                   "CAP orbit \xc3\xa9 \xc2\xa0", {})
                  .ok());
  EXPECT_EQ(FieldOf(MakeOperationRequest({}, OperationState::kAccepted, {}, "", {}).status()),
            "extents");
  EXPECT_EQ(FieldOf(MakeOperationRequest(volume(), OperationState::kEnded, {}, "", {}).status()),
            "state");
  EXPECT_EQ(
      FieldOf(
          MakeOperationRequest(volume(), OperationState::kAccepted, {"a", ""}, "", {}).status()),
      "key[1]");
  EXPECT_EQ(FieldOf(MakeOperationRequest(volume(), OperationState::kAccepted, {},
                                         std::string(257, 'x'), {})
                        .status()),
            "label");
}

}  // namespace
}  // namespace deconflict::strategic
