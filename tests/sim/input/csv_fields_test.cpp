// sim/trace/csv_fields: exact decimal seconds to microseconds, unsigned integers, field splitting.
#include "sim/trace/csv_fields.hpp"

#include <gtest/gtest.h>

namespace jettison::sim {
namespace {

TEST(ParseSecondsUs, WholeSeconds) {
  EXPECT_EQ(parse_seconds_us("12"), 12'000'000);
  EXPECT_EQ(parse_seconds_us("0"), 0);
}

TEST(ParseSecondsUs, Fractions) {
  EXPECT_EQ(parse_seconds_us("1.5"), 1'500'000);
  EXPECT_EQ(parse_seconds_us("0.000001"), 1);
  EXPECT_EQ(parse_seconds_us("5400.25"), 5'400'250'000);
  EXPECT_EQ(parse_seconds_us("0.239"), 239'000);
}

TEST(ParseSecondsUs, RoundsPastTheSixthDecimalToNearest) {
  EXPECT_EQ(parse_seconds_us("1.0000005"), 1'000'001);
  EXPECT_EQ(parse_seconds_us("1.0000004"), 1'000'000);
  EXPECT_EQ(parse_seconds_us("1.00000049999"), 1'000'000);
  EXPECT_EQ(parse_seconds_us("0.9999995"), 1'000'000);
}

TEST(ParseSecondsUs, DotWithOneSideOmitted) {
  EXPECT_EQ(parse_seconds_us(".5"), 500'000);
  EXPECT_EQ(parse_seconds_us("3."), 3'000'000);
}

TEST(ParseSecondsUs, RejectsSignsExponentsBlanksAndJunk) {
  for (const char* bad : {"-1", "+1", "1e3", " 1", "1 ", "", ".", "1.2.3", "abc", "1,5", "0x10", "1.5s"}) {
    EXPECT_FALSE(parse_seconds_us(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(ParseSecondsUs, RejectsHugeValuesInsteadOfOverflowing) {
  EXPECT_FALSE(parse_seconds_us("99999999999999999999").has_value());
}

TEST(ParseUnsigned, AcceptsIntegers) {
  EXPECT_EQ(parse_unsigned("0"), 0U);
  EXPECT_EQ(parse_unsigned("524288"), 524288U);
  EXPECT_EQ(parse_unsigned("18446744073709551615"), 18446744073709551615ULL);
}

TEST(ParseUnsigned, RejectsEverythingElse) {
  for (const char* bad : {"", "-1", "+1", "1.5", " 1", "1 ", "x", "18446744073709551616"}) {
    EXPECT_FALSE(parse_unsigned(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(SplitCsv, SplitsOnCommasAndStripsCarriageReturn) {
  std::vector<std::string_view> f;
  split_csv("d00,3600,5400.25\r", f);
  ASSERT_EQ(f.size(), 3U);
  EXPECT_EQ(f[0], "d00");
  EXPECT_EQ(f[1], "3600");
  EXPECT_EQ(f[2], "5400.25");
}

TEST(SplitCsv, KeepsEmptyFields) {
  std::vector<std::string_view> f;
  split_csv(",a,", f);
  ASSERT_EQ(f.size(), 3U);
  EXPECT_EQ(f[0], "");
  EXPECT_EQ(f[2], "");
  split_csv("", f);
  EXPECT_EQ(f.size(), 1U);
}

TEST(QuoteField, QuotesAndShortens) {
  EXPECT_EQ(quote_field("abc"), "'abc'");
  EXPECT_EQ(quote_field(std::string(50, 'x')), "'" + std::string(40, 'x') + "...'");
}

}  // namespace
}  // namespace jettison::sim
