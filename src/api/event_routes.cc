#include "api/event_routes.h"

#include <charconv>

#include "api/authorized.h"
#include "api/hotline_json.h"
#include "api/humanitarian_json.h"
#include "api/live_json.h"
#include "api/query_params.h"
#include "common/digest.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"

namespace deconflict::api {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

void Merge(boost::json::object& into, boost::json::object from) {
  for (auto& [key, value] : from) into[key] = std::move(value);
}

// proposal.* and agreement.*: the fields each type uses (events/event.h AgreementNotice).
void AddAgreementFields(const events::AgreementNotice& n, boost::json::object& out) {
  using Type = events::AgreementNotice::Type;
  const bool about_operation = n.type == Type::kAorConflict || n.type == Type::kTerritoryOperation;
  if (!about_operation) {
    out["proposal"] = n.proposal;
    out["kind"] = n.kind;
    out["proposer"] = n.proposer.value();
  }
  if (n.type == Type::kProposed) {
    out["expires_at"] = n.expires_at ? boost::json::value(FormatRfc3339(*n.expires_at)) : nullptr;
    out["digest"] = Hex(n.digest);
  }
  if (n.type == Type::kDecided) {
    out["party"] = n.party.value();
    out["decision"] = n.decision;
    out["signed"] = n.is_signed;
  }
  if (n.type == Type::kAgreed || about_operation) {
    out["thing"] = n.thing;
    out["version"] = n.version;
    out["ovn"] = n.ovn;
  }
  if (n.type == Type::kAgreed || n.type == Type::kFailed) out["state"] = n.state;
  if (about_operation) {
    out["operation"] = n.operation.value();
    out["party"] = n.party.value();
    if (n.overlap) out["overlap"] = geo::OverlapToJson(*n.overlap);
  }
  out["at"] = FormatRfc3339(n.at);
  out["ledger_index"] = n.ledger_index;
}

// incident.*: the fields each type uses (events/event.h IncidentNotice).
void AddIncidentFields(const events::IncidentNotice& n, boost::json::object& out) {
  using Type = events::IncidentNotice::Type;
  out["id"] = n.id;
  out["reporter"] = n.reporter.value();
  switch (n.type) {
    case Type::kReported:
      out["version"] = n.version;
      out["change"] = n.change;
      out["event_type"] = n.event_type;
      out["sub_event_type"] = n.sub_event_type;
      out["alleged_party"] = n.alleged_party;
      out["occurred_at"] = FormatRfc3339(n.occurred_at);
      break;
    case Type::kFinding:
      out["version"] = n.version;
      out["party"] = n.party.value();
      out["finding"] = n.finding;
      out["attributed_party"] = n.attributed_party;
      out["signed"] = n.is_signed;
      break;
    case Type::kStatement:
      out["version"] = n.version;
      out["party"] = n.party.value();
      out["signed"] = n.is_signed;
      break;
    case Type::kImported:
      out["count"] = n.count;
      out["last_id"] = n.last_id;
      out["first_ledger_index"] = n.first_ledger_index;
      break;
    case Type::kCaseOpened:
      out["incident"] = n.id;
      out["version"] = n.version;
      out["places"] = n.last_id;
      out["links"] = n.count;
      out["occurred_at"] = FormatRfc3339(n.occurred_at);
      break;
    case Type::kCaseResponse:
      out["party"] = n.party.value();
      out["signed"] = n.is_signed;
      break;
    case Type::kCaseOverdue:
      out["laggards"] = n.count;
      out["party"] = n.party.value();
      break;
    case Type::kCaseClosed:
      out["party"] = n.party.value();
      out["finding"] = n.finding;
      out["signed"] = n.is_signed;
      break;
  }
  if (n.type != Type::kImported) out["status"] = n.status;
  out["at"] = FormatRfc3339(n.at);
  out["ledger_index"] = n.ledger_index;
}

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;

}  // namespace

boost::json::object EventToJson(const events::Event& event) {
  boost::json::object out{{"seq", event.seq},
                          {"type", std::string(events::TypeName(event.payload))},
                          {"time", FormatRfc3339(event.time)}};
  std::visit(Overloaded{[&](const events::OperationConflict& c) {
                          out["operation"] = c.operation.value();
                          out["party"] = c.party.value();
                          out["ovn"] = c.ovn;
                          out["your_operation"] = c.your_operation.value();
                          out["overlap"] = geo::OverlapToJson(c.overlap);
                        },
                        [&](const events::OperationEnded& e) {
                          out["operation"] = e.operation.value();
                          out["party"] = e.party.value();
                        },
                        [&](const events::PartyRevoked& r) { out["party"] = r.party.value(); },
                        [&](const events::EncounterOpened& e) { Merge(out, AlertJson(e.alert)); },
                        [&](const events::EncounterUpdated& e) { Merge(out, AlertJson(e.alert)); },
                        [&](const events::EncounterClosed& e) {
                          Merge(out, AlertJson(e.alert));
                          out["reason"] = e.reason;
                        },
                        [&](const events::EncounterUnacknowledged& e) {
                          Merge(out, AlertJson(e.alert));
                          boost::json::array parties;
                          for (const PartyId& p : e.parties) parties.emplace_back(p.value());
                          out["unacknowledged_by"] = std::move(parties);
                        },
                        [&](const events::EncounterAcknowledged& e) {
                          out["encounter"] = e.encounter;
                          out["party"] = e.party.value();
                          out["at"] = FormatRfc3339(e.at);
                          out["signed"] = e.is_signed;
                          out["ledger_index"] = e.ledger_index;
                        },
                        [&](const events::HumanitarianNotice&) {
                          AddHumanitarianEventFields(event.payload, out);
                        },
                        [&](const events::AgreementNotice& n) { AddAgreementFields(n, out); },
                        [&](const events::IncidentNotice& n) { AddIncidentFields(n, out); },
                        [&](const auto&) { AddHotlineEventFields(event.payload, out); }},
             event.payload);
  return out;
}

bool IsDeliveryReceipted(const events::Event& event) {
  if (const auto* n = std::get_if<events::HumanitarianNotice>(&event.payload)) {
    return n->type == events::HumanitarianNotice::Type::kNotified;
  }
  return std::holds_alternative<events::HotlineMessage>(event.payload);
}

absl::StatusOr<int64_t> ParseAfter(const Request& request) {
  return NonNegativeParam(request, "after", 0);
}

void AddEventRoutes(Router& router, Authenticator& authenticator, events::Hub& hub,
                    EventsSocketOptions socket_options) {
  router.Add("GET", "/v1/events",
             Authorized(authenticator, Access::kAnyParty,
                        SyncHandler([&hub, on_delivered = socket_options.on_delivered](
                                        const Request& req, const Principal& who) -> ReplyOr {
                          ASSIGN_OR_RETURN(int64_t after, ParseAfter(req));
                          ASSIGN_OR_RETURN(size_t limit, LimitParam(req, kDefaultLimit, kMaxLimit));
                          ASSIGN_OR_RETURN(std::vector<events::Event> page,
                                           hub.Page(who.party, after, static_cast<int64_t>(limit)));
                          boost::json::array events;
                          for (const events::Event& event : page) {
                            events.push_back(EventToJson(event));
                            // The page hands the message over: a delivery (hotline.h).
                            if (on_delivered && IsDeliveryReceipted(event)) on_delivered(event);
                          }
                          const int64_t next_after = page.empty() ? after : page.back().seq;
                          return JsonReply(200, boost::json::object{{"events", std::move(events)},
                                                                    {"next_after", next_after}});
                        })));
  router.AddUpgrade("/v1/events", [&authenticator, &hub, socket_options](Upgrade upgrade) {
    ServeEventsSocket(std::move(upgrade), authenticator, hub, socket_options);
  });
}

}  // namespace deconflict::api
