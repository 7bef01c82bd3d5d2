// store/internal/columns.h: helpers every table file of store/ shares: optional times as NULL
// columns, and the length-prefixed field of the canonical forms that the tables' digests hash
// ("<name> <byte length>\n<bytes>\n": docs/*_format.md). Private to store/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "fmt/format.h"
#include "store/sqlite.h"

namespace deconflict::store::internal {

inline void BindOptionalTime(Statement& st, int index, const std::optional<Timestamp>& t) {
  if (t) {
    st.Bind(index, Micros(*t));
  } else {
    st.BindNull(index);
  }
}

inline std::optional<Timestamp> OptionalTime(const Statement& st, int col) {
  if (st.ColumnIsNull(col)) return std::nullopt;
  return FromMicros(st.ColumnInt(col));
}

inline std::string Sized(std::string_view name, std::string_view bytes) {
  return fmt::format("{} {}\n{}\n", name, bytes.size(), bytes);
}

}  // namespace deconflict::store::internal
