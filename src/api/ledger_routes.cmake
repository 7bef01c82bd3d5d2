# The /v1/ledger handlers (ledger_routes.h), included from this folder's CMakeLists.txt.
#
# dc_api_reply holds reply.cc so that the handlers and their test link without the whole HTTP
# layer; dc_api may link it too instead of compiling reply.cc itself.
if(NOT TARGET dc_api_reply)
  dc_cc_library(NAME api_reply
    SRCS ${CMAKE_CURRENT_LIST_DIR}/reply.cc
    DEPS dc_common Boost::json spdlog::spdlog)
endif()

dc_cc_library(NAME api_ledger
  SRCS ${CMAKE_CURRENT_LIST_DIR}/ledger_routes.cc
  DEPS dc_api_reply dc_store dc_ledger dc_common Boost::json fmt::fmt)

dc_cc_test(NAME api_ledger_test
  SRCS ${CMAKE_CURRENT_LIST_DIR}/ledger_routes_test.cc
  DEPS dc_api_ledger)
