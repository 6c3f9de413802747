// Page-client options for tests: connect and answer timeouts (and pages per request) set in one call,
// so each test file states only the figures it means.
#pragma once

#include <cstdint>

#include "emu/wire/page_client.hpp"

namespace jettison::emu::test {

inline ClientOptions client_options(Duration connect, Duration io,
                                    std::uint32_t max_pages = ClientOptions{}.max_pages_per_request) {
  ClientOptions o;
  o.connect_timeout = connect;
  o.io_timeout = io;
  o.max_pages_per_request = max_pages;
  return o;
}

}  // namespace jettison::emu::test
