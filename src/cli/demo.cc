#include "cli/demo.h"

#include <future>

#include "api/operation_json.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "parties/party.h"

namespace deconflict::cli {
namespace {

// Demo volumes are built and validated by the geo module and sent as its ASTM JSON, the same
// wire shape an operator's client sends.
absl::StatusOr<std::string> CircleVolume(double lat, double lng, double radius_m, double lo_m,
                                         double hi_m, Timestamp start, Timestamp end,
                                         Timestamp now) {
  ASSIGN_OR_RETURN(geo::Volume4D v,
                   geo::Volume4D::Make(geo::Circle{{lat, lng}, radius_m}, {lo_m, hi_m},
                                       {start, end}, {}, now, "demo"));
  return SerializeJson(v.ToJson());
}

absl::StatusOr<std::string> PolygonVolume(const std::vector<geo::LatLng>& vertices, double lo_m,
                                          double hi_m, Timestamp start, Timestamp end,
                                          Timestamp now) {
  ASSIGN_OR_RETURN(geo::Volume4D v, geo::Volume4D::Make(geo::Polygon{vertices}, {lo_m, hi_m},
                                                        {start, end}, {}, now, "demo"));
  return SerializeJson(v.ToJson());
}

absl::StatusOr<strategic::WriteOutcome> File(api::Server& server, const std::string& party,
                                             const std::string& id, const std::string& volume,
                                             const std::string& label,
                                             std::vector<std::string> key) {
  boost::json::array key_json(key.begin(), key.end());
  boost::json::object body{{"extents", boost::json::array{boost::json::parse(volume)}},
                           {"state", "Accepted"},
                           {"key", std::move(key_json)},
                           {"label", label}};
  ASSIGN_OR_RETURN(strategic::OperationRequest request,
                   api::ParseOperationRequest(body, {}, server.clock().Now()));
  // The promise is owned by the completion (set_value may still run when get() returns).
  auto promise = std::make_shared<std::promise<strategic::WriteOutcome>>();
  std::future<strategic::WriteOutcome> outcome = promise->get_future();
  server.operations().Put(
      strategic::Caller{.party = PartyId(party)}, OperationId(id), std::nullopt, std::move(request),
      [promise](strategic::WriteOutcome o) { promise->set_value(std::move(o)); });
  return outcome.get();
}

}  // namespace

absl::StatusOr<Demo> LoadDemo(api::Server& server) {
  ASSIGN_OR_RETURN(std::vector<store::PartyRecord> existing, server.store().ListParties());
  if (!existing.empty()) {
    return absl::FailedPreconditionError(
        "the store already has parties; the demo needs a fresh --data directory");
  }
  Demo demo;
  for (const auto& [id, name, role] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"NORTH", "Northern Air Command", "operator"},
           {"SOUTH", "Southern Air Force", "operator"},
           {"UNMO", "UN Monitoring Mission", "guarantor"}}) {
    ASSIGN_OR_RETURN(parties::PartySpec spec, parties::ParsePartySpec(id, name, role));
    ASSIGN_OR_RETURN(parties::NewParty added,
                     parties::AddParty(server.store(), server.clock(), spec));
    demo.parties.push_back(DemoParty{id, role, added.token});
  }
  const Timestamp now = server.clock().Now();
  const Timestamp t1 = std::chrono::floor<std::chrono::minutes>(now) + std::chrono::hours(1);
  const Timestamp t3 = t1 + std::chrono::hours(2);

  // NORTH: a patrol orbit, and a transit corridor far away.
  ASSIGN_OR_RETURN(const std::string orbit,
                   CircleVolume(35.20, 38.60, 15000, 3000, 6000, t1, t3, now));
  ASSIGN_OR_RETURN(auto north1, File(server, "NORTH", "6f1c2a4e-1d3b-4c55-9e0a-6b7c8d9e0f10", orbit,
                                     "CAP orbit", {}));
  RETURN_IF_ERROR(north1.status);
  ASSIGN_OR_RETURN(const std::string corridor,
                   PolygonVolume({{34.0, 36.5}, {34.0, 36.8}, {34.3, 36.8}, {34.3, 36.5}}, 500,
                                 2500, t1, t3, now));
  ASSIGN_OR_RETURN(auto north2, File(server, "NORTH", "0b6f3d2c-8a41-4e7b-b2c9-1d0e5f6a7b82",
                                     corridor, "transit corridor", {}));
  RETURN_IF_ERROR(north2.status);

  // SOUTH: a survey box that crosses NORTH's orbit. Without the key it is refused...
  ASSIGN_OR_RETURN(
      const std::string survey,
      PolygonVolume({{35.10, 38.50}, {35.10, 38.95}, {35.45, 38.95}, {35.45, 38.50}}, 4000, 7000,
                    t1 + std::chrono::minutes(30), t3 + std::chrono::hours(1), now));
  const std::string south_id = "c3a9e8f1-2b4d-4f6a-8c7e-9d0b1a2c3e4f";
  ASSIGN_OR_RETURN(auto refused, File(server, "SOUTH", south_id, survey, "survey", {}));
  if (!absl::IsAborted(refused.status)) {
    return absl::InternalError("demo: the conflicting filing was not refused by the key rule");
  }
  // ...and accepted once SOUTH acknowledges NORTH's OVN.
  const std::string north_ovn = north1.result->operation.ovn;
  ASSIGN_OR_RETURN(auto south1, File(server, "SOUTH", south_id, survey, "survey", {north_ovn}));
  RETURN_IF_ERROR(south1.status);
  // SOUTH: a second operation clear of everyone.
  ASSIGN_OR_RETURN(const std::string drill, CircleVolume(33.50, 36.30, 8000, 0, 1500, t1, t3, now));
  ASSIGN_OR_RETURN(auto south2, File(server, "SOUTH", "5e7d9c1b-3a2f-4b8e-a6d4-c2e0f8a1b3d5", drill,
                                     "training area", {}));
  RETURN_IF_ERROR(south2.status);

  demo.example_start = FormatRfc3339(t1 + std::chrono::minutes(45));
  demo.example_end = FormatRfc3339(t1 + std::chrono::minutes(75));
  demo.notes = {
      "NORTH filed 6f1c2a4e-... (CAP orbit) and 0b6f3d2c-... (transit corridor)",
      "SOUTH filed c3a9e8f1-... (survey): refused first (409, missing NORTH's OVN), accepted with "
      "the key",
      "SOUTH filed 5e7d9c1b-... (training area), clear of everyone",
  };
  return demo;
}

std::string DemoBanner(const Demo& demo, const std::string& base) {
  std::string out = "\n=== deconflict demo ===\n";
  for (const auto& p : demo.parties)
    out += fmt::format("  {:<6} ({:<9}) token: {}\n", p.id, p.role, p.token);
  for (const auto& n : demo.notes) out += "  " + n + "\n";
  const std::string& north = demo.parties[0].token;
  const std::string& south = demo.parties[1].token;
  out += "\nTry:\n";
  out += fmt::format("  export NORTH={} SOUTH={} UNMO={}\n", north, south, demo.parties[2].token);
  out += fmt::format("  curl -s {}/v1/health\n", base);
  // scripts/demo.sh runs this one for NORTH; it prints the demo's operation.conflict events.
  out +=
      fmt::format("  deconflict watch --url {} --token $NORTH --after 0   # events, live\n", base);
  out += fmt::format("  curl -s -H \"Authorization: Bearer $SOUTH\" {}/v1/conflicts\n", base);
  out += fmt::format(
      "  curl -s -H \"Authorization: Bearer $NORTH\" "
      "{}/v1/operations/c3a9e8f1-2b4d-4f6a-8c7e-9d0b1a2c3e4f\n",
      base);
  out += fmt::format(
      "  curl -s -H \"Authorization: Bearer $UNMO\" "
      "{}/v1/operations/c3a9e8f1-2b4d-4f6a-8c7e-9d0b1a2c3e4f\n",
      base);
  out += fmt::format(
      "  curl -s -X PUT -H \"Authorization: Bearer $NORTH\" {}/v1/operations/$(cat "
      "/proc/sys/kernel/random/uuid) \\\n"
      "       -d '{{\"state\": \"Accepted\", \"extents\": [{{\"volume\": {{\"outline_circle\": "
      "{{\"center\": {{\"lat\": 35.3, \"lng\": 38.7}}, "
      "\"radius\": {{\"value\": 3000, \"units\": \"M\"}}}}, \"altitude_lower\": {{\"value\": 4500, "
      "\"reference\": \"W84\", \"units\": \"M\"}}, "
      "\"altitude_upper\": {{\"value\": 5000, \"reference\": \"W84\", \"units\": \"M\"}}}}, "
      "\"time_start\": {{\"value\": \"{}\", \"format\": \"RFC3339\"}}, "
      "\"time_end\": {{\"value\": \"{}\", \"format\": \"RFC3339\"}}}}]}}'   # 409: lists SOUTH's "
      "survey as missing\n",
      base, demo.example_start, demo.example_end);
  out += fmt::format(
      "  # the live picture (scripts/demo.sh feeds NORTH's and SOUTH's aircraft):\n"
      "  curl -s -H \"Authorization: Bearer $NORTH\" '{0}/v1/encounters?state=open'\n"
      "  curl -s -H \"Authorization: Bearer $NORTH\" {0}/v1/tracks   # own aircraft, and "
      "SOUTH's only while in an encounter\n"
      "  curl -s -X POST -H \"Authorization: Bearer $NORTH\" {0}/v1/encounters/1/ack\n",
      base);
  out += fmt::format("  curl -s {}/v1/openapi.json | head -c 300\n", base);
  return out;
}

}  // namespace deconflict::cli
