#include "ledger/bundle.h"

#include "common/digest.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "ledger/merkle.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace deconflict::ledger {
namespace {

struct Fixture {
  Signer log = Signer::Generate("deconflict/bundle", KeyType::kEd25519);
  Signer witness = Signer::Generate("witness.example/1", KeyType::kCosignatureV1);
  Bundle bundle;
  Opening other_opening;  // of entry 5

  // committed: leaves are commitments with openings (format 2); else format-1 leaves.
  explicit Fixture(bool committed = true) {
    MemoryTree tree;
    std::vector<std::string> entries;
    std::vector<Opening> openings;
    for (int i = 0; i < 11; ++i) {
      openings.push_back(NewOpening(EncodeEntry(Entry{.party = "party" + std::to_string(i),
                                                      .action = kActionPartyAdd,
                                                      .object_id = std::to_string(i),
                                                      .content_digest = std::string(32, 'd'),
                                                      .server_time = Timestamp{}})));
      entries.push_back(committed ? CommitmentLeaf(openings.back()) : openings.back().entry);
      tree.Append(LeafHash(entries.back()));
    }
    if (committed) bundle.opening = openings[6];
    other_opening = openings[5];
    const std::string body =
        FormatCheckpoint({.origin = log.name(), .size = tree.size(), .root = tree.Root()});
    bundle.index = 6;
    bundle.entry = entries[6];
    bundle.size = tree.size();
    bundle.proof = ProofBytes(*InclusionProof(tree, 6, tree.size()));
    bundle.checkpoint = body + "\n" + log.SignNote(body) + witness.SignNote(body, 1234);
  }
};

TEST(Bundle, ExportedBundleVerifiesWithTheLogKeyAndTheWitness) {
  Fixture f;
  auto parsed = ParseBundle(FormatBundle(f.bundle));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto verified = VerifyBundle(*parsed, f.log.verifier(), {f.witness.verifier()});
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->entry.party, "party6");
  ASSERT_EQ(verified->witnesses.size(), 1u);
  EXPECT_EQ(verified->witnesses[0].second, 1234u);
}

TEST(Bundle, TheOpeningTravelsInTheBundleAndAFormat1LeafNeedsNone) {
  Fixture f;
  EXPECT_NE(FormatBundle(f.bundle).find("deconflict-ledger-bundle/v2"), std::string::npos);
  auto parsed = ParseBundle(FormatBundle(f.bundle));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->opening, f.bundle.opening);
  EXPECT_EQ(parsed->entry.size(), kCommitmentLeafSize);
  EXPECT_EQ(parsed->entry.find("party6"), std::string::npos);  // the leaf alone tells nothing

  Fixture legacy(false);
  auto verified = VerifyBundle(legacy.bundle, legacy.log.verifier(), {});
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->entry.party, "party6");
  std::string v1 = FormatBundle(legacy.bundle);
  v1.replace(v1.find("bundle/v2"), 9, "bundle/v1");
  EXPECT_TRUE(ParseBundle(v1).ok());
}

TEST(Bundle, AWrongOrMissingOpeningIsRefused) {
  Fixture f;
  Bundle other = f.bundle;
  other.opening = f.other_opening;  // a real opening, of another entry
  absl::StatusOr<VerifiedBundle> wrong = VerifyBundle(other, f.log.verifier(), {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("opening: SHA-256(salt || entry) is not the digest"),
            std::string::npos)
      << wrong.status();
  Bundle salted = f.bundle;
  salted.opening->salt[0] ^= 1;
  EXPECT_FALSE(VerifyBundle(salted, f.log.verifier(), {}).ok());
  Bundle edited = f.bundle;
  edited.opening->entry.replace(edited.opening->entry.find("party6"), 6, "party7");
  EXPECT_FALSE(VerifyBundle(edited, f.log.verifier(), {}).ok());
  Bundle missing = f.bundle;
  missing.opening.reset();
  absl::StatusOr<VerifiedBundle> unopened = VerifyBundle(missing, f.log.verifier(), {});
  ASSERT_FALSE(unopened.ok());
  EXPECT_NE(unopened.status().message().find("opening is missing"), std::string::npos);
}

TEST(Bundle, EachFailureSaysWhatFailed) {
  Fixture f;
  Signer stranger = Signer::Generate("deconflict/bundle", KeyType::kEd25519);
  EXPECT_NE(VerifyBundle(f.bundle, stranger.verifier(), {})
                .status()
                .message()
                .find("checkpoint signature"),
            std::string::npos);
  Bundle wrong_index = f.bundle;
  wrong_index.index = 5;
  EXPECT_NE(VerifyBundle(wrong_index, f.log.verifier(), {})
                .status()
                .message()
                .find("inclusion proof of entry 5"),
            std::string::npos);
  Signer absent = Signer::Generate("witness.example/2", KeyType::kCosignatureV1);
  EXPECT_NE(VerifyBundle(f.bundle, f.log.verifier(), {absent.verifier()})
                .status()
                .message()
                .find("witness witness.example/2"),
            std::string::npos);
  Bundle wrong_size = f.bundle;
  wrong_size.size = 12;
  EXPECT_NE(VerifyBundle(wrong_size, f.log.verifier(), {}).status().message().find("size"),
            std::string::npos);
}

TEST(Bundle, UnknownFieldsAndWrongFormatAreRefused) {
  Fixture f;
  std::string text = FormatBundle(f.bundle);
  std::string extra = text;
  extra.insert(1, "\"extra\":1,");
  EXPECT_FALSE(ParseBundle(extra).ok());
  std::string format = text;
  format.replace(format.find("bundle/v2"), 9, "bundle/v3");
  EXPECT_FALSE(ParseBundle(format).ok());
}

RC_GTEST_PROP(BundleProperty, AnyFlippedBitInEntryOpeningProofRootOrSignatureFailsVerification,
              (uint32_t bit, uint8_t part)) {
  static const Fixture f;
  Bundle bad = f.bundle;
  auto flip = [&](std::string& bytes) {
    bytes[bit / 8 % bytes.size()] ^= static_cast<char>(1 << (bit % 8));
  };
  switch (part % 6) {
    case 0:
      flip(bad.entry);
      break;
    case 4:
      flip(bad.opening->salt);
      break;
    case 5:
      flip(bad.opening->entry);
      break;
    case 1:
      flip(bad.proof[bit % bad.proof.size()]);
      break;
    case 2: {  // the root hash inside the checkpoint text
      const size_t second_nl = bad.checkpoint.find('\n', bad.checkpoint.find('\n') + 1);
      std::string root = *FromBase64(bad.checkpoint.substr(second_nl + 1, 44));
      flip(root);
      bad.checkpoint.replace(second_nl + 1, 44, Base64(root));
      break;
    }
    case 3: {  // the log's signature bytes
      const size_t line = bad.checkpoint.find("\n\n") + 2;
      const size_t space = bad.checkpoint.find(' ', bad.checkpoint.find(' ', line) + 1);
      const size_t end = bad.checkpoint.find('\n', space);
      std::string sig = *FromBase64(bad.checkpoint.substr(space + 1, end - space - 1));
      flip(sig);
      bad.checkpoint.replace(space + 1, end - space - 1, Base64(sig));
      break;
    }
  }
  RC_ASSERT(!VerifyBundle(bad, f.log.verifier(), {f.witness.verifier()}).ok());
}

// A log of 11 commitment leaves and a set of entries 2, 6 (opened) and 9 (not opened) against
// its checkpoint of size 11, cosigned by `witness`.
struct SetFixture {
  Signer log = Signer::Generate("deconflict/bundle-set", KeyType::kEd25519);
  Signer witness = Signer::Generate("witness.example/1", KeyType::kCosignatureV1);
  BundleSet set;
  std::vector<Opening> openings;
  std::string older_checkpoint;  // genuinely signed, of size 10

  SetFixture() {
    MemoryTree tree;
    std::vector<std::string> leaves;
    for (int i = 0; i < 11; ++i) {
      openings.push_back(NewOpening(EncodeEntry(Entry{.party = "party" + std::to_string(i),
                                                      .action = kActionOperationCreate,
                                                      .object_id = "op-" + std::to_string(i),
                                                      .content_digest = std::string(32, 'd'),
                                                      .server_time = Timestamp{}})));
      leaves.push_back(CommitmentLeaf(openings.back()));
      tree.Append(LeafHash(leaves.back()));
      if (tree.size() == 10) older_checkpoint = Signed(tree.size(), tree.Root());
    }
    set.subject = "case al-shifa-strike";
    set.size = tree.size();
    set.checkpoint = Signed(tree.size(), tree.Root());
    struct Wanted {
      uint64_t index;
      const char* label;
      bool opened;
    };
    for (const Wanted& w : {Wanted{2, "incident", true}, Wanted{6, "notification", true},
                            Wanted{9, "ack:SOUTH", false}}) {
      set.items.push_back(BundleSetItem{
          .index = w.index,
          .label = w.label,
          .entry = leaves[w.index],
          .opening = w.opened ? std::optional<Opening>(openings[w.index]) : std::nullopt,
          .proof = ProofBytes(*InclusionProof(tree, w.index, tree.size()))});
    }
  }

  std::string Signed(uint64_t size, const Hash& root) const {
    const std::string body = FormatCheckpoint({.origin = log.name(), .size = size, .root = root});
    return body + "\n" + log.SignNote(body) + witness.SignNote(body, 1234);
  }

  std::string Refusal(const BundleSet& bad) const {
    absl::StatusOr<VerifiedBundleSet> verified = VerifyBundleSet(bad, log.verifier(), {});
    return verified.ok() ? "verified" : std::string(verified.status().message());
  }
};

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

TEST(BundleSet, RoundTripVerifiesEveryItemAndOneWithoutOpeningAsExistenceOnly) {
  SetFixture f;
  const std::string text = FormatBundleSet(f.set);
  ASSERT_EQ(text.back(), '\n');
  EXPECT_TRUE(LooksLikeBundleSet(text));
  auto parsed = ParseBundleSet(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(FormatBundleSet(*parsed), text);
  auto verified = VerifyBundleSet(*parsed, f.log.verifier(), {f.witness.verifier()});
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->checkpoint.size, 11u);
  ASSERT_EQ(verified->witnesses.size(), 1u);
  EXPECT_EQ(verified->witnesses[0].second, 1234u);
  ASSERT_EQ(verified->items.size(), 3u);
  EXPECT_EQ(verified->items[0].label, "incident");
  ASSERT_TRUE(verified->items[1].entry.has_value());
  EXPECT_EQ(verified->items[1].entry->party, "party6");
  EXPECT_EQ(verified->items[2].index, 9u);
  EXPECT_FALSE(verified->items[2].entry.has_value());  // present, content not disclosed
  EXPECT_EQ(text.find("party9"), std::string::npos);
}

TEST(BundleSet, ATamperedEntryIsRefusedNamingTheItem) {
  SetFixture f;
  BundleSet bad = f.set;
  bad.items[2].entry = f.set.items[1].entry;  // another real leaf, claimed at index 9
  EXPECT_TRUE(StartsWith(f.Refusal(bad), "items[2] (ack:SOUTH, entry 9): inclusion proof"))
      << f.Refusal(bad);
  BundleSet moved = f.set;
  moved.items[1].index = 5;
  EXPECT_TRUE(StartsWith(f.Refusal(moved), "items[1] (notification, entry 5): inclusion proof"))
      << f.Refusal(moved);
}

TEST(BundleSet, ATamperedProofIsRefusedNamingTheItem) {
  SetFixture f;
  BundleSet bad = f.set;
  bad.items[1].proof[0][3] ^= 1;
  EXPECT_TRUE(StartsWith(f.Refusal(bad),
                         "items[1] (notification, entry 6): inclusion proof in tree size 11"))
      << f.Refusal(bad);
  BundleSet short_proof = f.set;
  short_proof.items[0].proof.pop_back();
  EXPECT_NE(f.Refusal(short_proof).find("items[0] (incident, entry 2)"), std::string::npos);
}

TEST(BundleSet, ATamperedCheckpointIsRefused) {
  SetFixture f;
  BundleSet resigned = f.set;  // a genuine checkpoint of another size: the items' proofs fail
  resigned.checkpoint = f.older_checkpoint;
  resigned.size = 10;
  EXPECT_TRUE(StartsWith(f.Refusal(resigned), "items[0] (incident, entry 2): inclusion proof"))
      << f.Refusal(resigned);
  BundleSet resized = f.set;  // the set's size is not the checkpoint's
  resized.size = 10;
  EXPECT_NE(f.Refusal(resized).find("checkpoint: size 11 differs from the bundle set's size 10"),
            std::string::npos)
      << f.Refusal(resized);
  BundleSet edited = f.set;  // the size line in the signed text
  edited.checkpoint.replace(edited.checkpoint.find("\n11\n"), 4, "\n10\n");
  edited.size = 10;
  EXPECT_TRUE(StartsWith(f.Refusal(edited), "checkpoint signature")) << f.Refusal(edited);
  Signer stranger = Signer::Generate("deconflict/bundle-set", KeyType::kEd25519);
  EXPECT_FALSE(VerifyBundleSet(f.set, stranger.verifier(), {}).ok());
  Signer absent = Signer::Generate("witness.example/2", KeyType::kCosignatureV1);
  EXPECT_NE(
      std::string(VerifyBundleSet(f.set, f.log.verifier(), {absent.verifier()}).status().message())
          .find("witness witness.example/2"),
      std::string::npos);
}

TEST(BundleSet, ATamperedOpeningIsRefusedNamingTheItem) {
  SetFixture f;
  BundleSet other = f.set;
  other.items[0].opening = f.openings[3];  // a real opening, of another entry
  EXPECT_EQ(f.Refusal(other),
            "items[0] (incident, entry 2): opening: SHA-256(salt || entry) is not the digest the "
            "entry commits to");
  BundleSet edited = f.set;
  edited.items[1].opening->entry.replace(edited.items[1].opening->entry.find("party6"), 6,
                                         "party7");
  EXPECT_TRUE(StartsWith(f.Refusal(edited), "items[1] (notification, entry 6): opening:"));
  BundleSet salted = f.set;
  salted.items[1].opening->salt.pop_back();
  EXPECT_TRUE(StartsWith(f.Refusal(salted), "items[1] (notification, entry 6): opening:"));
}

TEST(BundleSet, ParseNamesTheFieldThatIsWrong) {
  SetFixture f;
  auto refusal = [](const std::string& text) {
    absl::StatusOr<BundleSet> parsed = ParseBundleSet(text);
    return parsed.ok() ? "parsed" : std::string(parsed.status().message());
  };
  std::string text = FormatBundleSet(f.set);
  text.replace(text.find(Base64(f.set.items[2].proof[0]), text.find("{\"index\":9")), 4, "!!!!");
  EXPECT_EQ(refusal(text), "items[2].proof[0]: is not a base64 string");
  BundleSet repeated = f.set;
  repeated.items.push_back(f.set.items[0]);
  EXPECT_EQ(refusal(FormatBundleSet(repeated)), "items[3].index: entry 2 is in the set already");
  BundleSet empty = f.set;
  empty.items.clear();
  EXPECT_TRUE(StartsWith(refusal(FormatBundleSet(empty)), "items: is empty"));
  EXPECT_TRUE(StartsWith(f.Refusal(empty), "items: is empty"));
  BundleSet unlabelled = f.set;
  unlabelled.items[1].label = "";
  EXPECT_EQ(refusal(FormatBundleSet(unlabelled)), "items[1].label: is empty");
  BundleSet escape = f.set;
  escape.subject = "case \x1b[2Jx";
  EXPECT_EQ(refusal(FormatBundleSet(escape)), "subject: holds a control character");
  std::string extra = FormatBundleSet(f.set);
  extra.insert(extra.find("{\"index\":9") + 1, "\"extra\":1,");
  EXPECT_EQ(refusal(extra), "items[2].extra: is not a known field");
  std::string salt = FormatBundleSet(f.set);
  salt.replace(salt.find("\"salt\":\"") + 8, 1, "*");
  EXPECT_EQ(refusal(salt), "items[0].opening.salt: is not valid base64");
  std::string v2 = FormatBundleSet(f.set);
  v2.replace(v2.find("bundle-set/v1"), 13, "bundle-set/v2");
  EXPECT_TRUE(LooksLikeBundleSet(v2));  // a set: ParseBundleSet says which version it reads
  EXPECT_TRUE(StartsWith(refusal(v2), "format: is 'deconflict-ledger-bundle-set/v2'"));
  Fixture single;
  EXPECT_FALSE(LooksLikeBundleSet(FormatBundle(single.bundle)));
  EXPECT_FALSE(LooksLikeBundleSet("not json"));
  EXPECT_TRUE(StartsWith(refusal(FormatBundle(single.bundle)), "format:"));
}

RC_GTEST_PROP(BundleSetProperty, AnyFlippedBitInAnItemFailsVerificationNamingThatItem,
              (uint32_t bit, uint8_t part, uint8_t which)) {
  static const SetFixture f;
  BundleSet bad = f.set;
  const size_t item_idx = which % (part % 4 >= 2 ? 2 : 3);  // items 0 and 1 have openings
  BundleSetItem& item = bad.items[item_idx];
  auto flip = [&](std::string& bytes) {
    bytes[bit / 8 % bytes.size()] ^= static_cast<char>(1 << (bit % 8));
  };
  switch (part % 4) {
    case 0:
      flip(item.entry);
      break;
    case 1:
      flip(item.proof[bit % item.proof.size()]);
      break;
    case 2:
      flip(item.opening->salt);
      break;
    case 3:
      flip(item.opening->entry);
      break;
  }
  absl::StatusOr<VerifiedBundleSet> verified = VerifyBundleSet(bad, f.log.verifier(), {});
  RC_ASSERT(!verified.ok());
  RC_ASSERT(
      StartsWith(std::string(verified.status().message()), fmt::format("items[{}] ", item_idx)));
}

}  // namespace
}  // namespace deconflict::ledger
