#include "api/hotline_json.h"

#include <algorithm>

#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"
#include "parties/acknowledgement.h"

namespace deconflict::api {
namespace {

namespace json = boost::json;

absl::StatusOr<json::value> BodyJson(std::string_view body) {
  if (body.empty()) return InvalidField("body", "is empty; send a JSON object");
  return ParseJson(body);
}

// An array of strings at `path`.
absl::StatusOr<std::vector<std::string>> Strings(const json::value& v, std::string_view path) {
  if (!v.is_array()) return InvalidField(path, "must be an array of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < v.get_array().size(); ++i) {
    const json::value& item = v.get_array()[i];
    if (!item.is_string()) return InvalidField(IndexPath(path, i), "must be a string");
    out.emplace_back(item.get_string());
  }
  return out;
}

json::array Receipts(const std::vector<store::HotlineReceiptRecord>& receipts, bool acks) {
  json::array out;
  for (const store::HotlineReceiptRecord& r : receipts) {
    json::object o{{"party", r.party}, {"at", FormatRfc3339(r.at)}};
    if (acks) {
      o["signed"] = !r.signature.empty();
      if (!r.key_id.empty()) o["key_id"] = r.key_id;
      o["ledger_index"] = r.ledger_index;
    }
    out.push_back(std::move(o));
  }
  return out;
}

json::object ReceiptEventJson(const events::HotlineReceipt& r, bool ack) {
  json::object o{{"channel", r.channel.value()}, {"channel_seq", r.channel_seq},
                 {"id", r.id.value()},           {"party", r.party.value()},
                 {"at", FormatRfc3339(r.at)},    {"ledger_index", r.ledger_index}};
  if (ack) {
    o["signed"] = r.is_signed;
  } else {
    o["through_seq"] = std::max(r.through_seq, r.channel_seq);
  }
  return o;
}

void Merge(json::object& into, json::object from) {
  for (auto& [key, value] : from) into[key] = std::move(value);
}

}  // namespace

absl::StatusOr<hotline::ChannelRequest> ReadChannelRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::value doc, BodyJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  hotline::ChannelRequest request;
  ASSIGN_OR_RETURN(std::string id, o.String("id"));
  request.id = ChannelId(std::move(id));
  ASSIGN_OR_RETURN(request.name, o.String("name"));
  ASSIGN_OR_RETURN(const json::value* members, o.Required("members"));
  ASSIGN_OR_RETURN(std::vector<std::string> ids, Strings(*members, "members"));
  for (std::string& m : ids) request.members.emplace_back(std::move(m));
  if (o.Find("escalation_channel") != nullptr) {
    ASSIGN_OR_RETURN(std::string up, o.String("escalation_channel"));
    request.escalation_channel = ChannelId(std::move(up));
  }
  if (o.Find("deadlines") != nullptr) {
    ASSIGN_OR_RETURN(JsonObject d, o.Object("deadlines"));
    for (hotline::Priority p : hotline::kPriorities) {
      const std::string name(hotline::PriorityName(p));
      if (d.Find(name) == nullptr) continue;
      ASSIGN_OR_RETURN(std::string text, d.String(name));
      ASSIGN_OR_RETURN(request.deadlines.by_priority[static_cast<size_t>(p)],
                       hotline::ParseIsoDuration(text, d.PathOf(name)));
    }
    RETURN_IF_ERROR(d.NoOtherFields());
  }
  RETURN_IF_ERROR(o.NoOtherFields());
  return request;
}

absl::StatusOr<hotline::MessageRequest> ReadMessageRequest(const ChannelId& channel,
                                                           std::string_view body) {
  ASSIGN_OR_RETURN(json::value doc, BodyJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  hotline::MessageRequest request{.channel = channel};
  ASSIGN_OR_RETURN(std::string id, o.String("id"));
  request.id = MessageId(std::move(id));
  ASSIGN_OR_RETURN(std::string priority, o.String("priority"));
  ASSIGN_OR_RETURN(request.priority, hotline::ParsePriority(priority));
  ASSIGN_OR_RETURN(request.subject, o.String("subject"));
  ASSIGN_OR_RETURN(request.body, o.String("body"));
  if (const json::value* refs = o.Find("refs")) {
    ASSIGN_OR_RETURN(request.refs, Strings(*refs, "refs"));
  }
  RETURN_IF_ERROR(o.NoOtherFields());
  return request;
}

absl::StatusOr<std::string> ReadSuspendReason(std::string_view body) {
  ASSIGN_OR_RETURN(json::value doc, BodyJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  ASSIGN_OR_RETURN(std::string reason, o.String("reason"));
  RETURN_IF_ERROR(o.NoOtherFields());
  return reason;
}

absl::StatusOr<std::optional<hotline::AckSignature>> ReadAckSignature(std::string_view body) {
  if (body.empty()) return std::nullopt;
  ASSIGN_OR_RETURN(json::value doc, ParseJson(body));
  ASSIGN_OR_RETURN(JsonObject o, JsonObject::Of(doc, ""));
  std::optional<hotline::AckSignature> signature;
  if (o.Find("signature") != nullptr) {
    ASSIGN_OR_RETURN(std::string b64, o.String("signature"));
    std::optional<std::string> raw = FromAnyBase64(b64);
    if (!raw) return InvalidField("signature", "must be base64 of the 64-byte Ed25519 signature");
    ASSIGN_OR_RETURN(std::string signed_at, o.String("signed_at"));
    ASSIGN_OR_RETURN(Timestamp at, parties::ParseAckTime(signed_at, "signed_at"));
    signature = hotline::AckSignature{.signature = *std::move(raw), .signed_at = at};
    if (o.Find("key_id") != nullptr) {
      ASSIGN_OR_RETURN(signature->key_id, o.String("key_id"));
    }
  }
  RETURN_IF_ERROR(o.NoOtherFields());
  return signature;
}

json::object ChannelJson(const store::HotlineChannelRecord& c) {
  json::array members;
  for (const std::string& m : c.members) members.emplace_back(m);
  json::object deadlines;
  for (hotline::Priority p : hotline::kPriorities) {
    deadlines[hotline::PriorityName(p)] = hotline::FormatIsoDuration(
        std::chrono::microseconds(c.deadline_us[static_cast<size_t>(p)]));
  }
  json::object o{{"id", c.id},
                 {"name", c.name},
                 {"members", std::move(members)},
                 {"deadlines", std::move(deadlines)},
                 {"created_by", c.created_by},
                 {"created_at", FormatRfc3339(c.created_at)},
                 {"suspended", c.suspended_at.has_value()},
                 {"ledger_index", c.state_ledger_index}};
  if (!c.escalation_channel.empty()) o["escalation_channel"] = c.escalation_channel;
  if (c.suspended_at) {
    o["suspension"] = json::object{{"by", c.suspended_by},
                                   {"at", FormatRfc3339(*c.suspended_at)},
                                   {"reason", c.suspend_reason}};
  }
  return o;
}

json::object SentJson(const store::HotlineMessageRecord& m) {
  return json::object{{"channel", m.channel},
                      {"seq", m.seq},
                      {"id", m.id},
                      {"ledger_index", m.ledger_index},
                      {"priority", m.priority},
                      {"sent_at", FormatRfc3339(m.sent_at)},
                      {"deadline", FormatRfc3339(m.deadline_at)},
                      {"digest", Hex(m.digest)},
                      {"object_id", store::HotlineObjectId(m.channel, m.seq)}};
}

json::object MessageJson(const hotline::MessageView& view) {
  const store::HotlineMessageRecord& m = view.message;
  json::object o = SentJson(m);
  json::array refs, recipients;
  for (const std::string& r : m.refs) refs.emplace_back(r);
  for (const PartyId& p : view.recipients) recipients.emplace_back(p.value());
  o["sender"] = m.sender;
  o["subject"] = m.subject;
  o["body"] = m.body;
  o["refs"] = std::move(refs);
  if (!m.escalates.empty()) o["escalates"] = m.escalates;
  if (m.overdue_at) o["overdue_at"] = FormatRfc3339(*m.overdue_at);
  if (!m.escalated_to.empty()) o["escalated_to"] = m.escalated_to;
  o["recipients"] = std::move(recipients);
  o["delivered"] = Receipts(view.deliveries, false);
  o["acknowledged"] = Receipts(view.acks, true);
  return o;
}

json::object HotlineAckJson(const hotline::AckResult& result, const ChannelId& channel) {
  const store::HotlineReceiptRecord& ack = result.ack;
  json::object o{{"channel", channel.value()},
                 {"object_id", result.object_id},
                 {"id", ack.message},
                 {"party", ack.party},
                 {"at", FormatRfc3339(ack.at)},
                 {"signed", !ack.signature.empty()},
                 {"ledger_index", ack.ledger_index}};
  if (!ack.key_id.empty()) o["key_id"] = ack.key_id;
  return o;
}

bool AddHotlineEventFields(const events::Payload& payload, json::object& out) {
  if (const auto* m = std::get_if<events::HotlineMessage>(&payload)) {
    json::array refs;
    for (const std::string& r : m->refs) refs.emplace_back(r);
    Merge(out,
          json::object{{"channel", m->channel.value()},
                       {"channel_seq", m->channel_seq},
                       {"id", m->id.value()},
                       {"sender", m->sender.value()},
                       {"priority", m->priority},
                       {"subject", m->subject},
                       {"body", m->body},
                       {"refs", std::move(refs)},
                       {"sent_at", FormatRfc3339(m->sent_at)},
                       {"deadline", FormatRfc3339(m->deadline)},
                       {"digest", Hex(m->digest)},
                       {"object_id", store::HotlineObjectId(m->channel.value(), m->channel_seq)},
                       {"ledger_index", m->ledger_index}});
    if (!m->escalates.empty()) out["escalates"] = m->escalates;
  } else if (const auto* d = std::get_if<events::HotlineDelivered>(&payload)) {
    Merge(out, ReceiptEventJson(d->receipt, false));
  } else if (const auto* a = std::get_if<events::HotlineAcknowledged>(&payload)) {
    Merge(out, ReceiptEventJson(a->receipt, true));
  } else if (const auto* o = std::get_if<events::HotlineOverdue>(&payload)) {
    json::array laggards;
    for (const PartyId& p : o->laggards) laggards.emplace_back(p.value());
    Merge(out, json::object{{"channel", o->channel.value()},
                            {"channel_seq", o->channel_seq},
                            {"id", o->id.value()},
                            {"sender", o->sender.value()},
                            {"priority", o->priority},
                            {"deadline", FormatRfc3339(o->deadline)},
                            {"laggards", std::move(laggards)},
                            {"ledger_index", o->ledger_index}});
    if (!o->escalated_to.empty()) out["escalated_to"] = o->escalated_to;
  } else if (const auto* c = std::get_if<events::HotlineChannelChanged>(&payload)) {
    Merge(out, json::object{{"channel", c->channel.value()},
                            {"name", c->name},
                            {"by", c->by.value()},
                            {"at", FormatRfc3339(c->at)},
                            {"ledger_index", c->ledger_index}});
    if (!c->reason.empty()) out["reason"] = c->reason;
  } else {
    return false;
  }
  return true;
}

}  // namespace deconflict::api
