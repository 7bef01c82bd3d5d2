#include "tests/scenarios/agreements_steps.h"

#include <stdexcept>

#include "common/clock.h"
#include "common/digest.h"
#include "common/time.h"
#include "parties/acknowledgement.h"
#include "tests/scenarios/step_time.h"

namespace deconflict::e2e {
namespace {

namespace json = boost::json;

// A closed GeoJSON Polygon of the scenario's LAT,LNG words from w[i]; advances i.
json::object Polygon(const std::vector<std::string>& w, size_t& i) {
  json::array positions;
  for (; i < w.size() && w[i].find(',') != std::string::npos; ++i) {
    const size_t comma = w[i].find(',');
    positions.push_back(
        json::array{std::stod(w[i].substr(comma + 1)), std::stod(w[i].substr(0, comma))});
  }
  if (!positions.empty()) positions.push_back(positions.front());
  json::array rings;  // not array{positions}, which clang takes as a copy (CWG 1467)
  rings.emplace_back(std::move(positions));
  return json::object{{"type", "Polygon"}, {"coordinates", std::move(rings)}};
}

}  // namespace

std::string AgreementSteps::ProposeBody(const std::vector<std::string>& w) const {
  const std::string& kind = w.at(4);
  json::object body;
  json::object content;
  size_t i = 5;
  if (kind == "list-entry") {
    body["kind"] = "list_entry";
    content = {{"list", w.at(5)}, {"op", w.at(6)}, {"entry", {{"name", w.at(7)}}}};
    i = 8;
  } else if (kind == "aor" || kind == "territory") {
    body["kind"] = kind == "aor" ? "area_of_responsibility" : "territory";
    content["party"] = w.at(5);
    i = 6;
    if (w.at(i++) != "polygon") throw std::invalid_argument("want polygon after the holder");
    content["area"] = Polygon(w, i);
    if (kind == "aor") {
      if (w.at(i++) != "alt") throw std::invalid_argument("an aor wants alt LO HI");
      content["altitude_lower_m"] = std::stod(w.at(i++));
      content["altitude_upper_m"] = std::stod(w.at(i++));
      if (w.at(i++) != "time") throw std::invalid_argument("an aor wants time FROM TO");
      content["time_start"] = TimeIn(w.at(i++));
      content["time_end"] = TimeIn(w.at(i++));
    }
  } else if (kind == "text") {
    body["kind"] = "text";
    content = {{"title", w.at(5)}, {"text", "Agreed text: " + w.at(5)}};
    i = 6;
  } else {
    throw std::invalid_argument("propose takes list-entry, aor, territory or text, not " + kind);
  }
  body["content"] = std::move(content);
  body["expires_at"] = TimeIn("+1h");
  while (i < w.size()) {
    const std::string& word = w[i++];
    if (word == "approvers") {
      json::array approvers;
      for (; i < w.size() && w[i] != "expires" && w[i] != "amends" && w[i] != "withdraw"; ++i) {
        approvers.emplace_back(w[i]);
      }
      body["approvers"] = std::move(approvers);
    } else if (word == "expires") {
      body["expires_at"] = TimeIn(w.at(i++));
    } else if (word == "amends") {
      body["amends"] = w.at(i++);
    } else if (word == "withdraw") {
      body["withdraw"] = true;
    } else {
      throw std::invalid_argument("unexpected '" + word + "' in a proposal");
    }
  }
  return json::serialize(body);
}

std::string AgreementSteps::DecisionBody(const std::string& party, const std::string& id,
                                         bool approve, const std::string& how) const {
  json::object body{{"decision", approve ? "approve" : "reject"}};
  if (!how.empty()) {
    const parties::PrivateSigningKey* key = keys_.KeyOf(party);
    auto p = proposals_.find(id);
    if (key == nullptr) throw std::invalid_argument(party + " has no key: add a `key` step");
    if (p == proposals_.end()) throw std::invalid_argument("no answer showed " + id + " yet");
    const Timestamp now = std::chrono::floor<std::chrono::seconds>(SystemClock().Now());
    const parties::AckStatement statement{
        .kind = approve ? "proposal.approve" : "proposal.reject",
        .object_id = id,
        .object_digest = FromHex(p->second.digest_hex).value_or(""),
        .party = PartyId(party),
        .time = now};
    std::string signature =
        parties::SignAcknowledgement(*key, statement).value_or(std::string(64, '\0'));
    if (how == "badly-signed") {
      signature[0] = static_cast<char>(signature[0] ^ 1);
    } else if (how != "signed") {
      throw std::invalid_argument("a decision takes signed or badly-signed, not " + how);
    }
    body["signature"] = Base64(signature);
    body["signed_at"] = parties::FormatAckTime(now);
  }
  return json::serialize(body);
}

std::optional<AgreementRequest> AgreementSteps::Request(const std::vector<std::string>& w) {
  const std::string& verb = w.at(2);
  if (verb == "propose") return AgreementRequest{"PUT", "/v1/proposals/" + w.at(3), ProposeBody(w)};
  if (verb == "approve" || verb == "reject") {
    return AgreementRequest{
        "POST", "/v1/proposals/" + w.at(3) + "/decision",
        DecisionBody(w.at(1), w.at(3), verb == "approve", w.size() > 4 ? w[4] : "")};
  }
  if (verb == "proposal") return AgreementRequest{"GET", "/v1/proposals/" + w.at(3), ""};
  if (verb == "agreement") return AgreementRequest{"GET", "/v1/agreements/" + w.at(3), ""};
  if (verb == "territory") return AgreementRequest{"GET", "/v1/territory/operations", ""};
  if (verb == "list") {
    std::string target = "/v1/lists/" + w.at(3);
    if (w.size() > 5 && w[4] == "at") {
      const std::string& mark = w[5];
      if (mark.rfind("agreed:", 0) != 0) throw std::invalid_argument("at takes agreed:ID");
      auto p = proposals_.find(mark.substr(7));
      if (p == proposals_.end() || p->second.agreed_at.empty()) {
        throw std::invalid_argument("no answer showed the agreement of " + mark.substr(7));
      }
      target += "?at=" + p->second.agreed_at;
    }
    return AgreementRequest{"GET", target, ""};
  }
  return std::nullopt;
}

void AgreementSteps::Answered(const std::vector<std::string>& w, int status,
                              const json::value& body) {
  const std::string& verb = w.at(2);
  if (status >= 300 || !body.is_object()) return;
  if (verb != "propose" && verb != "approve" && verb != "reject" && verb != "proposal") return;
  const json::object& o = body.as_object();
  Proposal& p = proposals_[w.at(3)];
  p.digest_hex = std::string(o.at("digest").as_string());
  if (const json::value* a = o.if_contains("agreement"); a != nullptr && a->is_object()) {
    p.agreed_at = std::string(a->at("agreed_at").as_string());
    if (a->at("ovn").is_string()) p.ovn = std::string(a->at("ovn").as_string());
  }
}

std::optional<std::string> AgreementSteps::EventName(const json::object& event) const {
  const std::string type(event.at("type").as_string());
  if (type.rfind("proposal.", 0) != 0 && type.rfind("agreement.", 0) != 0) return std::nullopt;
  if (const json::value* p = event.if_contains("proposal"); p != nullptr && p->is_string()) {
    return type + ":" + std::string(p->as_string());
  }
  return type + ":" + std::string(event.at("thing").as_string());
}

std::optional<std::string> AgreementSteps::Ovn(const std::string& word) const {
  if (word.rfind("aor:", 0) != 0) return std::nullopt;
  auto p = proposals_.find(word.substr(4));
  if (p == proposals_.end() || p->second.ovn.empty()) return std::nullopt;
  return p->second.ovn;
}

bool AgreementSteps::IsExpectation(std::string_view word) {
  return word == "proposal-state" || word == "entries" || word == "decided";
}

std::set<std::string> AgreementSteps::Shown(const std::string& what,
                                            const json::value& body) const {
  std::set<std::string> out;
  if (what == "proposal-state") {
    out.insert(std::string(body.at("state").as_string()));
  } else if (what == "entries") {
    for (const json::value& e : body.at("entries").as_array()) {
      out.insert(std::string(e.at("name").as_string()));
    }
  } else if (what == "decided") {
    for (const json::value& d : body.at("decisions").as_array()) {
      out.insert(std::string(d.at("party").as_string()) + ":" +
                 std::string(d.at("decision").as_string()) +
                 (d.at("signed").as_bool() ? "-signed" : ""));
    }
  }
  return out;
}

}  // namespace deconflict::e2e
