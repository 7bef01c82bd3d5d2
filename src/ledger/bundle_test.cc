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

  Fixture() {
    MemoryTree tree;
    std::vector<std::string> entries;
    for (int i = 0; i < 11; ++i) {
      entries.push_back(EncodeEntry(Entry{.party = "party" + std::to_string(i),
                                          .action = kActionPartyAdd,
                                          .object_id = std::to_string(i),
                                          .content_digest = std::string(32, 'd'),
                                          .server_time = Timestamp{}}));
      tree.Append(LeafHash(entries.back()));
    }
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

TEST(Bundle, EachFailureSaysWhatFailed) {
  Fixture f;
  Signer stranger = Signer::Generate("deconflict/bundle", KeyType::kEd25519);
  EXPECT_NE(VerifyBundle(f.bundle, stranger.verifier(), {}).status().message().find(
                "checkpoint signature"),
            std::string::npos);
  Bundle wrong_index = f.bundle;
  wrong_index.index = 5;
  EXPECT_NE(VerifyBundle(wrong_index, f.log.verifier(), {}).status().message().find(
                "inclusion proof of entry 5"),
            std::string::npos);
  Signer absent = Signer::Generate("witness.example/2", KeyType::kCosignatureV1);
  EXPECT_NE(VerifyBundle(f.bundle, f.log.verifier(), {absent.verifier()}).status().message().find(
                "witness witness.example/2"),
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
  format.replace(format.find("bundle/v1"), 9, "bundle/v2");
  EXPECT_FALSE(ParseBundle(format).ok());
}

RC_GTEST_PROP(BundleProperty, AnyFlippedBitInEntryProofRootOrSignatureFailsVerification,
              (uint32_t bit, uint8_t part)) {
  static const Fixture f;
  Bundle bad = f.bundle;
  auto flip = [&](std::string& bytes) { bytes[bit / 8 % bytes.size()] ^= static_cast<char>(1 << (bit % 8)); };
  switch (part % 4) {
    case 0: flip(bad.entry); break;
    case 1: flip(bad.proof[bit % bad.proof.size()]); break;
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
