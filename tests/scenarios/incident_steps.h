// tests/scenarios/incident_steps.h: ceasefire monitoring's steps of the scenario grammar
// (scenario_test.cc lists them):
//
//   as NAME report ID EVENT_TYPE SUB_EVENT_TYPE at OFFSET LAT,LNG [alleged P] [fatalities N]
//                                           PUT /v1/incidents/ID (underscores in the types stand
//                                           for spaces: Explosions/Remote_violence)
//   as NAME incident ID                     GET /v1/incidents/ID
//   as NAME find ID verified|disputed|unverifiable [attributed P] [unsigned|badly-signed]
//                                           POST /v1/incidents/ID/findings, signed with NAME's
//                                           key (the `key` step) over the version last shown
//   as NAME reply ID WORDS...               POST /v1/incidents/ID/statements
//   as NAME incident-stats FROM TO GROUP_BY GET /v1/incidents/stats (FROM, TO offsets from now)
//
// Expectations (expect STATUS ...):
//   incident-status STATE      the incident's status (reported, verified, disputed, unverifiable)
//   findings PARTY:FINDING...  every finding of a view, in order
//   groups KEY:COUNT...        the groups of a statistics answer (underscores for spaces)
// Events are named TYPE:ID with the incident's id.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "boost/json.hpp"
#include "tests/scenarios/hotline_steps.h"

namespace deconflict::e2e {

struct IncidentRequest {
  std::string method, target, body;
};

class IncidentSteps {
 public:
  // Signs findings with the keys of `keys`' `key` step; `keys` must outlive this.
  explicit IncidentSteps(const HotlineSteps& keys) : keys_(keys) {}
  IncidentSteps(const IncidentSteps&) = delete;
  IncidentSteps& operator=(const IncidentSteps&) = delete;

  std::optional<IncidentRequest> Request(const std::vector<std::string>& w);
  void Answered(const std::vector<std::string>& w, int status, const boost::json::value& body);
  std::optional<std::string> EventName(const boost::json::object& event) const;

  static bool IsExpectation(std::string_view word);
  std::set<std::string> Shown(const std::string& what, const boost::json::value& body) const;
  // For lists whose order matters (findings).
  std::vector<std::string> ShownInOrder(const std::string& what,
                                        const boost::json::value& body) const;

 private:
  std::string FindingBody(const std::vector<std::string>& w) const;

  const HotlineSteps& keys_;
  struct Seen {
    int64_t version = 0;
    std::string digest_hex;
  };
  std::map<std::string, Seen> incidents_;  // id -> what its last view showed
};

}  // namespace deconflict::e2e
