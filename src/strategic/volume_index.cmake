# The spatio-temporal index of strategic volumes (strategic/volume_index.h), included from
# this folder's CMakeLists.txt. Kept in its own file: the rest of the folder is the strategic
# service.
dc_cc_library(NAME strategic_index
  SRCS ${CMAKE_CURRENT_LIST_DIR}/volume_index.cc
  DEPS dc_geo s2 absl::btree absl::flat_hash_map absl::function_ref)

dc_cc_test(NAME strategic_index_test
  SRCS ${CMAKE_CURRENT_LIST_DIR}/volume_index_test.cc
  DEPS dc_strategic_index)

dc_cc_benchmark(NAME strategic_index_benchmark
  SRCS ${CMAKE_CURRENT_LIST_DIR}/volume_index_benchmark.cc
  DEPS dc_strategic_index)
