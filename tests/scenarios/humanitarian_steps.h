// tests/scenarios/humanitarian_steps.h: the humanitarian notifications' steps of the scenario
// grammar (scenario_test.cc lists them), kept apart so that the runner stays readable:
//
//   as NAME site ID KIND (point LAT LNG | polygon LAT,LNG LAT,LNG ...) [buffer M]
//           from FROM to TO recipients P... [escalates CH]
//                                           PUT /v1/sites/ID, named ID; the ring is closed for
//                                           you; KIND as the API spells it (hospital, camp, ...)
//   as NAME movement ID route LAT,LNG LAT,LNG ... [corridor M] [vehicles N]
//           from FROM to TO recipients P... [escalates CH]
//                                           PUT /v1/movements/ID, named ID
//   as NAME view ID                         GET /v1/sites/ID (or /v1/movements/ID)
//   as NAME reads ID                        GET .../ID/reads: who read it, who was refused
//   as NAME remove ID                       DELETE .../ID
//   as NAME acknowledge ID [signed|badly-signed]
//                                           POST .../ID/ack, unsigned or signed with NAME's key
//                                           (the `key` step) over the statement the place's
//                                           answer gave (or with one bit flipped)
//   as NAME site-conflicts                  GET /v1/sites/conflicts
//   as NAME sites | as NAME movements       GET /v1/sites.geojson, /v1/movements.geojson
// FROM and TO are offsets from now, as for operations. An ID first filed as a movement is one
// from then on; any other ID is a site. In an operation's `key`, a place's ID stands for the OVN
// of its newest version that an answer showed.
//
// Expectations (expect STATUS ...), each listing exactly what the answer shows:
//   protected-missing ID...   the places a refused operation's key lacks (409)
//   protected ID...           the places an accepted operation meets, with their OVN in its key
//   reads PARTY:read|PARTY:refused ...    the distinct reads of a place (its notifier asks)
//   recipients PARTY:STATE ...  each recipient's state in a view: told, delivered,
//                             acknowledged (without a signature) or signed (a valid signature)
//   met-by ID:PARTY ...       the conflicts listed, or the humanitarian.conflict events in an
//                             events or await answer: the place and who filed the operation
//   features ID...            the places of a GeoJSON answer
// Events of a place are named by its ID: `humanitarian.conflict:al-shifa`.
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

struct HumanitarianRequest {
  std::string method, target, body;
};

class HumanitarianSteps {
 public:
  // Signs acknowledgements with the keys of `keys`' `key` step; `keys` must outlive this.
  explicit HumanitarianSteps(const HotlineSteps& keys) : keys_(keys) {}
  HumanitarianSteps(const HumanitarianSteps&) = delete;
  HumanitarianSteps& operator=(const HumanitarianSteps&) = delete;

  // The request of `as NAME VERB ...` (w[0] = "as"), or nullopt when VERB is not one of these.
  std::optional<HumanitarianRequest> Request(const std::vector<std::string>& w);
  // Remembers what an answer tells (a place's OVN and acknowledgement statement).
  void Answered(const std::vector<std::string>& w, int status, const boost::json::value& body);
  // TYPE:ID of a humanitarian event, or nullopt for other events.
  std::optional<std::string> EventName(const boost::json::object& event) const;
  // The OVN of place `id` last shown, or nullopt if no answer showed one.
  std::optional<std::string> Ovn(const std::string& id) const;

  // True when `word` is one of the expectations above.
  static bool IsExpectation(std::string_view word);
  // What `body` shows for expectation `what`, in the words the scenario lists it with.
  // REQUIRES: IsExpectation(what).
  std::set<std::string> Shown(const std::string& what, const boost::json::value& body) const;

 private:
  // "sites" or "movements": the collection place `id` is in.
  std::string CollectionOf(const std::string& id) const;
  std::string PutBody(const std::vector<std::string>& w, bool site) const;
  std::string AckBody(const std::string& party, const std::string& id,
                      const std::string& how) const;

  const HotlineSteps& keys_;
  std::set<std::string> movements_;  // ids filed as movements
  struct Place {
    std::string ovn, ack_kind, ack_object, ack_digest_hex;
  };
  std::map<std::string, Place> places_;  // id -> what its last answer showed
};

}  // namespace deconflict::e2e
