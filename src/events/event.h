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
//   encounter.opened    the live picture predicts a loss of separation between an aircraft of
//                       the recipient and one of another party (or, for guarantors, between any
//                       two parties' aircraft): both aircraft's states (no callsign) and the
//                       prediction (t_in, t_out, tcpa, dcpa).
//   encounter.updated   the prediction changed beyond the live picture's thresholds.
//   encounter.closed    the pair is clear again ("clear"), an aircraft left the picture
//                       ("track_lost"), or the server restarted while it was open ("restart").
//   encounter.unacknowledged  a party of the encounter has not acknowledged it within the
//                       deadline (to both parties and guarantors), naming who has not.
//   encounter.acknowledged  a party of the encounter acknowledged it (to the other party and
//                       guarantors).
//   hotline.message     a message of a hotline channel (hotline/hotline.h), to every member
//                       but its sender, in channel order: channel, channel_seq, id, text.
//   hotline.delivered   a message first reached a recipient's socket or fetch (to its sender).
//   hotline.acknowledged  a recipient acknowledged a message (to every other member).
//   hotline.overdue     a message's deadline passed with recipients who had not acknowledged it
//                       (to its sender and those laggards), naming them and any escalation.
//   hotline.channel.created / .suspended / .resumed  to every member of the channel.
//   humanitarian.notified / .delivered / .acknowledged / .overdue / .conflict  a humanitarian
//                       notification (humanitarian/humanitarian.h): a new version to its
//                       recipients (no coordinates: they read it with GET); its first delivery
//                       and acknowledgement by a recipient, to the notifier; overdue, to the
//                       notifier and laggards; an operation meeting it, to the notifier and
//                       guarantors (the filer, the operation's id and the overlap only).
//   proposal.* / agreement.*  agreements (agreements/agreements.h).
//   incident.reported / .finding / .statement / .imported  ceasefire monitoring
//   case.opened / .response / .overdue / .closed           monitoring's automatic cases
//                       (monitoring/monitoring.h): a new version of a report, a guarantor's
//                       finding and a statement (right of reply), to the parties concerned (the
//                       reporter, the alleged and attributed parties when they are parties, and
//                       guarantors); an ACLED import, one event per imported batch to guarantors.
//
// The encounter types keep their fields in the row's `detail` column (EncodeAlert: a JSON
// object, the storage form of this file; api/ renders the wire form).
//
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

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

// One aircraft as an encounter shows it: its state at `time` (tactical/track.h units), never
// its callsign.
struct AircraftState {
  PartyId party;
  TrackId track;
  Timestamp time;
  double lat_deg = 0, lng_deg = 0, alt_m = 0, gs_mps = 0, trk_deg = 0, vs_mps = 0;
  bool operator==(const AircraftState&) const = default;
};

// What the engine predicted for a pair at `at` (tactical/detector.h Conflict): times in seconds
// from `at`; t_in is -infinity when the pair was already in loss of separation and stays so
// with no relative motion, t_out +infinity likewise.
struct EncounterPrediction {
  Timestamp at;
  double t_in_s = 0, t_out_s = 0, tcpa_s = 0, dcpa_m = 0, distance_m = 0;
  double vertical_separation_m = 0;
  bool operator==(const EncounterPrediction&) const = default;
};

// An encounter as alerted: its id, when it opened, the pair (ordered by party then track) and
// the prediction.
struct EncounterAlert {
  int64_t encounter = 0;  // the live picture's id (1, 2, ...; unique across restarts)
  Timestamp opened_at;
  AircraftState a, b;
  EncounterPrediction prediction;
  bool operator==(const EncounterAlert&) const = default;
};

struct EncounterOpened {
  EncounterAlert alert;
};
struct EncounterUpdated {
  EncounterAlert alert;
};
struct EncounterClosed {
  EncounterAlert alert;  // the last prediction before it closed
  std::string reason;    // "clear", "track_lost", "restart"
};
struct EncounterUnacknowledged {
  EncounterAlert alert;
  std::vector<PartyId> parties;  // those of the pair that have not acknowledged
};
struct EncounterAcknowledged {
  int64_t encounter = 0;  // the live picture's id (1, 2, ...; unique across restarts)
  PartyId party;          // who acknowledged
  Timestamp at;
  bool is_signed = false;  // with a signature by a registered key (parties/acknowledgement.h)
  int64_t ledger_index = 0;
};

// hotline.message: what a recipient may read of a message of its channel (all of it).
struct HotlineMessage {
  ChannelId channel;
  int64_t channel_seq = 0;
  MessageId id;
  PartyId sender;
  std::string priority;  // flash, immediate, priority, routine
  std::string subject;
  std::string body;
  std::vector<std::string> refs;
  Timestamp sent_at;
  Timestamp deadline;     // when it is overdue unless every recipient acknowledged
  std::string escalates;  // "<channel>/<seq>" of the message it escalates, or empty
  std::string digest;     // SHA-256 of the canonical message (32 raw bytes): what an ack signs
  int64_t ledger_index = 0;
};
// hotline.delivered and hotline.acknowledged: `party` received or acknowledged the message.
struct HotlineReceipt {
  ChannelId channel;
  int64_t channel_seq = 0;
  MessageId id;
  PartyId party;
  Timestamp at;
  bool is_signed = false;  // acknowledgements only
  int64_t ledger_index = 0;
  // Deliveries only: the last seq of the run this receipt covers (messages channel_seq ..
  // through_seq, delivered to `party` by `at` and recorded by one ledger entry); equal to
  // channel_seq for one message. 0 for acknowledgements.
  int64_t through_seq = 0;
};
struct HotlineDelivered {
  HotlineReceipt receipt;
};
struct HotlineAcknowledged {
  HotlineReceipt receipt;
};
struct HotlineOverdue {
  ChannelId channel;
  int64_t channel_seq = 0;
  MessageId id;
  PartyId sender;
  std::string priority;
  Timestamp deadline;
  std::vector<PartyId> laggards;  // the recipients that had not acknowledged it
  std::string escalated_to;       // "<channel>/<seq>" of the escalation posted, or empty
  int64_t ledger_index = 0;
};
// hotline.channel.created / suspended / resumed.
struct HotlineChannelChanged {
  enum class Change { kCreated, kSuspended, kResumed };
  Change change = Change::kCreated;
  ChannelId channel;
  std::string name;
  PartyId by;
  std::string reason;  // suspension only
  Timestamp at;
  int64_t ledger_index = 0;
};

// humanitarian.*: one payload for the five types (humanitarian_event.cc); fields a type does not
// use are empty.
struct HumanitarianNotice {
  enum class Type { kNotified, kDelivered, kAcknowledged, kOverdue, kConflict };
  Type type = Type::kNotified;
  std::string kind;  // "site" or "movement"
  std::string id;    // the site's or movement's id
  int64_t version = 0;
  std::string ovn;  // the version's token (what a recipient's operation key carries)
  PartyId notifier;
  PartyId party;       // delivered / acknowledged: the recipient; conflict: the operation's filer
  std::string change;  // notified: "notified", "changed" or "removed"
  std::string name;    // notified: the site's name or the movement's label
  Timestamp at;        // when it happened
  std::optional<Timestamp> deadline;    // notified: acknowledgement due
  std::vector<PartyId> laggards;        // overdue: recipients that had not acknowledged
  std::string escalated_to;             // overdue: "<channel>/<seq>" of the escalation, or empty
  OperationId operation;                // conflict: the operation that meets the place
  bool filer_is_recipient = false;      // conflict: the filer had been notified (its key had to
                                        // carry the version)
  std::optional<geo::Overlap> overlap;  // conflict: the overlap, nothing more of the operation
  bool is_signed = false;               // acknowledged: with a verified signature
  std::string digest;                   // notified: SHA-256 of the version (what an ack signs)
  int64_t ledger_index = 0;
};

// proposal.* and agreement.*: one payload for the agreements' types (agreement_event.cc,
// agreements/agreements.h); fields a type does not use are empty.
struct AgreementNotice {
  enum class Type { kProposed, kDecided, kAgreed, kFailed, kAorConflict, kTerritoryOperation };
  Type type = Type::kProposed;
  std::string proposal;  // the proposal's id (all but the operation types)
  std::string kind;      // list_entry, area_of_responsibility, territory, text
  std::string thing;     // agreed: what it made a version of; operation types: "aor/<id>" ...
  int64_t version = 0;   // agreed: the thing's version
  std::string ovn;       // agreed: the version's token (an AOR's is what a key carries)
  PartyId proposer;
  PartyId party;         // decided: the approver; operation types: the operation's filer
  std::string decision;  // decided: approve or reject
  std::string state;     // failed: rejected, expired or superseded; agreed: agreed or withdrawn
  Timestamp at;
  std::optional<Timestamp> expires_at;  // proposed
  OperationId operation;                // operation types
  std::optional<geo::Overlap> overlap;  // operation types: the overlap, nothing more of it
  bool is_signed = false;               // decided: with a verified signature
  std::string digest;                   // proposed: SHA-256 of the proposal (what is signed)
  int64_t ledger_index = 0;
};

// incident.*: one payload for the monitoring types (incident_event.cc, monitoring/monitoring.h);
// fields a type does not use are empty.
struct IncidentNotice {
  // The case types (monitoring/cases.h) use the same payload: id is the case, version the
  // incident version, party the actor (respondent, guarantor), count the links (opened) or the
  // laggards (overdue), last_id the places linked ("site/al-shifa,movement/c7"), finding the
  // close's finding, status the case's state ("open", "closed").
  enum class Type {
    kReported,
    kFinding,
    kStatement,
    kImported,
    kCaseOpened,
    kCaseResponse,
    kCaseOverdue,
    kCaseClosed
  };
  Type type = Type::kReported;
  std::string id;  // the incident (imported: the batch's first incident)
  int64_t version = 0;
  PartyId reporter;
  PartyId party;           // finding: the guarantor; statement: its author
  std::string change;      // reported: "reported" or "changed"
  std::string event_type;  // reported
  std::string sub_event_type;
  std::string alleged_party;
  Timestamp occurred_at;           // reported
  std::string finding;             // finding: verified, disputed, unverifiable
  std::string attributed_party;    // finding
  std::string status;              // the incident's status after this step
  int64_t count = 0;               // imported: incidents created or changed in the batch
  std::string last_id;             // imported: the batch's last incident
  int64_t first_ledger_index = 0;  // imported: the batch's ledger range
  Timestamp at;
  bool is_signed = false;  // finding (always) and statement (when signed)
  int64_t ledger_index = 0;
};

using Payload =
    std::variant<OperationConflict, OperationEnded, PartyRevoked, EncounterOpened, EncounterUpdated,
                 EncounterClosed, EncounterUnacknowledged, EncounterAcknowledged, HotlineMessage,
                 HotlineDelivered, HotlineAcknowledged, HotlineOverdue, HotlineChannelChanged,
                 HumanitarianNotice, AgreementNotice, IncidentNotice>;

inline constexpr std::string_view kOperationConflict = "operation.conflict";
inline constexpr std::string_view kOperationEnded = "operation.ended";
inline constexpr std::string_view kPartyRevoked = "party.revoked";
inline constexpr std::string_view kEncounterOpened = "encounter.opened";
inline constexpr std::string_view kEncounterUpdated = "encounter.updated";
inline constexpr std::string_view kEncounterClosed = "encounter.closed";
inline constexpr std::string_view kEncounterUnacknowledged = "encounter.unacknowledged";
inline constexpr std::string_view kEncounterAcknowledged = "encounter.acknowledged";
inline constexpr std::string_view kHotlineMessage = "hotline.message";
inline constexpr std::string_view kHotlineDelivered = "hotline.delivered";
inline constexpr std::string_view kHotlineAcknowledged = "hotline.acknowledged";
inline constexpr std::string_view kHotlineOverdue = "hotline.overdue";
inline constexpr std::string_view kHotlineChannelCreated = "hotline.channel.created";
inline constexpr std::string_view kHotlineChannelSuspended = "hotline.channel.suspended";
inline constexpr std::string_view kHotlineChannelResumed = "hotline.channel.resumed";
inline constexpr std::string_view kHumanitarianNotified = "humanitarian.notified";
inline constexpr std::string_view kHumanitarianDelivered = "humanitarian.delivered";
inline constexpr std::string_view kHumanitarianAcknowledged = "humanitarian.acknowledged";
inline constexpr std::string_view kHumanitarianOverdue = "humanitarian.overdue";
inline constexpr std::string_view kHumanitarianConflict = "humanitarian.conflict";
inline constexpr std::string_view kProposalCreated = "proposal.created";
inline constexpr std::string_view kProposalDecided = "proposal.decided";
inline constexpr std::string_view kAgreementMade = "agreement.made";
inline constexpr std::string_view kProposalFailed = "proposal.failed";
inline constexpr std::string_view kAgreementAorConflict = "agreement.aor.conflict";
inline constexpr std::string_view kAgreementTerritoryOperation = "agreement.territory.operation";
inline constexpr std::string_view kIncidentReported = "incident.reported";
inline constexpr std::string_view kIncidentFinding = "incident.finding";
inline constexpr std::string_view kIncidentStatement = "incident.statement";
inline constexpr std::string_view kIncidentImported = "incident.imported";
inline constexpr std::string_view kCaseOpened = "case.opened";
inline constexpr std::string_view kCaseResponse = "case.response";
inline constexpr std::string_view kCaseOverdue = "case.overdue";
inline constexpr std::string_view kCaseClosed = "case.closed";

// The storage form of an alert (a JSON object with every field; non-finite times as null) and
// its reading. DecodeAlert: DataLoss naming what is missing or malformed.
std::string EncodeAlert(const EncounterAlert& alert);
[[nodiscard]] absl::StatusOr<EncounterAlert> DecodeAlert(std::string_view text);

std::string_view TypeName(const Payload& payload);

// The storage form of the hotline types (hotline_event.cc): the `detail` column, a JSON object,
// and its reading. IsHotlineType says whether `type` is one of them; DecodeHotlineDetail:
// DataLoss naming what is missing or malformed.
bool IsHotlineType(std::string_view type);
std::string EncodeHotlineDetail(const Payload& payload);
[[nodiscard]] absl::StatusOr<Payload> DecodeHotlineDetail(std::string_view type,
                                                          std::string_view detail);

// The storage form of humanitarian.* (humanitarian_event.cc), as for the hotline types.
bool IsHumanitarianType(std::string_view type);
std::string_view HumanitarianTypeName(HumanitarianNotice::Type type);
std::string EncodeHumanitarianDetail(const HumanitarianNotice& notice);
[[nodiscard]] absl::StatusOr<HumanitarianNotice> DecodeHumanitarianDetail(std::string_view type,
                                                                          std::string_view detail);

// The storage form of proposal.* and agreement.* (agreement_event.cc), as for the others.
bool IsAgreementType(std::string_view type);
std::string_view AgreementTypeName(AgreementNotice::Type type);
std::string EncodeAgreementDetail(const AgreementNotice& notice);
[[nodiscard]] absl::StatusOr<AgreementNotice> DecodeAgreementDetail(std::string_view type,
                                                                    std::string_view detail);

// The storage form of incident.* (incident_event.cc), as for the others.
bool IsIncidentType(std::string_view type);
std::string_view IncidentTypeName(IncidentNotice::Type type);
std::string EncodeIncidentDetail(const IncidentNotice& notice);
[[nodiscard]] absl::StatusOr<IncidentNotice> DecodeIncidentDetail(std::string_view type,
                                                                  std::string_view detail);

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
