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
// The automatic cases (monitoring/cases.h):
//   as NAME cases                           GET /v1/cases
//   as NAME case ID                         GET /v1/cases/ID
//   as NAME respond ID WORDS...             POST /v1/cases/ID/responses
//   as NAME close-case ID FINDING [unsigned|badly-signed]
//                                           POST /v1/cases/ID/close, signed with NAME's key over
//                                           the case last shown
//
// Expectations (expect STATUS ...):
//   incident-status STATE      the incident's status (reported, verified, disputed, unverifiable)
//   findings PARTY:FINDING...  every finding of a view, in order
//   groups KEY:COUNT...        the groups of a statistics answer (underscores for spaces)
//   cases ID...                the cases of a list
//   case-closed-by PARTY       the guarantor that closed the case (none listed: it is open)
//   case-places KIND/ID...     the notified places a case links
//   case-recipients PARTY:STATE...  the recipients a case shows: none, delivered, acknowledged
//                              (unsigned) or signed
//   case-operations PARTY[:overlap]...  the parties of the operations a case links, ":overlap"
//                              when the answer shows only the overlap
//   case-tracks PARTY/TRACK... the tracks a case shows
//   case-respondents PARTY[:responded|:overdue]...  who must respond, and whether they did
//   case-withheld KIND/ID...   the places whose name and coordinates the answer withholds
// Events are named TYPE:ID with the incident's id (case.* events: the case's id).
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
  std::string CloseBody(const std::vector<std::string>& w) const;

  const HotlineSteps& keys_;
  struct Seen {
    int64_t version = 0;
    std::string digest_hex;
  };
  std::map<std::string, Seen> incidents_;  // id -> what its last view showed
  struct ShownCase {
    std::string digest_hex, opened_at;
  };
  std::map<std::string, ShownCase> case_digests_;  // case id -> what its last view showed
};

}  // namespace deconflict::e2e
