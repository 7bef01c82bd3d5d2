// monitoring/records.h: conversions between the typed report (incident.h) and the stored version
// (store/incidents_table.h), and the local fields an ACLED export adds to `tags`.
//
//   store::IncidentRecord r = RecordOf(PartyId("UN"), request, "report");
//   std::string row = AcledCsvRow(RequestOf(r), ExportTags(r, status));
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/ids.h"
#include "monitoring/incident.h"
#include "monitoring/stats.h"
#include "store/incidents_table.h"

namespace deconflict::monitoring {

// The version `reporter` files with `request` (origin "report" or "import"); version, times,
// digest and ledger index are the service's to set.
store::IncidentRecord RecordOf(const PartyId& reporter, IncidentRequest request,
                               std::string_view origin);
// The request a stored version was made from.
IncidentRequest RequestOf(const store::IncidentRecord& record);
// Whether two versions say the same (every field the reporter chose).
bool SameContent(const store::IncidentRecord& a, const store::IncidentRecord& b);

// ACLED's `tags` for an export: the row's own tags, then, separated by "; ", what deconflict
// knows and ACLED has no column for, only when it says something: "deconflict:status=<status>"
// (not for "reported"), "deconflict:fatalities=<low>-<high>" (when they differ from the best
// estimate), "deconflict:occurred_at=<RFC 3339>" (a time of day), "deconflict:reporter=<party>"
// (local reports), "deconflict:observation=<mode> from <lat> <lng> bearing <deg> at <min>-<max> m"
// (when the reader may see it). An imported row, unverified, exports its tags unchanged.
std::string ExportTags(const store::IncidentRecord& record, Status status);

}  // namespace deconflict::monitoring
