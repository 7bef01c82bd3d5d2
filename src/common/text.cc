#include "common/text.h"

#include "fmt/format.h"

namespace deconflict {
namespace {

// Decodes the UTF-8 sequence at text[pos]. Returns its length (1-4) and sets *code_point, or 0
// when the bytes there are not a well-formed sequence (RFC 3629 table 3-7).
size_t DecodeUtf8(std::string_view text, size_t pos, char32_t* code_point) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  }
  size_t length;
  char32_t min;
  char32_t value;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, min = 0x80, value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, min = 0x800, value = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, min = 0x10000, value = lead & 0x07;
  } else {
    return 0;
  }
  if (text.size() - pos < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *code_point = value;
  return length;
}

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

// Characters that are valid but change how the surrounding text reads: line and paragraph
// separators, bidirectional embeddings, overrides and isolates.
bool IsInvisibleFormatting(char32_t c) {
  return c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

// Appends the escaped form of at most `max_chars` characters of `bytes` to `out`; returns how
// many bytes of `bytes` that covered.
size_t AppendEscaped(std::string_view bytes, size_t max_chars, bool escape_quotes,
                     std::string& out) {
  size_t pos = 0;
  size_t chars = 0;
  while (pos < bytes.size() && chars < max_chars) {
    char32_t c;
    const size_t length = DecodeUtf8(bytes, pos, &c);
    if (length == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(bytes[pos]));
      pos += 1;
    } else {
      if (escape_quotes && (c == '"' || c == '\\')) {
        out += '\\';
        out += static_cast<char>(c);
      } else if (IsControl(c) || IsInvisibleFormatting(c)) {
        out += fmt::format("\\u{:04X}", static_cast<uint32_t>(c));
      } else {
        out.append(bytes.substr(pos, length));
      }
      pos += length;
    }
    ++chars;
  }
  return pos;
}

}  // namespace

std::string QuoteForMessage(std::string_view bytes, size_t max_chars) {
  std::string out = "\"";
  const size_t covered = AppendEscaped(bytes, max_chars, /*escape_quotes=*/true, out);
  out += '"';
  if (covered < bytes.size()) out += fmt::format("\u2026({} bytes)", bytes.size());
  return out;
}

std::string EscapeForMessage(std::string_view text, size_t max_chars) {
  std::string out;
  const size_t covered = AppendEscaped(text, max_chars, /*escape_quotes=*/false, out);
  if (covered < text.size()) out += fmt::format("\u2026({} bytes)", text.size());
  return out;
}

bool IsValidUtf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    char32_t c;
    const size_t length = DecodeUtf8(text, pos, &c);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

std::optional<size_t> FindControlCharacter(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    char32_t c;
    size_t length = DecodeUtf8(text, pos, &c);
    if (length == 0) {
      length = 1;  // not a character at all: not a control character either
    } else if (IsControl(c)) {
      return pos;
    }
    pos += length;
  }
  return std::nullopt;
}

}  // namespace deconflict
