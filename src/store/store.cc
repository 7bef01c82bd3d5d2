#include "store/store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>

#include "absl/cleanup/cleanup.h"
#include "common/status.h"
#include "fmt/format.h"
#include "ledger/server_key.h"
#include "spdlog/spdlog.h"
#include "store/operations_table.h"
#include "store/sqlite_ledger.h"

namespace deconflict::store {
namespace {

const Clock& DefaultClock() {
  static const SystemClock clock;
  return clock;
}

// Why a write failed, in words fit for a client: SQLite's text for its code ("database or disk
// is full"), else the message (fault injection, the store's own errors).
std::string Reason(const absl::Status& status) {
  if (std::optional<int> code = SqliteCodeOf(status)) return SqliteCodeText(*code);
  return std::string(status.message());
}

// Refuses to go on with a ledger.key that cannot verify the store's newest checkpoint (before
// SqliteLedger::Open, which would create a new key when the file is missing).
absl::Status CheckLedgerKey(Database& db, const std::string& dir) {
  ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT note FROM ledger_checkpoints "
                                            "ORDER BY size DESC LIMIT 1"));
  ASSIGN_OR_RETURN(bool any, st.Step());
  if (!any) return absl::OkStatus();  // a fresh store: the ledger creates its key
  return ledger::CheckServerKey(dir, st.ColumnText(0));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Txn

absl::StatusOr<uint64_t> Txn::AppendLedger(std::string_view entry,
                                           const std::vector<std::string>& readers) {
  return ledger_->Append(*db_, entry, readers);
}

absl::StatusOr<uint64_t> Txn::AppendLedger(const PreparedEntry& entry,
                                           const std::vector<std::string>& readers) {
  return ledger_->Append(*db_, entry, readers);
}

absl::Status Txn::InsertParty(const PartyRecord& party) {
  ASSIGN_OR_RETURN(Statement st,
                   db_->Prepare("INSERT INTO parties(id, name, role, token_hash, created_at, "
                                "revoked_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
  st.Bind(1, party.id);
  st.Bind(2, party.name);
  st.Bind(3, party.role);
  st.BindBlob(4, party.token_hash);
  st.Bind(5, Micros(party.created_at));
  if (party.revoked_at) {
    st.Bind(6, Micros(*party.revoked_at));
  } else {
    st.BindNull(6);
  }
  absl::Status status = st.Run();
  if (absl::IsAlreadyExists(status)) {
    return absl::AlreadyExistsError(fmt::format("party '{}' already exists", party.id));
  }
  return status;
}

absl::Status Txn::RevokeParty(const std::string& id, Timestamp at) {
  ASSIGN_OR_RETURN(Statement get, db_->Prepare("SELECT revoked_at FROM parties WHERE id = ?1"));
  get.Bind(1, id);
  ASSIGN_OR_RETURN(bool found, get.Step());
  if (!found) return absl::NotFoundError(fmt::format("no party '{}'", id));
  if (!get.ColumnIsNull(0)) {
    return absl::FailedPreconditionError(fmt::format("party '{}' is already revoked", id));
  }
  ASSIGN_OR_RETURN(Statement st, db_->Prepare("UPDATE parties SET revoked_at = ?2 WHERE id = ?1"));
  st.Bind(1, id);
  st.Bind(2, Micros(at));
  return st.Run();
}

absl::Status Txn::PutOperation(const OperationRecord& op) {
  static const std::string kSql = fmt::format(
      "INSERT OR REPLACE INTO operations({}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
      kOperationColumns);
  ASSIGN_OR_RETURN(Statement * cached, db_->Cached(kSql));
  Statement& st = *cached;
  st.Bind(1, op.id);
  st.Bind(2, op.party);
  st.Bind(3, op.version);
  st.Bind(4, op.ovn);
  st.Bind(5, op.state);
  st.Bind(6, op.label);
  st.Bind(7, op.extents);
  st.BindBlob(8, op.request_digest);
  st.Bind(9, Micros(op.created_at));
  st.Bind(10, Micros(op.updated_at));
  st.Bind(11, op.ledger_index);
  return st.Run();
}

// ---------------------------------------------------------------------------------------------
// Store

Store::Store(std::string dir, StoreOptions options)
    : dir_(std::move(dir)),
      options_(options),
      clock_(options.clock ? *options.clock : DefaultClock()) {}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir, StoreOptions options) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        fmt::format("cannot create data directory {}: {}", dir, std::strerror(errno)));
  }
  std::unique_ptr<Store> store(new Store(dir, options));
  const std::string path = dir + "/deconflict.db";
  ASSIGN_OR_RETURN(store->writer_, Database::Open(path, Database::Mode::kReadWrite));
  RETURN_IF_ERROR(ConfigureConnection(*store->writer_, options.synchronous_full));
  RETURN_IF_ERROR(Migrate(*store->writer_));
  RETURN_IF_ERROR(CheckLedgerKey(*store->writer_, dir));
  ASSIGN_OR_RETURN(std::unique_ptr<Database> reader,
                   Database::Open(path, Database::Mode::kReadWrite));
  RETURN_IF_ERROR(reader->Exec("PRAGMA query_only=ON"));
  {
    WriterLock lock(store->read_mu_);  // no other thread yet: the lock is for the analysis
    store->reader_ = std::move(reader);
  }
  ASSIGN_OR_RETURN(store->ledger_, SqliteLedger::Open(*store->writer_, dir, store->clock_));
  store->writer_thread_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

Store::~Store() {
  {
    WriterLock lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.SignalAll();
  if (writer_thread_.joinable()) writer_thread_.join();
}

void Store::Submit(Work work, Done done) {
  {
    WriterLock lock(queue_mu_);
    queue_.emplace_back(std::move(work), std::move(done));
  }
  queue_cv_.Signal();
}

size_t Store::pending() const {
  WriterLock lock(queue_mu_);
  return queue_.size();
}

absl::Status Store::Write(Work work) {
  // The promise lives in the completion, not on this stack: set_value may still be running on
  // the writer thread when get() returns here (a race TSan saw when the caller then unwound).
  auto promise = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> result = promise->get_future();
  Submit(std::move(work), [promise](absl::Status s) { promise->set_value(std::move(s)); });
  return result.get();
}

void Store::WriterLoop() {
  std::vector<Unit> batch;
  while (true) {
    {
      WriterLock lock(queue_mu_);
      while (!stopping_ && queue_.empty()) queue_cv_.Wait(queue_mu_);
      if (queue_.empty()) return;  // stopping, and all queued work is done
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
}

template <typename Fn>
absl::Status Store::Step(CommitStep step, Fn&& fn) {
  if (options_.faults) RETURN_IF_ERROR(options_.faults->Before(step, batch_number_));
  return fn();
}

void Store::RunBatch(std::vector<Unit>& batch) {
  ++batch_number_;
  std::vector<absl::Status> outcomes(batch.size());
  absl::Status commit;
  if (std::optional<absl::Status> failed = failure()) {
    commit = *failed;
  } else {
    commit = CommitBatch(batch, outcomes);
    if (!commit.ok()) {
      commit_failures_.fetch_add(1);
      spdlog::error("store: group commit {} of {} units failed: {}", batch_number_, batch.size(),
                    commit.ToString());
      commit = WithSqliteCode(absl::StatusCode::kUnavailable,
                              fmt::format("group commit failed: {}", commit.message()), commit);
    }
    // Only a commit that stored something tells whether the disk takes writes.
    const bool stored =
        std::any_of(outcomes.begin(), outcomes.end(), [](const absl::Status& s) { return s.ok(); });
    if (!commit.ok() || stored) RecordCommit(commit);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i].second(commit.ok() ? outcomes[i] : commit);
    } catch (const std::exception& e) {
      spdlog::error("store: completion threw: {}", e.what());
    }
  }
  if (failed_.load()) NotifyFailure();
}

absl::Status Store::CommitBatch(std::vector<Unit>& batch, std::vector<absl::Status>& outcomes) {
  // Invariant: every batch ends outside a transaction (committed or rolled back), or the store
  // has failed. Checked because a leaked transaction is what once wedged the writer: every
  // later BEGIN failed with "cannot start a transaction within a transaction".
  if (sqlite3_get_autocommit(writer_->raw()) == 0) {
    spdlog::error("store: a transaction was left open; rolling it back");
    RollBack();
    if (failed_.load()) return *failure();
  }
  RETURN_IF_ERROR(Step(CommitStep::kBegin, [&] { return writer_->Exec("BEGIN IMMEDIATE"); }));
  // Until COMMIT succeeds, every way out of here rolls the whole transaction back.
  absl::Cleanup roll_back = [this] { RollBack(); };
  Txn txn(writer_.get(), ledger_.get());
  for (size_t i = 0; i < batch.size(); ++i) {
    RETURN_IF_ERROR(RunUnit(batch[i].first, txn, outcomes[i]));
  }
  RETURN_IF_ERROR(Step(CommitStep::kFinishBatch, [&] { return ledger_->FinishBatch(*writer_); }));
  RETURN_IF_ERROR(Step(CommitStep::kCommit, [&] { return writer_->Exec("COMMIT"); }));
  std::move(roll_back).Cancel();
  return absl::OkStatus();
}

absl::Status Store::RunUnit(Work& work, Txn& txn, absl::Status& outcome) {
  auto run = [this](const std::string& sql) {
    return [this, &sql]() -> absl::Status {
      ASSIGN_OR_RETURN(Statement * st, writer_->Cached(sql));
      return st->Run();
    };
  };
  static const std::string kSavepoint = "SAVEPOINT unit", kRollbackTo = "ROLLBACK TO unit",
                           kRelease = "RELEASE unit";
  RETURN_IF_ERROR(Step(CommitStep::kSavepoint, run(kSavepoint)));
  try {
    outcome = work(txn);
  } catch (const std::exception& e) {
    outcome = absl::InternalError(fmt::format("unit of work threw: {}", e.what()));
  }
  if (!outcome.ok()) {
    if (sqlite3_get_autocommit(writer_->raw()) != 0) {
      // SQLite itself rolled the whole transaction back (disk full, I/O error, no memory):
      // nothing more may run in this batch, or a later SAVEPOINT would open and RELEASE commit
      // a transaction of its own.
      return WithSqliteCode(
          absl::StatusCode::kUnavailable,
          fmt::format("the transaction was rolled back by SQLite after: {}", outcome.message()),
          outcome);
    }
    // Undo only this unit; the batch goes on.
    RETURN_IF_ERROR(Step(CommitStep::kRollbackTo, run(kRollbackTo)));
  }
  // A failed RELEASE leaves the savepoint open: the next unit would nest in it and the COMMIT
  // would store this unit's changes although it was told it failed. The caller rolls back all.
  return Step(CommitStep::kRelease, run(kRelease));
}

void Store::RollBack() {
  // The ledger's cached tree may hold entries of the lost transaction.
  ledger_->ForgetCache();
  if (sqlite3_get_autocommit(writer_->raw()) != 0) return;  // SQLite rolled back already
  absl::Status rolled_back = Step(CommitStep::kRollback, [&] { return writer_->Exec("ROLLBACK"); });
  if (rolled_back.ok() && sqlite3_get_autocommit(writer_->raw()) != 0) return;
  // The transaction is still open and holds the write lock: no later batch can begin. Only a
  // new process (a new connection) gets out of this.
  if (rolled_back.ok()) rolled_back = absl::InternalError("ROLLBACK left the transaction open");
  Fail(rolled_back);
}

void Store::Fail(absl::Status cause) {
  spdlog::critical(
      "store: cannot roll back a failed commit ({}): the store stops taking writes "
      "and the server must be restarted",
      cause.ToString());
  WriterLock lock(failure_mu_);
  if (failure_) return;
  failure_ = absl::UnavailableError(fmt::format(
      "the store has failed (a failed commit could not be rolled back: {}): the server must be "
      "restarted",
      Reason(cause)));
  failed_.store(true);
}

std::optional<absl::Status> Store::failure() const {
  if (!failed_.load()) return std::nullopt;
  WriterLock lock(failure_mu_);
  return failure_;
}

void Store::OnFailure(std::function<void(const absl::Status&)> handler) {
  {
    WriterLock lock(handler_mu_);
    failure_handler_ = std::move(handler);
  }
  NotifyFailure();
}

void Store::NotifyFailure() {
  WriterLock lock(handler_mu_);
  if (failure_notified_ || !failure_handler_) return;
  std::optional<absl::Status> failed = failure();
  if (!failed) return;
  failure_notified_ = true;
  failure_handler_(*failed);
}

void Store::RecordCommit(const absl::Status& status) {
  absl::Status health =
      status.ok()
          ? absl::OkStatus()
          : absl::UnavailableError(fmt::format("the store cannot write: {}", Reason(status)));
  WriterLock lock(health_mu_);
  last_commit_.emplace(clock_.Now(), std::move(health));
}

void Store::CheckWritable(Done done) {
  if (std::optional<absl::Status> failed = failure()) return done(*failed);
  std::optional<absl::Status> known;
  {
    WriterLock lock(health_mu_);
    if (last_commit_ && clock_.Now() - last_commit_->first < options_.health_max_age) {
      known = last_commit_->second;
    }
  }
  if (known) return done(*std::move(known));
  // A real commit, so that a full disk or a read-only file shows; RunBatch records its outcome.
  Submit(
      [this](Txn& txn) -> absl::Status {
        ASSIGN_OR_RETURN(Statement * st,
                         txn.db().Cached("INSERT OR REPLACE INTO store_probe(id, probed_at) "
                                         "VALUES(1, ?1)"));
        st->Bind(1, Micros(clock_.Now()));
        return st->Run();
      },
      [this, done = std::move(done)](absl::Status probed) {
        if (probed.ok()) return done(probed);
        if (std::optional<absl::Status> failed = failure()) return done(*failed);
        done(absl::UnavailableError(fmt::format("the store cannot write: {}", Reason(probed))));
      });
}

absl::StatusOr<std::vector<PartyRecord>> Store::ListParties() {
  WriterLock lock(read_mu_);
  ASSIGN_OR_RETURN(Statement st,
                   reader_->Prepare("SELECT id, name, role, token_hash, created_at, revoked_at "
                                    "FROM parties ORDER BY id"));
  std::vector<PartyRecord> parties;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    PartyRecord p;
    p.id = st.ColumnText(0);
    p.name = st.ColumnText(1);
    p.role = st.ColumnText(2);
    p.token_hash = st.ColumnBlob(3);
    p.created_at = FromMicros(st.ColumnInt(4));
    if (!st.ColumnIsNull(5)) p.revoked_at = FromMicros(st.ColumnInt(5));
    parties.push_back(std::move(p));
  }
  return parties;
}

absl::StatusOr<int64_t> Store::DataVersion() {
  WriterLock lock(read_mu_);
  return reader_->DataVersion();
}

}  // namespace deconflict::store
