// Magic packets: building, strict parsing (every malformed shape), MAC and password matching.
#include "emu/power/magic_packet.hpp"

#include <gtest/gtest.h>

namespace jettison::emu {
namespace {

const MacAddress kMac({0x52, 0x54, 0x00, 0x12, 0x34, 0x56});
const MacAddress kOtherMac({0x52, 0x54, 0x00, 0x12, 0x34, 0x57});

SecureOnPassword password(std::vector<std::uint8_t> b) { return *SecureOnPassword::from_bytes(b); }

TEST(MacAddress, ParsesAndPrints) {
  EXPECT_EQ(MacAddress::parse("52:54:00:12:34:56"), kMac);
  EXPECT_EQ(MacAddress::parse("52-54-00-12-34-56"), kMac);
  EXPECT_EQ(MacAddress::parse("52:54:00:12:34:56")->to_string(), "52:54:00:12:34:56");
  EXPECT_EQ(MacAddress::parse("AA:BB:CC:DD:EE:FF")->to_string(), "aa:bb:cc:dd:ee:ff");
  for (const char* bad :
       {"", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:5g", "52:54-00:12:34:56",
        "525:4:00:12:34:56", "52:54:00:12:34:56 ", "+2:54:00:12:34:56"})
    EXPECT_FALSE(MacAddress::parse(bad)) << bad;
}

TEST(SecureOnPassword, ParsesSixHexFourHexOrFourDecimal) {
  EXPECT_EQ(SecureOnPassword::parse("01:02:03:04:05:06")->bytes(),
            (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(SecureOnPassword::parse("0a:0b:0c:0d")->bytes(), (std::vector<std::uint8_t>{10, 11, 12, 13}));
  EXPECT_EQ(SecureOnPassword::parse("192.168.1.2")->bytes(), (std::vector<std::uint8_t>{192, 168, 1, 2}));
  for (const char* bad : {"", "01:02:03", "01:02:03:04:05", "1.2.3", "1.2.3.256", "01:02:03:04:05:06:07"})
    EXPECT_FALSE(SecureOnPassword::parse(bad)) << bad;
  EXPECT_FALSE(SecureOnPassword::from_bytes(std::vector<std::uint8_t>(5, 0)));
}

TEST(MagicPacket, BuildsSyncThenSixteenCopies) {
  const auto p = build_magic_packet(kMac);
  ASSERT_EQ(p.size(), 102u);  // 6 sync bytes + 16 x 6 MAC bytes
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(p[i], 0xff);
  for (std::size_t rep = 0; rep < 16; ++rep)
    for (std::size_t b = 0; b < 6; ++b) EXPECT_EQ(p[6 + rep * 6 + b], kMac.bytes()[b]);
}

TEST(MagicPacket, RoundTripsWithAndWithoutPassword) {
  for (const std::optional<SecureOnPassword>& pw :
       {std::optional<SecureOnPassword>{}, std::optional{password({1, 2, 3, 4})},
        std::optional{password({1, 2, 3, 4, 5, 6})}}) {
    const auto bytes = build_magic_packet(kMac, pw);
    EXPECT_EQ(bytes.size(), 102u + (pw ? pw->size() : 0));
    const auto parsed = parse_magic_packet(bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.reason;
    EXPECT_EQ(parsed.packet->mac, kMac);
    EXPECT_EQ(parsed.packet->password, pw);
  }
}

TEST(MagicPacket, RejectsEveryWrongLength) {
  // Only 102, 106 and 108 bytes are magic packets; everything from 0 to 120 else is rejected.
  for (std::size_t n = 0; n <= 120; ++n) {
    if (n == 102 || n == 106 || n == 108) continue;
    std::vector<std::uint8_t> bytes = build_magic_packet(kMac);
    bytes.resize(n, 0x11);
    const auto parsed = parse_magic_packet(bytes);
    EXPECT_FALSE(parsed.ok()) << n;
    EXPECT_EQ(parsed.error, MagicPacketError::kBadLength) << n;
    EXPECT_NE(parsed.reason.find(std::to_string(n) + " bytes"), std::string::npos) << parsed.reason;
  }
}

TEST(MagicPacket, RejectsABadSyncByteAtEveryPosition) {
  for (std::size_t i = 0; i < 6; ++i) {
    auto bytes = build_magic_packet(kMac);
    bytes[i] = 0xfe;
    const auto parsed = parse_magic_packet(bytes);
    EXPECT_EQ(parsed.error, MagicPacketError::kBadSync) << i;
    EXPECT_NE(parsed.reason.find("sync byte " + std::to_string(i)), std::string::npos) << parsed.reason;
  }
}

TEST(MagicPacket, RejectsAnyRepetitionThatDiffers) {
  // Repetitions 2..16 are compared with the first; a flipped bit in any byte of any of them fails.
  for (std::size_t rep = 1; rep < 16; ++rep) {
    for (std::size_t b = 0; b < 6; ++b) {
      auto bytes = build_magic_packet(kMac);
      bytes[6 + rep * 6 + b] ^= 0x01;
      const auto parsed = parse_magic_packet(bytes);
      EXPECT_EQ(parsed.error, MagicPacketError::kMacMismatch) << rep << "/" << b;
      EXPECT_NE(parsed.reason.find("repetition " + std::to_string(rep + 1)), std::string::npos)
          << parsed.reason;
    }
  }
  // Changing the first copy makes every later one differ: reported at repetition 2.
  auto bytes = build_magic_packet(kMac);
  bytes[6] ^= 0x80;
  EXPECT_NE(parse_magic_packet(bytes).reason.find("repetition 2 of 16"), std::string::npos);
}

TEST(MagicPacket, AllFfIsAMagicPacketForTheBroadcastMac) {
  const std::vector<std::uint8_t> bytes(102, 0xff);
  const auto parsed = parse_magic_packet(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.packet->mac, MacAddress::broadcast());
  EXPECT_TRUE(magic_packet_rejection(bytes, kMac, std::nullopt).has_value());
}

TEST(MagicPacket, RejectionChecksMacThenPassword) {
  const auto pw = password({1, 2, 3, 4, 5, 6});
  const auto other_pw = password({1, 2, 3, 4, 5, 7});
  EXPECT_FALSE(magic_packet_rejection(build_magic_packet(kMac), kMac, std::nullopt));
  // Without a configured password a packet carrying one still wakes (a plain NIC matches the MAC).
  EXPECT_FALSE(magic_packet_rejection(build_magic_packet(kMac, pw), kMac, std::nullopt));
  EXPECT_FALSE(magic_packet_rejection(build_magic_packet(kMac, pw), kMac, pw));

  const auto wrong_mac = magic_packet_rejection(build_magic_packet(kOtherMac), kMac, std::nullopt);
  ASSERT_TRUE(wrong_mac);
  EXPECT_NE(wrong_mac->find("52:54:00:12:34:57"), std::string::npos) << *wrong_mac;
  EXPECT_EQ(magic_packet_rejection(build_magic_packet(kMac, other_pw), kMac, pw), "wrong SecureOn password");
  EXPECT_EQ(magic_packet_rejection(build_magic_packet(kMac), kMac, pw), "no SecureOn password");
  EXPECT_EQ(magic_packet_rejection(build_magic_packet(kMac, password({1, 2, 3, 4})), kMac, pw),
            "wrong SecureOn password");
  const std::vector<std::uint8_t> junk(50, 0);
  EXPECT_NE(magic_packet_rejection(junk, kMac, std::nullopt)->find("not a magic packet"), std::string::npos);
}

}  // namespace
}  // namespace jettison::emu
