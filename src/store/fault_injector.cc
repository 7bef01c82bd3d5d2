#include "store/fault_injector.h"

#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "fmt/format.h"

namespace deconflict::store {
namespace {

constexpr CommitStep kSteps[] = {
    CommitStep::kBegin,       CommitStep::kSavepoint, CommitStep::kRollbackTo, CommitStep::kRelease,
    CommitStep::kFinishBatch, CommitStep::kCommit,    CommitStep::kRollback};

}  // namespace

std::string_view CommitStepName(CommitStep step) {
  switch (step) {
    case CommitStep::kBegin:
      return "begin";
    case CommitStep::kSavepoint:
      return "savepoint";
    case CommitStep::kRollbackTo:
      return "rollback_to";
    case CommitStep::kRelease:
      return "release";
    case CommitStep::kFinishBatch:
      return "finish_batch";
    case CommitStep::kCommit:
      return "commit";
    case CommitStep::kRollback:
      return "rollback";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<ScriptedFaults>> ScriptedFaults::Parse(std::string_view script) {
  std::unique_ptr<ScriptedFaults> out(new ScriptedFaults());
  for (absl::string_view item : absl::StrSplit(absl::string_view(script.data(), script.size()), ',',
                                               absl::SkipWhitespace())) {
    const absl::string_view stripped = absl::StripAsciiWhitespace(item);
    const std::string_view text(stripped.data(), stripped.size());
    const size_t at = text.find('@');
    const std::string_view name = text.substr(0, at);
    uint64_t batch = 0;
    const char* digits = at == std::string_view::npos ? text.end() : text.data() + at + 1;
    auto [end, ec] = std::from_chars(digits, text.data() + text.size(), batch);
    bool known = false;
    for (CommitStep step : kSteps) {
      if (CommitStepName(step) != name) continue;
      known = true;
      if (at != std::string_view::npos && ec == std::errc() && end == text.data() + text.size() &&
          batch > 0) {
        out->faults_.emplace_back(step, batch);
      } else {
        known = false;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(fmt::format(
          "fault '{}': must be STEP@N with STEP one of begin, savepoint, rollback_to, release, "
          "finish_batch, commit, rollback and N a group commit number from 1",
          text));
    }
  }
  return out;
}

absl::Status ScriptedFaults::Before(CommitStep step, uint64_t batch) {
  for (const auto& [fault_step, fault_batch] : faults_) {
    if (fault_step == step && fault_batch == batch) {
      return absl::InternalError(
          fmt::format("injected fault at {} of group commit {}", CommitStepName(step), batch));
    }
  }
  return absl::OkStatus();
}

}  // namespace deconflict::store
