// ledger/merkle.h: the RFC 9162 Merkle tree: roots, inclusion and consistency proofs, and their
// verification (RFC 9162 §2.1; the same hashing as RFC 6962).
//
// Proofs are generated from a NodeSource, which answers the hash of any *perfect* subtree (a
// node at `level` covering leaves [index * 2^level, (index + 1) * 2^level)). Such nodes never
// change once the tree has grown past them, so a store can keep them and answer each proof with
// O(log n) lookups and no recomputation of the tree:
//
//   MemoryTree tree;                                 // or store::LedgerReader
//   for (const std::string& e : entries) tree.Append(LeafHash(e));
//   ASSIGN_OR_RETURN(std::vector<Hash> proof, InclusionProof(tree, /*index=*/3, /*size=*/8));
//   RETURN_IF_ERROR(VerifyInclusion(LeafHash(entries[3]), 3, 8, proof, root));
//
// The verifiers take the proof as untrusted bytes (strings) and check every length; they are
// the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, checked against the transparency-dev test
// vectors (merkle_test.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ledger/hash.h"

namespace deconflict::ledger {

// Answers hashes of perfect subtrees. Implementations say their own thread-safety.
class NodeSource {
 public:
  virtual ~NodeSource() = default;
  // The hash of the perfect subtree at (level, index). REQUIRES: the tree holds all its leaves.
  // NotFound (or DataLoss) when the source does not have it.
  [[nodiscard]] virtual absl::StatusOr<Hash> Node(int level, uint64_t index) = 0;
};

// The largest power of two strictly below n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n);

// RFC 9162 MTH(D[begin:end]) computed from perfect subtrees: O(log n) lookups.
// REQUIRES: begin < end, and begin a multiple of the largest power of two <= end - begin (true of
// every subtree that the RFC's recursion visits).
[[nodiscard]] absl::StatusOr<Hash> SubtreeRoot(NodeSource& source, uint64_t begin, uint64_t end);
// The root of the first `size` leaves; EmptyRoot() for size 0.
[[nodiscard]] absl::StatusOr<Hash> RootAt(NodeSource& source, uint64_t size);

// RFC 9162 §2.1.3.1 PATH(index, D[size]). InvalidArgument when index >= size.
[[nodiscard]] absl::StatusOr<std::vector<Hash>> InclusionProof(NodeSource& source, uint64_t index,
                                                               uint64_t size);
// RFC 9162 §2.1.4.1 PROOF(from, D[to]). InvalidArgument unless 0 < from <= to.
[[nodiscard]] absl::StatusOr<std::vector<Hash>> ConsistencyProof(NodeSource& source, uint64_t from,
                                                                 uint64_t to);

// RFC 9162 §2.1.3.2. OK when `proof` proves that the leaf with hash `leaf_hash` is at `index`
// in the tree of `size` leaves whose root is `root`; otherwise InvalidArgument saying why.
[[nodiscard]] absl::Status VerifyInclusion(std::string_view leaf_hash, uint64_t index,
                                           uint64_t size, const std::vector<std::string>& proof,
                                           std::string_view root);
// The root that an inclusion proof leads to (the first half of VerifyInclusion).
[[nodiscard]] absl::StatusOr<Hash> RootFromInclusionProof(std::string_view leaf_hash,
                                                          uint64_t index, uint64_t size,
                                                          const std::vector<std::string>& proof);

// RFC 9162 §2.1.4.2. OK when `proof` proves that the tree of size `size1` with root `root1` is
// a prefix of the tree of size `size2` with root `root2`. Refuses size1 == 0 (a proof from the
// empty tree proves nothing) and size1 > size2; for size1 == size2 the proof must be empty and
// the roots equal.
[[nodiscard]] absl::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                                             const std::vector<std::string>& proof,
                                             std::string_view root1, std::string_view root2);

// Convenience overloads for proofs held as hashes.
std::vector<std::string> ProofBytes(const std::vector<Hash>& proof);

// The right edge of a tree: the roots of the perfect subtrees that make up the first `size`
// leaves, one per set bit of size. Appending a leaf completes the nodes that the new leaf closes.
// Value type; thread-compatible.
class Frontier {
 public:
  Frontier() = default;
  // REQUIRES: `roots` holds, from the highest level down, the node at each set bit of `size`.
  Frontier(uint64_t size, std::vector<Hash> roots_high_to_low);

  // Appends a leaf. `on_node(level, index, hash)` is called for the leaf itself (level 0) and for
  // every interior node it completes, lowest level first.
  void Append(const Hash& leaf_hash,
              const std::function<void(int level, uint64_t index, const Hash&)>& on_node);
  uint64_t size() const { return size_; }
  Hash Root() const;

  // The (level, index) of the frontier nodes of a tree of `size` leaves, highest level first.
  static std::vector<std::pair<int, uint64_t>> NodesOf(uint64_t size);

 private:
  uint64_t size_ = 0;
  std::vector<Hash> by_level_ = std::vector<Hash>(64);  // valid where bit `level` of size_ is 1
};

// A tree held in memory, all perfect nodes kept: for tests, benchmarks and the checker.
// Thread-compatible.
class MemoryTree final : public NodeSource {
 public:
  void Append(const Hash& leaf_hash);
  uint64_t size() const { return frontier_.size(); }
  Hash Root() const { return frontier_.Root(); }
  [[nodiscard]] absl::StatusOr<Hash> Node(int level, uint64_t index) override;

 private:
  Frontier frontier_;
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace deconflict::ledger
