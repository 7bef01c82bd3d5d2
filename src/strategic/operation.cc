#include "strategic/operation.h"

#include <algorithm>

#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::strategic {

const char* StateName(OperationState state) {
  switch (state) {
    case OperationState::kAccepted: return "Accepted";
    case OperationState::kActivated: return "Activated";
    case OperationState::kNonconforming: return "Nonconforming";
    case OperationState::kContingent: return "Contingent";
    case OperationState::kEnded: return "Ended";
  }
  return "Accepted";
}

absl::StatusOr<OperationState> ParseState(std::string_view name) {
  for (OperationState s : {OperationState::kAccepted, OperationState::kActivated,
                           OperationState::kNonconforming, OperationState::kContingent,
                           OperationState::kEnded}) {
    if (name == StateName(s)) return s;
  }
  return absl::InvalidArgumentError(fmt::format("unknown state '{}'", name));
}

std::optional<size_t> ControlCharacterAt(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) return i;  // C0 (NUL, ESC, newlines...) and DEL
    // C1 (U+0080..U+009F) is 0xC2 0x80..0x9F in UTF-8.
    if (c == 0xc2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return i;
    }
  }
  return std::nullopt;
}

absl::StatusOr<OperationRequest> ParseOperationRequest(const boost::json::value& body,
                                                       const OperationLimits& limits,
                                                       Timestamp now) {
  ASSIGN_OR_RETURN(JsonObject object, JsonObject::Of(body, ""));
  OperationRequest request;

  // extents: 1..max_volumes volumes.
  ASSIGN_OR_RETURN(const boost::json::array* extents, object.Array("extents"));
  if (extents->empty()) return InvalidField("extents", "must hold at least one volume");
  if (extents->size() > limits.max_volumes) {
    return LimitExceeded("extents",
                      fmt::format("has {} volumes; at most {} are allowed", extents->size(),
                                  limits.max_volumes));
  }
  request.extents.reserve(extents->size());
  for (size_t i = 0; i < extents->size(); ++i) {
    ASSIGN_OR_RETURN(geo::Volume4D volume,
                     geo::Volume4D::FromJson((*extents)[i], IndexPath("extents", i), limits.volume, now));
    request.extents.push_back(std::move(volume));
  }

  // state: Accepted or Activated when filed (Nonconforming and Contingent are set by updates).
  ASSIGN_OR_RETURN(std::string state_name, object.String("state"));
  absl::StatusOr<OperationState> state = ParseState(state_name);
  if (!state.ok() || *state == OperationState::kEnded) {
    return InvalidField("state", fmt::format("'{}' is not one of Accepted, Activated, "
                                             "Nonconforming, Contingent (end an operation with DELETE)",
                                             state_name.substr(0, 64)));
  }
  request.state = *state;

  // key: OVNs, optional (an empty key is fine when nothing overlaps).
  if (const boost::json::value* key = object.Find("key")) {
    if (!key->is_array()) return InvalidField("key", "must be an array of OVN strings");
    const boost::json::array& ovns = key->get_array();
    if (ovns.size() > limits.max_key) {
      return LimitExceeded("key",
                        fmt::format("has {} OVNs; at most {} are allowed", ovns.size(), limits.max_key));
    }
    for (size_t i = 0; i < ovns.size(); ++i) {
      if (!ovns[i].is_string() || ovns[i].get_string().empty() || ovns[i].get_string().size() > 128) {
        return InvalidField(IndexPath("key", i), "must be a non-empty OVN string");
      }
      request.key.emplace_back(ovns[i].get_string());
    }
  }

  if (const boost::json::value* label = object.Find("label")) {
    if (!label->is_string()) return InvalidField("label", "must be a string");
    if (label->get_string().size() > limits.max_label_chars) {
      return InvalidField("label", fmt::format("is longer than {} bytes", limits.max_label_chars));
    }
    request.label = std::string(label->get_string());
    if (std::optional<size_t> at = ControlCharacterAt(request.label)) {
      return InvalidField("label", fmt::format("has a control character at byte {}; labels are "
                                               "printable text", *at));
    }
  }
  RETURN_IF_ERROR(object.NoOtherFields());

  // Canonical digest for idempotent retries.
  std::vector<std::string> sorted_key = request.key;
  std::sort(sorted_key.begin(), sorted_key.end());
  boost::json::array key_json(sorted_key.begin(), sorted_key.end());
  boost::json::array extents_json;
  extents_json.reserve(request.extents.size());
  for (const geo::Volume4D& v : request.extents) extents_json.push_back(v.ToJson());
  request.extents_json = SerializeJson(extents_json);
  boost::json::object canonical{{"extents", std::move(extents_json)},
                                {"state", StateName(request.state)},
                                {"key", std::move(key_json)},
                                {"label", request.label}};
  request.digest = Sha256(SerializeJson(canonical));
  return request;
}

}  // namespace deconflict::strategic
