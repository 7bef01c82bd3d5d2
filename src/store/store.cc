#include "store/store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <future>

#include "common/status.h"
#include "fmt/format.h"
#include "store/sqlite_ledger.h"
#include "spdlog/spdlog.h"
#include <sqlite3.h>

namespace deconflict::store {
namespace {

int64_t Micros(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromMicros(int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

constexpr char kOperationColumns[] =
    "id, party, version, ovn, state, label, extents, request_digest, created_at, updated_at, "
    "ledger_index";

OperationRecord ReadOperation(const Statement& st) {
  OperationRecord op;
  op.id = st.ColumnText(0);
  op.party = st.ColumnText(1);
  op.version = st.ColumnInt(2);
  op.ovn = st.ColumnText(3);
  op.state = st.ColumnText(4);
  op.label = st.ColumnText(5);
  op.extents = st.ColumnText(6);
  op.request_digest = st.ColumnBlob(7);
  op.created_at = FromMicros(st.ColumnInt(8));
  op.updated_at = FromMicros(st.ColumnInt(9));
  op.ledger_index = st.ColumnInt(10);
  return op;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Txn

absl::StatusOr<uint64_t> Txn::AppendLedger(std::string_view entry,
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
  ASSIGN_OR_RETURN(Statement* cached, db_->Cached(kSql));
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
  ASSIGN_OR_RETURN(store->reader_, Database::Open(path, Database::Mode::kReadWrite));
  RETURN_IF_ERROR(store->reader_->Exec("PRAGMA query_only=ON"));
  ASSIGN_OR_RETURN(store->ledger_, SqliteLedger::Open(*store->writer_, dir));
  store->writer_thread_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

Store::~Store() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
}

void Store::Submit(Work work, Done done) {
  {
    std::lock_guard lock(queue_mu_);
    queue_.emplace_back(std::move(work), std::move(done));
  }
  queue_cv_.notify_one();
}

size_t Store::pending() const {
  std::lock_guard lock(queue_mu_);
  return queue_.size();
}

absl::Status Store::Write(Work work) {
  std::promise<absl::Status> promise;
  std::future<absl::Status> result = promise.get_future();
  Submit(std::move(work), [&promise](absl::Status s) { promise.set_value(std::move(s)); });
  return result.get();
}

void Store::WriterLoop() {
  std::vector<std::pair<Work, Done>> batch;
  while (true) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
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

void Store::RunBatch(std::vector<std::pair<Work, Done>>& batch) {
  std::vector<absl::Status> outcomes(batch.size());
  absl::Status begin = writer_->Exec("BEGIN IMMEDIATE");
  if (!begin.ok()) {
    for (auto& [work, done] : batch) done(begin);
    return;
  }
  Txn txn(writer_.get(), ledger_.get());
  auto run = [this](const std::string& sql) -> absl::Status {
    ASSIGN_OR_RETURN(Statement* st, writer_->Cached(sql));
    return st->Run();
  };
  // Set when SQLite itself rolled the whole transaction back (disk full, I/O error, no
  // memory): nothing more may run in this batch, or a later SAVEPOINT would open and RELEASE
  // commit a transaction of its own.
  absl::Status lost;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!lost.ok()) {
      outcomes[i] = lost;
      continue;
    }
    absl::Status s = run("SAVEPOINT unit");
    if (s.ok()) {
      try {
        outcomes[i] = batch[i].first(txn);
      } catch (const std::exception& e) {
        outcomes[i] = absl::InternalError(fmt::format("unit of work threw: {}", e.what()));
      }
      if (!outcomes[i].ok()) {
        if (sqlite3_get_autocommit(writer_->raw()) != 0) {
          lost = absl::InternalError(fmt::format(
              "the transaction was rolled back by SQLite after: {}", outcomes[i].message()));
          outcomes[i] = lost;
          continue;
        }
        // Undo only this unit; the batch goes on.
        s = run("ROLLBACK TO unit");
      }
      if (s.ok()) s = run("RELEASE unit");
    }
    if (!s.ok()) outcomes[i] = s;
  }
  absl::Status commit = lost;
  if (commit.ok()) commit = ledger_->FinishBatch(*writer_);
  if (commit.ok()) commit = writer_->Exec("COMMIT");
  if (!commit.ok()) {
    if (sqlite3_get_autocommit(writer_->raw()) == 0) (void)writer_->Exec("ROLLBACK");
    ledger_->ForgetCache();
    commit_failures_.fetch_add(1);
    spdlog::error("store: group commit of {} units failed: {}", batch.size(), commit.ToString());
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    try {
      batch[i].second(commit.ok() ? outcomes[i] : commit);
    } catch (const std::exception& e) {
      spdlog::error("store: completion threw: {}", e.what());
    }
  }
}

absl::StatusOr<std::vector<PartyRecord>> Store::ListParties() {
  std::lock_guard lock(read_mu_);
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

absl::StatusOr<std::optional<OperationRecord>> Store::GetOperation(const std::string& id) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement st, reader_->Prepare(fmt::format(
                                     "SELECT {} FROM operations WHERE id = ?1", kOperationColumns)));
  st.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<OperationRecord>();
  return std::optional<OperationRecord>(ReadOperation(st));
}

absl::StatusOr<std::vector<OperationRecord>> Store::LoadOperations(bool include_ended) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement st,
                   reader_->Prepare(fmt::format("SELECT {} FROM operations {} ORDER BY id",
                                                kOperationColumns,
                                                include_ended ? "" : "WHERE state != 'Ended'")));
  std::vector<OperationRecord> ops;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ops.push_back(ReadOperation(st));
  }
  return ops;
}

absl::StatusOr<int64_t> Store::DataVersion() {
  std::lock_guard lock(read_mu_);
  return reader_->DataVersion();
}

}  // namespace deconflict::store
