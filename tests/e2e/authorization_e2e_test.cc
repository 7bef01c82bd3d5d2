// Every route, for every role and without credentials (design.md §7): the routes are taken from
// the server's own OpenAPI document, so a new route is covered as soon as it is documented.
#include <set>

#include "common/ids.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace deconflict::e2e {
namespace {

const std::set<std::string> kOpenRoutes = {"get /v1/health", "get /v1/version",
                                           "get /v1/openapi.json"};
// The operator's console's files: no token (the page holds no data); 200 or 404 (a file this
// build lacks, or no console built), never 401 or 403.
const std::set<std::string> kConsoleRoutes = {"get /", "get /assets/{file}"};
// Routes that change operations: operators only ...
const std::set<std::string> kOperatorRoutes = {
    "put /v1/operations/{id}", "put /v1/operations/{id}/{ovn}", "delete /v1/operations/{id}/{ovn}",
    // ... and streaming tracks.
    "post /v1/tracks", "get /v1/tracks/stream"};
// Routes that notify or remove humanitarian sites and movements: humanitarian parties only.
const std::set<std::string> kHumanitarianRoutes = {"put /v1/sites/{id}", "delete /v1/sites/{id}",
                                                   "put /v1/movements/{id}",
                                                   "delete /v1/movements/{id}"};
// Guarantors record findings on incidents.
const std::set<std::string> kGuarantorRoutes = {"post /v1/incidents/{id}/findings",
                                                "post /v1/cases/{id}/close"};
// Every other route is open to every role (reading a site or movement, its reads or its
// acknowledgement are decided by the notification itself: 404 to those not entitled, never 403).
// The hotline's (/v1/channels..., /v1/me/keys/{key_id}) are on purpose: any party may open a
// channel with others, and only membership (404 / 403 from the hotline itself, never a role)
// decides who reads or sends.

std::string Fill(std::string path) {
  for (size_t open; (open = path.find('{')) != std::string::npos;) {
    size_t close = path.find('}', open);
    path.replace(open, close - open + 1, NewUuid());
  }
  return path;
}

TEST(Authorization, EveryRouteForEveryRole) {
  TempDir dir;
  std::map<std::string, std::string> tokens;
  for (const char* role : {"operator", "host", "guarantor", "observer", "humanitarian"}) {
    std::string id = std::string("P-") + role;
    tokens[role] = AddParty(dir.path(), id, role);
    ASSERT_FALSE(tokens[role].empty());
  }
  std::string revoked = AddParty(dir.path(), "GONE", "operator");
  ASSERT_EQ(RunCli({"party", "revoke", "--data", dir.path(), "--id", "GONE"}).exit_code, 0);

  ServerProcess server(dir.path());
  ASSERT_TRUE(server.Start()) << server.error();
  HttpResult doc = Http(server.port(), "GET", "/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  const boost::json::value doc_json = doc.json();
  const auto& paths = doc_json.at("paths").as_object();
  size_t routes = 0;
  const std::string body = OperationBody({CircleVolume(1, 1, 100, 0, 100, 600, 3600)});
  for (const auto& [path, item] : paths) {
    for (const auto& [method_key, op] : item.as_object()) {
      std::string method(method_key);
      static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch"};
      if (!kMethods.count(method)) continue;  // "parameters", "summary", ...
      ++routes;
      const std::string route = method + " " + std::string(path);
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string target = Fill(std::string(path));
      const std::string payload = (upper == "PUT" || upper == "POST") ? body : "";
      SCOPED_TRACE(::testing::Message() << route);

      HttpResult anonymous = Http(server.port(), upper, target, payload, "");
      HttpResult forged = Http(server.port(), upper, target, payload, "dc_forged");
      HttpResult gone = Http(server.port(), upper, target, payload, revoked);
      if (kOpenRoutes.count(route)) {
        EXPECT_EQ(anonymous.status, 200);
        continue;
      }
      if (kConsoleRoutes.count(route)) {
        EXPECT_TRUE(anonymous.status == 200 || anonymous.status == 404) << anonymous.body;
        EXPECT_TRUE(forged.status == 200 || forged.status == 404) << forged.body;
        continue;
      }
      EXPECT_EQ(anonymous.status, 401) << anonymous.body;
      EXPECT_EQ(forged.status, 401) << forged.body;
      EXPECT_EQ(gone.status, 401) << gone.body;
      EXPECT_EQ(anonymous.json().at("error").at("code").as_string(), "unauthenticated");

      for (const auto& [role, token] : tokens) {
        HttpResult r = Http(server.port(), upper, target, payload, token);
        SCOPED_TRACE(role + ": " + r.body);
        EXPECT_NE(r.status, 401);
        EXPECT_LT(r.status, 500);
        if (kOperatorRoutes.count(route) || kHumanitarianRoutes.count(route) ||
            kGuarantorRoutes.count(route)) {
          const std::string allowed = kOperatorRoutes.count(route)       ? "operator"
                                      : kHumanitarianRoutes.count(route) ? "humanitarian"
                                                                         : "guarantor";
          if (role == allowed) {
            EXPECT_NE(r.status, 403);
          } else {
            EXPECT_EQ(r.status, 403);
          }
        } else {
          EXPECT_NE(r.status, 403);
        }
      }
    }
  }
  EXPECT_GE(routes, 15u);
}

}  // namespace
}  // namespace deconflict::e2e
