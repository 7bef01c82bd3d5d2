#include "api/routes.h"
#include "boost/json.hpp"

namespace deconflict::api {
namespace internal {
extern const char kOpenApiDocument[];
}  // namespace internal

const boost::json::value& OpenApiDocument() {
  static const boost::json::value doc = boost::json::parse(internal::kOpenApiDocument);
  return doc;
}

}  // namespace deconflict::api
