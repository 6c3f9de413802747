// common/units: values with units parse to exact typed quantities; anything else is a UnitError that
// quotes the text and says what was wrong.
#include "common/units.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace jettison {
namespace {

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// The message of the UnitError `parse` throws; a failure if it throws nothing or something else.
std::string unit_error(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const UnitError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected UnitError, got another exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected UnitError, nothing was thrown";
  return {};
}

TEST(ParsePower, AcceptsWattsWithAndWithoutSpace) {
  EXPECT_DOUBLE_EQ(parse_power("60W").watts(), 60.0);
  EXPECT_DOUBLE_EQ(parse_power("2.5 W").watts(), 2.5);
  EXPECT_DOUBLE_EQ(parse_power("102.1W").watts(), 102.1);
  EXPECT_DOUBLE_EQ(parse_power("0W").watts(), 0.0);
}

TEST(ParsePower, AcceptsMilliAndKiloWatts) {
  EXPECT_DOUBLE_EQ(parse_power("500mW").watts(), 0.5);
  EXPECT_DOUBLE_EQ(parse_power("1.5kW").watts(), 1500.0);
}

TEST(ParsePower, TrimsSurroundingBlanks) { EXPECT_DOUBLE_EQ(parse_power("  60W\t").watts(), 60.0); }

TEST(ParsePower, RejectsNumberWithoutUnit) {
  const std::string m = unit_error([] { parse_power("60"); });
  EXPECT_TRUE(Contains(m, "'60'"));
  EXPECT_TRUE(Contains(m, "has no unit"));
  EXPECT_TRUE(Contains(m, "power"));
}

TEST(ParsePower, RejectsDurationUnit) {
  const std::string m = unit_error([] { parse_power("10s"); });
  EXPECT_TRUE(Contains(m, "'10s' is a duration"));
  EXPECT_TRUE(Contains(m, "a power is expected"));
}

TEST(ParsePower, RejectsNegative) {
  const std::string m = unit_error([] { parse_power("-5W"); });
  EXPECT_TRUE(Contains(m, "'-5W'"));
  EXPECT_TRUE(Contains(m, "must not be negative"));
}

TEST(ParsePower, RejectsUnknownUnit) {
  const std::string m = unit_error([] { parse_power("5 parsecs"); });
  EXPECT_TRUE(Contains(m, "unknown unit 'parsecs'"));
}

TEST(ParsePower, RejectsUnitOfWrongCase) {
  const std::string m = unit_error([] { parse_power("60w"); });
  EXPECT_TRUE(Contains(m, "unknown unit 'w'"));
}

TEST(ParsePower, RejectsEmptyText) {
  const std::string m = unit_error([] { parse_power(""); });
  EXPECT_TRUE(Contains(m, "'' is not a power"));
}

TEST(ParsePower, RejectsBlankText) {
  const std::string m = unit_error([] { parse_power("   "); });
  EXPECT_TRUE(Contains(m, "is not a power"));
}

TEST(ParsePower, RejectsText) {
  const std::string m = unit_error([] { parse_power("abc"); });
  EXPECT_TRUE(Contains(m, "'abc' is not a power"));
  EXPECT_TRUE(Contains(m, "expected a number with a unit"));
}

TEST(ParsePower, RejectsExponentNotation) {
  // Fixed notation only: "1e3W" reads as 1 followed by the unknown unit "e3W".
  const std::string m = unit_error([] { parse_power("1e3W"); });
  EXPECT_TRUE(Contains(m, "unknown unit 'e3W'"));
}

TEST(ParsePower, RejectsInfinity) {
  const std::string m = unit_error([] { parse_power("infW"); });
  EXPECT_FALSE(m.empty());
}

TEST(ParseDuration, AcceptsEveryUnitExactly) {
  EXPECT_EQ(parse_duration("7us").us(), 7);
  EXPECT_EQ(parse_duration("250ms").us(), 250'000);
  EXPECT_EQ(parse_duration("10s").us(), 10'000'000);
  EXPECT_EQ(parse_duration("2.5 s").us(), 2'500'000);
  EXPECT_EQ(parse_duration("3.09s").us(), 3'090'000);
  EXPECT_EQ(parse_duration("0.2ms").us(), 200);
  EXPECT_EQ(parse_duration("10min").us(), 600'000'000);
  EXPECT_EQ(parse_duration("8h").us(), 28'800'000'000);
  EXPECT_EQ(parse_duration("7d").us(), 604'800'000'000);
}

TEST(ParseDuration, RoundsToNearestMicrosecond) {
  EXPECT_EQ(parse_duration("1.4us").us(), 1);
  EXPECT_EQ(parse_duration("1.6us").us(), 2);
}

TEST(ParseDuration, RejectsNumberWithoutUnit) {
  const std::string m = unit_error([] { parse_duration("10"); });
  EXPECT_TRUE(Contains(m, "'10' has no unit"));
  EXPECT_TRUE(Contains(m, "duration"));
}

TEST(ParseDuration, RejectsPowerUnit) {
  const std::string m = unit_error([] { parse_duration("60W"); });
  EXPECT_TRUE(Contains(m, "'60W' is a power"));
  EXPECT_TRUE(Contains(m, "a duration is expected"));
}

TEST(ParseDuration, RejectsNegative) {
  const std::string m = unit_error([] { parse_duration("-1s"); });
  EXPECT_TRUE(Contains(m, "must not be negative"));
}

TEST(ParseDuration, RejectsTooLarge) {
  const std::string m = unit_error([] { parse_duration("1000000d"); });
  EXPECT_TRUE(Contains(m, "too large"));
}

TEST(ParseBytes, AcceptsBinaryAndDecimalUnits) {
  EXPECT_EQ(parse_bytes("512B").count(), 512U);
  EXPECT_EQ(parse_bytes("4KiB").count(), 4096U);
  EXPECT_EQ(parse_bytes("40MiB").count(), 41'943'040U);
  EXPECT_EQ(parse_bytes("4GiB").count(), 4'294'967'296U);
  EXPECT_EQ(parse_bytes("1TiB").count(), 1'099'511'627'776U);
  EXPECT_EQ(parse_bytes("1.5KiB").count(), 1536U);
  EXPECT_EQ(parse_bytes("2kB").count(), 2000U);
  EXPECT_EQ(parse_bytes("3MB").count(), 3'000'000U);
  EXPECT_EQ(parse_bytes("1GB").count(), 1'000'000'000U);
}

TEST(ParseBytes, RejectsNumberWithoutUnit) {
  const std::string m = unit_error([] { parse_bytes("4096"); });
  EXPECT_TRUE(Contains(m, "'4096' has no unit"));
  EXPECT_TRUE(Contains(m, "size"));
}

TEST(ParseBytes, RejectsBandwidthUnit) {
  const std::string m = unit_error([] { parse_bytes("1Gbps"); });
  EXPECT_TRUE(Contains(m, "'1Gbps' is a bandwidth"));
  EXPECT_TRUE(Contains(m, "a size is expected"));
}

TEST(ParseBytes, RejectsNegative) {
  const std::string m = unit_error([] { parse_bytes("-4KiB"); });
  EXPECT_TRUE(Contains(m, "must not be negative"));
}

TEST(ParseBytes, RejectsUnknownUnit) {
  const std::string m = unit_error([] { parse_bytes("4 KB"); });  // kB or KiB, not KB
  EXPECT_TRUE(Contains(m, "unknown unit 'KB'"));
}

TEST(ParseBandwidth, AcceptsEveryUnit) {
  EXPECT_DOUBLE_EQ(parse_bandwidth("1Gbps").bits_per_second(), 1e9);
  EXPECT_DOUBLE_EQ(parse_bandwidth("100Mbps").bits_per_second(), 1e8);
  EXPECT_DOUBLE_EQ(parse_bandwidth("56kbps").bits_per_second(), 56e3);
  EXPECT_DOUBLE_EQ(parse_bandwidth("56Kbps").bits_per_second(), 56e3);
  EXPECT_DOUBLE_EQ(parse_bandwidth("9600bps").bits_per_second(), 9600.0);
}

TEST(ParseBandwidth, RejectsNumberWithoutUnit) {
  const std::string m = unit_error([] { parse_bandwidth("100"); });
  EXPECT_TRUE(Contains(m, "'100' has no unit"));
  EXPECT_TRUE(Contains(m, "bandwidth"));
}

TEST(ParseBandwidth, RejectsSizeUnit) {
  const std::string m = unit_error([] { parse_bandwidth("100MiB"); });
  EXPECT_TRUE(Contains(m, "'100MiB' is a size"));
  EXPECT_TRUE(Contains(m, "a bandwidth is expected"));
}

TEST(ParseBandwidth, RejectsNegative) {
  const std::string m = unit_error([] { parse_bandwidth("-1Gbps"); });
  EXPECT_TRUE(Contains(m, "must not be negative"));
}

TEST(UnitErrorMessage, ListsTheAcceptedUnits) {
  EXPECT_TRUE(Contains(unit_error([] { parse_power("60"); }), "mW, W, kW"));
  EXPECT_TRUE(Contains(unit_error([] { parse_duration("x"); }), "us, ms, s, min, h, d"));
  EXPECT_TRUE(Contains(unit_error([] { parse_bytes("x"); }), "KiB"));
  EXPECT_TRUE(Contains(unit_error([] { parse_bandwidth("x"); }), "Gbps"));
}

TEST(FormatBytes, PicksTheLargestBinaryUnit) {
  EXPECT_EQ(format_bytes(Bytes::of(512)), "512 B");
  EXPECT_EQ(format_bytes(Bytes::of(4096)), "4.0 KiB");
  EXPECT_EQ(format_bytes(Bytes::of(4'294'967'296)), "4.0 GiB");
  EXPECT_EQ(format_bytes(Bytes::of(1536)), "1.5 KiB");
}

}  // namespace
}  // namespace jettison
