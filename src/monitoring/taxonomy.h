// monitoring/taxonomy.h: ACLED's event taxonomy (ACLED Codebook: 6 event types, 25 sub-event
// types), spelled exactly as ACLED's exports spell them, and the disorder type of each.
//
//   if (!IsSubEventOf("Explosions/Remote violence", "Air/drone strike")) ...
//
// Thread-safe (constant tables).
#pragma once

#include <span>
#include <string_view>

namespace deconflict::monitoring {

struct SubEventType {
  std::string_view event_type;
  std::string_view sub_event_type;
  std::string_view disorder_type;  // ACLED's disorder_type for the pair
};

// All 25 pairs, grouped by event type in ACLED's order.
std::span<const SubEventType> Taxonomy();
// The 6 event types in ACLED's order.
std::span<const std::string_view> EventTypes();

bool IsEventType(std::string_view event_type);
bool IsSubEventOf(std::string_view event_type, std::string_view sub_event_type);
// The disorder type of a valid pair; "" for an unknown one.
std::string_view DisorderTypeOf(std::string_view event_type, std::string_view sub_event_type);

// The event types whose incidents at a protected place open a case by themselves (issue 13):
// Battles, Explosions/Remote violence, Violence against civilians.
bool IsViolent(std::string_view event_type);

}  // namespace deconflict::monitoring
