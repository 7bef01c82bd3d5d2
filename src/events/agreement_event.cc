// events/agreement_event.cc: the storage form of the proposal.* and agreement.* event types
// (event.h): one JSON object per row in the `detail` column with every field of AgreementNotice;
// times in microseconds, the digest in hex, the overlap as its corners, band and window.
#include <array>

#include "boost/json.hpp"
#include "common/digest.h"
#include "common/status.h"
#include "events/event.h"
#include "events/internal/detail_json.h"
#include "fmt/format.h"

namespace deconflict::events {
namespace {

namespace json = boost::json;
using Type = AgreementNotice::Type;
using internal::DetailReader;
using internal::OverlapJson;

constexpr std::array<std::pair<Type, std::string_view>, 6> kTypes = {{
    {Type::kProposed, kProposalCreated},
    {Type::kDecided, kProposalDecided},
    {Type::kAgreed, kAgreementMade},
    {Type::kFailed, kProposalFailed},
    {Type::kAorConflict, kAgreementAorConflict},
    {Type::kTerritoryOperation, kAgreementTerritoryOperation},
}};

}  // namespace

bool IsAgreementType(std::string_view type) {
  for (const auto& [t, name] : kTypes) {
    if (name == type) return true;
  }
  return false;
}

std::string_view AgreementTypeName(Type type) {
  for (const auto& [t, name] : kTypes) {
    if (t == type) return name;
  }
  return kProposalCreated;  // Invariant: kTypes names every Type.
}

std::string EncodeAgreementDetail(const AgreementNotice& n) {
  json::object o{{"proposal", n.proposal},
                 {"kind", n.kind},
                 {"thing", n.thing},
                 {"version", n.version},
                 {"ovn", n.ovn},
                 {"proposer", n.proposer.value()},
                 {"party", n.party.value()},
                 {"decision", n.decision},
                 {"state", n.state},
                 {"at", Micros(n.at)},
                 {"expires_at", n.expires_at ? json::value(Micros(*n.expires_at)) : json::value()},
                 {"operation", n.operation.value()},
                 {"overlap", n.overlap ? OverlapJson(*n.overlap) : json::value()},
                 {"signed", n.is_signed},
                 {"digest", Hex(n.digest)},
                 {"ledger_index", n.ledger_index}};
  return json::serialize(o);
}

absl::StatusOr<AgreementNotice> DecodeAgreementDetail(std::string_view type,
                                                      std::string_view detail) {
  std::optional<Type> t;
  for (const auto& [candidate, name] : kTypes) {
    if (name == type) t = candidate;
  }
  if (!t) return absl::DataLossError(fmt::format("unknown agreement event type '{}'", type));
  boost::system::error_code ec;
  json::value v = json::parse(detail, ec);
  if (ec || !v.is_object()) return absl::DataLossError("agreements: detail is not JSON");
  DetailReader r(v.as_object(), "agreements");
  AgreementNotice n{.type = *t,
                    .proposal = r.Text("proposal"),
                    .kind = r.Text("kind"),
                    .thing = r.Text("thing"),
                    .version = r.Int("version"),
                    .ovn = r.Text("ovn"),
                    .proposer = PartyId(r.Text("proposer")),
                    .party = PartyId(r.Text("party")),
                    .decision = r.Text("decision"),
                    .state = r.Text("state"),
                    .at = FromMicros(r.Int("at")),
                    .expires_at = r.OptionalTime("expires_at"),
                    .operation = OperationId(r.Text("operation")),
                    .overlap = r.Overlap("overlap"),
                    .is_signed = r.Bool("signed"),
                    .digest = {},
                    .ledger_index = r.Int("ledger_index")};
  std::optional<std::string> digest = FromHex(r.Text("digest"));
  if (!digest) return absl::DataLossError("agreements: 'digest' is not hex");
  n.digest = *std::move(digest);
  RETURN_IF_ERROR(r.status());
  return n;
}

}  // namespace deconflict::events
