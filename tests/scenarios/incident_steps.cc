#include "tests/scenarios/incident_steps.h"

#include <stdexcept>

#include "common/digest.h"
#include "common/time.h"
#include "parties/acknowledgement.h"
#include "store/cases_table.h"
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

// Adds "signature" and "signed_at" to `body`: `key`'s signature of the statement (with one bit
// flipped when `how` is badly-signed). `what` names the act in the error for another `how`.
void AddSignature(json::object& body, const parties::PrivateSigningKey& key,
                  parties::AckStatement statement, const std::string& how, std::string_view what) {
  std::string signature =
      parties::SignAcknowledgement(key, statement).value_or(std::string(64, '\0'));
  if (how == "badly-signed") {
    signature[0] = static_cast<char>(signature[0] ^ 1);
  } else if (how != "signed") {
    throw std::invalid_argument(std::string(what) + " is signed, badly-signed or unsigned, not " +
                                how);
  }
  body["signature"] = Base64(signature);
  body["signed_at"] = parties::FormatAckTime(statement.time);
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
  body["version"] = shown->second.version;
  AddSignature(
      body, *key,
      parties::AckStatement{.kind = "incident.finding",
                            .object_id = store::IncidentObjectId(id, shown->second.version),
                            .object_digest = digest,
                            .party = PartyId(party),
                            .time = now},
      how, "a finding");
  return json::serialize(body);
}

std::string IncidentSteps::CloseBody(const std::vector<std::string>& w) const {
  const std::string& party = w.at(1);
  const std::string& id = w.at(3);
  const std::string& finding = w.at(4);
  const std::string how = w.size() > 5 ? w[5] : "signed";
  json::object body{{"finding", finding}};
  if (how == "unsigned") return json::serialize(body);
  const parties::PrivateSigningKey* key = keys_.KeyOf(party);
  auto shown = case_digests_.find(id);
  if (key == nullptr) throw std::invalid_argument(party + " has no key: add a `key` step");
  if (shown == case_digests_.end()) throw std::invalid_argument("no answer showed case " + id);
  // Signed "now" on the server's clock, which a `serve --clock-offset-s` step may have moved:
  // the case's opening time (seconds ago) stands for it.
  const Timestamp now = std::chrono::floor<std::chrono::seconds>(
      ParseRfc3339(shown->second.opened_at).value_or(SystemClock().Now()));
  const std::string digest =
      store::CaseCloseDigest(id, FromHex(shown->second.digest_hex).value_or(""), finding, "");
  AddSignature(body, *key,
               parties::AckStatement{.kind = "case.close",
                                     .object_id = id,
                                     .object_digest = digest,
                                     .party = PartyId(party),
                                     .time = now},
               how, "a close");
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
  if (verb == "cases") return IncidentRequest{"GET", "/v1/cases", ""};
  if (verb == "case") return IncidentRequest{"GET", "/v1/cases/" + w.at(3), ""};
  if (verb == "respond") {
    std::string text;
    for (size_t i = 4; i < w.size(); ++i) text += (i > 4 ? " " : "") + w[i];
    return IncidentRequest{"POST", "/v1/cases/" + w.at(3) + "/responses",
                           json::serialize(json::object{{"text", text}})};
  }
  if (verb == "close-case") {
    return IncidentRequest{"POST", "/v1/cases/" + w.at(3) + "/close", CloseBody(w)};
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
  if ((verb == "case" || verb == "respond" || verb == "close-case") && o.contains("sign")) {
    case_digests_[std::string(o.at("id").as_string())] =
        ShownCase{.digest_hex = std::string(o.at("sign").at("case_digest").as_string()),
                  .opened_at = std::string(o.at("opened_at").as_string())};
    return;
  }
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
  if (type.rfind("incident.", 0) != 0 && type.rfind("case.", 0) != 0) return std::nullopt;
  return type + ":" + std::string(event.at("id").as_string());
}

bool IncidentSteps::IsExpectation(std::string_view word) {
  return word == "incident-status" || word == "findings" || word == "groups" || word == "cases" ||
         word == "case-closed-by" || word == "case-places" || word == "case-recipients" ||
         word == "case-operations" || word == "case-tracks" || word == "case-respondents" ||
         word == "case-withheld";
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
  } else if (what == "cases") {
    for (const json::value& c : body.at("cases").as_array()) {
      out.emplace_back(c.at("id").as_string());
    }
  } else if (what == "case-closed-by") {
    if (!body.at("close").is_null()) out.emplace_back(body.at("close").at("by").as_string());
  } else if (what == "case-places") {
    for (const json::value& p : body.at("places").as_array()) {
      out.push_back(std::string(p.at("kind").as_string()) + "/" +
                    std::string(p.at("id").as_string()));
    }
  } else if (what == "case-recipients") {
    for (const json::value& r : body.at("recipients").as_array()) {
      const std::string state = r.at("signed").as_bool()             ? "signed"
                                : !r.at("acknowledged_at").is_null() ? "acknowledged"
                                : !r.at("delivered_at").is_null()    ? "delivered"
                                                                     : "none";
      out.push_back(std::string(r.at("party").as_string()) + ":" + state);
    }
  } else if (what == "case-operations") {
    for (const json::value& op : body.at("operations").as_array()) {
      out.push_back(std::string(op.at("party").as_string()) +
                    (op.at("overlap_only").as_bool() ? ":overlap" : ""));
    }
  } else if (what == "case-tracks") {
    for (const json::value& t : body.at("tracks").as_array()) {
      out.push_back(std::string(t.at("party").as_string()) + "/" +
                    std::string(t.at("track").as_string()));
    }
  } else if (what == "case-respondents") {
    for (const json::value& r : body.at("respondents").as_array()) {
      const std::string state = !r.at("responded_at").is_null() ? ":responded"
                                : !r.at("overdue_at").is_null() ? ":overdue"
                                                                : "";
      out.push_back(std::string(r.at("party").as_string()) + state);
    }
  } else if (what == "case-withheld") {
    for (const json::value& p : body.at("withheld").at("places").as_array()) {
      out.emplace_back(p.as_string());
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
