// humanitarian/internal/records.h: conversions between the typed request (notification.h) and
// the stored version (store/humanitarian_table.h), and the broad-phase volume of a place.
// Private to humanitarian/.
#pragma once

#include "absl/status/statusor.h"
#include "common/ids.h"
#include "geo/volume.h"
#include "humanitarian/notification.h"
#include "store/humanitarian_table.h"

namespace deconflict::humanitarian::internal {

// The version `caller` files with `request`; version, change, ovn, times, digest and ledger
// index are the service's to set.
store::HumanitarianRecord RecordOf(const PartyId& caller, const NotificationRequest& request);

// The request a stored version was made from. DataLoss when the row is malformed.
[[nodiscard]] absl::StatusOr<NotificationRequest> RequestOf(const store::HumanitarianRecord& r);

// A circle volume around the place's bound, at every altitude, over its window: what the
// strategic::VolumeIndex holds for it.
[[nodiscard]] absl::StatusOr<geo::Volume4D> BoundVolume(const ProtectedPlace& place);
// The same over `window` (a version's span in force).
[[nodiscard]] absl::StatusOr<geo::Volume4D> BoundVolume(const ProtectedPlace& place,
                                                        geo::TimeWindow window);

}  // namespace deconflict::humanitarian::internal
