// common/ids.h: identifiers as distinct types, so a PartyId is never passed as an OperationId.
#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace deconflict {

// A string identifier tagged with what it identifies. Value type; thread-compatible.
template <typename Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string value) : value_(std::move(value)) {}
  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }
  friend auto operator<=>(const Id&, const Id&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const Id& id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  std::string value_;
};

using PartyId = Id<struct PartyTag>;
using OperationId = Id<struct OperationTag>;
using TrackId = Id<struct TrackTag>;
using ChannelId = Id<struct ChannelTag>;  // hotline channels (hotline/hotline.h)
using MessageId = Id<struct MessageTag>;  // hotline messages: client-chosen UUIDs

// True for the canonical textual form of a UUID: 8-4-4-4-12 hex digits (either case).
bool IsUuid(std::string_view text);

// A random (version 4) UUID in lower case.
std::string NewUuid();

// Party ids are short codes chosen by the administrator ("RU", "UN-OCHA"): 1 to 32 characters
// from [A-Za-z0-9_-]. Returns InvalidArgument otherwise.
[[nodiscard]] absl::StatusOr<PartyId> ParsePartyId(std::string_view text);

}  // namespace deconflict
