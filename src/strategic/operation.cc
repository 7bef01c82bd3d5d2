#include "strategic/operation.h"

#include <algorithm>

#include "boost/json.hpp"
#include "common/digest.h"
#include "common/json.h"
#include "common/status.h"
#include "fmt/format.h"

namespace deconflict::strategic {

const char* StateName(OperationState state) {
  switch (state) {
    case OperationState::kAccepted:
      return "Accepted";
    case OperationState::kActivated:
      return "Activated";
    case OperationState::kNonconforming:
      return "Nonconforming";
    case OperationState::kContingent:
      return "Contingent";
    case OperationState::kEnded:
      return "Ended";
  }
  return "Accepted";
}

absl::StatusOr<OperationState> ParseState(std::string_view name) {
  for (OperationState s :
       {OperationState::kAccepted, OperationState::kActivated, OperationState::kNonconforming,
        OperationState::kContingent, OperationState::kEnded}) {
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

absl::StatusOr<OperationRequest> MakeOperationRequest(std::vector<geo::Volume4D> extents,
                                                      OperationState state,
                                                      std::vector<std::string> key,
                                                      std::string label,
                                                      const OperationLimits& limits) {
  if (extents.empty()) return InvalidField("extents", "must hold at least one volume");
  if (extents.size() > limits.max_volumes) {
    return LimitExceeded("extents", fmt::format("has {} volumes; at most {} are allowed",
                                                extents.size(), limits.max_volumes));
  }
  if (state == OperationState::kEnded) {
    return InvalidField("state",
                        "'Ended' is not one of Accepted, Activated, Nonconforming, "
                        "Contingent (end an operation with DELETE)");
  }
  if (key.size() > limits.max_key) {
    return LimitExceeded(
        "key", fmt::format("has {} OVNs; at most {} are allowed", key.size(), limits.max_key));
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i].empty() || key[i].size() > 128) {
      return InvalidField(IndexPath("key", i), "must be a non-empty OVN string");
    }
  }
  if (label.size() > limits.max_label_chars) {
    return InvalidField("label", fmt::format("is longer than {} bytes", limits.max_label_chars));
  }
  if (std::optional<size_t> at = ControlCharacterAt(label)) {
    return InvalidField("label", fmt::format("has a control character at byte {}; labels are "
                                             "printable text",
                                             *at));
  }
  OperationRequest request{.extents = std::move(extents),
                           .state = state,
                           .key = std::move(key),
                           .label = std::move(label)};

  // The stored form of the extents (geo's ASTM codec), and the canonical digest for idempotent
  // retries (a stable encoding: stored digests depend on it).
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
