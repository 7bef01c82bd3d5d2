#include "ledger/bundle.h"

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

}  // namespace
}  // namespace deconflict::ledger
