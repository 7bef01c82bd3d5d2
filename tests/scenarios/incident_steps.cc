#include "tests/scenarios/incident_steps.h"

#include <stdexcept>

#include "common/digest.h"
#include "parties/acknowledgement.h"
#include "store/incidents_table.h"
#include "tests/scenarios/step_time.h"

namespace deconflict::e2e {
namespace {

namespace json = boost::json;

std::string Spaced(std::string word) {
  for (char& c : word) {
    if (c == '_') c = ' ';
  }
  return word;
}

std::string Underscored(std::string text) {
  for (char& c : text) {
    if (c == ' ') c = '_';
  }
  return text;
}

}  // namespace

std::string IncidentSteps::FindingBody(const std::vector<std::string>& w) const {
  const std::string& party = w.at(1);
  const std::string& id = w.at(3);
  json::object body{{"finding", w.at(4)}, {"confidence", "high"}};
  std::string attributed, how = "signed";
  for (size_t i = 5; i < w.size(); ++i) {
    if (w[i] == "attributed") {
      attributed = w.at(++i);
      body["attributed_party"] = attributed;
    } else {
      how = w[i];
    }
  }
  if (how == "unsigned") return json::serialize(body);
  const parties::PrivateSigningKey* key = keys_.KeyOf(party);
  auto shown = incidents_.find(id);
  if (key == nullptr) throw std::invalid_argument(party + " has no key: add a `key` step");
  if (shown == incidents_.end()) throw std::invalid_argument("no answer showed incident " + id);
  const Timestamp now = std::chrono::floor<std::chrono::seconds>(SystemClock().Now());
  const std::string digest = store::IncidentFindingDigest(
      id, shown->second.version, FromHex(shown->second.digest_hex).value_or(""), w.at(4),
      attributed, "high", "");
  std::string signature =
      parties::SignAcknowledgement(*key, parties::AckStatement{.kind = "incident.finding",
                                                               .object_id = store::IncidentObjectId(
                                                                   id, shown->second.version),
                                                               .object_digest = digest,
                                                               .party = PartyId(party),
                                                               .time = now})
          .value_or(std::string(64, '\0'));
  if (how == "badly-signed") {
    signature[0] = static_cast<char>(signature[0] ^ 1);
  } else if (how != "signed") {
    throw std::invalid_argument("a finding is signed, badly-signed or unsigned, not " + how);
  }
  body["version"] = shown->second.version;
  body["signature"] = Base64(signature);
  body["signed_at"] = parties::FormatAckTime(now);
  return json::serialize(body);
}

std::optional<IncidentRequest> IncidentSteps::Request(const std::vector<std::string>& w) {
  const std::string& verb = w.at(2);
  if (verb == "report") {
    // report ID EVENT SUB at OFFSET LAT,LNG [alleged P] [fatalities N]
    if (w.at(6) != "at") throw std::invalid_argument("report ID EVENT SUB at OFFSET LAT,LNG");
    const std::string& ll = w.at(8);
    const size_t comma = ll.find(',');
    json::object body{{"occurred_at", TimeIn(w.at(7))},
                      {"location", json::object{{"lat", std::stod(ll.substr(0, comma))},
                                                {"lng", std::stod(ll.substr(comma + 1))}}},
                      {"event_type", Spaced(w.at(4))},
                      {"sub_event_type", Spaced(w.at(5))}};
    for (size_t i = 9; i + 1 < w.size(); i += 2) {
      if (w[i] == "alleged") body["alleged_party"] = w[i + 1];
      if (w[i] == "fatalities") body["fatalities"] = json::object{{"best", std::stoi(w[i + 1])}};
    }
    return IncidentRequest{"PUT", "/v1/incidents/" + w.at(3), json::serialize(body)};
  }
  if (verb == "incident") return IncidentRequest{"GET", "/v1/incidents/" + w.at(3), ""};
  if (verb == "find") {
    return IncidentRequest{"POST", "/v1/incidents/" + w.at(3) + "/findings", FindingBody(w)};
  }
  if (verb == "reply") {
    std::string text;
    for (size_t i = 4; i < w.size(); ++i) text += (i > 4 ? " " : "") + w[i];
    return IncidentRequest{"POST", "/v1/incidents/" + w.at(3) + "/statements",
                           json::serialize(json::object{{"text", text}})};
  }
  if (verb == "incident-stats") {
    return IncidentRequest{"GET",
                           "/v1/incidents/stats?from=" + TimeIn(w.at(3)) +
                               "&to=" + TimeIn(w.at(4)) + "&group_by=" + w.at(5),
                           ""};
  }
  return std::nullopt;
}

void IncidentSteps::Answered(const std::vector<std::string>& w, int status,
                             const json::value& body) {
  const std::string& verb = w.at(2);
  if (status >= 300 || !body.is_object()) return;
  const json::object& o = body.as_object();
  const json::object* incident = nullptr;
  if (verb == "report") incident = &o;
  if ((verb == "incident" || verb == "find" || verb == "reply") && o.contains("incident")) {
    incident = &o.at("incident").as_object();
  }
  if (incident == nullptr) return;
  incidents_[std::string(incident->at("id").as_string())] =
      Seen{.version = incident->at("version").to_number<int64_t>(),
           .digest_hex = std::string(incident->at("digest").as_string())};
}

std::optional<std::string> IncidentSteps::EventName(const json::object& event) const {
  const std::string type(event.at("type").as_string());
  if (type.rfind("incident.", 0) != 0) return std::nullopt;
  return type + ":" + std::string(event.at("id").as_string());
}

bool IncidentSteps::IsExpectation(std::string_view word) {
  return word == "incident-status" || word == "findings" || word == "groups";
}

std::set<std::string> IncidentSteps::Shown(const std::string& what, const json::value& body) const {
  const std::vector<std::string> all = ShownInOrder(what, body);
  return {all.begin(), all.end()};
}

std::vector<std::string> IncidentSteps::ShownInOrder(const std::string& what,
                                                     const json::value& body) const {
  std::vector<std::string> out;
  if (what == "incident-status") {
    out.emplace_back(body.at("status").as_string());
  } else if (what == "findings") {
    for (const json::value& f : body.at("findings").as_array()) {
      out.push_back(std::string(f.at("guarantor").as_string()) + ":" +
                    std::string(f.at("finding").as_string()));
    }
  } else if (what == "groups") {
    for (const json::value& g : body.at("groups").as_array()) {
      out.push_back(Underscored(std::string(g.at("key").as_string())) + ":" +
                    std::to_string(g.at("count").as_int64()));
    }
  }
  return out;
}

}  // namespace deconflict::e2e
