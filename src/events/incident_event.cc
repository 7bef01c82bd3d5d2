// events/incident_event.cc: the storage form of the incident.* event types (event.h): one JSON
// object per row in the `detail` column with every field of IncidentNotice; times in
// microseconds.
#include <array>

#include "boost/json.hpp"
#include "common/status.h"
#include "events/event.h"
#include "events/internal/detail_json.h"
#include "fmt/format.h"

namespace deconflict::events {
namespace {

namespace json = boost::json;
using Type = IncidentNotice::Type;
using internal::DetailReader;

constexpr std::array<std::pair<Type, std::string_view>, 8> kTypes = {{
    {Type::kReported, kIncidentReported},
    {Type::kFinding, kIncidentFinding},
    {Type::kStatement, kIncidentStatement},
    {Type::kImported, kIncidentImported},
    {Type::kCaseOpened, kCaseOpened},
    {Type::kCaseResponse, kCaseResponse},
    {Type::kCaseOverdue, kCaseOverdue},
    {Type::kCaseClosed, kCaseClosed},
}};

}  // namespace

bool IsIncidentType(std::string_view type) {
  for (const auto& [t, name] : kTypes) {
    if (name == type) return true;
  }
  return false;
}

std::string_view IncidentTypeName(Type type) {
  for (const auto& [t, name] : kTypes) {
    if (t == type) return name;
  }
  return kIncidentReported;  // Invariant: kTypes names every Type.
}

std::string EncodeIncidentDetail(const IncidentNotice& n) {
  json::object o{{"id", n.id},
                 {"version", n.version},
                 {"reporter", n.reporter.value()},
                 {"party", n.party.value()},
                 {"change", n.change},
                 {"event_type", n.event_type},
                 {"sub_event_type", n.sub_event_type},
                 {"alleged_party", n.alleged_party},
                 {"occurred_at", Micros(n.occurred_at)},
                 {"finding", n.finding},
                 {"attributed_party", n.attributed_party},
                 {"status", n.status},
                 {"count", n.count},
                 {"last_id", n.last_id},
                 {"first_ledger_index", n.first_ledger_index},
                 {"at", Micros(n.at)},
                 {"signed", n.is_signed},
                 {"ledger_index", n.ledger_index}};
  return json::serialize(o);
}

absl::StatusOr<IncidentNotice> DecodeIncidentDetail(std::string_view type,
                                                    std::string_view detail) {
  std::optional<Type> t;
  for (const auto& [candidate, name] : kTypes) {
    if (name == type) t = candidate;
  }
  if (!t) return absl::DataLossError(fmt::format("unknown incident event type '{}'", type));
  boost::system::error_code ec;
  json::value v = json::parse(detail, ec);
  if (ec || !v.is_object()) return absl::DataLossError("incidents: detail is not JSON");
  DetailReader r(v.as_object(), "incidents");
  IncidentNotice n{.type = *t,
                   .id = r.Text("id"),
                   .version = r.Int("version"),
                   .reporter = PartyId(r.Text("reporter")),
                   .party = PartyId(r.Text("party")),
                   .change = r.Text("change"),
                   .event_type = r.Text("event_type"),
                   .sub_event_type = r.Text("sub_event_type"),
                   .alleged_party = r.Text("alleged_party"),
                   .occurred_at = FromMicros(r.Int("occurred_at")),
                   .finding = r.Text("finding"),
                   .attributed_party = r.Text("attributed_party"),
                   .status = r.Text("status"),
                   .count = r.Int("count"),
                   .last_id = r.Text("last_id"),
                   .first_ledger_index = r.Int("first_ledger_index"),
                   .at = FromMicros(r.Int("at")),
                   .is_signed = r.Bool("signed"),
                   .ledger_index = r.Int("ledger_index")};
  RETURN_IF_ERROR(r.status());
  return n;
}

}  // namespace deconflict::events
