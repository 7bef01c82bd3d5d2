#include "boost/json.hpp"
#include "api/routes.h"

namespace deconflict::api {
namespace internal {
extern const char kOpenApiCore[];
extern const char kOpenApiLedger[];
}  // namespace internal

namespace {

// Merges the "paths" and "components.schemas" of `part` into `doc`.
void Merge(boost::json::object& doc, const boost::json::value& part) {
  if (!part.is_object()) return;
  const boost::json::object& p = part.as_object();
  if (auto* paths = p.if_contains("paths"); paths && paths->is_object()) {
    for (const auto& [path, item] : paths->as_object()) doc["paths"].as_object()[path] = item;
  }
  if (auto* components = p.if_contains("components"); components && components->is_object()) {
    for (const auto& [kind, entries] : components->as_object()) {
      if (!entries.is_object()) continue;
      auto& target = doc["components"].as_object()[kind];
      if (!target.is_object()) target = boost::json::object();
      for (const auto& [name, schema] : entries.as_object()) target.as_object()[name] = schema;
    }
  }
}

}  // namespace

const boost::json::value& OpenApiDocument() {
  static const boost::json::value doc = [] {
    boost::json::value core = boost::json::parse(internal::kOpenApiCore);
    std::string_view ledger = internal::kOpenApiLedger;
    if (ledger.find('{') != std::string_view::npos) Merge(core.as_object(), boost::json::parse(ledger));
    return core;
  }();
  return doc;
}

}  // namespace deconflict::api
