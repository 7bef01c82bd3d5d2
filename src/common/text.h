// common/text.h: untrusted bytes in messages and identifiers.
//
//   return absl::NotFoundError(fmt::format("operation {} not found", QuoteForMessage(id)));
//   // operation "3f2a9c1e-..." not found; a 60 KB id or invalid UTF-8 gives a short, valid one:
//   // operation "aaaa<64 characters in all>"…(61440 bytes) not found, "\xFF\u001B" for bytes
//
// Anything a client sent (a path, an id, a query parameter) that goes into an error message or a
// log line passes through QuoteForMessage, so every JSON answer is valid UTF-8 and small, and a
// terminal showing the log is never driven by escape sequences.
//
// Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace deconflict {

// Default number of characters QuoteForMessage keeps.
inline constexpr size_t kQuotedMaxChars = 64;

// `bytes` in double quotes, as printable valid UTF-8: printable characters (ASCII and valid
// non-ASCII UTF-8) are kept; '"' and '\' are escaped with a backslash; control characters
// (C0, DEL, C1), line/paragraph separators and bidirectional overrides become \uXXXX; bytes
// that are not valid UTF-8 become \xNN. At most `max_chars` input characters are shown; when
// more follow, the closing quote is followed by "…(N bytes)" with N the input's length.
std::string QuoteForMessage(std::string_view bytes, size_t max_chars = kQuotedMaxChars);

// Like QuoteForMessage without the quotes and without escaping '"' and '\': for a whole
// message that may carry client bytes somewhere inside it (the last guard before an answer is
// written). Text that is printable valid UTF-8 and at most `max_chars` characters is unchanged.
std::string EscapeForMessage(std::string_view text, size_t max_chars);

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// The byte offset of the first control character in `text` (C0 including NUL, DEL, and the
// UTF-8 encodings of C1 U+0080..U+009F), or nullopt when there is none.
std::optional<size_t> FindControlCharacter(std::string_view text);

}  // namespace deconflict
