// events/event.h: the typed domain events of the event stream (design.md §3 "events ->
// subscribers").
//
// An event is stored once per recipient, with the recipient's own sequence number (1, 2, 3, ...,
// no gap), in the same transaction as the change it reports (events/event_log.h), and pushed to
// the recipient's subscribers only after that transaction is durable (events/hub.h). The
// recipients are decided by the domain that appends the event, with the least disclosure of
// reads (design.md §5): a payload carries only what its recipient may learn.
//
// Types (the wire name is TypeName()):
//   operation.conflict  another party filed or changed an operation that conflicts with one of
//                       the recipient's: its id, party, OVN and the overlap, nothing more.
//   operation.ended     an operation the recipient conflicted with (or owned) has ended.
//   party.revoked       a party's token was revoked (sent to every party, the revoked one
//                       included: its own copy is the last event its sockets get).
//
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/ids.h"
#include "geo/volume.h"
#include "store/event_log.h"

namespace deconflict::events {

struct OperationConflict {
  OperationId operation;       // the other party's operation, as just filed or changed
  PartyId party;               // its owner
  std::string ovn;             // its new OVN (what the recipient's key must carry)
  OperationId your_operation;  // the recipient's operation it conflicts with
  geo::Overlap overlap;        // the overlapping part: bounding box, altitude band, time window
};

struct OperationEnded {
  OperationId operation;
  PartyId party;  // its owner
};

struct PartyRevoked {
  PartyId party;
};

using Payload = std::variant<OperationConflict, OperationEnded, PartyRevoked>;

inline constexpr std::string_view kOperationConflict = "operation.conflict";
inline constexpr std::string_view kOperationEnded = "operation.ended";
inline constexpr std::string_view kPartyRevoked = "party.revoked";

std::string_view TypeName(const Payload& payload);

struct Event {
  PartyId recipient;
  int64_t seq = 0;  // per recipient, from 1
  Timestamp time;   // when it was appended (server clock)
  Payload payload;
};

// Conversions to and from the stored row. FromRow returns DataLoss for a row whose type is
// unknown or whose fields are missing (a damaged or newer store).
store::EventRow ToRow(const Event& event);
[[nodiscard]] absl::StatusOr<Event> FromRow(const store::EventRow& row);

}  // namespace deconflict::events
