#include "tests/scenarios/hotline_steps.h"

#include "common/clock.h"
#include "common/digest.h"
#include "common/ids.h"
#include "parties/acknowledgement.h"

namespace deconflict::e2e {
namespace {

namespace json = boost::json;

std::string Join(const std::vector<std::string>& w, size_t from) {
  std::string out;
  for (size_t i = from; i < w.size(); ++i) out += (out.empty() ? "" : " ") + w[i];
  return out;
}

}  // namespace

std::string HotlineSteps::IdOf(const std::string& name) {
  auto [it, inserted] = ids_.try_emplace(name, "");
  if (inserted) it->second = NewUuid();
  return it->second;
}

std::string HotlineSteps::NameOfId(const std::string& id) const {
  for (const auto& [name, uuid] : ids_) {
    if (uuid == id) return name;
  }
  return id;
}

std::optional<HotlineRequest> HotlineSteps::Request(const std::vector<std::string>& w) {
  const std::string& party = w.at(1);
  const std::string& verb = w.at(2);
  if (verb == "channel") {
    json::object body{{"id", w.at(3)}, {"name", w.at(3)}};
    json::array members;
    json::object deadlines;
    size_t i = 4;
    if (i < w.size() && w[i] == "members") {
      for (++i; i < w.size() && w[i] != "escalates" && w[i] != "flash" && w[i] != "immediate" &&
                w[i] != "priority" && w[i] != "routine";
           ++i) {
        members.emplace_back(w[i]);
      }
    }
    for (; i + 1 < w.size(); i += 2) {
      if (w[i] == "escalates") {
        body["escalation_channel"] = w[i + 1];
      } else {
        deadlines[w[i]] = w[i + 1];
      }
    }
    body["members"] = std::move(members);
    if (!deadlines.empty()) body["deadlines"] = std::move(deadlines);
    return HotlineRequest{"POST", "/v1/channels", json::serialize(body)};
  }
  if (verb == "send") {
    const std::string& msg = w.at(4);
    std::string text = "about " + msg;
    for (size_t i = 6; i < w.size(); ++i) {
      if (w[i] == "text")
        text = Join(w, i + 1), i = w.size();
      else if (w[i] == "size")
        text = std::string(std::stoul(w.at(i + 1)), 'x'), ++i;
    }
    json::object body{{"id", IdOf(msg)}, {"priority", w.at(5)}, {"subject", msg}, {"body", text}};
    return HotlineRequest{"POST", "/v1/channels/" + w.at(3) + "/messages", json::serialize(body)};
  }
  if (verb == "suspend") {
    return HotlineRequest{"POST", "/v1/channels/" + w.at(3) + "/suspend",
                          json::serialize(json::object{{"reason", Join(w, 4)}})};
  }
  if (verb == "resume") return HotlineRequest{"POST", "/v1/channels/" + w.at(3) + "/resume", ""};
  if (verb == "messages") {
    return HotlineRequest{"GET",
                          "/v1/channels/" + w.at(3) +
                              "/messages?limit=1000&after=" + std::to_string(seen_[party][w.at(3)]),
                          ""};
  }
  if (verb == "key") {
    keys_[party] = parties::GenerateSigningKey();
    const std::string& pub = keys_[party].public_key;
    return HotlineRequest{"PUT", "/v1/me/keys/" + parties::SigningKeyId(pub),
                          json::serialize(json::object{{"key", Base64(pub)}})};
  }
  if (verb == "ack" && w.size() >= 5) {  // `ack N` (4 words) is an encounter's
    const std::string& msg = w.at(4);
    const std::string target = "/v1/channels/" + w.at(3) + "/messages/" + IdOf(msg) + "/ack";
    if (w.size() < 6) return HotlineRequest{"POST", target, ""};
    const Timestamp now = std::chrono::floor<std::chrono::seconds>(SystemClock().Now());
    const parties::AckStatement statement{
        .kind = parties::kAckKindHotlineMessage,
        .object_id = sent_[msg].object_id,
        .object_digest = FromHex(sent_[msg].digest_hex).value_or(""),
        .party = PartyId(party),
        .time = now};
    std::string signature =
        parties::SignAcknowledgement(keys_[party], statement).value_or(std::string(64, '\0'));
    if (w[5] == "badly-signed") signature[0] = static_cast<char>(signature[0] ^ 1);
    return HotlineRequest{
        "POST", target,
        json::serialize(json::object{{"signature", Base64(signature)},
                                     {"signed_at", parties::FormatAckTime(now)}})};
  }
  return std::nullopt;
}

void HotlineSteps::Answered(const std::vector<std::string>& w, int status,
                            const json::value& body) {
  const std::string& verb = w.at(2);
  if (verb == "send" && (status == 200 || status == 201)) {
    sent_[w.at(4)] = Sent{std::string(body.at("object_id").as_string()),
                          std::string(body.at("digest").as_string())};
  } else if (verb == "messages" && status == 200) {
    seen_[w.at(1)][w.at(3)] = body.at("next_after").to_number<int64_t>();
    for (const json::value& m : body.at("messages").as_array()) {
      sent_.try_emplace(NameOfId(std::string(m.at("id").as_string())),
                        Sent{std::string(m.at("object_id").as_string()),
                             std::string(m.at("digest").as_string())});
    }
  }
}

std::optional<std::string> HotlineSteps::EventName(const json::object& o) const {
  const std::string type(o.at("type").as_string());
  if (type.rfind("hotline.", 0) != 0) return std::nullopt;
  if (const json::value* escalates = o.if_contains("escalates")) {
    for (const auto& [name, sent] : sent_) {
      if (sent.object_id == escalates->as_string()) return type + ":escalation-of-" + name;
    }
  }
  if (const json::value* id = o.if_contains("id")) {
    return type + ":" + NameOfId(std::string(id->as_string()));
  }
  return type + ":" + std::string(o.at("channel").as_string());
}

std::vector<std::string> HotlineSteps::MessageNames(const json::value& body) const {
  std::vector<std::string> names;
  for (const json::value& m : body.at("messages").as_array()) {
    names.push_back(NameOfId(std::string(m.at("id").as_string())));
  }
  return names;
}

}  // namespace deconflict::e2e
