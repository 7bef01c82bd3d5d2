#include "common/json.h"

#include <algorithm>
#include <cmath>
#include <cmath>

#include "fmt/format.h"
#include "common/status.h"

namespace deconflict {

absl::StatusOr<boost::json::value> ParseJson(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::json::value value = boost::json::parse(text, ec, {}, options);
  if (ec) {
    return InvalidField("body", fmt::format("malformed JSON ({})", ec.message()));
  }
  return value;
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
      return InvalidField(PathOf(member.key()), "is not a known field");
    }
  }
  return absl::OkStatus();
}

}  // namespace deconflict
