# The operator's console (top-level web/, issue 14): `npm ci` when package-lock.json changes, then
# the page's build (OpenAPI types, tsc, Vite) into `web/` next to the deconflict binary, where
# `deconflict serve` finds it by default (api/console_routes.h). Part of `all`, so a release
# build serves the page with no extra command. The browser test (web/tests/console.test.mjs,
# Playwright + Debian's chromium) is a ctest test with label "web".
find_program(NPM_EXECUTABLE npm)
find_program(NODE_EXECUTABLE node)
if(NOT NPM_EXECUTABLE OR NOT NODE_EXECUTABLE)
  message(WARNING "npm/node not found: the operator's console is not built "
                  "(scripts/install-deps.sh installs them)")
  return()
endif()
# Vite 8 needs Node.js 20.19 or later (Debian 12's own nodejs is 18).
execute_process(COMMAND ${NODE_EXECUTABLE} --version OUTPUT_VARIABLE DC_NODE_VERSION
                OUTPUT_STRIP_TRAILING_WHITESPACE)
string(REGEX REPLACE "^v" "" DC_NODE_VERSION "${DC_NODE_VERSION}")
if(DC_NODE_VERSION VERSION_LESS 20.19)
  message(WARNING "Node.js ${DC_NODE_VERSION} is older than 20.19, which the console's build "
                  "(Vite 8) needs: the operator's console is not built (README, \"The "
                  "operator's console\")")
  return()
endif()
set(DC_WEB_SOURCE ${CMAKE_SOURCE_DIR}/web)
set(DC_WEB_OUT ${CMAKE_BINARY_DIR}/src/cli/web)
file(GLOB_RECURSE DC_WEB_INPUTS CONFIGURE_DEPENDS ${DC_WEB_SOURCE}/src/*)
# Written by the build itself (openapi-typescript): an input would make every build dirty.
list(FILTER DC_WEB_INPUTS EXCLUDE REGEX "schema\\.d\\.ts$")
file(GLOB DC_WEB_CONFIG CONFIGURE_DEPENDS ${DC_WEB_SOURCE}/*.json ${DC_WEB_SOURCE}/*.ts
     ${DC_WEB_SOURCE}/*.mjs ${DC_WEB_SOURCE}/index.html)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/web-npm-ci.stamp
  COMMAND ${NPM_EXECUTABLE} ci --no-audit --no-fund --loglevel=error
  COMMAND ${CMAKE_COMMAND} -E touch ${CMAKE_BINARY_DIR}/web-npm-ci.stamp
  DEPENDS ${DC_WEB_SOURCE}/package.json ${DC_WEB_SOURCE}/package-lock.json
  WORKING_DIRECTORY ${DC_WEB_SOURCE}
  COMMENT "web: npm ci"
  VERBATIM)
add_custom_command(
  OUTPUT ${DC_WEB_OUT}/index.html
  COMMAND ${NPM_EXECUTABLE} run --silent build -- --outDir ${DC_WEB_OUT} --emptyOutDir
  DEPENDS ${CMAKE_BINARY_DIR}/web-npm-ci.stamp ${DC_WEB_INPUTS} ${DC_WEB_CONFIG}
          ${CMAKE_SOURCE_DIR}/src/api/openapi.json
  WORKING_DIRECTORY ${DC_WEB_SOURCE}
  COMMENT "web: the operator's console -> ${DC_WEB_OUT}"
  VERBATIM)
add_custom_target(web ALL DEPENDS ${DC_WEB_OUT}/index.html)

if(EXISTS ${DC_WEB_SOURCE}/tests/console.test.mjs)
  add_test(NAME web.console COMMAND ${NODE_EXECUTABLE} ${DC_WEB_SOURCE}/tests/console.test.mjs)
  set_tests_properties(web.console PROPERTIES
    LABELS web
    TIMEOUT 600
    ENVIRONMENT "DECONFLICT_BIN=$<TARGET_FILE:deconflict>;DECONFLICT_WEB_ROOT=${DC_WEB_OUT};DECONFLICT_ARTIFACTS=${CMAKE_BINARY_DIR}/web-test-results")
endif()
