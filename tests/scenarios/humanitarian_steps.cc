#include "tests/scenarios/humanitarian_steps.h"

#include <stdexcept>

#include "common/clock.h"
#include "common/digest.h"
#include "common/time.h"
#include "parties/acknowledgement.h"
#include "tests/scenarios/step_time.h"

namespace deconflict::e2e {
namespace {

namespace json = boost::json;

// GeoJSON [lng, lat] of the scenario's `LAT,LNG`.
json::array Position(const std::string& lat_lng) {
  const size_t comma = lat_lng.find(',');
  if (comma == std::string::npos) throw std::invalid_argument("want LAT,LNG: " + lat_lng);
  return json::array{std::stod(lat_lng.substr(comma + 1)), std::stod(lat_lng.substr(0, comma))};
}

// "site/al-shifa" -> "al-shifa".
std::string IdOfRef(std::string_view ref) {
  const size_t slash = ref.find('/');
  return std::string(slash == std::string_view::npos ? ref : ref.substr(slash + 1));
}

std::string StateOf(const json::object& status) {
  if (!status.at("acknowledged_at").is_null()) {
    return status.at("signature_valid").as_bool() ? "signed" : "acknowledged";
  }
  return status.at("delivered_at").is_null() ? "told" : "delivered";
}

}  // namespace

std::string HumanitarianSteps::CollectionOf(const std::string& id) const {
  return movements_.contains(id) ? "movements" : "sites";
}

// site ID KIND SHAPE ... / movement ID route ...: the words from w[4] (sites: w[5]) on.
std::string HumanitarianSteps::PutBody(const std::vector<std::string>& w, bool site) const {
  json::object body{{"name", w.at(3)}};
  if (site) body["kind"] = w.at(4);
  const std::string geometry_key = site ? "location" : "route";
  for (size_t i = site ? 5 : 4; i < w.size();) {
    const std::string& word = w[i++];
    if (word == "point") {
      body[geometry_key] =
          json::object{{"type", "Point"}, {"coordinates", Position(w.at(i) + "," + w.at(i + 1))}};
      i += 2;
    } else if (word == "polygon" || word == "route") {
      json::array positions;
      for (; i < w.size() && w[i].find(',') != std::string::npos; ++i) {
        positions.push_back(Position(w[i]));
      }
      if (word == "route") {
        body[geometry_key] = json::object{{"type", "LineString"}, {"coordinates", positions}};
      } else {
        if (!positions.empty()) positions.push_back(positions.front());  // RFC 7946: closed
        json::array rings;  // not array{positions}, which clang takes as a copy (CWG 1467)
        rings.emplace_back(std::move(positions));
        body[geometry_key] = json::object{{"type", "Polygon"}, {"coordinates", std::move(rings)}};
      }
    } else if (word == "buffer" || word == "corridor") {
      body[word + "_m"] = std::stod(w.at(i++));
    } else if (word == "vehicles") {
      body["vehicles"] = std::stoll(w.at(i++));
    } else if (word == "from" || word == "to") {
      const bool from = word == "from";
      body[site ? (from ? "valid_from" : "valid_to") : (from ? "time_start" : "time_end")] =
          TimeIn(w.at(i++));
    } else if (word == "recipients") {
      json::array recipients;
      for (; i < w.size() && w[i] != "escalates"; ++i) recipients.emplace_back(w[i]);
      body["recipients"] = std::move(recipients);
    } else if (word == "escalates") {
      body["escalation_channel"] = w.at(i++);
    } else {
      throw std::invalid_argument("unexpected '" + word + "' in a " + (site ? "site" : "movement"));
    }
  }
  return json::serialize(body);
}

// Signed: {"signature", "signed_at"} over the statement place `id`'s last answer gave.
std::string HumanitarianSteps::AckBody(const std::string& party, const std::string& id,
                                       const std::string& how) const {
  if (how.empty()) return "";
  const parties::PrivateSigningKey* key = keys_.KeyOf(party);
  auto place = places_.find(id);
  if (key == nullptr) throw std::invalid_argument(party + " has no key: add a `key` step");
  if (place == places_.end()) throw std::invalid_argument("no answer showed " + id + " yet");
  const Timestamp now = std::chrono::floor<std::chrono::seconds>(SystemClock().Now());
  const parties::AckStatement statement{
      .kind = place->second.ack_kind,
      .object_id = place->second.ack_object,
      .object_digest = FromHex(place->second.ack_digest_hex).value_or(""),
      .party = PartyId(party),
      .time = now};
  std::string signature =
      parties::SignAcknowledgement(*key, statement).value_or(std::string(64, '\0'));
  if (how == "badly-signed") {
    signature[0] = static_cast<char>(signature[0] ^ 1);
  } else if (how != "signed") {
    throw std::invalid_argument("acknowledge takes signed or badly-signed, not " + how);
  }
  return json::serialize(
      json::object{{"signature", Base64(signature)}, {"signed_at", parties::FormatAckTime(now)}});
}

std::optional<HumanitarianRequest> HumanitarianSteps::Request(const std::vector<std::string>& w) {
  const std::string& verb = w.at(2);
  if (verb == "site" || verb == "movement") {
    const std::string& id = w.at(3);
    if (verb == "movement") movements_.insert(id);
    return HumanitarianRequest{"PUT", "/v1/" + CollectionOf(id) + "/" + id,
                               PutBody(w, verb == "site")};
  }
  if (verb == "view" || verb == "reads" || verb == "remove") {
    const std::string& id = w.at(3);
    const std::string target = "/v1/" + CollectionOf(id) + "/" + id;
    if (verb == "view") return HumanitarianRequest{"GET", target, ""};
    if (verb == "reads") return HumanitarianRequest{"GET", target + "/reads", ""};
    return HumanitarianRequest{"DELETE", target, ""};
  }
  if (verb == "acknowledge") {
    const std::string& id = w.at(3);
    return HumanitarianRequest{"POST", "/v1/" + CollectionOf(id) + "/" + id + "/ack",
                               AckBody(w.at(1), id, w.size() > 4 ? w[4] : "")};
  }
  if (verb == "site-conflicts") return HumanitarianRequest{"GET", "/v1/sites/conflicts", ""};
  if (verb == "sites" || verb == "movements") {
    return HumanitarianRequest{"GET", "/v1/" + verb + ".geojson", ""};
  }
  return std::nullopt;
}

void HumanitarianSteps::Answered(const std::vector<std::string>& w, int status,
                                 const json::value& body) {
  const std::string& verb = w.at(2);
  const bool shows_place =
      verb == "site" || verb == "movement" || verb == "view" || verb == "remove";
  if (!shows_place || (status != 200 && status != 201)) return;
  const json::object& o = body.as_object();
  const json::object& statement = o.at("ack_statement").as_object();
  places_[std::string(o.at("id").as_string())] =
      Place{.ovn = std::string(o.at("ovn").as_string()),
            .ack_kind = std::string(statement.at("kind").as_string()),
            .ack_object = std::string(statement.at("object_id").as_string()),
            .ack_digest_hex = std::string(statement.at("object_digest").as_string())};
}

std::optional<std::string> HumanitarianSteps::EventName(const json::object& o) const {
  const std::string type(o.at("type").as_string());
  if (type.rfind("humanitarian.", 0) != 0) return std::nullopt;
  return type + ":" + std::string(o.at("id").as_string());
}

std::optional<std::string> HumanitarianSteps::Ovn(const std::string& id) const {
  auto it = places_.find(id);
  if (it == places_.end()) return std::nullopt;
  return it->second.ovn;
}

bool HumanitarianSteps::IsExpectation(std::string_view word) {
  return word == "protected-missing" || word == "protected" || word == "reads" ||
         word == "recipients" || word == "met-by" || word == "features";
}

std::set<std::string> HumanitarianSteps::Shown(const std::string& what,
                                               const json::value& body) const {
  std::set<std::string> shown;
  if (what == "protected-missing" || what == "protected") {
    const char* key = what == "protected" ? "protected" : "protected_missing";
    for (const json::value& hit : body.at(key).as_array()) {
      shown.insert(IdOfRef(hit.at("ref").as_string()));
    }
  } else if (what == "reads") {
    for (const json::value& read : body.at("reads").as_array()) {
      shown.insert(std::string(read.at("party").as_string()) +
                   (read.at("refused").as_bool() ? ":refused" : ":read"));
    }
  } else if (what == "recipients") {
    for (const json::value& status : body.at("recipient_status").as_array()) {
      shown.insert(std::string(status.at("party").as_string()) + ":" + StateOf(status.as_object()));
    }
  } else if (what == "met-by") {
    // GET /v1/sites/conflicts lists conflicts; an events answer has them among other events.
    const bool listed = body.as_object().contains("conflicts");
    for (const json::value& c : body.at(listed ? "conflicts" : "events").as_array()) {
      if (!listed && c.at("type").as_string() != "humanitarian.conflict") continue;
      shown.insert(std::string(c.at("id").as_string()) + ":" +
                   std::string(c.at("party").as_string()));
    }
  } else if (what == "features") {
    for (const json::value& f : body.at("features").as_array()) {
      shown.insert(std::string(f.at("id").as_string()));
    }
  }
  return shown;
}

}  // namespace deconflict::e2e
