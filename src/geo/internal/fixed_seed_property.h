// geo/internal/fixed_seed_property.h: rapidcheck properties with a fixed seed (test-only).
//
//   DC_PROP(Intersects, IsSymmetric, 7, (uint64_t sample_seed)) { ... RC_ASSERT(...); }
//
// Like RC_GTEST_PROP, but the run is reproducible: the seed is fixed in the source (not drawn
// at start-up) and printed with the counterexample on failure. RC_PARAMS still applies to
// other settings. (rapidcheck still prints "Using configuration: seed=<random>" once at
// start-up: that is its global default, which these properties do not use.)
#pragma once

#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "rapidcheck.h"

namespace deconflict::testing {

template <typename Testable>
void CheckWithSeed(Testable&& testable, uint64_t seed, int max_success) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  rc::detail::TestParams params;
  params.seed = seed;
  params.maxSuccess = max_success;
  const auto result = rc::detail::checkTestable(std::forward<Testable>(testable), metadata, params);
  if (result.template is<rc::detail::SuccessResult>()) {
    if (!result.template get<rc::detail::SuccessResult>().distribution.empty()) {
      rc::detail::printResultMessage(result, std::cout);
      std::cout << std::endl;
    }
  } else {
    std::ostringstream message;
    rc::detail::printResultMessage(result, message);
    FAIL() << "rapidcheck seed=" << seed << "\n" << message.str();
  }
}

}  // namespace deconflict::testing

#define DC_PROP(Suite, Name, Seed, MaxSuccess, ArgList)                               \
  void DcProp_##Suite##_##Name ArgList;                                               \
  TEST(Suite, Name) {                                                                 \
    ::deconflict::testing::CheckWithSeed(&DcProp_##Suite##_##Name, Seed, MaxSuccess); \
  }                                                                                   \
  void DcProp_##Suite##_##Name ArgList
