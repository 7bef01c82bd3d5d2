#include "monitoring/taxonomy.h"

#include <array>

namespace deconflict::monitoring {
namespace {

constexpr std::string_view kPolitical = "Political violence";
constexpr std::string_view kDemonstrations = "Demonstrations";
constexpr std::string_view kBoth = "Political violence; Demonstrations";
constexpr std::string_view kStrategic = "Strategic developments";

constexpr std::array<SubEventType, 25> kTaxonomy = {{
    {"Battles", "Armed clash", kPolitical},
    {"Battles", "Government regains territory", kPolitical},
    {"Battles", "Non-state actor overtakes territory", kPolitical},
    {"Explosions/Remote violence", "Chemical weapon", kPolitical},
    {"Explosions/Remote violence", "Air/drone strike", kPolitical},
    {"Explosions/Remote violence", "Suicide bomb", kPolitical},
    {"Explosions/Remote violence", "Shelling/artillery/missile attack", kPolitical},
    {"Explosions/Remote violence", "Remote explosive/landmine/IED", kPolitical},
    {"Explosions/Remote violence", "Grenade", kPolitical},
    {"Violence against civilians", "Sexual violence", kPolitical},
    {"Violence against civilians", "Attack", kPolitical},
    {"Violence against civilians", "Abduction/forced disappearance", kPolitical},
    {"Protests", "Peaceful protest", kDemonstrations},
    {"Protests", "Protest with intervention", kDemonstrations},
    {"Protests", "Excessive force against protesters", kBoth},
    {"Riots", "Violent demonstration", kDemonstrations},
    {"Riots", "Mob violence", kPolitical},
    {"Strategic developments", "Agreement", kStrategic},
    {"Strategic developments", "Arrests", kStrategic},
    {"Strategic developments", "Change to group/activity", kStrategic},
    {"Strategic developments", "Disrupted weapons use", kStrategic},
    {"Strategic developments", "Headquarters or base established", kStrategic},
    {"Strategic developments", "Looting/property destruction", kStrategic},
    {"Strategic developments", "Non-violent transfer of territory", kStrategic},
    {"Strategic developments", "Other", kStrategic},
}};

constexpr std::array<std::string_view, 6> kEventTypes = {
    "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
    "Riots",   "Strategic developments"};

}  // namespace

std::span<const SubEventType> Taxonomy() { return kTaxonomy; }
std::span<const std::string_view> EventTypes() { return kEventTypes; }

bool IsEventType(std::string_view event_type) {
  for (std::string_view t : kEventTypes) {
    if (t == event_type) return true;
  }
  return false;
}

bool IsSubEventOf(std::string_view event_type, std::string_view sub_event_type) {
  return !DisorderTypeOf(event_type, sub_event_type).empty();
}

std::string_view DisorderTypeOf(std::string_view event_type, std::string_view sub_event_type) {
  for (const SubEventType& s : kTaxonomy) {
    if (s.event_type == event_type && s.sub_event_type == sub_event_type) return s.disorder_type;
  }
  return {};
}

bool IsViolent(std::string_view event_type) {
  return event_type == "Battles" || event_type == "Explosions/Remote violence" ||
         event_type == "Violence against civilians";
}

}  // namespace deconflict::monitoring
