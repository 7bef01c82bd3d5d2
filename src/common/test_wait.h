// common/test_wait.h: for tests only: waits for the `done` callback of an asynchronous service
// call (they run on the store's writer thread).
//
//   Wait<ReportResult> w;
//   incidents.Report(party, request, w.done());
//   absl::StatusOr<ReportResult> r = w.get();
#pragma once

#include <functional>
#include <future>
#include <memory>

#include "absl/status/statusor.h"

namespace deconflict::testing {

template <typename T>
struct Wait {
  std::shared_ptr<std::promise<absl::StatusOr<T>>> promise =
      std::make_shared<std::promise<absl::StatusOr<T>>>();
  std::function<void(absl::StatusOr<T>)> done() {
    return [p = promise](absl::StatusOr<T> r) { p->set_value(std::move(r)); };
  }
  absl::StatusOr<T> get() { return promise->get_future().get(); }
};

}  // namespace deconflict::testing
