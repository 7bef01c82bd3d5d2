#include "events/event.h"

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

}  // namespace

std::string_view TypeName(const Payload& payload) {
  return std::visit(Overloaded{[](const OperationConflict&) { return kOperationConflict; },
                               [](const OperationEnded&) { return kOperationEnded; },
                               [](const PartyRevoked&) { return kPartyRevoked; }},
                    payload);
}

store::EventRow ToRow(const Event& event) {
  store::EventRow row{.recipient = event.recipient.value(),
                      .seq = event.seq,
                      .type = std::string(TypeName(event.payload)),
                      .time = event.time};
  std::visit(Overloaded{[&](const OperationConflict& c) {
                          row.subject = c.operation.value();
                          row.subject_party = c.party.value();
                          row.ovn = c.ovn;
                          row.your_operation = c.your_operation.value();
                          row.overlap = store::EventOverlapColumns{
                              .lat_min = c.overlap.rect.lat_lo().degrees(),
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
                        [&](const PartyRevoked& r) { row.subject = r.party.value(); }},
             event.payload);
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
  } else {
    return absl::DataLossError(
        fmt::format("event {} of {}: unknown type '{}'", row.seq, row.recipient, row.type));
  }
  return event;
}

}  // namespace deconflict::events
