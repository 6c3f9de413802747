// The ETHTOOL_GWOL/SWOL request structs, built without touching a NIC. (GWOL on a real veth, which
// refuses it, is in wol_e2etest.cpp, inside a test namespace.)
#include "emu/power/ethtool_wol.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "emu/power/power_error.hpp"

namespace jettison::emu {
namespace {

TEST(EthtoolWol, GetRequestIsGwolAndOtherwiseZero) {
  const ethtool_wolinfo w = make_get_wol_request();
  EXPECT_EQ(w.cmd, static_cast<std::uint32_t>(ETHTOOL_GWOL));
  EXPECT_EQ(w.supported, 0u);
  EXPECT_EQ(w.wolopts, 0u);
  EXPECT_TRUE(std::all_of(std::begin(w.sopass), std::end(w.sopass), [](auto b) { return b == 0; }));
}

TEST(EthtoolWol, SetRequestEnablesMagic) {
  const ethtool_wolinfo w = make_set_wol_request(WAKE_MAGIC);
  EXPECT_EQ(w.cmd, static_cast<std::uint32_t>(ETHTOOL_SWOL));
  EXPECT_EQ(w.wolopts, static_cast<std::uint32_t>(WAKE_MAGIC));  // 0x20, ethtool's "g"
  EXPECT_EQ(w.wolopts, 0x20u);
  EXPECT_TRUE(std::all_of(std::begin(w.sopass), std::end(w.sopass), [](auto b) { return b == 0; }));
}

TEST(EthtoolWol, SetRequestWithPasswordAddsSecureOn) {
  const auto pw = SecureOnPassword::parse("01:02:03:04:05:06");
  const ethtool_wolinfo w = make_set_wol_request(WAKE_MAGIC | WAKE_PHY, pw);
  EXPECT_EQ(w.wolopts, static_cast<std::uint32_t>(WAKE_MAGIC | WAKE_PHY | WAKE_MAGICSECURE));
  EXPECT_TRUE(std::equal(std::begin(w.sopass), std::end(w.sopass), pw->bytes().begin()));
  // The NIC's SecureOn field holds 6 bytes; a 4-byte password cannot be programmed.
  EXPECT_THROW(make_set_wol_request(WAKE_MAGIC, SecureOnPassword::parse("1.2.3.4")), PowerError);
}

TEST(EthtoolWol, ModeLettersFollowEthtool) {
  EXPECT_EQ(wol_mode_letters(0), "d");
  EXPECT_EQ(wol_mode_letters(WAKE_MAGIC), "g");
  EXPECT_EQ(wol_mode_letters(WAKE_PHY | WAKE_UCAST | WAKE_MCAST | WAKE_BCAST | WAKE_MAGIC), "pumbg");
  EXPECT_EQ(wol_mode_letters(WAKE_MAGIC | WAKE_MAGICSECURE), "gs");
}

TEST(EthtoolWol, MissingInterfaceIsNamed) {
  // GWOL only reads; an interface name that cannot exist fails with its name in the message.
  try {
    get_wol("jt-no-such-if");
    FAIL();
  } catch (const PowerError& e) {
    EXPECT_NE(std::string(e.what()).find("jt-no-such-if"), std::string::npos) << e.what();
  }
  EXPECT_THROW(get_wol(""), PowerError);
  EXPECT_THROW(get_wol("a-name-longer-than-ifnamsiz"), PowerError);
}

}  // namespace
}  // namespace jettison::emu
