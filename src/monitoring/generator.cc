#include "monitoring/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <string_view>

#include "common/status.h"
#include "fmt/format.h"
#include "monitoring/acled.h"
#include "monitoring/taxonomy.h"

namespace deconflict::monitoring {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same numbers everywhere, which
// <random>'s distributions do not promise.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // In [0, n); REQUIRES: n > 0. Lemire's multiply-shift (its bias, below 2^-32 for our n, does
  // not matter here).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1p-53; }  // [0, 1)
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t state_;
};

// Event mix, per mille, over the 25 pairs (in ACLED's Syria data shelling, air strikes and
// armed clashes dominate).
struct WeightedPair {
  std::string_view event_type, sub_event_type;
  int per_mille;
  std::string_view phrase;  // for the notes: "<actor1> <phrase> <place>"
};
constexpr std::array<WeightedPair, 25> kMix = {{
    {"Battles", "Armed clash", 270, "clashed with rivals in"},
    {"Battles", "Government regains territory", 15, "regained positions in"},
    {"Battles", "Non-state actor overtakes territory", 15, "took over positions in"},
    {"Explosions/Remote violence", "Chemical weapon", 4, "reportedly used a chemical agent in"},
    {"Explosions/Remote violence", "Air/drone strike", 160, "carried out a drone strike on"},
    {"Explosions/Remote violence", "Suicide bomb", 4, "carried out a suicide bombing in"},
    {"Explosions/Remote violence", "Shelling/artillery/missile attack", 200, "shelled"},
    {"Explosions/Remote violence", "Remote explosive/landmine/IED", 70, "detonated an IED in"},
    {"Explosions/Remote violence", "Grenade", 12, "threw a grenade in"},
    {"Violence against civilians", "Sexual violence", 2, "assaulted a woman in"},
    {"Violence against civilians", "Attack", 96, "attacked civilians in"},
    {"Violence against civilians", "Abduction/forced disappearance", 22, "abducted a man in"},
    {"Protests", "Peaceful protest", 34, "demonstrated in"},
    {"Protests", "Protest with intervention", 4, "demonstrated and were dispersed in"},
    {"Protests", "Excessive force against protesters", 2, "were fired upon in"},
    {"Riots", "Violent demonstration", 5, "rioted in"},
    {"Riots", "Mob violence", 5, "attacked a man in"},
    {"Strategic developments", "Agreement", 4, "agreed to a local truce in"},
    {"Strategic developments", "Arrests", 20, "arrested several people in"},
    {"Strategic developments", "Change to group/activity", 8, "redeployed forces to"},
    {"Strategic developments", "Disrupted weapons use", 12, "defused explosives in"},
    {"Strategic developments", "Headquarters or base established", 4, "set up a base in"},
    {"Strategic developments", "Looting/property destruction", 24, "burned houses in"},
    {"Strategic developments", "Non-violent transfer of territory", 4, "handed over"},
    {"Strategic developments", "Other", 4, "was reported in"},
}};

// ACLED's interaction category of the default actors; "" for others.
std::string_view InterOf(std::string_view actor) {
  static constexpr std::pair<std::string_view, std::string_view> kInter[] = {
      {"Military Forces of Syria (2024-)", "State forces"},
      {"Military Forces of Russia (2000-)", "External/Other forces"},
      {"Military Forces of Turkey (2016-)", "External/Other forces"},
      {"Military Forces of the United States (2021-)", "External/Other forces"},
      {"SDF: Syrian Democratic Forces", "Rebel group"},
      {"Islamic State (Syria)", "Rebel group"},
      {"Unidentified Armed Group (Syria)", "Political militia"},
      {"RU", "External/Other forces"},
      {"TR", "External/Other forces"},
      {"US", "External/Other forces"},
      {"SYR", "State forces"},
  };
  for (const auto& [name, inter] : kInter) {
    if (name == actor) return inter;
  }
  return {};
}

const std::vector<std::string> kLocalities = {
    "Saraqab",        "Maarat an Numan", "Al Bab",      "Manbij",
    "Kobani",         "Tal Abiad",       "Ras al Ain",  "Qamishli",
    "Al Mayadin",     "Abu Kamal",       "Palmyra",     "Jisr ash Shughur",
    "Ariha",          "Khan Shaykhun",   "Tall Rifaat", "Azaz",
    "Afrin",          "Douma",           "Harasta",     "Nawa",
    "Busra ash Sham", "Shahba",          "Al Qusayr",   "Salamiyah"};

const std::vector<std::string> kSources = {"Syrian Observatory for Human Rights",
                                           "SANA",
                                           "Step News Agency",
                                           "North Press Agency",
                                           "Enab Baladi",
                                           "Deir Ezzor 24",
                                           "Hawar News Agency",
                                           "Halab Today TV"};

const std::vector<std::string> kSourceScales = {"National", "Subnational", "Local partner-National",
                                                "New media", "Other-National"};

constexpr std::string_view kMonthNames[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

int64_t DrawFatalities(Random& random, std::string_view event_type) {
  const double u = random.Unit();
  if (!IsViolent(event_type)) return u < 0.9 ? 0 : static_cast<int64_t>(random.Below(3)) + 1;
  if (u < 0.55) return 0;
  if (u < 0.85) return static_cast<int64_t>(random.Below(3)) + 1;
  if (u < 0.97) return static_cast<int64_t>(random.Below(17)) + 4;
  // Log-uniform in [21, 300]: the rare mass-casualty event.
  return static_cast<int64_t>(std::floor(21 * std::pow(300.0 / 21, random.Unit())));
}

int DrawPrecision(Random& random, int second_per_mille, int third_per_mille) {
  const int64_t u = static_cast<int64_t>(random.Below(1000));
  return u < third_per_mille ? 3 : u < third_per_mille + second_per_mille ? 2 : 1;
}

// Overwrites `r` (reusing its buffers) with incident number `number`.
void Draw(const GeneratorOptions& o, sys_days first_day, int64_t day_count, int64_t number,
          Random& random, IncidentRequest& r) {
  // What and when.
  int64_t pick = static_cast<int64_t>(random.Below(1000));
  size_t pair_idx = 0;
  while (pick >= kMix[pair_idx].per_mille) pick -= kMix[pair_idx++].per_mille;
  const WeightedPair& pair = kMix[pair_idx];
  r.id.clear();
  fmt::format_to(std::back_inserter(r.id), "SYN{}", number);
  const sys_days day = first_day + days(random.Below(static_cast<uint64_t>(day_count)));
  r.occurred_at = Timestamp(day);
  r.time_precision = DrawPrecision(random, 100, 50);
  r.event_type = pair.event_type;
  r.sub_event_type = pair.sub_event_type;
  r.observation.reset();

  // Where: 4 decimals, as ACLED's coordinates.
  auto coordinate = [&random](double lo, double hi) {
    return std::clamp(std::round((lo + (hi - lo) * random.Unit()) * 1e4) / 1e4, lo, hi);
  };
  r.location = {coordinate(o.lat_min, o.lat_max), coordinate(o.lng_min, o.lng_max)};
  r.geo_precision = DrawPrecision(random, 250, 50);
  r.admin1 = random.Pick(o.admin1);
  r.admin2.clear();
  r.location_name = random.Pick(kLocalities);

  // Who.
  if (pair.event_type == "Protests") {
    r.alleged_party.assign("Protesters (").append(o.country).append(")");
  } else {
    r.alleged_party = random.Pick(o.actors);
  }
  const std::string& actor1 = r.alleged_party;
  if (pair.event_type == "Violence against civilians") {
    r.target.assign("Civilians (").append(o.country).append(")");
  } else if (pair.event_type == "Protests" || random.Below(10) < 3) {
    r.target.clear();
  } else {
    r.target = random.Pick(o.actors);
  }
  AcledExtras& a = r.acled;
  a.disorder_type = DisorderTypeOf(pair.event_type, pair.sub_event_type);
  a.inter1 = pair.event_type == "Protests" ? "Protesters" : InterOf(actor1);
  a.inter2 = pair.event_type == "Violence against civilians" ? "Civilians" : InterOf(r.target);
  a.interaction.clear();
  if (!a.inter1.empty()) {
    a.interaction = a.inter2.empty() ? a.inter1 + " only" : a.inter1 + "-" + a.inter2;
  }
  a.assoc_actor_1.clear();
  a.assoc_actor_2.clear();
  a.civilian_targeting =
      pair.event_type == "Violence against civilians" ? "Civilian targeting" : "";
  a.iso = o.iso;
  a.region = o.region;
  a.country = o.country;
  a.admin3.clear();
  a.tags = pair.event_type == "Protests" ? "crowd size=no report" : "";
  a.timestamp.clear();
  // ACLED's timestamp: when the row was uploaded (Unix seconds), a few days after the event.
  const std::chrono::sys_seconds uploaded = day + days(1 + random.Below(14));
  fmt::format_to(std::back_inserter(a.timestamp), "{}", uploaded.time_since_epoch().count());

  // How bad, and who said so.
  const int64_t fatalities = DrawFatalities(random, pair.event_type);
  r.fatalities = {.best = fatalities, .low = fatalities, .high = fatalities};
  r.sources.clear();
  const size_t source_count = 1 + random.Below(3);
  const size_t first_source = random.Below(kSources.size());
  for (size_t source_idx = 0; source_idx < source_count; ++source_idx) {
    r.sources.push_back(kSources[(first_source + source_idx) % kSources.size()]);
  }
  a.source_scale = random.Pick(kSourceScales);

  // Notes in ACLED's style: "On 16 May 2026, <actor1> <phrase> <place> (<admin1>). ..."
  const std::chrono::year_month_day date{day};
  r.notes.clear();
  fmt::format_to(std::back_inserter(r.notes), "On {} {} {}, {} {} {} ({}).",
                 static_cast<unsigned>(date.day()),
                 kMonthNames[static_cast<unsigned>(date.month()) - 1],
                 static_cast<int>(date.year()), actor1, pair.phrase, r.location_name, r.admin1);
  if (random.Below(20) == 0) r.notes += " A resident said \"the whole street shook\".";
  if (fatalities > 0) {
    fmt::format_to(std::back_inserter(r.notes), " {} fatalities.", fatalities);
  } else {
    r.notes += " No fatalities reported.";
  }
}

absl::Status CheckText(std::string_view text, std::string_view field) {
  IncidentRequest probe{.id = "probe",
                        .occurred_at = Timestamp(sys_days(std::chrono::year(2000) / 1 / 1)),
                        .event_type = "Battles",
                        .sub_event_type = "Armed clash"};
  if (text.empty()) return InvalidField(field, "is empty");
  probe.alleged_party = text;
  absl::Status valid = ValidateIncident(probe, probe.occurred_at);
  if (valid.ok()) return valid;
  std::string_view message(valid.message().data(), valid.message().size());
  if (message.starts_with("alleged_party: ")) message.remove_prefix(15);
  return FieldError(valid.code(), field, message);
}

}  // namespace

std::vector<std::string> DefaultGeneratorActors() {
  return {"Military Forces of Syria (2024-)",
          "Military Forces of Russia (2000-)",
          "Military Forces of Turkey (2016-)",
          "Military Forces of the United States (2021-)",
          "SDF: Syrian Democratic Forces",
          "Islamic State (Syria)",
          "Unidentified Armed Group (Syria)",
          "RU",
          "TR",
          "US",
          "SYR"};
}

std::vector<std::string> SyriaGovernorates() {
  return {"Aleppo",     "Damascus", "Rural Damascus", "Homs",        "Hama",
          "Idleb",      "Latakia",  "Tartous",        "Deir ez Zor", "Raqqa",
          "Al Hasakeh", "Daraa",    "As-Sweida",      "Quneitra"};
}

absl::Status ValidateGeneratorOptions(const GeneratorOptions& o) {
  if (o.count < 0) return InvalidField("count", "must be >= 0");
  if (o.from < Timestamp(sys_days(std::chrono::year(1990) / 1 / 1))) {
    return InvalidField("from", "must not be before 1990");
  }
  if (std::chrono::ceil<days>(o.from) > std::chrono::floor<days>(o.to)) {
    return InvalidField("to", "[from, to] must hold a UTC midnight");
  }
  auto check_range = [](double lo, double hi, double limit, std::string_view lo_name,
                        std::string_view hi_name) -> absl::Status {
    if (!(lo >= -limit && lo <= limit)) {
      return InvalidField(lo_name, fmt::format("must be in [-{0}, {0}]", limit));
    }
    if (!(hi >= lo && hi <= limit)) {
      return InvalidField(hi_name, fmt::format("must be in [{}, {}]", lo_name, limit));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(check_range(o.lat_min, o.lat_max, 90, "lat_min", "lat_max"));
  RETURN_IF_ERROR(check_range(o.lng_min, o.lng_max, 180, "lng_min", "lng_max"));
  for (const auto* list : {&o.actors, &o.admin1}) {
    const std::string_view name = list == &o.actors ? "actors" : "admin1";
    if (list->empty()) return InvalidField(name, "must name at least one");
    for (size_t idx = 0; idx < list->size(); ++idx) {
      RETURN_IF_ERROR(CheckText((*list)[idx], fmt::format("{}[{}]", name, idx)));
    }
  }
  RETURN_IF_ERROR(CheckText(o.country, "country"));
  RETURN_IF_ERROR(CheckText(o.iso, "iso"));
  return CheckText(o.region, "region");
}

absl::Status GenerateIncidents(const GeneratorOptions& options,
                               const std::function<absl::Status(const IncidentRequest&)>& sink) {
  RETURN_IF_ERROR(ValidateGeneratorOptions(options));
  const sys_days first_day = std::chrono::ceil<days>(options.from);
  const int64_t day_count = (std::chrono::floor<days>(options.to) - first_day).count() + 1;
  Random random(options.seed);
  IncidentRequest r;
  for (int64_t number = 1; number <= options.count; ++number) {
    Draw(options, first_day, day_count, number, random, r);
    RETURN_IF_ERROR(sink(r));
  }
  return absl::OkStatus();
}

absl::Status WriteIncidentCsv(const GeneratorOptions& options, std::ostream& out) {
  constexpr size_t kBlock = 64 * 1024;
  std::string buffer = AcledHeaderLine();
  buffer.reserve(2 * kBlock);
  auto flush = [&]() -> absl::Status {
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    buffer.clear();
    if (!out) return absl::InternalError("cannot write the incidents CSV (output failed)");
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(ValidateGeneratorOptions(options));
  RETURN_IF_ERROR(GenerateIncidents(options, [&](const IncidentRequest& r) -> absl::Status {
    AppendAcledCsvRow(r, r.acled.tags, buffer);
    return buffer.size() >= kBlock ? flush() : absl::OkStatus();
  }));
  RETURN_IF_ERROR(flush());
  out.flush();
  if (!out) return absl::InternalError("cannot write the incidents CSV (output failed)");
  return absl::OkStatus();
}

}  // namespace deconflict::monitoring
