// store/store.h: the durable store of deconflict (SQLite in WAL mode with full sync).
//
// One file, `<data dir>/deconflict.db`, holds everything: parties, operations and the ledger.
// The schema is versioned (PRAGMA user_version) and migrated forward at Open (schema.cc).
//
// Writes go through one writer thread that groups concurrent writes into one transaction
// ("group commit"): each unit of work runs inside its own SAVEPOINT, so a unit that fails rolls
// back only itself, and every unit is told its outcome only after the COMMIT that made it durable.
// Nothing is acknowledged before it is on disk.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open("/var/lib/deconflict", {}));
//   absl::Status s = store->Write([&](Txn& txn) -> absl::Status {
//     RETURN_IF_ERROR(txn.InsertParty(record));
//     return txn.AppendLedger(entry_bytes).status();
//   });
//
// Several processes may open the same store at once (the server and `deconflict party add`):
// SQLite serialises their transactions; readers detect others' commits through DataVersion().
// Only one server may serve a store (dir_lock.h).
//
// Failure. A group commit that fails at any step (BEGIN, a SAVEPOINT or RELEASE, the ledger's
// checkpoint, COMMIT) is rolled back whole; every unit of the batch gets the error (Unavailable)
// and the ledger forgets its cached tree, so memory matches the committed state again and the
// next batch runs as usual. Units whose in-memory state follows their writes restore it when
// their `done` sees a commit error (see commit_failures()). Only when the rollback itself fails
// does the store fail for good (failure()): it then answers every unit Unavailable without
// running it, CheckWritable reports why, and the process should exit so that a supervisor
// restarts it (OnFailure). Open refuses a store whose ledger.key cannot verify its checkpoints.
//
// Thread-safety: Store is thread-safe. A Txn is valid only inside the callback it is passed to,
// on the writer thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "store/fault_injector.h"
#include "store/sqlite.h"
#include "store/sqlite_ledger.h"

namespace deconflict::store {

class SqliteLedger;

struct PartyRecord {
  std::string id;
  std::string name;
  std::string role;        // design.md §2: operator, host, guarantor, observer, humanitarian
  std::string token_hash;  // SHA-256 of the bearer token, raw 32 bytes
  Timestamp created_at;
  std::optional<Timestamp> revoked_at;
};

struct OperationRecord {
  std::string id;  // UUID chosen by the client
  std::string party;
  int64_t version = 0;  // 1 at creation, +1 per accepted update
  std::string ovn;      // opaque version number of the current version
  std::string state;    // Accepted, Activated, Ended, Nonconforming, Contingent
  std::string label;
  std::string extents;         // JSON array of Volume4D, as normalised by the strategic module
  std::string request_digest;  // SHA-256 of the canonical request that produced this version
  Timestamp created_at;
  Timestamp updated_at;
  int64_t ledger_index = -1;  // ledger entry recording this version
};

struct StoreOptions {
  // PRAGMA synchronous=FULL: every commit is fsynced. Only benchmarks of the non-durable path
  // turn it off. Default: true.
  bool synchronous_full = true;
  // Most units of work grouped into one transaction. Default: 1024.
  size_t max_batch = 1024;
  // Where the store reads the time. Must outlive the store. Default: nullptr, the system clock.
  const Clock* clock = nullptr;
  // CheckWritable trusts the outcome of a commit younger than this; past it, it commits a probe.
  // Default: 1 s.
  std::chrono::microseconds health_max_age = std::chrono::seconds(1);
  // Test seam consulted at each step of every group commit (fault_injector.h). Must outlive the
  // store. Default: nullptr, none.
  FaultInjector* faults = nullptr;
};

// The transaction a unit of work runs in. Not thread-safe; valid only inside its callback.
class Txn {
 public:
  Database& db() { return *db_; }

  // Appends one entry (ledger::EncodeEntry bytes) to the ledger in this transaction; returns its
  // index. The public log holds a salted commitment; the entry itself is readable by its party,
  // guarantors and `readers` (e.g. the parties an operation conflicts with; default none more).
  // SqliteLedger::Append has the details.
  [[nodiscard]] absl::StatusOr<uint64_t> AppendLedger(std::string_view entry,
                                                      const std::vector<std::string>& readers = {});
  // The same for an entry prepared on another thread (sqlite_ledger.h PrepareEntry).
  [[nodiscard]] absl::StatusOr<uint64_t> AppendLedger(const PreparedEntry& entry,
                                                      const std::vector<std::string>& readers = {});

  // AlreadyExists when the id or the token hash is taken.
  [[nodiscard]] absl::Status InsertParty(const PartyRecord& party);
  // NotFound when there is no such party; FailedPrecondition when already revoked.
  [[nodiscard]] absl::Status RevokeParty(const std::string& id, Timestamp at);
  // Inserts or replaces the operation row with this id.
  [[nodiscard]] absl::Status PutOperation(const OperationRecord& operation);

 private:
  friend class Store;
  Txn(Database* db, SqliteLedger* ledger) : db_(db), ledger_(ledger) {}
  Database* db_;
  SqliteLedger* ledger_;
};

class Store {
 public:
  using Work = std::function<absl::Status(Txn&)>;
  using Done = std::function<void(absl::Status)>;

  // Opens or creates the store in `dir` (created if missing, mode 0700), migrates the schema.
  // FailedPrecondition when the store was written by a newer version of deconflict, or when
  // `dir`/ledger.key is missing or is not the key that signed the store's checkpoints (the
  // message says to restore it from a backup; ledger/server_key.h CheckServerKey). A fresh store
  // gets a new key. Unavailable when the database cannot be opened or written.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& dir,
                                                                   StoreOptions options = {});
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();  // Finishes queued work, then stops the writer.

  // Queues `work` for the next transaction on the writer thread. `done` is called on the writer
  // thread exactly once: with work's own error (its changes rolled back), with the commit error
  // (Unavailable whose message includes the failed step's error: nothing of the batch is
  // stored), or OK after the commit is durable. Once the store has failed, `done` gets
  // Unavailable at once (still on the writer thread) and `work` never runs.
  void Submit(Work work, Done done);
  // Submit and wait.
  [[nodiscard]] absl::Status Write(Work work);

  // How many group commits have failed since Open (a unit whose work succeeded but whose
  // `done` got an error can tell a failed commit from its own refusal by this changing).
  // Incremented before the failed batch's units are told.
  uint64_t commit_failures() const { return commit_failures_.load(); }

  // Whether writes can succeed now. `done` gets OK when the newest commit that stored something
  // succeeded less than health_max_age ago, or else when a probe committed now (a one-row write
  // through the writer) succeeds; Unavailable otherwise, with a message fit for clients (no paths
  // or SQL): "the store cannot write: database or disk is full", "... attempt to write a
  // readonly database", or, once the store has failed, "the store has failed (...): the server
  // must be restarted". `done` runs exactly once, on the calling thread (known answer) or the
  // writer thread (probe).
  void CheckWritable(Done done);

  // The failure that stopped the store for good (a failed commit that could not be rolled
  // back), or nullopt while it works.
  std::optional<absl::Status> failure() const;

  // The store tells of its failure once: on the writer thread to the handler set when it fails,
  // or, if none was, at once (on this thread) to the next handler set. `handler` must not block
  // nor call back into the store. It replaces any previous handler; once OnFailure returns, the
  // previous handler is not running and will not run (so OnFailure(nullptr) before destroying
  // what the handler uses).
  void OnFailure(std::function<void(const absl::Status&)> handler);

  // Units queued and not yet started (for back-pressure: callers refuse new work above a limit).
  size_t pending() const;

  // Reads, on a separate connection. They see only committed data.
  [[nodiscard]] absl::StatusOr<std::vector<PartyRecord>> ListParties();
  // (Operations: store/operations_table.h, ReadOperation and ListOperations.)
  // Changes whenever any connection (this process or another) commits.
  [[nodiscard]] absl::StatusOr<int64_t> DataVersion();

  // Runs `fn` with the read connection held (for modules that read their own tables).
  template <typename Fn>
  auto WithReader(Fn&& fn) {
    WriterLock lock(read_mu_);
    return fn(*reader_);
  }

  const std::string& dir() const { return dir_; }
  SqliteLedger& ledger() { return *ledger_; }

 private:
  using Unit = std::pair<Work, Done>;
  Store(std::string dir, StoreOptions options);
  void WriterLoop();
  void RunBatch(std::vector<Unit>& batch);
  // BEGIN, every unit in its savepoint, the ledger's checkpoint, COMMIT. OK when committed;
  // otherwise the failed step's error, with the transaction rolled back (or the store failed).
  [[nodiscard]] absl::Status CommitBatch(std::vector<Unit>& batch,
                                         std::vector<absl::Status>& outcomes);
  // Runs one unit in its savepoint; its own refusal goes to `outcome`. Not OK: the whole
  // transaction is lost.
  [[nodiscard]] absl::Status RunUnit(Work& work, Txn& txn, absl::Status& outcome);
  // Rolls the open transaction back and drops the ledger's cache; fails the store if it cannot.
  void RollBack();
  // Asks the fault injector, then runs `step`.
  template <typename Fn>
  [[nodiscard]] absl::Status Step(CommitStep step, Fn&& fn);
  void Fail(absl::Status cause);
  // Calls the failure handler if the store has failed and no handler was called yet.
  void NotifyFailure();
  void RecordCommit(const absl::Status& status);

  const std::string dir_;
  const StoreOptions options_;
  const Clock& clock_;
  std::unique_ptr<Database> writer_;  // used only on the writer thread after Open
  std::unique_ptr<SqliteLedger> ledger_;
  uint64_t batch_number_ = 0;  // writer thread only: group commits since Open

  mutable Mutex failure_mu_;
  std::optional<absl::Status> failure_ ABSL_GUARDED_BY(failure_mu_);  // set once
  std::atomic<bool> failed_{false};  // failure_.has_value(), readable without the lock
  Mutex handler_mu_;                 // held while the handler runs
  std::function<void(const absl::Status&)> failure_handler_ ABSL_GUARDED_BY(handler_mu_);
  bool failure_notified_ ABSL_GUARDED_BY(handler_mu_) = false;

  Mutex health_mu_;
  std::optional<std::pair<Timestamp, absl::Status>> last_commit_ ABSL_GUARDED_BY(health_mu_);

  Mutex read_mu_;
  std::unique_ptr<Database> reader_ ABSL_GUARDED_BY(read_mu_);

  mutable Mutex queue_mu_;
  CondVar queue_cv_;
  std::deque<std::pair<Work, Done>> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  std::atomic<uint64_t> commit_failures_{0};
  std::thread writer_thread_;
};

// Configures a connection: WAL, synchronous, foreign keys. Used by Open and by tools.
[[nodiscard]] absl::Status ConfigureConnection(Database& db, bool synchronous_full);

// Migrates the schema of `db` to the newest version (schema.cc).
[[nodiscard]] absl::Status Migrate(Database& db);

}  // namespace deconflict::store
