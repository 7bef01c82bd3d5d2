// store/fault_injector.h: a test seam in the store's group commit (LevelDB's
// fault_injection_test, Envoy's seams): before each step of a group commit the store asks the
// injector, and a non-OK answer makes that step fail with it, without running it. This is how
// the tests show that a failed commit never wedges the writer (store_test.cc, store_e2e_test.cc)
// without exhausting memory or disk.
//
//   class FailCommitOnce : public FaultInjector {
//     absl::Status Before(CommitStep step, uint64_t batch) override {
//       return step == CommitStep::kCommit && batch == 1 ? absl::InternalError("boom")
//                                                        : absl::OkStatus();
//     }
//   };
//   FailCommitOnce faults;
//   auto store = Store::Open(dir, {.faults = &faults});
//
// Production code passes no injector. `deconflict serve` builds a ScriptedFaults from the
// environment variable DECONFLICT_TEST_FAIL_COMMIT, which exists for the end-to-end tests only.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace deconflict::store {

// The steps of one group commit, in order (store.cc, Store::RunBatch).
enum class CommitStep {
  kBegin,        // BEGIN IMMEDIATE
  kSavepoint,    // SAVEPOINT before each unit of work
  kRollbackTo,   // ROLLBACK TO the savepoint of a unit that refused
  kRelease,      // RELEASE after each unit of work
  kFinishBatch,  // the ledger's checkpoint (SqliteLedger::FinishBatch)
  kCommit,       // COMMIT
  kRollback,     // ROLLBACK after any failed step; failing it leaves the store failed
};

// "begin", "savepoint", "rollback_to", "release", "finish_batch", "commit", "rollback".
std::string_view CommitStepName(CommitStep step);

// Consulted by the store on its writer thread only: implementations need not be thread-safe
// (but a test that reads their counters from another thread must synchronise itself).
class FaultInjector {
 public:
  virtual ~FaultInjector() = default;
  // Called before `step` of group commit number `batch` (1, 2, ... since Open; health probes
  // count). OK lets the step run; any other status is the step's failure.
  [[nodiscard]] virtual absl::Status Before(CommitStep step, uint64_t batch) = 0;
};

// Faults written as text, for the end-to-end tests: a comma-separated list of STEP@N, each
// failing STEP (a CommitStepName) of group commit N with Internal "injected fault at STEP of
// group commit N". "commit@1" fails the first COMMIT (the writer recovers);
// "commit@1,rollback@1" also fails the ROLLBACK that follows (the store fails).
// Not thread-safe (used by the writer thread only).
class ScriptedFaults final : public FaultInjector {
 public:
  // InvalidArgument naming the malformed item.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ScriptedFaults>> Parse(
      std::string_view script);
  [[nodiscard]] absl::Status Before(CommitStep step, uint64_t batch) override;

 private:
  ScriptedFaults() = default;
  std::vector<std::pair<CommitStep, uint64_t>> faults_;
};

}  // namespace deconflict::store
