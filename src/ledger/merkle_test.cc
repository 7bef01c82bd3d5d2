#include "ledger/merkle.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "boost/json.hpp"
#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace deconflict::ledger {
namespace {

// Fixed seeds for every rapidcheck property of this binary (style.md), unless RC_PARAMS is set;
// rapidcheck reads it at its first property, after static initialisation.
const bool kFixedSeed = [] { return ::setenv("RC_PARAMS", "seed=20261121", 0) == 0; }();

// The reference definition of RFC 9162 §2.1.1, computed from the leaves: the oracle.
Hash NaiveRoot(const std::vector<Hash>& leaves, size_t begin, size_t end) {
  if (end - begin == 0) return EmptyRoot();
  if (end - begin == 1) return leaves[begin];
  const size_t k = SplitPoint(end - begin);
  return NodeHash(NaiveRoot(leaves, begin, begin + k), NaiveRoot(leaves, begin + k, end));
}

std::vector<Hash> Leaves(size_t n) {
  std::vector<Hash> leaves;
  for (size_t i = 0; i < n; ++i) leaves.push_back(LeafHash("leaf " + std::to_string(i)));
  return leaves;
}

std::string FlipBit(std::string bytes, size_t bit) {
  bytes[bit / 8 % bytes.size()] ^= static_cast<char>(1 << (bit % 8));
  return bytes;
}

TEST(Merkle, EmptyTreeRootIsSha256OfNothing) {
  EXPECT_EQ(Base64(HashBytes(EmptyRoot())), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(Merkle, KnownRootOfRfc6962TestTree) {
  // The 8-leaf tree of the certificate-transparency test suite (leaf data 0x, 00, 10, 2021,
  // 3031, 40414243, 5051525354555657, 606162...6f).
  const std::vector<std::string> data = {
      "",
      std::string("\x00", 1),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  MemoryTree tree;
  for (const std::string& d : data) tree.Append(LeafHash(d));
  EXPECT_EQ(Hex(HashBytes(tree.Root())),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(Merkle, FrontierRootMatchesTheDefinitionForEverySizeUpTo300) {
  const std::vector<Hash> leaves = Leaves(300);
  MemoryTree tree;
  for (size_t n = 0; n <= leaves.size(); ++n) {
    ASSERT_EQ(tree.Root(), NaiveRoot(leaves, 0, n)) << "size " << n;
    auto root = RootAt(tree, n);
    ASSERT_TRUE(root.ok());
    ASSERT_EQ(*root, NaiveRoot(leaves, 0, n)) << "size " << n;
    if (n < leaves.size()) tree.Append(leaves[n]);
  }
}

TEST(Merkle, FrontierRebuiltFromItsNodesContinuesTheSameTree) {
  const std::vector<Hash> leaves = Leaves(100);
  MemoryTree tree;
  for (size_t n = 0; n < 37; ++n) tree.Append(leaves[n]);
  std::vector<Hash> roots;
  for (auto [level, index] : Frontier::NodesOf(37)) roots.push_back(*tree.Node(level, index));
  Frontier rebuilt(37, roots);
  for (size_t n = 37; n < 100; ++n) rebuilt.Append(leaves[n], nullptr);
  EXPECT_EQ(rebuilt.Root(), NaiveRoot(leaves, 0, 100));
}

// -------------------------------------------------------------------------------------------
// The transparency-dev/merkle test vectors (../shared/testdata/merkle/README.md).

std::vector<std::string> Strings(const boost::json::value& v) {
  std::vector<std::string> out;
  if (v.is_null()) return out;  // some vectors write an empty proof as null
  for (const auto& item : v.as_array()) {
    auto bytes = FromBase64(std::string_view(item.as_string()));
    out.push_back(bytes ? *bytes : std::string("not base64"));
  }
  return out;
}

std::string Bytes(const boost::json::value& v) {
  auto bytes = FromBase64(std::string_view(v.as_string()));
  return bytes ? *bytes : std::string("not base64");
}

std::vector<std::filesystem::path> VectorFiles(const std::string& kind) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path root = std::filesystem::path(DECONFLICT_MERKLE_TESTDATA) / kind;
  for (const auto& f : std::filesystem::recursive_directory_iterator(root)) {
    if (f.is_regular_file() && f.path().extension() == ".json") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

boost::json::value ReadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

TEST(MerkleVectors, EveryInclusionVectorIsAcceptedOrRejectedAsExpected) {
  const auto files = VectorFiles("inclusion");
  ASSERT_GT(files.size(), 50u);
  for (const auto& path : files) {
    const auto v = ReadJson(path).as_object();
    const bool want_err = v.at("wantErr").as_bool();
    absl::Status s = VerifyInclusion(Bytes(v.at("leafHash")), v.at("leafIdx").to_number<uint64_t>(),
                                     v.at("treeSize").to_number<uint64_t>(), Strings(v.at("proof")),
                                     Bytes(v.at("root")));
    EXPECT_EQ(!s.ok(), want_err) << path << ": " << s;
  }
}

TEST(MerkleVectors, EveryConsistencyVectorIsAcceptedOrRejectedAsExpected) {
  const auto files = VectorFiles("consistency");
  ASSERT_GT(files.size(), 50u);
  for (const auto& path : files) {
    const auto v = ReadJson(path).as_object();
    const bool want_err = v.at("wantErr").as_bool();
    absl::Status s =
        VerifyConsistency(v.at("size1").to_number<uint64_t>(), v.at("size2").to_number<uint64_t>(),
                          Strings(v.at("proof")), Bytes(v.at("root1")), Bytes(v.at("root2")));
    EXPECT_EQ(!s.ok(), want_err) << path << ": " << s;
  }
}

// -------------------------------------------------------------------------------------------
// Properties over random trees (fixed seeds come from rapidcheck's RC_PARAMS; failures print
// the seed to replay).

TEST(Merkle, EveryInclusionProofOfEveryTreeUpTo70VerifiesAndEveryBitFlipFails) {
  const std::vector<Hash> leaves = Leaves(70);
  MemoryTree tree;
  for (size_t size = 1; size <= leaves.size(); ++size) {
    tree.Append(leaves[size - 1]);
    const std::string root = HashBytes(NaiveRoot(leaves, 0, size));
    for (size_t index = 0; index < size; ++index) {
      auto proof = InclusionProof(tree, index, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      const auto bytes = ProofBytes(*proof);
      ASSERT_TRUE(VerifyInclusion(HashBytes(leaves[index]), index, size, bytes, root).ok())
          << index << " in " << size;
      for (size_t proof_idx = 0; proof_idx < bytes.size(); ++proof_idx) {
        auto bad = bytes;
        bad[proof_idx] = FlipBit(bad[proof_idx], index * 7 + proof_idx);
        ASSERT_FALSE(VerifyInclusion(HashBytes(leaves[index]), index, size, bad, root).ok());
      }
    }
  }
}

TEST(Merkle, EveryConsistencyProofBetweenSizesUpTo70Verifies) {
  const std::vector<Hash> leaves = Leaves(70);
  MemoryTree tree;
  for (const Hash& leaf : leaves) tree.Append(leaf);
  for (size_t to = 1; to <= leaves.size(); ++to) {
    const std::string root2 = HashBytes(NaiveRoot(leaves, 0, to));
    for (size_t from = 1; from <= to; ++from) {
      const std::string root1 = HashBytes(NaiveRoot(leaves, 0, from));
      auto proof = ConsistencyProof(tree, from, to);
      ASSERT_TRUE(proof.ok()) << proof.status();
      const auto bytes = ProofBytes(*proof);
      ASSERT_TRUE(VerifyConsistency(from, to, bytes, root1, root2).ok()) << from << "->" << to;
      if (from < to) {
        ASSERT_FALSE(VerifyConsistency(from, to, bytes, FlipBit(root1, from), root2).ok());
        ASSERT_FALSE(VerifyConsistency(from, to, bytes, root1, FlipBit(root2, to)).ok());
        for (size_t proof_idx = 0; proof_idx < bytes.size(); ++proof_idx) {
          auto bad = bytes;
          bad[proof_idx] = FlipBit(bad[proof_idx], from + proof_idx);
          ASSERT_FALSE(VerifyConsistency(from, to, bad, root1, root2).ok());
        }
      }
    }
  }
}

RC_GTEST_PROP(MerkleProperty, RandomLargeTreeProofsVerifyAndFlippedBitsFail,
              (uint16_t size_seed, uint32_t index_seed, uint32_t bit)) {
  const uint64_t size = 1 + size_seed % 5000;
  const uint64_t index = index_seed % size;
  const std::vector<Hash> leaves = Leaves(size);
  MemoryTree tree;
  for (const Hash& leaf : leaves) tree.Append(leaf);
  const std::string root = HashBytes(tree.Root());
  RC_ASSERT(tree.Root() == NaiveRoot(leaves, 0, size));
  auto proof = InclusionProof(tree, index, size);
  RC_ASSERT(proof.ok());
  const auto bytes = ProofBytes(*proof);
  RC_ASSERT(proof->size() <= 64u - static_cast<size_t>(__builtin_clzll(size)) + 1);
  RC_ASSERT(VerifyInclusion(HashBytes(leaves[index]), index, size, bytes, root).ok());
  RC_ASSERT(
      !VerifyInclusion(FlipBit(HashBytes(leaves[index]), bit), index, size, bytes, root).ok());
  RC_ASSERT(
      !VerifyInclusion(HashBytes(leaves[index]), index, size, bytes, FlipBit(root, bit)).ok());
  if (!bytes.empty()) {
    auto bad = bytes;
    bad[bit % bad.size()] = FlipBit(bad[bit % bad.size()], bit / 7);
    RC_ASSERT(!VerifyInclusion(HashBytes(leaves[index]), index, size, bad, root).ok());
  }
  const uint64_t from = 1 + index_seed % size;
  auto consistency = ConsistencyProof(tree, from, size);
  RC_ASSERT(consistency.ok());
  RC_ASSERT(VerifyConsistency(from, size, ProofBytes(*consistency),
                              HashBytes(NaiveRoot(leaves, 0, from)), root)
                .ok());
}

TEST(Merkle, ProofRequestsOutsideTheTreeAreRefused) {
  MemoryTree tree;
  tree.Append(LeafHash("a"));
  EXPECT_FALSE(InclusionProof(tree, 1, 1).ok());
  EXPECT_FALSE(ConsistencyProof(tree, 0, 1).ok());
  EXPECT_FALSE(ConsistencyProof(tree, 2, 1).ok());
  EXPECT_FALSE(InclusionProof(tree, 0, 2).ok());  // the source lacks leaf 1
}

}  // namespace
}  // namespace deconflict::ledger
