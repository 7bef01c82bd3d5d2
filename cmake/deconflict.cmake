# Small helpers so that each module's CMakeLists.txt reads as a table
# (in the spirit of Abseil's absl_cc_library).
#
#   dc_cc_library(NAME geo SRCS volume.cc DEPS common s2)      -> target dc_geo
#   dc_cc_test(NAME geo_test SRCS volume_test.cc DEPS dc_geo)  -> gtest binary, registered with ctest
#   dc_cc_benchmark(NAME geo_benchmark SRCS ... DEPS ...)      -> Google Benchmark binary

function(dc_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(dc_${ARG_NAME} STATIC ${ARG_SRCS})
  target_include_directories(dc_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(dc_${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

function(dc_cc_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} rapidcheck rapidcheck_gtest GTest::gmock GTest::gtest_main)
  # Each test is labelled with its folder (store, strategic, api, e2e, ...): `ctest -L store`.
  get_filename_component(folder ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  # Remembered per folder for the `tests_<folder>` targets (CMakeLists.txt), so that a stage
  # that runs only some labels builds only their tests.
  set_property(GLOBAL APPEND PROPERTY DC_TEST_FOLDERS ${folder})
  set_property(GLOBAL APPEND PROPERTY DC_TESTS_${folder} ${ARG_NAME})
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60
    # Two variables: ENVIRONMENT with a ';' list reaches CTest as two arguments and the second is
    # dropped, hence ENVIRONMENT_MODIFICATION for the binary.
    PROPERTIES LABELS ${folder}
               ENVIRONMENT "DECONFLICT_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
               ENVIRONMENT_MODIFICATION "DECONFLICT_BINARY=set:$<TARGET_FILE:deconflict>")
endfunction()

function(dc_cc_benchmark)
  if(NOT DECONFLICT_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark benchmark::benchmark_main)
endfunction()
