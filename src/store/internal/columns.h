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

// Appends Sized(name, bytes) to `out` (no formatting library: digests of bulk imports use it).
inline void AppendSized(std::string& out, std::string_view name, std::string_view bytes) {
  out.append(name);
  out.push_back(' ');
  out.append(std::to_string(bytes.size()));
  out.push_back('\n');
  out.append(bytes);
  out.push_back('\n');
}

inline std::string Sized(std::string_view name, std::string_view bytes) {
  std::string out;
  out.reserve(name.size() + bytes.size() + 24);
  AppendSized(out, name, bytes);
  return out;
}

}  // namespace deconflict::store::internal
