// monitoring/generator.h: deterministic synthetic ceasefire incidents, for demos and benchmarks
// (`deconflict sim incidents`, issue 13).
//
//   std::ofstream out("incidents.csv", std::ios::binary);
//   RETURN_IF_ERROR(WriteIncidentCsv({.seed = 7, .count = 1'000'000}, out));
//
//   RETURN_IF_ERROR(GenerateIncidents({.count = 100}, [&](const IncidentRequest& r) {
//     return store.Put(r);
//   }));
//
// What comes out: ids "SYN1", "SYN2", ... in order; occurred_at a UTC midnight drawn uniformly
// from the days in [from, to]; location uniform in the box, rounded to 4 decimals (as ACLED's
// are); a mix of event types like ACLED's Syria data (45 % Explosions/Remote violence, 30 %
// Battles, 12 % Violence against civilians, 8 % Strategic developments, 4 % Protests, 1 %
// Riots); fatalities skewed (about 55 % of violent events 0, 30 % 1-3, 12 % 4-20, 3 % 21-300;
// low = best = high); actor1 from `actors` (Protests: "Protesters (<country>)"), actor2 another
// of them, none, or "Civilians (<country>)" for Violence against civilians; 1-3 sources; notes in
// ACLED's style (with commas, and now and then a quotation, so that writers quote them); the ACLED
// extras filled in plausibly (disorder_type from the taxonomy). Names (actor, governorate,
// locality) and coordinates are drawn independently: the data look right in a table, not on a map.
//
// Every incident passes ValidateIncident at any `now` >= options.to, and is in AcledCsvRow's
// canonical form, so WriteIncidentCsv's rows read back (ParseAcled) to the same requests.
//
// Determinism: the same options give the same incidents and bytes on every platform (the
// generator has its own random number generator and mapping, not <random>'s distributions).
// Memory does not grow with count: one incident is built at a time.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "monitoring/incident.h"

namespace deconflict::monitoring {

// The defaults of GeneratorOptions.
std::vector<std::string> DefaultGeneratorActors();  // 7 actor names and "RU", "TR", "US", "SYR"
std::vector<std::string> SyriaGovernorates();       // the 14, ACLED's spelling

struct GeneratorOptions {
  uint64_t seed = 1;     // Default: 1.
  int64_t count = 1000;  // Default: 1000 incidents. At least 0.
  // The days to draw from: the UTC midnights in [from, to] (at least one).
  // Default: 2026-01-01T00:00:00Z to 2026-11-30T00:00:00Z.
  Timestamp from = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 1 / 1));
  Timestamp to = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 30));
  // The box of locations, degrees. Default: Syria's, roughly 32.3..37.3 N, 35.7..42.4 E.
  double lat_min = 32.3, lat_max = 37.3;
  double lng_min = 35.7, lng_max = 42.4;
  // actor1 (and actor2) names, or party ids of this server. Default: DefaultGeneratorActors().
  std::vector<std::string> actors = DefaultGeneratorActors();
  // admin1 names. Default: SyriaGovernorates().
  std::vector<std::string> admin1 = SyriaGovernorates();
  // ACLED's country, iso (numeric, as text) and region columns. Default: Syria's.
  std::string country = "Syria", iso = "760", region = "Middle East";
};

// Checks `options`. InvalidArgument naming the option: "count" < 0; "from" before 1990; "to"
// when [from, to] holds no UTC midnight; "lat_min"/"lat_max"/"lng_min"/"lng_max" out of range
// or min > max; "actors"/"admin1" empty; "actors[i]", "admin1[i]", "country", "iso", "region"
// that ValidateIncident would refuse as text (LimitExceeded when too long).
[[nodiscard]] absl::Status ValidateGeneratorOptions(const GeneratorOptions& options);

// Calls `sink` with each of options.count incidents, in order (the reference is valid during
// the call only). Returns the first non-OK status of `sink` (and stops there), or the errors of
// ValidateGeneratorOptions (then `sink` is never called).
[[nodiscard]] absl::Status GenerateIncidents(
    const GeneratorOptions& options,
    const std::function<absl::Status(const IncidentRequest&)>& sink);

// Writes AcledHeaderLine() and then one AcledCsvRow per incident (tags: the incident's
// acled.tags) to `out`, in blocks of about 64 KiB. Errors: those of ValidateGeneratorOptions
// (nothing is written); InternalError when `out` fails (what was written stays).
[[nodiscard]] absl::Status WriteIncidentCsv(const GeneratorOptions& options, std::ostream& out);

}  // namespace deconflict::monitoring
