#include "store/sqlite_ledger.h"

#include "common/status.h"

namespace deconflict::store {

absl::StatusOr<std::unique_ptr<SqliteLedger>> SqliteLedger::Open(Database& db,
                                                                  const std::string& dir) {
  return std::make_unique<SqliteLedger>();
}

absl::StatusOr<uint64_t> SqliteLedger::Append(Database& db, std::string_view entry) {
  ASSIGN_OR_RETURN(int64_t size, db.QueryInt("SELECT count(*) FROM ledger_entries"));
  ASSIGN_OR_RETURN(Statement st, db.Prepare("INSERT INTO ledger_entries(idx, data) VALUES(?1, ?2)"));
  st.Bind(1, size);
  st.BindBlob(2, entry);
  RETURN_IF_ERROR(st.Run());
  return static_cast<uint64_t>(size);
}

}  // namespace deconflict::store
