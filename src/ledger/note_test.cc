#include "ledger/note.h"

#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace deconflict::ledger {
namespace {

TEST(VerifierKey, TextFormRoundTripsAndNamesTheKeyId) {
  Signer signer = Signer::Generate("deconflict/test", KeyType::kEd25519);
  const std::string text = signer.verifier().ToString();
  EXPECT_EQ(text.substr(0, 16), "deconflict/test+");
  auto parsed = ParseVerifierKey(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->public_key, signer.verifier().public_key);
  EXPECT_EQ(parsed->ToString(), text);
}

TEST(VerifierKey, GoNoteKeyFromTheSpecificationParses) {
  // The example verifier key of golang.org/x/mod/sumdb/note.
  auto key = ParseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->name, "PeterNeumann");
}

TEST(VerifierKey, WrongKeyIdIsRefused) {
  auto key = ParseVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  EXPECT_FALSE(key.ok());
}

TEST(Note, GoNoteExampleFromTheSpecificationVerifies) {
  auto key = ParseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_TRUE(key.ok());
  const std::string text =
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n"
      "\n"
      "\xE2\x80\x94 PeterNeumann "
      "x08go/ZJkuBS9UG/"
      "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  auto note = ParseNote(text);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_TRUE(VerifyNote(*note, *key).ok());
}

TEST(Note, SignedCheckpointVerifiesAndCarriesCosignatures) {
  Signer log = Signer::Generate("deconflict/test", KeyType::kEd25519);
  Signer witness = Signer::Generate("witness.example/w1", KeyType::kCosignatureV1);
  const std::string body =
      FormatCheckpoint({.origin = log.name(), .size = 5, .root = LeafHash("x")});
  const std::string text = body + "\n" + log.SignNote(body) + witness.SignNote(body, 1700000000);
  auto note = ParseNote(text);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(note->ToString(), text);
  EXPECT_TRUE(VerifyNote(*note, log.verifier()).ok());
  uint64_t at = 0;
  EXPECT_TRUE(VerifyNote(*note, witness.verifier(), &at).ok());
  EXPECT_EQ(at, 1700000000u);
  auto checkpoint = ParseCheckpoint(note->text);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->size, 5u);
  EXPECT_EQ(checkpoint->root, LeafHash("x"));
  Signer other = Signer::Generate("deconflict/test", KeyType::kEd25519);
  EXPECT_TRUE(absl::IsNotFound(VerifyNote(*note, other.verifier())));
}

TEST(Checkpoint, MalformedLinesAreRefused) {
  EXPECT_FALSE(ParseCheckpoint("origin\n05\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").ok());
  EXPECT_FALSE(ParseCheckpoint("origin\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n").ok());
  EXPECT_FALSE(ParseCheckpoint("\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").ok());
  EXPECT_FALSE(ParseCheckpoint("origin\n5\n").ok());
  EXPECT_TRUE(ParseCheckpoint("origin\n5\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").ok());
}

TEST(Signer, PrivateKeyTextRoundTrips) {
  Signer signer = Signer::Generate("deconflict/abc", KeyType::kEd25519);
  auto parsed = Signer::Parse(signer.ToString() + "\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->verifier().ToString(), signer.verifier().ToString());
  EXPECT_EQ(parsed->SignNote("a\n"), signer.SignNote("a\n"));  // Ed25519 is deterministic
}

RC_GTEST_PROP(NoteProperty, AnyFlippedBitOfASignedCheckpointFailsVerification, (uint32_t bit)) {
  static const Signer log = Signer::Generate("deconflict/prop", KeyType::kEd25519);
  static const Signer witness = Signer::Generate("w.example/1", KeyType::kCosignatureV1);
  const std::string body =
      FormatCheckpoint({.origin = log.name(), .size = 42, .root = LeafHash("r")});
  const std::string text = body + "\n" + log.SignNote(body) + witness.SignNote(body, 1);
  std::string bad = text;
  bad[bit / 8 % bad.size()] ^= static_cast<char>(1 << (bit % 8));
  auto note = ParseNote(bad);
  if (!note.ok()) return;  // refused as malformed: also a failure to verify
  const bool log_ok = VerifyNote(*note, log.verifier()).ok();
  const bool witness_ok = VerifyNote(*note, witness.verifier()).ok();
  auto checkpoint = ParseCheckpoint(note->text);
  const bool same = checkpoint.ok() && checkpoint->size == 42 &&
                    checkpoint->root == LeafHash("r") && checkpoint->origin == log.name() &&
                    note->text == body;
  // A flip outside the signature lines changes the text: both signatures must fail. A flip in a
  // signature line breaks that signature, and the other one still covers the unchanged text.
  RC_ASSERT(!(log_ok && witness_ok) || same);
  RC_ASSERT(!(log_ok || witness_ok) || same);
}

}  // namespace
}  // namespace deconflict::ledger
