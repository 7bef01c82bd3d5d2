#include "events/event.h"

#include <cmath>
#include <limits>

#include "boost/json.hpp"
#include "common/status.h"
#include "fmt/format.h"
#include "s2/s1angle.h"
#include "s2/s2latlng.h"

namespace deconflict::events {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

namespace json = boost::json;

// Non-finite numbers (t_in -inf, t_out +inf) are stored as null, read back as the infinity the
// field can hold.
json::value Number(double x) { return std::isfinite(x) ? json::value(x) : json::value(nullptr); }

json::object StateJson(const AircraftState& s) {
  return {{"party", s.party.value()}, {"track", s.track.value()}, {"time", Micros(s.time)},
          {"lat", s.lat_deg},         {"lng", s.lng_deg},         {"alt_m", s.alt_m},
          {"gs_mps", s.gs_mps},       {"trk_deg", s.trk_deg},     {"vs_mps", s.vs_mps}};
}

// Reads the member `name` of `o` as a number (null: `if_null`); DataLoss otherwise.
absl::StatusOr<double> NumberAt(const json::object& o, std::string_view name,
                                double if_null = std::numeric_limits<double>::quiet_NaN()) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return absl::DataLossError(fmt::format("alert: '{}' is missing", name));
  if (v->is_null() && !std::isnan(if_null)) return if_null;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return absl::DataLossError(fmt::format("alert: '{}' is not a number", name));
}
absl::StatusOr<int64_t> IntAt(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_int64()) {
    return absl::DataLossError(fmt::format("alert: '{}' is not an integer", name));
  }
  return v->get_int64();
}
absl::StatusOr<std::string> TextAt(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    return absl::DataLossError(fmt::format("alert: '{}' is not a string", name));
  }
  return std::string(v->get_string());
}
absl::StatusOr<const json::object*> ObjectAt(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_object()) {
    return absl::DataLossError(fmt::format("alert: '{}' is not an object", name));
  }
  return &v->get_object();
}

absl::StatusOr<AircraftState> StateOf(const json::object& o) {
  AircraftState s;
  ASSIGN_OR_RETURN(std::string party, TextAt(o, "party"));
  ASSIGN_OR_RETURN(std::string track, TextAt(o, "track"));
  s.party = PartyId(std::move(party));
  s.track = TrackId(std::move(track));
  ASSIGN_OR_RETURN(int64_t time, IntAt(o, "time"));
  s.time = FromMicros(time);
  ASSIGN_OR_RETURN(s.lat_deg, NumberAt(o, "lat"));
  ASSIGN_OR_RETURN(s.lng_deg, NumberAt(o, "lng"));
  ASSIGN_OR_RETURN(s.alt_m, NumberAt(o, "alt_m"));
  ASSIGN_OR_RETURN(s.gs_mps, NumberAt(o, "gs_mps"));
  ASSIGN_OR_RETURN(s.trk_deg, NumberAt(o, "trk_deg"));
  ASSIGN_OR_RETURN(s.vs_mps, NumberAt(o, "vs_mps"));
  return s;
}

// The detail column of the encounter types: the alert, plus "reason" (closed), "parties"
// (unacknowledged) or the acknowledgement's fields.
std::string DetailOf(const Payload& payload) {
  return std::visit(
      Overloaded{[](const EncounterOpened& e) { return EncodeAlert(e.alert); },
                 [](const EncounterUpdated& e) { return EncodeAlert(e.alert); },
                 [](const EncounterClosed& e) {
                   json::object o = json::parse(EncodeAlert(e.alert)).as_object();
                   o["reason"] = e.reason;
                   return json::serialize(o);
                 },
                 [](const EncounterUnacknowledged& e) {
                   json::object o = json::parse(EncodeAlert(e.alert)).as_object();
                   json::array parties;
                   for (const PartyId& p : e.parties) parties.push_back(json::value(p.value()));
                   o["parties"] = std::move(parties);
                   return json::serialize(o);
                 },
                 [](const EncounterAcknowledged& e) {
                   return json::serialize(json::object{{"encounter", e.encounter},
                                                       {"party", e.party.value()},
                                                       {"at", Micros(e.at)},
                                                       {"signed", e.is_signed},
                                                       {"ledger_index", e.ledger_index}});
                 },
                 [&](const HotlineMessage&) { return EncodeHotlineDetail(payload); },
                 [&](const HotlineDelivered&) { return EncodeHotlineDetail(payload); },
                 [&](const HotlineAcknowledged&) { return EncodeHotlineDetail(payload); },
                 [&](const HotlineOverdue&) { return EncodeHotlineDetail(payload); },
                 [&](const HotlineChannelChanged&) { return EncodeHotlineDetail(payload); },
                 [](const HumanitarianNotice& n) { return EncodeHumanitarianDetail(n); },
                 [](const AgreementNotice& n) { return EncodeAgreementDetail(n); },
                 [](const IncidentNotice& n) { return EncodeIncidentDetail(n); },
                 [](const auto&) { return std::string(); }},
      payload);
}

absl::StatusOr<json::object> ParseDetail(const store::EventRow& row) {
  boost::system::error_code ec;
  json::value v = json::parse(row.detail, ec);
  if (ec || !v.is_object()) {
    return absl::DataLossError(fmt::format("event {} of {}: {} with a malformed detail", row.seq,
                                           row.recipient, row.type));
  }
  return std::move(v.as_object());
}

}  // namespace

std::string EncodeAlert(const EncounterAlert& a) {
  const EncounterPrediction& p = a.prediction;
  return json::serialize(json::object{{"encounter", a.encounter},
                                      {"opened_at", Micros(a.opened_at)},
                                      {"a", StateJson(a.a)},
                                      {"b", StateJson(a.b)},
                                      {"at", Micros(p.at)},
                                      {"t_in_s", Number(p.t_in_s)},
                                      {"t_out_s", Number(p.t_out_s)},
                                      {"tcpa_s", p.tcpa_s},
                                      {"dcpa_m", p.dcpa_m},
                                      {"distance_m", p.distance_m},
                                      {"vertical_separation_m", p.vertical_separation_m}});
}

absl::StatusOr<EncounterAlert> DecodeAlert(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return absl::DataLossError("alert: not a JSON object");
  const json::object& o = v.as_object();
  EncounterAlert a;
  ASSIGN_OR_RETURN(a.encounter, IntAt(o, "encounter"));
  ASSIGN_OR_RETURN(int64_t opened_at, IntAt(o, "opened_at"));
  a.opened_at = FromMicros(opened_at);
  ASSIGN_OR_RETURN(const json::object* sa, ObjectAt(o, "a"));
  ASSIGN_OR_RETURN(a.a, StateOf(*sa));
  ASSIGN_OR_RETURN(const json::object* sb, ObjectAt(o, "b"));
  ASSIGN_OR_RETURN(a.b, StateOf(*sb));
  ASSIGN_OR_RETURN(int64_t at, IntAt(o, "at"));
  a.prediction.at = FromMicros(at);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  ASSIGN_OR_RETURN(a.prediction.t_in_s, NumberAt(o, "t_in_s", -kInf));
  ASSIGN_OR_RETURN(a.prediction.t_out_s, NumberAt(o, "t_out_s", kInf));
  ASSIGN_OR_RETURN(a.prediction.tcpa_s, NumberAt(o, "tcpa_s"));
  ASSIGN_OR_RETURN(a.prediction.dcpa_m, NumberAt(o, "dcpa_m"));
  ASSIGN_OR_RETURN(a.prediction.distance_m, NumberAt(o, "distance_m"));
  ASSIGN_OR_RETURN(a.prediction.vertical_separation_m, NumberAt(o, "vertical_separation_m"));
  return a;
}

std::string_view TypeName(const Payload& payload) {
  return std::visit(
      Overloaded{[](const OperationConflict&) { return kOperationConflict; },
                 [](const OperationEnded&) { return kOperationEnded; },
                 [](const PartyRevoked&) { return kPartyRevoked; },
                 [](const EncounterOpened&) { return kEncounterOpened; },
                 [](const EncounterUpdated&) { return kEncounterUpdated; },
                 [](const EncounterClosed&) { return kEncounterClosed; },
                 [](const EncounterUnacknowledged&) { return kEncounterUnacknowledged; },
                 [](const EncounterAcknowledged&) { return kEncounterAcknowledged; },
                 [](const HotlineMessage&) { return kHotlineMessage; },
                 [](const HotlineDelivered&) { return kHotlineDelivered; },
                 [](const HotlineAcknowledged&) { return kHotlineAcknowledged; },
                 [](const HotlineOverdue&) { return kHotlineOverdue; },
                 [](const HotlineChannelChanged& c) {
                   switch (c.change) {
                     case HotlineChannelChanged::Change::kSuspended:
                       return kHotlineChannelSuspended;
                     case HotlineChannelChanged::Change::kResumed:
                       return kHotlineChannelResumed;
                     case HotlineChannelChanged::Change::kCreated:
                       break;
                   }
                   return kHotlineChannelCreated;
                 },
                 [](const HumanitarianNotice& n) { return HumanitarianTypeName(n.type); },
                 [](const AgreementNotice& n) { return AgreementTypeName(n.type); },
                 [](const IncidentNotice& n) { return IncidentTypeName(n.type); }},
      payload);
}

store::EventRow ToRow(const Event& event) {
  store::EventRow row{.recipient = event.recipient.value(),
                      .seq = event.seq,
                      .type = std::string(TypeName(event.payload)),
                      .time = event.time};
  std::visit(
      Overloaded{
          [&](const OperationConflict& c) {
            row.subject = c.operation.value();
            row.subject_party = c.party.value();
            row.ovn = c.ovn;
            row.your_operation = c.your_operation.value();
            row.overlap = store::EventOverlapColumns{.lat_min = c.overlap.rect.lat_lo().degrees(),
                                                     .lng_min = c.overlap.rect.lng_lo().degrees(),
                                                     .lat_max = c.overlap.rect.lat_hi().degrees(),
                                                     .lng_max = c.overlap.rect.lng_hi().degrees(),
                                                     .altitude_lower_m = c.overlap.altitude.lower_m,
                                                     .altitude_upper_m = c.overlap.altitude.upper_m,
                                                     .time_start = c.overlap.time.start,
                                                     .time_end = c.overlap.time.end};
          },
          [&](const OperationEnded& e) {
            row.subject = e.operation.value();
            row.subject_party = e.party.value();
          },
          [&](const PartyRevoked& r) { row.subject = r.party.value(); },
          [&](const EncounterAcknowledged& e) {
            row.subject = std::to_string(e.encounter);
            row.subject_party = e.party.value();
          },
          [&](const HotlineMessage& m) {
            row.subject = fmt::format("{}/{}", m.channel.value(), m.channel_seq);
            row.subject_party = m.sender.value();
          },
          [&](const HotlineDelivered& d) {
            row.subject = fmt::format("{}/{}", d.receipt.channel.value(), d.receipt.channel_seq);
            row.subject_party = d.receipt.party.value();
          },
          [&](const HotlineAcknowledged& a) {
            row.subject = fmt::format("{}/{}", a.receipt.channel.value(), a.receipt.channel_seq);
            row.subject_party = a.receipt.party.value();
          },
          [&](const HotlineOverdue& o) {
            row.subject = fmt::format("{}/{}", o.channel.value(), o.channel_seq);
            row.subject_party = o.sender.value();
          },
          [&](const HotlineChannelChanged& c) {
            row.subject = c.channel.value();
            row.subject_party = c.by.value();
          },
          [&](const HumanitarianNotice& n) {
            row.subject = fmt::format("{}/{}", n.kind, n.id);
            row.subject_party = n.notifier.value();
          },
          [&](const AgreementNotice& n) {
            row.subject = n.proposal.empty() ? n.thing : n.proposal;
            row.subject_party = n.party.empty() ? n.proposer.value() : n.party.value();
          },
          [&](const IncidentNotice& n) {
            row.subject = n.id;
            row.subject_party = n.party.empty() ? n.reporter.value() : n.party.value();
          },
          [&](const auto& e) { row.subject = std::to_string(e.alert.encounter); }},
      event.payload);
  row.detail = DetailOf(event.payload);
  return row;
}

absl::StatusOr<Event> FromRow(const store::EventRow& row) {
  Event event{.recipient = PartyId(row.recipient), .seq = row.seq, .time = row.time};
  if (row.type == kOperationConflict) {
    if (!row.overlap) {
      return absl::DataLossError(fmt::format("event {} of {}: operation.conflict without overlap",
                                             row.seq, row.recipient));
    }
    const store::EventOverlapColumns& o = *row.overlap;
    // Rebuilt from its corners: S2LatLngRect(lo, hi) keeps lng_lo > lng_hi as an interval that
    // crosses the antimeridian, so every stored rectangle reads back as it was.
    S2LatLngRect rect(S2LatLng::FromDegrees(o.lat_min, o.lng_min),
                      S2LatLng::FromDegrees(o.lat_max, o.lng_max));
    event.payload = OperationConflict{
        .operation = OperationId(row.subject),
        .party = PartyId(row.subject_party),
        .ovn = row.ovn,
        .your_operation = OperationId(row.your_operation),
        .overlap =
            geo::Overlap{.rect = rect,
                         .altitude = {.lower_m = o.altitude_lower_m, .upper_m = o.altitude_upper_m},
                         .time = {.start = o.time_start, .end = o.time_end}}};
  } else if (row.type == kOperationEnded) {
    event.payload =
        OperationEnded{.operation = OperationId(row.subject), .party = PartyId(row.subject_party)};
  } else if (row.type == kPartyRevoked) {
    event.payload = PartyRevoked{.party = PartyId(row.subject)};
  } else if (IsHotlineType(row.type)) {
    absl::StatusOr<Payload> payload = DecodeHotlineDetail(row.type, row.detail);
    if (!payload.ok()) {
      return absl::DataLossError(
          fmt::format("event {} of {}: {}", row.seq, row.recipient, payload.status().message()));
    }
    event.payload = *std::move(payload);
  } else if (IsHumanitarianType(row.type)) {
    absl::StatusOr<HumanitarianNotice> notice = DecodeHumanitarianDetail(row.type, row.detail);
    if (!notice.ok()) {
      return absl::DataLossError(
          fmt::format("event {} of {}: {}", row.seq, row.recipient, notice.status().message()));
    }
    event.payload = *std::move(notice);
  } else if (IsIncidentType(row.type)) {
    absl::StatusOr<IncidentNotice> notice = DecodeIncidentDetail(row.type, row.detail);
    if (!notice.ok()) {
      return absl::DataLossError(
          fmt::format("event {} of {}: {}", row.seq, row.recipient, notice.status().message()));
    }
    event.payload = *std::move(notice);
  } else if (IsAgreementType(row.type)) {
    absl::StatusOr<AgreementNotice> notice = DecodeAgreementDetail(row.type, row.detail);
    if (!notice.ok()) {
      return absl::DataLossError(
          fmt::format("event {} of {}: {}", row.seq, row.recipient, notice.status().message()));
    }
    event.payload = *std::move(notice);
  } else if (row.type == kEncounterAcknowledged) {
    ASSIGN_OR_RETURN(json::object o, ParseDetail(row));
    EncounterAcknowledged e;
    ASSIGN_OR_RETURN(e.encounter, IntAt(o, "encounter"));
    ASSIGN_OR_RETURN(std::string party, TextAt(o, "party"));
    e.party = PartyId(std::move(party));
    ASSIGN_OR_RETURN(int64_t at, IntAt(o, "at"));
    e.at = FromMicros(at);
    const json::value* is_signed = o.if_contains("signed");
    e.is_signed = is_signed != nullptr && is_signed->is_bool() && is_signed->get_bool();
    ASSIGN_OR_RETURN(e.ledger_index, IntAt(o, "ledger_index"));
    event.payload = std::move(e);
  } else if (row.type == kEncounterOpened || row.type == kEncounterUpdated ||
             row.type == kEncounterClosed || row.type == kEncounterUnacknowledged) {
    ASSIGN_OR_RETURN(json::object o, ParseDetail(row));
    absl::StatusOr<EncounterAlert> alert = DecodeAlert(row.detail);
    if (!alert.ok()) {
      return absl::DataLossError(
          fmt::format("event {} of {}: {}", row.seq, row.recipient, alert.status().message()));
    }
    if (row.type == kEncounterOpened) {
      event.payload = EncounterOpened{*std::move(alert)};
    } else if (row.type == kEncounterUpdated) {
      event.payload = EncounterUpdated{*std::move(alert)};
    } else if (row.type == kEncounterClosed) {
      ASSIGN_OR_RETURN(std::string reason, TextAt(o, "reason"));
      event.payload = EncounterClosed{*std::move(alert), std::move(reason)};
    } else {
      EncounterUnacknowledged e{.alert = *std::move(alert)};
      const json::value* parties = o.if_contains("parties");
      if (parties == nullptr || !parties->is_array()) {
        return absl::DataLossError(
            fmt::format("event {} of {}: {} without parties", row.seq, row.recipient, row.type));
      }
      for (const json::value& p : parties->get_array()) {
        if (p.is_string()) e.parties.emplace_back(std::string(p.get_string()));
      }
      event.payload = std::move(e);
    }
  } else {
    return absl::DataLossError(
        fmt::format("event {} of {}: unknown type '{}'", row.seq, row.recipient, row.type));
  }
  return event;
}

}  // namespace deconflict::events
