// Two network namespaces joined by a veth pair, for end-to-end tests: "desktop" (10.x.y.1/30) and
// "server" (10.x.y.2/30), both links and loopback up. Everything is removed by the destructor, and
// by the constructor itself when it fails half-way. Header-only: include it from a test.
//
//   class WolE2e : public jettison::testing::NetnsTest {};
//   TEST_F(WolE2e, Wakes) { pair().run_in(pair().desktop().ns, [&] { /* sockets opened here live in
//                                                                        the desktop namespace */ }); }
//
// NetnsTest skips (GTEST_SKIP with the reason) when not root or when namespaces are unavailable.
// NetnsPair and the helpers are in netns_pair.hpp (no gtest there).
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "tests/emu/support/netns_pair.hpp"

namespace jettison::testing {

// A test fixture owning a NetnsPair; skips when namespaces cannot be made here.
class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = netns_unavailable_reason()) GTEST_SKIP() << *why;
    pair_ = std::make_unique<NetnsPair>();
  }
  void TearDown() override { pair_.reset(); }
  NetnsPair& pair() { return *pair_; }

 private:
  std::unique_ptr<NetnsPair> pair_;
};

}  // namespace jettison::testing
