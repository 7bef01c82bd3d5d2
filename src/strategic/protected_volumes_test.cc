// The key rule's protected places hook (strategic/protected_volumes.h), on the in-memory
// repository: hits met before the unit are kept only while the hook's places stay the same, and
// lose the extents that ended meanwhile.
#include <atomic>
#include <future>

#include "common/time.h"
#include "gtest/gtest.h"
#include "strategic/fake_operation_repository.h"
#include "strategic/operation_service.h"

namespace deconflict::strategic {
namespace {

using std::chrono::hours;

const Timestamp kNow = *ParseRfc3339("2026-11-21T10:00:00Z");
const std::string kOp = "00000000-0000-4000-8000-00000000000a";

geo::Overlap OverlapIn(Timestamp start, Timestamp end) {
  return geo::Overlap{.rect = S2LatLngRect::FromPoint(S2LatLng::FromDegrees(35, 38)),
                      .altitude = {0, 100},
                      .time = {start, end}};
}

ProtectedHit Hit(const std::string& ref, std::vector<size_t> extents) {
  ProtectedHit hit{.ref = ref, .version = "v-" + ref, .key_required = true};
  for (size_t e : extents) {
    const geo::Overlap o = OverlapIn(kNow + hours(e), kNow + hours(e + 1));
    hit.overlap = hit.overlaps.empty() ? o : UnionOf(hit.overlap, o);
    hit.overlaps.push_back({e, o});
  }
  return hit;
}

// Answers `answers[i]` at its i-th Meet (the last one after); its generation is `generation`,
// or, with `change_after` >= 0, changes once that many Generation() calls have been made.
class FakeHook final : public ProtectedVolumes {
 public:
  std::vector<std::vector<ProtectedHit>> answers;
  std::optional<uint64_t> generation = 7;
  int change_after = -1;
  FakeClock* advance_clock = nullptr;  // advanced by 90 min at the first Meet
  mutable std::atomic<int> meets{0};
  mutable std::atomic<int> generations{0};
  mutable std::vector<Timestamp> meet_times;

  std::vector<ProtectedHit> Meet(const PartyId&,
                                 std::span<const std::shared_ptr<const geo::Volume4D>>,
                                 Timestamp now) const override {
    const int i = meets++;
    meet_times.push_back(now);
    if (i == 0 && advance_clock != nullptr) advance_clock->Advance(std::chrono::minutes(90));
    return answers.at(std::min<size_t>(static_cast<size_t>(i), answers.size() - 1));
  }
  std::optional<uint64_t> Generation() const override {
    const int calls = generations++;
    if (!generation) return std::nullopt;
    return change_after >= 0 && calls >= change_after ? *generation + 1 : *generation;
  }
  absl::Status Record(store::Txn&, const PartyId&, const OperationId&,
                      const std::vector<ProtectedHit>&, Timestamp) const override {
    return absl::OkStatus();
  }
};

class ProtectedVolumesTest : public ::testing::Test {
 protected:
  // Files two extents, [now, now+1h) and [now, now+3h), as RU with an empty key.
  WriteOutcome Put() {
    std::vector<geo::Volume4D> extents;
    for (int h : {1, 3}) {
      auto v = geo::Volume4D::Make(geo::Circle{{35, 38}, 1000}, {0, 100}, {kNow, kNow + hours(h)},
                                   {}, kNow, "extents");
      EXPECT_TRUE(v.ok()) << v.status();
      extents.push_back(*std::move(v));
    }
    auto request = MakeOperationRequest(std::move(extents), OperationState::kAccepted, {}, "", {});
    EXPECT_TRUE(request.ok());
    std::promise<WriteOutcome> p;
    service_.Put(Caller{.party = PartyId("RU")}, OperationId(kOp), std::nullopt,
                 *std::move(request), [&](WriteOutcome o) { p.set_value(std::move(o)); });
    return p.get_future().get();
  }
  static std::vector<std::string> MissingRefs(const WriteOutcome& o) {
    std::vector<std::string> refs;
    if (o.refusal) {
      for (const ProtectedHit& h : o.refusal->protected_missing) refs.push_back(h.ref);
    }
    return refs;
  }

  FakeClock clock_{kNow};
  FakeOperationRepository repo_;
  OperationService service_{repo_, clock_, OperationServiceOptions{.eviction_interval = {}}};
  FakeHook hook_;
};

TEST_F(ProtectedVolumesTest, AStableGenerationKeepsTheHitsMetBeforeTheUnit) {
  hook_.answers = {{Hit("site/a", {0, 1})}, {Hit("site/unit", {0})}};
  service_.AddProtectedVolumes(hook_);
  WriteOutcome o = Put();
  EXPECT_TRUE(absl::IsAborted(o.status)) << o.status;
  EXPECT_EQ(MissingRefs(o), std::vector<std::string>{"site/a"});
  EXPECT_EQ(hook_.meets.load(), 1);
  EXPECT_EQ(o.refusal->protected_missing[0].overlaps.size(), 2u);
}

TEST_F(ProtectedVolumesTest, PlacesThatChangedBeforeTheUnitAreMetAgainInIt) {
  hook_.answers = {{Hit("site/early", {0})}, {Hit("site/unit", {1})}};
  hook_.change_after = 2;  // stable across the early Meet, changed when the unit asks
  service_.AddProtectedVolumes(hook_);
  WriteOutcome o = Put();
  EXPECT_EQ(MissingRefs(o), std::vector<std::string>{"site/unit"});
  EXPECT_EQ(hook_.meets.load(), 2);
}

TEST_F(ProtectedVolumesTest, PlacesThatChangedDuringTheEarlyMeetAreMetAgainInTheUnit) {
  hook_.answers = {{Hit("site/early", {0})}, {Hit("site/unit", {1})}};
  hook_.change_after = 1;  // the Generation() after the early Meet differs
  service_.AddProtectedVolumes(hook_);
  WriteOutcome o = Put();
  EXPECT_EQ(MissingRefs(o), std::vector<std::string>{"site/unit"});
  EXPECT_EQ(hook_.meets.load(), 2);
}

TEST_F(ProtectedVolumesTest, AHookWithoutAGenerationIsMetInTheUnitOnly) {
  hook_.answers = {{Hit("site/unit", {0})}};
  hook_.generation = std::nullopt;
  service_.AddProtectedVolumes(hook_);
  clock_.Advance(std::chrono::seconds(1));
  WriteOutcome o = Put();
  EXPECT_EQ(MissingRefs(o), std::vector<std::string>{"site/unit"});
  ASSERT_EQ(hook_.meets.load(), 1);
  EXPECT_EQ(hook_.meet_times[0], kNow + std::chrono::seconds(1));
}

TEST_F(ProtectedVolumesTest, ExtentsThatEndedBeforeTheUnitLeaveTheEarlyHits) {
  // Extent 0 ends at now+1h; the early Meet moves the clock to now+90min, so in the unit only
  // extent 1 is still to come: "site/both" keeps extent 1 (its envelope too), "site/first" goes.
  hook_.answers = {{Hit("site/both", {0, 1}), Hit("site/first", {0})}};
  hook_.advance_clock = &clock_;
  service_.AddProtectedVolumes(hook_);
  WriteOutcome o = Put();
  ASSERT_EQ(MissingRefs(o), std::vector<std::string>{"site/both"});
  const ProtectedHit& hit = o.refusal->protected_missing[0];
  ASSERT_EQ(hit.overlaps.size(), 1u);
  EXPECT_EQ(hit.overlaps[0].extent, 1u);
  EXPECT_EQ(hit.overlap.time.start, kNow + hours(1));
  EXPECT_EQ(hit.overlap.time.end, kNow + hours(2));
  EXPECT_EQ(hook_.meets.load(), 1);
}

}  // namespace
}  // namespace deconflict::strategic
