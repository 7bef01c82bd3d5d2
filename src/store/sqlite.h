// store/sqlite.h: thin RAII wrappers over the SQLite C API, with errors as absl::Status.
//
//   ASSIGN_OR_RETURN(auto db, Database::Open(path, Database::Mode::kReadWrite));
//   ASSIGN_OR_RETURN(Statement st, db->Prepare("SELECT name FROM parties WHERE id = ?1"));
//   st.Bind(1, "RU");
//   ASSIGN_OR_RETURN(bool row, st.Step());
//   if (row) std::string name = st.ColumnText(0);
//
// A Database is one connection: not thread-safe (SQLite is built serialized, but statements and
// transactions of one connection must not interleave); callers own the locking.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace deconflict::store {

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Bind by 1-based index. Text and blobs are copied (SQLITE_TRANSIENT).
  void Bind(int index, int64_t value);
  void BindDouble(int index, double value);
  void Bind(int index, std::string_view text);
  void BindBlob(int index, std::string_view bytes);
  void BindNull(int index);

  // Runs one step: true when a row is available, false when done. Errors name the SQL.
  [[nodiscard]] absl::StatusOr<bool> Step();
  // Steps to completion, for statements that return no rows.
  [[nodiscard]] absl::Status Run();
  // Resets for reuse, clearing bindings.
  void Reset();

  int64_t ColumnInt(int col) const;
  double ColumnDouble(int col) const;
  std::string ColumnText(int col) const;
  std::string ColumnBlob(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (creating in kReadWrite mode) the database file at `path`, with a busy timeout so that
  // the server and the CLI can share the store. Returns Unavailable/Internal on failure.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                                      Mode mode);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements that return no rows.
  [[nodiscard]] absl::Status Exec(std::string_view sql);
  [[nodiscard]] absl::StatusOr<Statement> Prepare(std::string_view sql);
  // A statement prepared once per connection and kept, reset and unbound, for statements run
  // on every write. The pointer is valid as long as this Database.
  [[nodiscard]] absl::StatusOr<Statement*> Cached(const std::string& sql);
  // The first column of the first row of a query returning an integer.
  [[nodiscard]] absl::StatusOr<int64_t> QueryInt(std::string_view sql);

  // Rows changed by the newest INSERT, UPDATE or DELETE on this connection (sqlite3_changes;
  // what "SELECT changes()" answers, without preparing a statement).
  int64_t Changes();

  // Changes whenever another connection commits to the database (PRAGMA data_version).
  [[nodiscard]] absl::StatusOr<int64_t> DataVersion();

  sqlite3* raw() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>> cache_;
};

// Converts the last error of `db` into a Status, prefixed with `what`, carrying the SQLite
// result code as a payload (SqliteCodeOf). The code says what the caller can do:
//   Unavailable: cannot write (or read) now, retry later: busy or locked, disk full, read-only
//     database, I/O error, out of memory, cannot open the file;
//   AlreadyExists: a constraint (unique key) refused the row;
//   DataLoss: the file is corrupt or not a database;
//   Internal: anything else (a bug: bad SQL, misuse).
[[nodiscard]] absl::Status SqliteError(sqlite3* db, int code, std::string_view what);

// The SQLite result code SqliteError attached to `status` (kept when a caller wraps it with
// WithSqliteCode), if any.
std::optional<int> SqliteCodeOf(const absl::Status& status);

// A new status of `code` with `message`, keeping the SQLite code payload of `cause`.
[[nodiscard]] absl::Status WithSqliteCode(absl::StatusCode code, std::string_view message,
                                          const absl::Status& cause);

// SQLite's text for a result code ("database or disk is full"): it names no file and no
// statement, so it may be shown to clients.
std::string SqliteCodeText(int code);

// Every row `st` yields, each made by `row_of(st)`; the statement is reset afterwards, also on
// an error (the step's status is returned).
template <typename T, typename RowOf>
[[nodiscard]] absl::StatusOr<std::vector<T>> ReadRows(Statement& st, RowOf row_of) {
  std::vector<T> rows;
  while (true) {
    absl::StatusOr<bool> more = st.Step();
    if (!more.ok()) {
      st.Reset();
      return more.status();
    }
    if (!*more) break;
    rows.push_back(row_of(st));
  }
  st.Reset();
  return rows;
}

}  // namespace deconflict::store
