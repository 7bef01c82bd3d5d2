// cli/demo.h: the demo data set of `deconflict serve --demo`: three parties and a few operations,
// two of which conflict, filed through the real services so that the ledger records them.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/server.h"

namespace deconflict::cli {

struct DemoParty {
  std::string id;
  std::string role;
  std::string token;
};

struct Demo {
  std::vector<DemoParty> parties;
  std::vector<std::string> notes;          // what was filed, for the banner
  std::string example_start, example_end;  // a time window inside the demo's operations
};

// Fills an empty store. FailedPrecondition when the store already has parties.
[[nodiscard]] absl::StatusOr<Demo> LoadDemo(api::Server& server);

// The banner: tokens and curl commands to try against `base_url`.
std::string DemoBanner(const Demo& demo, const std::string& base_url);

}  // namespace deconflict::cli
