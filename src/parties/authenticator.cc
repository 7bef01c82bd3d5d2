#include "parties/authenticator.h"

#include <utility>

#include "common/status.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"

namespace deconflict::parties {

Authenticator::Authenticator(store::Store& store, AuthenticatorOptions options)
    : store_(store), options_(std::move(options)) {}

absl::Status Authenticator::Refresh() {
  ASSIGN_OR_RETURN(int64_t version, store_.DataVersion());
  {
    ReaderLock lock(mu_);
    if (version == data_version_) return absl::OkStatus();
  }
  WriterLock refresh(refresh_mu_);
  // Read the version again under the refresh lock: the list read below is at least this new.
  ASSIGN_OR_RETURN(version, store_.DataVersion());
  bool first;
  {
    ReaderLock lock(mu_);
    if (version == data_version_) return absl::OkStatus();  // another thread refreshed
    first = data_version_ < 0;
  }
  ASSIGN_OR_RETURN(std::vector<store::PartyRecord> parties, store_.ListParties());
  absl::flat_hash_map<std::string, Holder> by_hash;
  std::vector<PartyId> newly_revoked;
  {
    ReaderLock lock(mu_);  // by_hash_ changes only under refresh_mu_, which we hold
    for (const store::PartyRecord& p : parties) {
      absl::StatusOr<Role> role = ParseRole(p.role);
      if (!role.ok()) {
        return absl::DataLossError(
            fmt::format("party '{}' in table parties has an unknown role '{}'", p.id, p.role));
      }
      const bool revoked = p.revoked_at.has_value();
      by_hash[p.token_hash] =
          Holder{.principal = {.party = PartyId(p.id), .role = *role}, .revoked = revoked};
      auto before = by_hash_.find(p.token_hash);
      if (revoked && !first && (before == by_hash_.end() || !before->second.revoked)) {
        newly_revoked.push_back(PartyId(p.id));
      }
    }
  }
  // Before the new version is published: every request that saw it waits on refresh_mu_ until
  // the hook is done, so none is answered from state the revocation has changed.
  if (!newly_revoked.empty() && options_.on_revoked) options_.on_revoked(newly_revoked);
  WriterLock lock(mu_);
  by_hash_ = std::move(by_hash);
  data_version_ = version;
  return absl::OkStatus();
}

absl::StatusOr<Principal> Authenticator::Authenticate(std::string_view header) {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) {
    return absl::UnauthenticatedError(
        "missing Authorization header: send 'Authorization: Bearer <token>'");
  }
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer) {
    return absl::UnauthenticatedError("Authorization header must be 'Bearer <token>'");
  }
  const std::string_view token = header.substr(kBearer.size());
  if (!IsWellFormedToken(token)) {
    return absl::UnauthenticatedError(
        fmt::format("unknown token: a token is '{}' followed by {} base64url characters",
                    kTokenPrefix, kTokenSize - kTokenPrefix.size()));
  }
  if (absl::Status s = Refresh(); !s.ok()) {
    spdlog::error("parties: cannot read the parties table: {}", s.ToString());
    return absl::UnavailableError("cannot read the parties table");
  }
  const std::string hash = HashToken(token);
  ReaderLock lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return absl::UnauthenticatedError("unknown token");
  if (it->second.revoked) {
    return absl::UnauthenticatedError(
        fmt::format("the token of party {} has been revoked", it->second.principal.party.value()));
  }
  return it->second.principal;
}

}  // namespace deconflict::parties
