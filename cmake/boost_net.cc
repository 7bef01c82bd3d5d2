// The compiled part of Boost.Asio and Boost.Beast, built once for the whole project.
//
// Both libraries are header-only by default: every file that uses them would compile their
// non-template code again. With BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION (set for every file in CMakeLists.txt, so that all agree),
// their headers only declare that code and this file defines it (Boost's documented
// "separate compilation" mode). Link the target dc_boost_net wherever Asio or Beast is used.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
