#include "agreements/proposal.h"

#include "common/status.h"
#include "common/time.h"
#include "gtest/gtest.h"

namespace deconflict::agreements {
namespace {

using namespace std::chrono_literals;

const Timestamp kNow = *ParseRfc3339("2026-12-01T07:00:00Z");
const PartyId kRu("RU");

// A square of about 55 x 47 km around Palmyra.
Ring Palmyra() { return {{34.3, 38.0}, {34.3, 38.6}, {34.8, 38.6}, {34.8, 38.0}}; }

ProposalRequest ListEntryProposal() {
  return ProposalRequest{
      .id = "designate-group-a",
      .kind = ProposalKind::kListEntry,
      .content = ListEntryChange{.list = "designated-groups",
                                 .op = ListEntryChange::Op::kAdd,
                                 .entry = {.name = "Group A", .aliases = {"GA"}, .notes = ""}},
      .approvers = {PartyId("US"), PartyId("TR")},
      .expires_at = kNow + 72h};
}

ProposalRequest AorProposal() {
  return ProposalRequest{.id = "aor-palmyra",
                         .kind = ProposalKind::kAreaOfResponsibility,
                         .content = AreaOfResponsibility{.party = kRu,
                                                         .area = Palmyra(),
                                                         .altitude = {0, 12000},
                                                         .window = {kNow, kNow + 24h * 180}},
                         .approvers = {PartyId("US")},
                         .expires_at = kNow + 24h};
}

ProposalRequest TerritoryProposal(std::vector<Ring> areas, bool multi) {
  return ProposalRequest{
      .id = "host-territory",
      .kind = ProposalKind::kTerritory,
      .content = Territory{.party = PartyId("HOST"), .areas = std::move(areas), .multi = multi},
      .approvers = {PartyId("HOST"), PartyId("US")},
      .expires_at = kNow + 24h};
}

std::string ErrorField(const ProposalRequest& r) {
  absl::Status s = ValidateProposal(r, kRu, kNow);
  if (s.ok()) return "ok";
  return FieldOf(s).value_or("(no field) " + std::string(s.message()));
}

TEST(ProposalTest, EachKindValidates) {
  EXPECT_EQ(ErrorField(ListEntryProposal()), "ok");
  EXPECT_EQ(ErrorField(AorProposal()), "ok");
  EXPECT_EQ(ErrorField(TerritoryProposal({Palmyra()}, false)), "ok");
  ProposalRequest text{.id = "memorandum-2015",
                       .kind = ProposalKind::kText,
                       .content = TextAgreement{.title = "Memorandum", .text = "Flight safety."},
                       .approvers = {PartyId("US")},
                       .expires_at = kNow + 1h};
  EXPECT_EQ(ErrorField(text), "ok");
}

TEST(ProposalTest, KindNamesRoundTrip) {
  for (ProposalKind k : {ProposalKind::kListEntry, ProposalKind::kAreaOfResponsibility,
                         ProposalKind::kTerritory, ProposalKind::kText}) {
    absl::StatusOr<ProposalKind> parsed = ParseKind(KindName(k));
    ASSERT_TRUE(parsed.ok()) << KindName(k);
    EXPECT_EQ(*parsed, k);
  }
  absl::StatusOr<ProposalKind> bad = ParseKind("treaty");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(FieldOf(bad.status()), "kind");
}

TEST(ProposalTest, ApproversAreSortedDistinctAndIncludeTheProposer) {
  std::vector<PartyId> a = NormalizedApprovers({PartyId("US"), PartyId("TR")}, kRu);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0], PartyId("RU"));
  EXPECT_EQ(a[1], PartyId("TR"));
  EXPECT_EQ(a[2], PartyId("US"));
  EXPECT_EQ(NormalizedApprovers({kRu, PartyId("US")}, kRu).size(), 2u);
}

TEST(ProposalTest, ApproverErrorsNameTheIndex) {
  ProposalRequest p = ListEntryProposal();
  p.approvers = {PartyId("US"), PartyId("US")};
  EXPECT_EQ(ErrorField(p), "approvers[1]");
  p.approvers = {PartyId("US"), PartyId("bad id")};
  EXPECT_EQ(ErrorField(p), "approvers[1]");
  p.approvers = {kRu};  // the proposer alone agrees with nobody
  EXPECT_EQ(ErrorField(p), "approvers");
  p.approvers = {};
  EXPECT_EQ(ErrorField(p), "approvers");
  p.approvers.assign(51, PartyId("US"));
  absl::Status s = ValidateProposal(p, kRu, kNow);
  EXPECT_TRUE(IsLimitExceeded(s)) << s;
}

TEST(ProposalTest, ExpiryMustBeAheadAndWithinTheLimit) {
  ProposalRequest p = ListEntryProposal();
  p.expires_at = kNow;
  EXPECT_EQ(ErrorField(p), "expires_at");
  p.expires_at = kNow + 24h * 91;
  EXPECT_EQ(ErrorField(p), "expires_at");
}

TEST(ProposalTest, ContentMustMatchTheKind) {
  ProposalRequest p = ListEntryProposal();
  p.kind = ProposalKind::kText;
  EXPECT_EQ(ErrorField(p), "content");
}

TEST(ProposalTest, ListEntryErrorsNameTheField) {
  ProposalRequest p = ListEntryProposal();
  std::get<ListEntryChange>(p.content).list = "Designated Groups";
  EXPECT_EQ(ErrorField(p), "content.list");
  p = ListEntryProposal();
  std::get<ListEntryChange>(p.content).entry.name = "";
  EXPECT_EQ(ErrorField(p), "content.entry.name");
  p = ListEntryProposal();
  std::get<ListEntryChange>(p.content).entry.aliases = {"GA", "Group A"};
  EXPECT_EQ(ErrorField(p), "content.entry.aliases[1]");
  p = ListEntryProposal();
  std::get<ListEntryChange>(p.content).entry.aliases = {"G\x01"};
  EXPECT_EQ(ErrorField(p), "content.entry.aliases[0]");
  p = ListEntryProposal();
  std::get<ListEntryChange>(p.content).entry.notes = std::string(4097, 'x');
  EXPECT_TRUE(IsLimitExceeded(ValidateProposal(p, kRu, kNow)));
  p = ListEntryProposal();
  p.amends = "list/designated-groups/Group A";
  EXPECT_EQ(ErrorField(p), "amends");
}

TEST(ProposalTest, WithdrawNeedsTheAgreementItEnds) {
  ProposalRequest p = AorProposal();
  p.withdraw = true;
  EXPECT_EQ(ErrorField(p), "withdraw");
  p.amends = "aor/aor-palmyra";
  EXPECT_EQ(ErrorField(p), "ok");
}

TEST(ProposalTest, AreaErrorsUseTheGeoJsonPaths) {
  ProposalRequest p = AorProposal();
  auto& aor = std::get<AreaOfResponsibility>(p.content);
  aor.area[2] = {95.0, 38.6};
  EXPECT_EQ(ErrorField(p), "content.area.coordinates[0][2]");
  aor.area = Palmyra();
  aor.area[3] = aor.area[2];
  EXPECT_EQ(ErrorField(p), "content.area.coordinates[0][3]");
  aor.area = {{34.3, 38.0}, {34.3, 38.6}, {34.8, 38.0}, {34.8, 38.6}};  // a bow tie
  EXPECT_EQ(ErrorField(p), "content.area.coordinates[0][1]");  // where the crossing edge starts
  aor.area = {{34.3, 38.0}, {34.3, 38.6}};
  EXPECT_EQ(ErrorField(p), "content.area.coordinates[0]");
  aor.area = Palmyra();
  aor.altitude = {5000, 1000};
  EXPECT_EQ(ErrorField(p), "content.altitude_upper_m");
  aor.altitude = {0, 12000};
  aor.window = {kNow + 2h, kNow + 1h};
  EXPECT_EQ(ErrorField(p), "content.time_end");
  aor.window = {kNow, kNow + 24h * 3661};
  EXPECT_EQ(ErrorField(p), "content.time_end");
  aor.window = {kNow, kNow + 24h};
  aor.party = PartyId("not a party");
  EXPECT_EQ(ErrorField(p), "content.party");
}

TEST(ProposalTest, AreaLimitsAreLimitExceededNamingTheArea) {
  ProposalRequest p = AorProposal();
  auto& aor = std::get<AreaOfResponsibility>(p.content);
  aor.area = {{20, 20}, {20, 40}, {40, 40}, {40, 20}};  // ~4 million km²
  absl::Status s = ValidateProposal(p, kRu, kNow);
  EXPECT_TRUE(IsLimitExceeded(s)) << s;
  EXPECT_EQ(FieldOf(s).value_or("").rfind("content.area", 0), 0u) << s;
  aor.area.clear();
  for (int i = 0; i < 1001; ++i) {
    const double t = 2 * 3.14159265358979 * i / 1001;
    aor.area.push_back({34.5 + 0.2 * std::sin(t), 38.3 + 0.2 * std::cos(t)});
  }
  s = ValidateProposal(p, kRu, kNow);
  EXPECT_TRUE(IsLimitExceeded(s)) << s;
}

TEST(ProposalTest, TerritoryIsOneVolumePerPolygonOverAllAltitudes) {
  const Ring raqqa = {{35.8, 38.8}, {35.8, 39.2}, {36.1, 39.2}, {36.1, 38.8}};
  ProposalRequest p = TerritoryProposal({Palmyra(), raqqa}, true);
  ASSERT_EQ(ErrorField(p), "ok");
  absl::StatusOr<std::vector<geo::Volume4D>> v = AreaVolumes(std::get<Territory>(p.content), kNow);
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[0].altitude().lower_m, -8000);
  EXPECT_EQ((*v)[0].altitude().upper_m, 100000);
  EXPECT_EQ((*v)[1].time().start, kNow);

  std::get<Territory>(p.content).areas[1][0] = {35.8, 190};
  EXPECT_EQ(ErrorField(p), "content.area.coordinates[1][0][0]");
  std::get<Territory>(p.content).areas.clear();
  EXPECT_EQ(ErrorField(p), "content.area");
}

TEST(ProposalTest, TextErrorsNameTheField) {
  ProposalRequest p{.id = "memo",
                    .kind = ProposalKind::kText,
                    .content = TextAgreement{.title = "", .text = "x"},
                    .approvers = {PartyId("US")},
                    .expires_at = kNow + 1h};
  EXPECT_EQ(ErrorField(p), "content.title");
  std::get<TextAgreement>(p.content) = {.title = "Memo", .text = std::string(64 * 1024 + 1, 'x')};
  EXPECT_TRUE(IsLimitExceeded(ValidateProposal(p, kRu, kNow)));
  std::get<TextAgreement>(p.content) = {.title = "Memo", .text = "line one\nline two\n"};
  EXPECT_EQ(ErrorField(p), "ok");
}

TEST(ProposalTest, IdsAreSlugs) {
  EXPECT_TRUE(CheckSlug("designate-group-a", "id").ok());
  EXPECT_TRUE(CheckSlug("0b9e6a2c-1d7f-4c1e-9a55-4b1b6a0f3e21", "id").ok());
  EXPECT_FALSE(CheckSlug("", "id").ok());
  EXPECT_FALSE(CheckSlug("-leading", "id").ok());
  EXPECT_FALSE(CheckSlug("Upper", "id").ok());
  EXPECT_FALSE(CheckSlug(std::string(65, 'a'), "id").ok());
}

}  // namespace
}  // namespace deconflict::agreements
