// The OpenAPI document lists exactly the routes the server serves, and each error-shape
// reference resolves.
#include <filesystem>
#include <set>

#include "api/event_routes.h"
#include "api/routes.h"
#include "api/server.h"
#include "gtest/gtest.h"

namespace deconflict::api {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApi, DocumentsExactlyTheRealRoutes) {
  auto dir =
      std::filesystem::temp_directory_path() / ("openapi_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  // The server's own router: every route it serves, whichever module adds it.
  auto server = Server::Create(ServerOptions{.data_dir = dir.string(), .port = 0});
  ASSERT_TRUE(server.ok()) << server.status();
  const Router& router = (*server)->router();

  std::set<std::string> served, documented;
  for (const auto& route : router.routes())
    served.insert(Lower(route.method) + " " + route.pattern);
  const auto& paths = OpenApiDocument().at("paths").as_object();
  for (const auto& [path, item] : paths) {
    for (const auto& [method, op] : item.as_object()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      documented.insert(std::string(method) + " " + std::string(path));
      EXPECT_TRUE(op.as_object().contains("responses")) << method << " " << path;
    }
  }
  EXPECT_EQ(served, documented);
  EXPECT_GE(served.size(), 10u);
  std::filesystem::remove_all(dir);
}

TEST(OpenApi, EveryReferenceResolves) {
  const boost::json::value& doc = OpenApiDocument();
  std::function<void(const boost::json::value&)> walk = [&](const boost::json::value& v) {
    if (v.is_object()) {
      for (const auto& [k, child] : v.as_object()) {
        if (k == "$ref") {
          std::string ref(child.as_string());
          ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
          const boost::json::value* at = &doc;
          size_t start = 2;
          while (start < ref.size()) {
            size_t slash = ref.find('/', start);
            std::string part =
                ref.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
            ASSERT_TRUE(at->is_object() && at->as_object().contains(part)) << "unresolved " << ref;
            at = &at->as_object().at(part);
            start = slash == std::string::npos ? ref.size() : slash + 1;
          }
        } else {
          walk(child);
        }
      }
    } else if (v.is_array()) {
      for (const auto& child : v.as_array()) walk(child);
    }
  };
  walk(doc);
}

}  // namespace
}  // namespace deconflict::api
