// The key rule and the write steps of OperationService, on the in-memory repository (no
// SQLite): what is refused, what is accepted, what a retry answers, what memory keeps.
#include <future>

#include "common/ids.h"
#include "common/json.h"
#include "common/time.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "strategic/fake_operation_repository.h"
#include "strategic/operation_service.h"

namespace deconflict::strategic {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const Timestamp kNow = *ParseRfc3339("2026-11-21T10:00:00Z");

// A circle of radius `r` metres, altitude [lo, hi] m, window [s, e).
std::string Circle(double lat, double lng, double r, double lo, double hi, Timestamp s,
                   Timestamp e) {
  return fmt::format(
      R"({{"volume": {{"outline_circle": {{"center": {{"lat": {}, "lng": {}}}, "radius": {{"value": {}, "units": "M"}}}},)"
      R"( "altitude_lower": {{"value": {}, "reference": "W84", "units": "M"}}, "altitude_upper": {{"value": {}, "reference": "W84", "units": "M"}}}},)"
      R"( "time_start": {{"value": "{}", "format": "RFC3339"}}, "time_end": {{"value": "{}", "format": "RFC3339"}}}})",
      lat, lng, r, lo, hi, FormatRfc3339(s), FormatRfc3339(e));
}

// A request of `volumes` (ASTM JSON, through geo's codec) with `key`.
OperationRequest Request(const std::vector<std::string>& volumes,
                         const std::vector<std::string>& key = {}) {
  std::vector<geo::Volume4D> extents;
  for (const auto& v : volumes) {
    auto volume = geo::Volume4D::FromJson(*ParseJson(v), "extents", {}, kNow);
    EXPECT_TRUE(volume.ok()) << volume.status();
    extents.push_back(*std::move(volume));
  }
  auto request = MakeOperationRequest(std::move(extents), OperationState::kAccepted, key, "", {});
  EXPECT_TRUE(request.ok()) << request.status();
  return *std::move(request);
}

class KeyRuleTest : public ::testing::Test {
 protected:
  WriteOutcome Put(const std::string& party, const std::string& id, OperationRequest req,
                   std::optional<std::string> ovn = std::nullopt) {
    std::promise<WriteOutcome> p;
    service_.Put(Caller{.party = PartyId(party)}, OperationId(id), ovn, std::move(req),
                 [&](WriteOutcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
  WriteOutcome End(const std::string& party, const std::string& id, const std::string& ovn) {
    std::promise<WriteOutcome> p;
    service_.End(Caller{.party = PartyId(party)}, OperationId(id), ovn,
                 [&](WriteOutcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
  // Files `volume` for `party` and returns its OVN.
  std::string File(const std::string& party, const std::string& id, const std::string& volume) {
    WriteOutcome o = Put(party, id, Request({volume}));
    EXPECT_TRUE(o.status.ok()) << o.status;
    return o.result ? o.result->operation.ovn : "";
  }
  // The fake repository runs units at once, so Query answers before it returns.
  absl::StatusOr<Page<QueryHit>> Query(const Caller& caller, const geo::Volume4D& area,
                                       const PageRequest& page = {}) {
    absl::StatusOr<Page<QueryHit>> out = absl::InternalError("no answer");
    service_.Query(caller, area, page,
                   [&](absl::StatusOr<Page<QueryHit>> r) { out = std::move(r); });
    return out;
  }
  static std::vector<std::string> MissingIds(const WriteOutcome& o) {
    std::vector<std::string> ids;
    if (o.refusal) {
      for (const auto& m : o.refusal->missing) ids.push_back(m.other.id.value());
    }
    return ids;
  }

  FakeClock clock_{kNow};
  FakeOperationRepository repo_;
  OperationService service_{repo_, clock_, OperationServiceOptions{.eviction_interval = {}}};
};

const std::string kA = "00000000-0000-4000-8000-00000000000a";
const std::string kB = "00000000-0000-4000-8000-00000000000b";
const std::string kC = "00000000-0000-4000-8000-00000000000c";

TEST_F(KeyRuleTest, MissingOvnsAreRefusedWithTheListAndNothingIsStored) {
  // RU and TR do not meet (altitude bands apart); US meets both.
  File("RU", kA, Circle(35, 38, 5000, 0, 800, kNow + hours(1), kNow + hours(2)));
  File("TR", kB, Circle(35, 38.02, 5000, 1200, 2000, kNow + hours(1), kNow + hours(2)));
  WriteOutcome refused = Put(
      "US", kC, Request({Circle(35, 38.01, 5000, 500, 1500, kNow + hours(1), kNow + hours(2))}));
  EXPECT_TRUE(absl::IsAborted(refused.status)) << refused.status;
  EXPECT_EQ(MissingIds(refused), (std::vector<std::string>{kA, kB}));
  EXPECT_FALSE(refused.result.has_value());
  // Each missing operation carries its overlap: the altitude band is the intersection.
  EXPECT_EQ(refused.refusal->missing[0].overlap.altitude.lower_m, 500);
  EXPECT_EQ(refused.refusal->missing[0].overlap.altitude.upper_m, 800);
  ASSERT_EQ(refused.refusal->missing[0].overlaps.size(), 1u);
  EXPECT_EQ(refused.refusal->missing[0].overlaps[0].extent, 0u);
  EXPECT_FALSE(repo_.Get(kC)->has_value());
  EXPECT_EQ(repo_.ledger().size(), 2u);
}

TEST_F(KeyRuleTest, OneOvnOfTwoIsNotEnoughAndAllAreAccepted) {
  const std::string a = File("RU", kA, Circle(35, 38, 5000, 0, 800, kNow, kNow + hours(2)));
  const std::string b = File("TR", kB, Circle(35, 38.02, 5000, 1200, 2000, kNow, kNow + hours(2)));
  const std::string mine = Circle(35, 38.01, 5000, 500, 1500, kNow, kNow + hours(2));
  EXPECT_EQ(MissingIds(Put("US", kC, Request({mine}, {a}))), (std::vector<std::string>{kB}));
  WriteOutcome accepted = Put("US", kC, Request({mine}, {a, b}));
  ASSERT_TRUE(accepted.status.ok()) << accepted.status;
  EXPECT_TRUE(accepted.result->created);
  ASSERT_EQ(accepted.result->conflicts.size(), 2u);
  EXPECT_EQ(accepted.result->conflicts[0].other.id.value(), kA);
  EXPECT_EQ(accepted.result->conflicts[1].other.id.value(), kB);
}

TEST_F(KeyRuleTest, TheOwnersOfTheOperationsMetMayOpenTheLedgerEntryAndAreTold) {
  const std::string a = File("RU", kA, Circle(35, 38, 5000, 0, 800, kNow, kNow + hours(2)));
  const std::string b = File("TR", kB, Circle(35, 38.02, 5000, 1200, 2000, kNow, kNow + hours(2)));
  EXPECT_TRUE(repo_.readers(0).empty());  // RU's filing met nothing
  WriteOutcome accepted =
      Put("US", kC, Request({Circle(35, 38.01, 5000, 500, 1500, kNow, kNow + hours(2))}, {a, b}));
  ASSERT_TRUE(accepted.status.ok()) << accepted.status;
  EXPECT_EQ(repo_.readers(accepted.result->ledger_index), (std::vector<std::string>{"RU", "TR"}));
  // operation.conflict to each owner, with the new OVN.
  std::vector<std::string> told;
  for (const auto& [to, payload] : repo_.events()) {
    const auto* conflict = std::get_if<events::OperationConflict>(&payload);
    ASSERT_NE(conflict, nullptr);
    EXPECT_EQ(conflict->operation.value(), kC);
    EXPECT_EQ(conflict->ovn, accepted.result->operation.ovn);
    told.push_back(to.value());
  }
  EXPECT_EQ(told, (std::vector<std::string>{"RU", "TR"}));
}

TEST_F(KeyRuleTest, OwnOperationsAreNeverNeeded) {
  File("RU", kA, Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(1)));
  WriteOutcome again = Put("RU", kB, Request({Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(1))}));
  ASSERT_TRUE(again.status.ok()) << again.status;
  EXPECT_TRUE(again.result->conflicts.empty());
}

TEST_F(KeyRuleTest, OverlapsOnlyInThePastAreIgnored) {
  File("RU", kA, Circle(1, 1, 5000, 0, 1000, kNow + minutes(10), kNow + minutes(20)));
  clock_.Advance(minutes(30));
  WriteOutcome later = Put("US", kB, Request({Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(2))}));
  EXPECT_TRUE(later.status.ok()) << later.status;
}

TEST_F(KeyRuleTest, TouchingTimeWindowsDoNotConflictTouchingAltitudesDo) {
  File("RU", kA, Circle(1, 1, 5000, 0, 1000, kNow + hours(1), kNow + hours(2)));
  EXPECT_TRUE(
      Put("US", kB, Request({Circle(1, 1, 5000, 0, 1000, kNow + hours(2), kNow + hours(3))}))
          .status.ok());
  EXPECT_EQ(
      MissingIds(Put("US", kC,
                     Request({Circle(1, 1, 5000, 1000, 1100, kNow + hours(1), kNow + hours(2))}))),
      (std::vector<std::string>{kA}));
}

TEST_F(KeyRuleTest, EndedOperationsAreNotNeeded) {
  const std::string a = File("RU", kA, Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(1)));
  ASSERT_TRUE(End("RU", kA, a).status.ok());
  EXPECT_TRUE(
      Put("US", kB, Request({Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(1))})).status.ok());
}

TEST_F(KeyRuleTest, UpperCaseIdsAndOvnsNameTheSameOperation) {
  const auto upper = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
  };
  const std::string a = File("RU", kA, Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(1)));
  // Another party's upper-case twin is the same (taken) id, not a new operation.
  EXPECT_TRUE(absl::IsAlreadyExists(
      Put("US", upper(kA), Request({Circle(9, 9, 100, 0, 10, kNow, kNow + hours(1))})).status));
  ASSERT_TRUE(service_.Get(Caller{.party = PartyId("RU")}, OperationId(upper(kA))).ok());
  // An upper-case OVN in a key or a path is the same OVN.
  WriteOutcome us = Put("US", upper(kB),
                        Request({Circle(1, 1, 5000, 0, 1000, kNow, kNow + hours(1))}, {upper(a)}));
  ASSERT_TRUE(us.status.ok()) << us.status;
  EXPECT_EQ(us.result->operation.id, kB);
  WriteOutcome updated =
      Put("RU", upper(kA),
          Request({Circle(1, 1, 4000, 0, 1000, kNow, kNow + hours(1))}, {us.result->operation.ovn}),
          upper(a));
  ASSERT_TRUE(updated.status.ok()) << updated.status;
  EXPECT_EQ(updated.result->operation.id, kA);
}

TEST_F(KeyRuleTest, RetriedUpdateAnswersAsTheFirstAndAnotherBodyIsStale) {
  const std::string v1 = File("RU", kA, Circle(2, 2, 1000, 0, 100, kNow, kNow + hours(1)));
  auto change = [&] { return Request({Circle(2, 2, 1500, 0, 100, kNow, kNow + hours(1))}); };
  WriteOutcome first = Put("RU", kA, change(), v1);
  ASSERT_TRUE(first.status.ok()) << first.status;
  WriteOutcome retry = Put("RU", kA, change(), v1);  // the response was lost
  ASSERT_TRUE(retry.status.ok()) << retry.status;
  EXPECT_EQ(retry.result->operation.ovn, first.result->operation.ovn);
  EXPECT_EQ(retry.result->operation.version, 2);
  EXPECT_EQ(retry.result->ledger_index, first.result->ledger_index);
  EXPECT_FALSE(retry.result->created);
  EXPECT_EQ(repo_.ledger().size(), 2u);  // nothing new recorded
  // A different body from the old OVN is stale; the same body from another party is refused.
  WriteOutcome stale =
      Put("RU", kA, Request({Circle(2, 2, 1600, 0, 100, kNow, kNow + hours(1))}), v1);
  EXPECT_TRUE(absl::IsAborted(stale.status)) << stale.status;  // stale OVN: 409, no refusal
  EXPECT_FALSE(stale.refusal.has_value());
  EXPECT_TRUE(absl::IsPermissionDenied(Put("US", kA, change(), v1).status));
  // Once changed again, the retry of the first change is stale.
  ASSERT_TRUE(Put("RU", kA, Request({Circle(2, 2, 1700, 0, 100, kNow, kNow + hours(1))}),
                  first.result->operation.ovn)
                  .status.ok());
  EXPECT_TRUE(absl::IsAborted(Put("RU", kA, change(), v1).status));
}

TEST_F(KeyRuleTest, OperationsWhoseWindowsEndedAreEvictedButStayReadable) {
  File("RU", kA, Circle(3, 3, 1000, 0, 100, kNow, kNow + minutes(30)));
  File("RU", kB, Circle(4, 4, 1000, 0, 100, kNow, kNow + hours(2)));
  EXPECT_EQ(service_.EvictEnded(), 0u);
  clock_.Advance(minutes(30));  // time_end <= now: ended
  EXPECT_EQ(service_.EvictEnded(), 1u);
  EXPECT_EQ(service_.live_operations(), 1u);
  auto got = service_.Get(Caller{.party = PartyId("RU")}, OperationId(kA));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->whole.has_value());
  // At load as well.
  OperationService reloaded(repo_, clock_, OperationServiceOptions{.eviction_interval = {}});
  ASSERT_TRUE(reloaded.Load().ok());
  EXPECT_EQ(reloaded.live_operations(), 1u);
}

TEST_F(KeyRuleTest, EvictionRunsOnItsTimer) {
  OperationService timed(
      repo_, clock_, OperationServiceOptions{.eviction_interval = std::chrono::milliseconds(1)});
  std::promise<WriteOutcome> p;
  timed.Put(Caller{.party = PartyId("RU")}, OperationId(kA), std::nullopt,
            Request({Circle(3, 3, 1000, 0, 100, kNow, kNow + minutes(5))}),
            [&](WriteOutcome o) { p.set_value(std::move(o)); });
  ASSERT_TRUE(p.get_future().get().status.ok());
  clock_.Advance(minutes(5));
  for (int i = 0; i < 5000 && timed.live_operations() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(timed.live_operations(), 0u);
}

TEST_F(KeyRuleTest, AnUnparseableStoredRowIsNamedByTableAndId) {
  repo_.PutRow(store::OperationRecord{.id = kA,
                                      .party = "RU",
                                      .version = 1,
                                      .ovn = NewUuid(),
                                      .state = "Accepted",
                                      .extents = "{not json"});
  absl::Status loaded = service_.Load();
  EXPECT_TRUE(absl::IsDataLoss(loaded)) << loaded;
  EXPECT_EQ(loaded.message(), "operations row " + kA + ": extents: malformed JSON");
}

TEST_F(KeyRuleTest, AFailedCommitLeavesMemoryAsStored) {
  repo_.fail_next_commit = true;
  WriteOutcome failed = Put("RU", kA, Request({Circle(5, 5, 1000, 0, 100, kNow, kNow + hours(1))}));
  EXPECT_FALSE(failed.status.ok());
  EXPECT_EQ(service_.live_operations(), 0u);
  EXPECT_TRUE(
      Put("US", kB, Request({Circle(5, 5, 1000, 0, 100, kNow, kNow + hours(1))})).status.ok());
}

TEST_F(KeyRuleTest, ConflictsAndQueriesPage) {
  // RU files 5 operations; US one that meets them all (with every OVN in its key).
  std::vector<std::string> ovns;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(fmt::format("00000000-0000-4000-8000-00000000010{}", i));
    ovns.push_back(
        File("RU", ids.back(), Circle(6, 6 + 0.001 * i, 1000, 0, 100, kNow, kNow + hours(1))));
  }
  ASSERT_TRUE(Put("US", kA, Request({Circle(6, 6, 5000, 0, 100, kNow, kNow + hours(1))}, ovns))
                  .status.ok());
  std::vector<std::string> seen;
  PageRequest page{.limit = 2, .after = ""};
  for (int pages = 0; pages < 10; ++pages) {
    Page<OwnConflict> p = service_.Conflicts(Caller{.party = PartyId("US")}, page);
    EXPECT_LE(p.items.size(), 2u);
    for (const auto& c : p.items) seen.push_back(c.other.id.value());
    if (p.next.empty()) break;
    page.after = p.next;
  }
  EXPECT_EQ(seen, ids);

  ASSERT_TRUE(geo::Volume4D::FromJson(
                  *ParseJson(Circle(6, 6, 20000, 0, 100, kNow, kNow + hours(1))), "a", {}, kNow)
                  .ok());
  geo::Volume4D area = *geo::Volume4D::FromJson(
      *ParseJson(Circle(6, 6, 20000, 0, 100, kNow, kNow + hours(1))), "a", {}, kNow);
  Page<QueryHit> first = *Query(Caller{.party = PartyId("RU"), .sees_everything = true}, area,
                                {.limit = 4, .after = ""});
  ASSERT_EQ(first.items.size(), 4u);
  Page<QueryHit> rest = *Query(Caller{.party = PartyId("RU"), .sees_everything = true}, area,
                               {.limit = 4, .after = first.next});
  EXPECT_EQ(rest.items.size(), 2u);
  EXPECT_TRUE(rest.next.empty());
}

geo::Volume4D Area(const std::string& circle) {
  return *geo::Volume4D::FromJson(*ParseJson(circle), "area", {}, kNow);
}

TEST_F(KeyRuleTest, ProbesAreCoarsenedRecordedForTheOwnerAndRateLimited) {
  const std::string a =
      File("RU", kA, Circle(7, 7, 2000, 0, 1000, kNow + minutes(7), kNow + hours(1)));
  const Caller us{.party = PartyId("US"), .may_probe = true};
  const geo::Volume4D area = Area(Circle(7, 7, 20000, 0, 5000, kNow, kNow + hours(2)));

  // US has filed nothing there: the overlap is widened to 0.01 degree and 15 minutes.
  absl::StatusOr<Page<QueryHit>> probe = Query(us, area);
  ASSERT_TRUE(probe.ok()) << probe.status();
  ASSERT_EQ(probe->items.size(), 1u);
  const QueryHit& hit = probe->items[0];
  EXPECT_FALSE(hit.whole.has_value());
  ASSERT_TRUE(hit.overlap.has_value());
  EXPECT_TRUE(hit.coarsened);
  const auto on_grid = [](double deg) {
    return std::abs(deg * 100 - std::round(deg * 100)) < 1e-6;
  };
  EXPECT_TRUE(on_grid(hit.overlap->rect.lat_lo().degrees()) &&
              on_grid(hit.overlap->rect.lng_hi().degrees()));
  EXPECT_EQ(hit.overlap->time.start, kNow);  // 10:07 -> 10:00
  EXPECT_EQ(hit.overlap->time.end, kNow + hours(1));

  // The owner sees who probed, how often; the prober sees nothing of the sort.
  ASSERT_TRUE(Query(us, area).ok());
  std::vector<ProbeRecord> seen = *service_.Probes(Caller{.party = PartyId("RU")});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].operation.value(), kA);
  EXPECT_EQ(seen[0].party.value(), "US");
  EXPECT_EQ(seen[0].count, 2u);
  EXPECT_TRUE(service_.Probes(Caller{.party = PartyId("US")})->empty());

  // Once US files something that meets it, the overlap is exact.
  ASSERT_TRUE(
      Put("US", kB,
          Request({Circle(7, 7.01, 2000, 0, 1000, kNow + minutes(7), kNow + hours(1))}, {a}))
          .status.ok());
  absl::StatusOr<Page<QueryHit>> exact = Query(us, area);
  ASSERT_TRUE(exact.ok());
  for (const QueryHit& h : exact->items) EXPECT_FALSE(h.coarsened) << h.ref.id.value();

  // Past the per-minute budget, probes are refused (nothing shown) until the minute has passed.
  absl::Status refused;
  for (int i = 0; i < 40 && refused.ok(); ++i) refused = Query(us, area).status();
  EXPECT_TRUE(absl::IsResourceExhausted(refused)) << refused;
  EXPECT_EQ((*service_.Probes(Caller{.party = PartyId("RU")}))[0].count, 30u);
  // A guarantor's or the owner's query is no probe.
  EXPECT_TRUE(Query(Caller{.party = PartyId("RU")}, area).ok());
  clock_.Advance(minutes(1));
  EXPECT_TRUE(Query(us, area).ok());
}

}  // namespace
}  // namespace deconflict::strategic
