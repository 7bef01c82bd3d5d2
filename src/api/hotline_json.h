// api/hotline_json.h: the JSON of the hotline (hotline/hotline.h): request bodies read strictly
// (unknown fields refused, every error naming its field) and the views the routes answer.
//
//   channel   {"id", "name", "members", "escalation_channel"?, "deadlines": {"flash": "PT2M",
//              "immediate", "priority", "routine"}, "created_by", "created_at", "suspended",
//              "suspension"?: {"by", "at", "reason"}, "ledger_index"}
//   sent      {"channel", "seq", "id", "ledger_index", "priority", "sent_at", "deadline",
//              "digest"}: the answer of a send (the contract bench/ relies on)
//   message   sent + {"sender", "subject", "body", "refs", "escalates"?, "overdue_at"?,
//              "escalated_to"?, "recipients", "delivered": [{"party", "at"}],
//              "acknowledged": [{"party", "at", "signed", "key_id"?}], "object_id"}
//   events    hotline.message: {"channel", "channel_seq", "id", "sender", "priority", "subject",
//              "body", "refs", "sent_at", "deadline", "escalates"?, "digest", "object_id",
//              "ledger_index"}; hotline.delivered / hotline.acknowledged: {"channel",
//              "channel_seq", "id", "party", "at", "signed"?, "ledger_index"}; hotline.overdue:
//              {"channel", "channel_seq", "id", "sender", "priority", "deadline", "laggards",
//              "escalated_to"?, "ledger_index"}; hotline.channel.*: {"channel", "name", "by",
//              "reason"?, "at", "ledger_index"}
// Times are RFC 3339, digests 64 hex digits: the object digest a signed acknowledgement signs
// (parties/acknowledgement.h, kind "hotline.message", object id "<channel>/<seq>").
//
// Thread-safe (pure functions).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "boost/json.hpp"
#include "events/event.h"
#include "hotline/hotline.h"

namespace deconflict::api {

// {"id", "name", "members", "escalation_channel"?, "deadlines"?}: deadlines absent keep the
// defaults (hotline::Deadlines).
[[nodiscard]] absl::StatusOr<hotline::ChannelRequest> ReadChannelRequest(std::string_view body);
// {"id", "priority", "subject", "body", "refs"?} for `channel`.
[[nodiscard]] absl::StatusOr<hotline::MessageRequest> ReadMessageRequest(const ChannelId& channel,
                                                                         std::string_view body);
// {"reason"}.
[[nodiscard]] absl::StatusOr<std::string> ReadSuspendReason(std::string_view body);
// Empty, {} or {"signature" (base64), "key_id"?, "signed_at"}.
[[nodiscard]] absl::StatusOr<std::optional<hotline::AckSignature>> ReadAckSignature(
    std::string_view body);

boost::json::object ChannelJson(const store::HotlineChannelRecord& channel);
boost::json::object SentJson(const store::HotlineMessageRecord& message);
boost::json::object MessageJson(const hotline::MessageView& view);
boost::json::object HotlineAckJson(const hotline::AckResult& result, const ChannelId& channel);

// Adds the fields of a hotline.* event to `out` (EventToJson's part for these types); false
// when `payload` is not one.
bool AddHotlineEventFields(const events::Payload& payload, boost::json::object& out);

}  // namespace deconflict::api
