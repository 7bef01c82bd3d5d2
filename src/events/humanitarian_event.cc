// events/humanitarian_event.cc: the storage form of the humanitarian.* event types (event.h): one
// JSON object per row in the `detail` column with every field of HumanitarianNotice; times in
// microseconds, the digest in hex, the overlap as its corners, band and window.
#include <array>

#include "boost/json.hpp"
#include "common/digest.h"
#include "common/status.h"
#include "events/event.h"
#include "events/internal/detail_json.h"
#include "fmt/format.h"
#include "s2/s2latlng.h"

namespace deconflict::events {
namespace {

namespace json = boost::json;
using Type = HumanitarianNotice::Type;
using internal::DetailReader;
using internal::OverlapJson;

constexpr std::array<std::pair<Type, std::string_view>, 5> kTypes = {{
    {Type::kNotified, kHumanitarianNotified},
    {Type::kDelivered, kHumanitarianDelivered},
    {Type::kAcknowledged, kHumanitarianAcknowledged},
    {Type::kOverdue, kHumanitarianOverdue},
    {Type::kConflict, kHumanitarianConflict},
}};

}  // namespace

bool IsHumanitarianType(std::string_view type) { return type.rfind("humanitarian.", 0) == 0; }

std::string_view HumanitarianTypeName(Type type) {
  for (const auto& [t, name] : kTypes) {
    if (t == type) return name;
  }
  return kHumanitarianNotified;  // Invariant: kTypes names every Type.
}

std::string EncodeHumanitarianDetail(const HumanitarianNotice& n) {
  json::array laggards;
  for (const PartyId& p : n.laggards) laggards.emplace_back(p.value());
  json::object o{{"kind", n.kind},
                 {"id", n.id},
                 {"version", n.version},
                 {"ovn", n.ovn},
                 {"notifier", n.notifier.value()},
                 {"party", n.party.value()},
                 {"change", n.change},
                 {"name", n.name},
                 {"at", Micros(n.at)},
                 {"deadline", n.deadline ? json::value(Micros(*n.deadline)) : json::value()},
                 {"laggards", std::move(laggards)},
                 {"escalated_to", n.escalated_to},
                 {"operation", n.operation.value()},
                 {"filer_is_recipient", n.filer_is_recipient},
                 {"overlap", n.overlap ? OverlapJson(*n.overlap) : json::value()},
                 {"signed", n.is_signed},
                 {"digest", Hex(n.digest)},
                 {"ledger_index", n.ledger_index}};
  return json::serialize(o);
}

absl::StatusOr<HumanitarianNotice> DecodeHumanitarianDetail(std::string_view type,
                                                            std::string_view detail) {
  std::optional<Type> t;
  for (const auto& [candidate, name] : kTypes) {
    if (name == type) t = candidate;
  }
  if (!t) return absl::DataLossError(fmt::format("unknown humanitarian event type '{}'", type));
  boost::system::error_code ec;
  json::value v = json::parse(detail, ec);
  if (ec || !v.is_object()) return absl::DataLossError("humanitarian: detail is not JSON");
  DetailReader r(v.as_object(), "humanitarian");
  HumanitarianNotice n{.type = *t,
                       .kind = r.Text("kind"),
                       .id = r.Text("id"),
                       .version = r.Int("version"),
                       .ovn = r.Text("ovn"),
                       .notifier = PartyId(r.Text("notifier")),
                       .party = PartyId(r.Text("party")),
                       .change = r.Text("change"),
                       .name = r.Text("name"),
                       .at = FromMicros(r.Int("at")),
                       .deadline = r.OptionalTime("deadline"),
                       .laggards = r.Parties("laggards"),
                       .escalated_to = r.Text("escalated_to"),
                       .operation = OperationId(r.Text("operation")),
                       .filer_is_recipient = r.Bool("filer_is_recipient"),
                       .overlap = r.Overlap("overlap"),
                       .is_signed = r.Bool("signed"),
                       .digest = {},
                       .ledger_index = r.Int("ledger_index")};
  std::optional<std::string> digest = FromHex(r.Text("digest"));
  if (!digest) return absl::DataLossError("humanitarian: 'digest' is not hex");
  n.digest = *std::move(digest);
  RETURN_IF_ERROR(r.status());
  return n;
}

}  // namespace deconflict::events
