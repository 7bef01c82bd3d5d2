#include "ledger/merkle.h"

#include <bit>

#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::ledger {
namespace {

absl::Status Bad(std::string what) { return absl::InvalidArgumentError(std::move(what)); }

// Appends PATH(m, D[begin:end]) (RFC 9162 §2.1.3.1) to `out`, deepest sibling first.
absl::Status Path(NodeSource& source, uint64_t m, uint64_t begin, uint64_t end,
                  std::vector<Hash>& out) {
  if (end - begin == 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(end - begin);
  if (m < begin + k) {
    RETURN_IF_ERROR(Path(source, m, begin, begin + k, out));
    ASSIGN_OR_RETURN(Hash sibling, SubtreeRoot(source, begin + k, end));
    out.push_back(sibling);
  } else {
    RETURN_IF_ERROR(Path(source, m, begin + k, end, out));
    ASSIGN_OR_RETURN(Hash sibling, SubtreeRoot(source, begin, begin + k));
    out.push_back(sibling);
  }
  return absl::OkStatus();
}

// Appends SUBPROOF(m, D[begin:end], b) (RFC 9162 §2.1.4.1) to `out`; m counts from begin.
absl::Status SubProof(NodeSource& source, uint64_t m, uint64_t begin, uint64_t end, bool complete,
                      std::vector<Hash>& out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!complete) {
      ASSIGN_OR_RETURN(Hash root, SubtreeRoot(source, begin, end));
      out.push_back(root);
    }
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    RETURN_IF_ERROR(SubProof(source, m, begin, begin + k, complete, out));
    ASSIGN_OR_RETURN(Hash right, SubtreeRoot(source, begin + k, end));
    out.push_back(right);
  } else {
    RETURN_IF_ERROR(SubProof(source, m - k, begin + k, end, false, out));
    ASSIGN_OR_RETURN(Hash left, SubtreeRoot(source, begin, begin + k));
    out.push_back(left);
  }
  return absl::OkStatus();
}

absl::StatusOr<Hash> ProofHash(const std::vector<std::string>& proof, size_t i) {
  std::optional<Hash> h = HashFromBytes(proof[i]);
  if (!h) {
    return Bad(
        fmt::format("proof[{}] is {} bytes, not a {}-byte hash", i, proof[i].size(), kHashSize));
  }
  return *h;
}

}  // namespace

uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

absl::StatusOr<Hash> SubtreeRoot(NodeSource& source, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  if (std::has_single_bit(n)) {
    const int level = std::countr_zero(n);
    return source.Node(level, begin >> level);
  }
  const uint64_t k = SplitPoint(n);
  ASSIGN_OR_RETURN(Hash left, SubtreeRoot(source, begin, begin + k));
  ASSIGN_OR_RETURN(Hash right, SubtreeRoot(source, begin + k, end));
  return NodeHash(left, right);
}

absl::StatusOr<Hash> RootAt(NodeSource& source, uint64_t size) {
  if (size == 0) return EmptyRoot();
  return SubtreeRoot(source, 0, size);
}

absl::StatusOr<std::vector<Hash>> InclusionProof(NodeSource& source, uint64_t index,
                                                 uint64_t size) {
  if (index >= size) {
    return Bad(fmt::format("index {} is not below the tree size {}", index, size));
  }
  std::vector<Hash> proof;
  RETURN_IF_ERROR(Path(source, index, 0, size, proof));
  return proof;
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(NodeSource& source, uint64_t from, uint64_t to) {
  if (from == 0 || from > to) {
    return Bad(fmt::format("a consistency proof needs 0 < from <= to (from {}, to {})", from, to));
  }
  std::vector<Hash> proof;
  if (from == to) return proof;
  RETURN_IF_ERROR(SubProof(source, from, 0, to, true, proof));
  return proof;
}

absl::StatusOr<Hash> RootFromInclusionProof(std::string_view leaf_hash, uint64_t index,
                                            uint64_t size, const std::vector<std::string>& proof) {
  if (index >= size) {
    return Bad(fmt::format("index {} is not below the tree size {}", index, size));
  }
  std::optional<Hash> leaf = HashFromBytes(leaf_hash);
  if (!leaf) return Bad(fmt::format("the leaf hash is {} bytes, not 32", leaf_hash.size()));
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = *leaf;
  for (size_t i = 0; i < proof.size(); ++i) {
    ASSIGN_OR_RETURN(Hash p, ProofHash(proof, i));
    if (sn == 0) return Bad(fmt::format("the proof is too long ({} hashes)", proof.size()));
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Bad(fmt::format("the proof is too short ({} hashes)", proof.size()));
  return r;
}

absl::Status VerifyInclusion(std::string_view leaf_hash, uint64_t index, uint64_t size,
                             const std::vector<std::string>& proof, std::string_view root) {
  ASSIGN_OR_RETURN(Hash computed, RootFromInclusionProof(leaf_hash, index, size, proof));
  if (root.size() != kHashSize) {
    return Bad(fmt::format("the root hash is {} bytes, not 32", root.size()));
  }
  if (HashBytes(computed) != root) {
    return Bad(fmt::format("the inclusion proof leads to root {}, not to the expected root {}",
                           Base64(HashBytes(computed)), Base64(root)));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                               const std::vector<std::string>& proof, std::string_view root1,
                               std::string_view root2) {
  if (size1 == 0) return Bad("a consistency proof from the empty tree proves nothing");
  if (size1 > size2) {
    return Bad(fmt::format("the old size {} is larger than the new size {}", size1, size2));
  }
  if (size1 == size2) {
    if (!proof.empty()) return Bad("equal sizes need an empty proof");
    if (root1 != root2) return Bad("equal sizes but different roots");
    return absl::OkStatus();
  }
  std::optional<Hash> first = HashFromBytes(root1);
  std::optional<Hash> second = HashFromBytes(root2);
  if (!first || !second) return Bad("a root hash is not 32 bytes");
  if (proof.empty()) return Bad("the proof is empty");
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(size1)) path.push_back(*first);
  for (size_t i = 0; i < proof.size(); ++i) {
    ASSIGN_OR_RETURN(Hash p, ProofHash(proof, i));
    path.push_back(p);
  }
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    if (sn == 0) return Bad(fmt::format("the proof is too long ({} hashes)", proof.size()));
    const Hash& c = path[i];
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Bad(fmt::format("the proof is too short ({} hashes)", proof.size()));
  if (fr != *first) return Bad("the proof does not lead to the old root");
  if (sr != *second) return Bad("the proof does not lead to the new root");
  return absl::OkStatus();
}

std::vector<std::string> ProofBytes(const std::vector<Hash>& proof) {
  std::vector<std::string> out;
  out.reserve(proof.size());
  for (const Hash& h : proof) out.push_back(HashBytes(h));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Frontier

Frontier::Frontier(uint64_t size, std::vector<Hash> roots_high_to_low) : size_(size) {
  size_t next = 0;
  for (int level = 63; level >= 0; --level) {
    if ((size >> level) & 1) by_level_[level] = roots_high_to_low.at(next++);
  }
}

void Frontier::Append(const Hash& leaf_hash,
                      const std::function<void(int, uint64_t, const Hash&)>& on_node) {
  Hash h = leaf_hash;
  int level = 0;
  if (on_node) on_node(0, size_, h);
  while ((size_ >> level) & 1) {
    h = NodeHash(by_level_[level], h);
    ++level;
    if (on_node) on_node(level, size_ >> level, h);
  }
  by_level_[level] = h;
  ++size_;
}

Hash Frontier::Root() const {
  if (size_ == 0) return EmptyRoot();
  bool have = false;
  Hash root;
  for (int level = 0; level < 64; ++level) {
    if (((size_ >> level) & 1) == 0) continue;
    root = have ? NodeHash(by_level_[level], root) : by_level_[level];
    have = true;
  }
  return root;
}

std::vector<std::pair<int, uint64_t>> Frontier::NodesOf(uint64_t size) {
  std::vector<std::pair<int, uint64_t>> nodes;
  for (int level = 63; level >= 0; --level) {
    if ((size >> level) & 1) nodes.emplace_back(level, (size >> level) - 1);
  }
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// MemoryTree

void MemoryTree::Append(const Hash& leaf_hash) {
  frontier_.Append(leaf_hash, [this](int level, uint64_t index, const Hash& h) {
    if (levels_.size() <= static_cast<size_t>(level)) levels_.resize(level + 1);
    // Invariant: nodes of one level complete in index order.
    levels_[level].push_back(h);
  });
}

absl::StatusOr<Hash> MemoryTree::Node(int level, uint64_t index) {
  if (static_cast<size_t>(level) >= levels_.size() || index >= levels_[level].size()) {
    return absl::NotFoundError(fmt::format("no node at level {} index {}", level, index));
  }
  return levels_[level][index];
}

}  // namespace deconflict::ledger
