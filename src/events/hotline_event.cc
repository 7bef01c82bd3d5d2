// events/hotline_event.cc: the storage form of the hotline event types (event.h): one JSON object
// per row in the `detail` column, with every field of the payload; times in microseconds,
// digests in hex.
#include "boost/json.hpp"
#include "common/digest.h"
#include "common/status.h"
#include "events/event.h"
#include "fmt/format.h"

namespace deconflict::events {
namespace {

namespace json = boost::json;

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

json::array Strings(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

json::object ReceiptJson(const HotlineReceipt& r) {
  json::object o{{"channel", r.channel.value()},  {"seq", r.channel_seq}, {"id", r.id.value()},
                 {"party", r.party.value()},      {"at", Micros(r.at)},   {"signed", r.is_signed},
                 {"ledger_index", r.ledger_index}};
  if (r.through_seq != 0) o["through"] = r.through_seq;
  return o;
}

// Reads fields of a detail object; the first error is kept and reported by status().
class Reader {
 public:
  explicit Reader(const json::object& o) : o_(o) {}
  std::string Text(std::string_view name) {
    const json::value* v = o_.if_contains(name);
    if (v == nullptr || !v->is_string()) return Fail(name, "is not a string"), std::string();
    return std::string(v->get_string());
  }
  int64_t Int(std::string_view name) {
    const json::value* v = o_.if_contains(name);
    if (v == nullptr || !v->is_int64()) return Fail(name, "is not an integer"), 0;
    return v->get_int64();
  }
  // An integer that older rows lack: `absent` then.
  int64_t OptionalInt(std::string_view name, int64_t absent) {
    return o_.if_contains(name) == nullptr ? absent : Int(name);
  }
  bool Bool(std::string_view name) {
    const json::value* v = o_.if_contains(name);
    return v != nullptr && v->is_bool() && v->get_bool();
  }
  std::vector<std::string> List(std::string_view name) {
    std::vector<std::string> out;
    const json::value* v = o_.if_contains(name);
    if (v == nullptr || !v->is_array()) return Fail(name, "is not an array"), out;
    for (const json::value& item : v->get_array()) {
      if (!item.is_string()) return Fail(name, "holds a non-string"), out;
      out.emplace_back(item.get_string());
    }
    return out;
  }
  std::string Digest(std::string_view name) {
    std::optional<std::string> raw = FromHex(Text(name));
    if (!raw) Fail(name, "is not hex");
    return raw.value_or("");
  }
  HotlineReceipt Receipt() {
    return HotlineReceipt{.channel = ChannelId(Text("channel")),
                          .channel_seq = Int("seq"),
                          .id = MessageId(Text("id")),
                          .party = PartyId(Text("party")),
                          .at = FromMicros(Int("at")),
                          .is_signed = Bool("signed"),
                          .ledger_index = Int("ledger_index"),
                          .through_seq = OptionalInt("through", 0)};
  }
  absl::Status status() const { return status_; }

 private:
  void Fail(std::string_view name, std::string_view what) {
    if (status_.ok()) status_ = absl::DataLossError(fmt::format("hotline: '{}' {}", name, what));
  }
  const json::object& o_;
  absl::Status status_;
};

}  // namespace

bool IsHotlineType(std::string_view type) { return type.rfind("hotline.", 0) == 0; }

std::string EncodeHotlineDetail(const Payload& payload) {
  json::object o =
      std::visit(Overloaded{[](const HotlineMessage& m) {
                              return json::object{{"channel", m.channel.value()},
                                                  {"seq", m.channel_seq},
                                                  {"id", m.id.value()},
                                                  {"sender", m.sender.value()},
                                                  {"priority", m.priority},
                                                  {"subject", m.subject},
                                                  {"body", m.body},
                                                  {"refs", Strings(m.refs)},
                                                  {"sent_at", Micros(m.sent_at)},
                                                  {"deadline", Micros(m.deadline)},
                                                  {"escalates", m.escalates},
                                                  {"digest", Hex(m.digest)},
                                                  {"ledger_index", m.ledger_index}};
                            },
                            [](const HotlineDelivered& d) { return ReceiptJson(d.receipt); },
                            [](const HotlineAcknowledged& a) { return ReceiptJson(a.receipt); },
                            [](const HotlineOverdue& o) {
                              json::array laggards;
                              for (const PartyId& p : o.laggards) laggards.emplace_back(p.value());
                              return json::object{{"channel", o.channel.value()},
                                                  {"seq", o.channel_seq},
                                                  {"id", o.id.value()},
                                                  {"sender", o.sender.value()},
                                                  {"priority", o.priority},
                                                  {"deadline", Micros(o.deadline)},
                                                  {"laggards", std::move(laggards)},
                                                  {"escalated_to", o.escalated_to},
                                                  {"ledger_index", o.ledger_index}};
                            },
                            [](const HotlineChannelChanged& c) {
                              return json::object{
                                  {"channel", c.channel.value()}, {"name", c.name},
                                  {"by", c.by.value()},           {"reason", c.reason},
                                  {"at", Micros(c.at)},           {"ledger_index", c.ledger_index}};
                            },
                            [](const auto&) { return json::object(); }},
                 payload);
  return json::serialize(o);
}

absl::StatusOr<Payload> DecodeHotlineDetail(std::string_view type, std::string_view detail) {
  boost::system::error_code ec;
  json::value v = json::parse(detail, ec);
  if (ec || !v.is_object()) return absl::DataLossError("hotline: detail is not a JSON object");
  Reader r(v.as_object());
  Payload payload;
  if (type == kHotlineMessage) {
    payload = HotlineMessage{.channel = ChannelId(r.Text("channel")),
                             .channel_seq = r.Int("seq"),
                             .id = MessageId(r.Text("id")),
                             .sender = PartyId(r.Text("sender")),
                             .priority = r.Text("priority"),
                             .subject = r.Text("subject"),
                             .body = r.Text("body"),
                             .refs = r.List("refs"),
                             .sent_at = FromMicros(r.Int("sent_at")),
                             .deadline = FromMicros(r.Int("deadline")),
                             .escalates = r.Text("escalates"),
                             .digest = r.Digest("digest"),
                             .ledger_index = r.Int("ledger_index")};
  } else if (type == kHotlineDelivered) {
    HotlineDelivered d{r.Receipt()};
    // A row stored before runs covers its one message.
    if (d.receipt.through_seq == 0) d.receipt.through_seq = d.receipt.channel_seq;
    payload = std::move(d);
  } else if (type == kHotlineAcknowledged) {
    payload = HotlineAcknowledged{r.Receipt()};
  } else if (type == kHotlineOverdue) {
    HotlineOverdue o{.channel = ChannelId(r.Text("channel")),
                     .channel_seq = r.Int("seq"),
                     .id = MessageId(r.Text("id")),
                     .sender = PartyId(r.Text("sender")),
                     .priority = r.Text("priority"),
                     .deadline = FromMicros(r.Int("deadline")),
                     .escalated_to = r.Text("escalated_to"),
                     .ledger_index = r.Int("ledger_index")};
    for (std::string& p : r.List("laggards")) o.laggards.emplace_back(std::move(p));
    payload = std::move(o);
  } else if (type == kHotlineChannelCreated || type == kHotlineChannelSuspended ||
             type == kHotlineChannelResumed) {
    using Change = HotlineChannelChanged::Change;
    payload =
        HotlineChannelChanged{.change = type == kHotlineChannelCreated     ? Change::kCreated
                                        : type == kHotlineChannelSuspended ? Change::kSuspended
                                                                           : Change::kResumed,
                              .channel = ChannelId(r.Text("channel")),
                              .name = r.Text("name"),
                              .by = PartyId(r.Text("by")),
                              .reason = r.Text("reason"),
                              .at = FromMicros(r.Int("at")),
                              .ledger_index = r.Int("ledger_index")};
  } else {
    return absl::DataLossError(fmt::format("unknown hotline event type '{}'", type));
  }
  RETURN_IF_ERROR(r.status());
  return payload;
}

}  // namespace deconflict::events
