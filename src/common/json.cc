#include "common/json.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "boost/json/basic_parser_impl.hpp"
#include "common/status.h"
#include "common/text.h"
#include "fmt/format.h"

namespace deconflict {

namespace {

// A client's key as a path component: as it is when short printable ASCII (every key the API
// knows), otherwise quoted and truncated (common/text.h) so a path never carries raw bytes.
std::string KeyForPath(std::string_view key) {
  const bool plain = !key.empty() && key.size() <= kQuotedMaxChars &&
                     std::all_of(key.begin(), key.end(), [](char c) {
                       return c > 0x20 && c < 0x7F && c != '"' && c != '\\';
                     });
  return plain ? std::string(key) : QuoteForMessage(key);
}

// The handler of boost::json::basic_parser that builds the value exactly as boost::json::parser
// does (a value_stack) and also refuses duplicate object keys, which Boost.JSON would otherwise
// resolve silently by keeping the last one. It keeps one frame per open object or array: the keys
// seen so far in an object (a linear scan while few, a hash set past kLinearKeys so a body with
// many keys stays linear), the element count of an array (for the error's path).
class DuplicateRefusingHandler {
 public:
  static constexpr size_t max_object_size = boost::json::object::max_size();
  static constexpr size_t max_array_size = boost::json::array::max_size();
  static constexpr size_t max_key_size = boost::json::string::max_size();
  static constexpr size_t max_string_size = boost::json::string::max_size();

  DuplicateRefusingHandler() = default;

  boost::json::value_stack st;
  // Set when a duplicate key stopped the parse.
  absl::Status duplicate;

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code&) { return Open(/*is_array=*/false); }
  bool on_object_end(size_t n, boost::json::error_code&) {
    st.push_object(n);
    return Close();
  }
  bool on_array_begin(boost::json::error_code&) { return Open(/*is_array=*/true); }
  bool on_array_end(size_t n, boost::json::error_code&) {
    st.push_array(n);
    return Close();
  }
  bool on_key_part(boost::json::string_view s, size_t, boost::json::error_code&) {
    st.push_chars(s);
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, size_t, boost::json::error_code& ec);
  bool on_string_part(boost::json::string_view s, size_t, boost::json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, size_t, boost::json::error_code&) {
    st.push_string(s);
    return ValueDone();
  }
  bool on_number_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_int64(int64_t i, boost::json::string_view, boost::json::error_code&) {
    st.push_int64(i);
    return ValueDone();
  }
  bool on_uint64(uint64_t u, boost::json::string_view, boost::json::error_code&) {
    st.push_uint64(u);
    return ValueDone();
  }
  bool on_double(double d, boost::json::string_view, boost::json::error_code&) {
    st.push_double(d);
    return ValueDone();
  }
  bool on_bool(bool b, boost::json::error_code&) {
    st.push_bool(b);
    return ValueDone();
  }
  bool on_null(boost::json::error_code&) {
    st.push_null();
    return ValueDone();
  }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }

 private:
  static constexpr size_t kLinearKeys = 16;

  struct Frame {
    bool is_array = false;
    size_t elements = 0;                       // arrays: values completed so far
    std::vector<std::string> keys;             // objects: keys in order; back() is the current one
    absl::flat_hash_set<std::string> key_set;  // objects past kLinearKeys keys
  };

  bool Open(bool is_array) {
    // Frames are reused so that their vectors keep their capacity across sibling objects.
    if (depth_ == frames_.size()) frames_.emplace_back();
    Frame& frame = frames_[depth_++];
    frame.is_array = is_array;
    frame.elements = 0;
    frame.keys.clear();
    frame.key_set.clear();
    return true;
  }
  bool Close() {
    --depth_;
    return ValueDone();
  }
  bool ValueDone() {
    if (depth_ > 0 && frames_[depth_ - 1].is_array) ++frames_[depth_ - 1].elements;
    return true;
  }
  // The path of the innermost open object, e.g. "extents[0].volume"; "body" for the top level.
  std::string PathOfInnermost() const;

  std::vector<Frame> frames_;
  size_t depth_ = 0;
  std::string key_;  // the key being assembled from on_key_part
};

bool DuplicateRefusingHandler::on_key(boost::json::string_view s, size_t,
                                      boost::json::error_code& ec) {
  st.push_key(s);
  // Most keys arrive whole; only a key split across input buffers was gathered in key_.
  if (!key_.empty()) key_.append(s.data(), s.size());
  const std::string_view key =
      key_.empty() ? std::string_view(s.data(), s.size()) : std::string_view(key_);
  Frame& frame = frames_[depth_ - 1];
  bool seen;
  if (frame.keys.size() < kLinearKeys) {
    seen = std::find(frame.keys.begin(), frame.keys.end(), key) != frame.keys.end();
  } else {
    if (frame.key_set.empty()) frame.key_set.insert(frame.keys.begin(), frame.keys.end());
    seen = !frame.key_set.emplace(key).second;
  }
  if (seen) {
    duplicate =
        InvalidField(PathOfInnermost(), fmt::format("duplicate key {}", QuoteForMessage(key)));
    ec = boost::json::error::syntax;  // any error stops the parser; `duplicate` says which
    return false;
  }
  frame.keys.emplace_back(key);
  key_.clear();
  return true;
}

std::string DuplicateRefusingHandler::PathOfInnermost() const {
  std::string path;
  for (size_t frame_idx = 0; frame_idx + 1 < depth_; ++frame_idx) {
    const Frame& frame = frames_[frame_idx];
    if (frame.is_array) {
      path = IndexPath(path, frame.elements);
    } else {
      path = JoinPath(path, KeyForPath(frame.keys.back()));
    }
  }
  return path.empty() ? "body" : path;
}

}  // namespace

absl::StatusOr<boost::json::value> ParseJson(std::string_view text) {
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::json::basic_parser<DuplicateRefusingHandler> parser(options);
  parser.handler().st.reset();
  boost::json::error_code ec;
  const size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!parser.handler().duplicate.ok()) return parser.handler().duplicate;
  if (!ec && consumed < text.size()) ec = boost::json::error::extra_data;
  if (ec) {
    return InvalidField("body", fmt::format("malformed JSON ({})", ec.message()));
  }
  return parser.handler().st.release();
}

namespace {

void Write(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, child] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out += ':';
        Write(child, out);
      }
      out += '}';
      break;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& child : v.get_array()) {
        if (!first) out += ',';
        first = false;
        Write(child, out);
      }
      out += ']';
      break;
    }
    case boost::json::kind::double_: {
      double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";  // JSON has no NaN or infinity
      } else if (d == std::floor(d) && std::fabs(d) < 1e15) {
        out += fmt::format("{}", static_cast<int64_t>(d));
      } else {
        out += fmt::format("{}", d);
      }
      break;
    }
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string SerializeJson(const boost::json::value& value) {
  std::string out;
  Write(value, out);
  return out;
}

std::string JoinPath(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return fmt::format("{}.{}", path, key);
}

std::string IndexPath(std::string_view path, size_t index) {
  return fmt::format("{}[{}]", path, index);
}

absl::StatusOr<double> NumberAt(const boost::json::value& value, std::string_view path) {
  double d;
  if (value.is_double()) {
    d = value.get_double();
  } else if (value.is_int64()) {
    d = static_cast<double>(value.get_int64());
  } else if (value.is_uint64()) {
    d = static_cast<double>(value.get_uint64());
  } else {
    return InvalidField(path, "must be a number");
  }
  if (!std::isfinite(d)) return InvalidField(path, "must be a finite number");
  return d;
}

absl::StatusOr<JsonObject> JsonObject::Of(const boost::json::value& value, std::string path) {
  if (!value.is_object()) {
    return InvalidField(path.empty() ? "body" : path, "must be a JSON object");
  }
  return JsonObject(&value.get_object(), std::move(path));
}

const boost::json::value* JsonObject::Find(std::string_view key) {
  seen_.emplace_back(key);
  auto it = object_->find(key);
  if (it == object_->end() || it->value().is_null()) return nullptr;
  return &it->value();
}

absl::StatusOr<const boost::json::value*> JsonObject::Required(std::string_view key) {
  const boost::json::value* v = Find(key);
  if (v == nullptr) return InvalidField(PathOf(key), "is required");
  return v;
}

absl::StatusOr<double> JsonObject::Number(std::string_view key) {
  ASSIGN_OR_RETURN(const boost::json::value* v, Required(key));
  return NumberAt(*v, PathOf(key));
}

absl::StatusOr<std::string> JsonObject::String(std::string_view key) {
  ASSIGN_OR_RETURN(const boost::json::value* v, Required(key));
  if (!v->is_string()) return InvalidField(PathOf(key), "must be a string");
  return std::string(v->get_string());
}

absl::StatusOr<JsonObject> JsonObject::Object(std::string_view key) {
  ASSIGN_OR_RETURN(const boost::json::value* v, Required(key));
  return JsonObject::Of(*v, PathOf(key));
}

absl::StatusOr<const boost::json::array*> JsonObject::Array(std::string_view key) {
  ASSIGN_OR_RETURN(const boost::json::value* v, Required(key));
  if (!v->is_array()) return InvalidField(PathOf(key), "must be an array");
  return &v->get_array();
}

absl::Status JsonObject::NoOtherFields() const {
  for (const auto& member : *object_) {
    if (std::find(seen_.begin(), seen_.end(), member.key()) == seen_.end()) {
      return InvalidField(PathOf(KeyForPath(member.key())), "is not a known field");
    }
  }
  return absl::OkStatus();
}

}  // namespace deconflict
