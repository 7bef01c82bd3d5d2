// tests/scenarios/agreements_steps.h: the agreements' steps of the scenario grammar
// (scenario_test.cc lists them), kept apart so that the runner stays readable:
//
//   as NAME propose ID list-entry LIST add|remove ENTRY approvers P... [expires OFFSET]
//                                           PUT /v1/proposals/ID; ENTRY one word
//   as NAME propose ID aor HOLDER polygon LAT,LNG ... alt LO HI time FROM TO approvers P...
//   as NAME propose ID territory HOST polygon LAT,LNG ... approvers P... [expires OFFSET]
//   as NAME propose ID text TITLE approvers P...
//        ... [amends THING] [withdraw]      (after the approvers)
//   as NAME approve ID [signed|badly-signed] | as NAME reject ID
//                                           POST /v1/proposals/ID/decision, unsigned or signed
//                                           with NAME's key (the `key` step)
//   as NAME proposal ID                     GET /v1/proposals/ID
//   as NAME list LIST [at agreed:ID]        GET /v1/lists/LIST, now or when proposal ID's
//                                           agreement was made (as its answer showed)
//   as NAME agreement TYPE/ID               GET /v1/agreements/TYPE/ID
//   as NAME territory                       GET /v1/territory/operations (a host's view)
// The ring of a polygon is closed for you. OFFSETs are from now, as for operations (default
// expiry +1h). In an operation's `key`, `aor:ID` stands for the OVN of the AOR agreed by
// proposal ID that an answer showed.
//
// Expectations (expect STATUS ...):
//   proposal-state STATE      the proposal's state (open, agreed, rejected, expired, superseded)
//   entries NAME...           the names of a list answer
//   decided PARTY:DECISION... the decisions of a proposal answer (approve, reject; signed ones
//                             as PARTY:approve-signed)
// Events are named TYPE:ID with the proposal's id, or TYPE:THING for the operation types
// (agreement.aor.conflict:aor/ID).
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

struct AgreementRequest {
  std::string method, target, body;
};

class AgreementSteps {
 public:
  // Signs decisions with the keys of `keys`' `key` step; `keys` must outlive this.
  explicit AgreementSteps(const HotlineSteps& keys) : keys_(keys) {}
  AgreementSteps(const AgreementSteps&) = delete;
  AgreementSteps& operator=(const AgreementSteps&) = delete;

  std::optional<AgreementRequest> Request(const std::vector<std::string>& w);
  void Answered(const std::vector<std::string>& w, int status, const boost::json::value& body);
  std::optional<std::string> EventName(const boost::json::object& event) const;
  // "aor:ID" -> the OVN its answer showed; nullopt otherwise.
  std::optional<std::string> Ovn(const std::string& word) const;

  static bool IsExpectation(std::string_view word);
  std::set<std::string> Shown(const std::string& what, const boost::json::value& body) const;

 private:
  std::string ProposeBody(const std::vector<std::string>& w) const;
  std::string DecisionBody(const std::string& party, const std::string& id, bool approve,
                           const std::string& how) const;

  const HotlineSteps& keys_;
  struct Proposal {
    std::string digest_hex, agreed_at, ovn;
  };
  std::map<std::string, Proposal> proposals_;  // id -> what its last answer showed
};

}  // namespace deconflict::e2e
