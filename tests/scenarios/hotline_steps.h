// tests/scenarios/hotline_steps.h: the hotline's steps of the scenario grammar (scenario_test.cc
// lists them), kept apart so that the runner stays readable:
//
//   as NAME channel CH members P... [escalates CH2] [flash|immediate|priority|routine DURATION]
//                                           POST /v1/channels
//   as NAME send CH MSG PRIORITY [text WORDS...] [size N]
//                                           POST /v1/channels/CH/messages; MSG is a name (the
//                                           runner gives it a UUID); subject MSG, body "about MSG"
//                                           (or WORDS, or N bytes)
//   as NAME suspend CH REASON... | as NAME resume CH
//   as NAME messages CH                     GET /v1/channels/CH/messages after the last seq NAME
//                                           saw there (catch-up after a reconnect)
//   as NAME key                             a new Ed25519 key, PUT /v1/me/keys/{key_id}
//   as NAME ack CH MSG [signed|badly-signed]   POST .../messages/MSG/ack, signed with NAME's key
//                                           over the documented statement (or with one bit
//                                           flipped)
// Events of the hotline are named by their message (`hotline.message:strike`; an escalation
// as `escalation-of-MSG`) or, for channel events, by the channel.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "boost/json.hpp"
#include "parties/signing_key.h"

namespace deconflict::e2e {

struct HotlineRequest {
  std::string method, target, body;
};

class HotlineSteps {
 public:
  // The request of `as NAME VERB ...` (w[0] = "as"), or nullopt when VERB is not a hotline verb.
  std::optional<HotlineRequest> Request(const std::vector<std::string>& w);
  // Remembers what an answer tells (message seqs and digests, the last seq seen).
  void Answered(const std::vector<std::string>& w, int status, const boost::json::value& body);
  // TYPE:NAME of a hotline event, or nullopt for other events.
  std::optional<std::string> EventName(const boost::json::object& event) const;
  // The names of the messages of a catch-up answer, in order.
  std::vector<std::string> MessageNames(const boost::json::value& body) const;
  // The key `party`'s last `key` step made, or null if it made none. Valid until its next one.
  const parties::PrivateSigningKey* KeyOf(const std::string& party) const {
    auto it = keys_.find(party);
    return it == keys_.end() ? nullptr : &it->second;
  }

 private:
  std::string IdOf(const std::string& name);
  std::string NameOfId(const std::string& id) const;

  std::map<std::string, std::string> ids_;  // message name -> UUID
  struct Sent {
    std::string object_id, digest_hex;
  };
  std::map<std::string, Sent> sent_;                            // message name -> answer
  std::map<std::string, std::map<std::string, int64_t>> seen_;  // party -> channel -> seq
  std::map<std::string, parties::PrivateSigningKey> keys_;      // party -> its key
};

}  // namespace deconflict::e2e
