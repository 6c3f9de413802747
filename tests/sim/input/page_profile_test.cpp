// sim/trace/page_profile: malformed rows are InputErrors naming "file:line"; a good profile is held
// with dense slots, the pages' frame numbers, the largest one and the default replay cycle.
#include "sim/trace/page_profile.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::Contains;
using jettison::testing::input_error;

PageProfile read(const std::string& text) {
  return read_page_profile(std::make_unique<std::istringstream>(text), "pages.csv");
}

jettison::testing::CaughtInputError read_error(const std::string& text) {
  return input_error([&] { read(text); });
}

TEST(ReadPageProfile, ReadsAccessesWithDenseSlots) {
  const PageProfile p = read("time,page,op\n0.239,524288,r\n0.239,524289,w\n5.1,524288,r\n");
  EXPECT_EQ(p.source, "pages.csv");
  ASSERT_EQ(p.accesses.size(), 3U);
  EXPECT_EQ(p.accesses[0].offset_us, 239'000);
  EXPECT_EQ(p.accesses[0].slot, 0U);
  EXPECT_FALSE(p.accesses[0].write);
  EXPECT_EQ(p.accesses[1].slot, 1U);
  EXPECT_TRUE(p.accesses[1].write);
  EXPECT_EQ(p.accesses[2].offset_us, 5'100'000);
  EXPECT_EQ(p.accesses[2].slot, 0U);
  EXPECT_EQ(p.gfns, (std::vector<std::uint64_t>{524288, 524289}));
  EXPECT_EQ(p.lines, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(p.unique_pages(), 2U);
  EXPECT_EQ(p.max_gfn, 524289U);
  EXPECT_TRUE(p.repeat);
}

TEST(ReadPageProfile, DefaultCycleIsTheWholeSecondAfterTheLastAccess) {
  EXPECT_EQ(read("time,page,op\n0.239,1,r\n5.1,2,r\n").cycle.us(), 6'000'000);
  EXPECT_EQ(read("time,page,op\n7198.9,1,r\n").cycle.us(), 7'199'000'000);
  EXPECT_EQ(read("time,page,op\n3,1,r\n").cycle.us(), 4'000'000);  // exactly on a second: the next one
  EXPECT_EQ(read("time,page,op\n").cycle.us(), 1'000'000);
}

TEST(ReadPageProfile, MaxGfnIsTheLargestPageNotTheLast) {
  const PageProfile p = read("time,page,op\n1,900,r\n2,5,w\n3,0,r\n");
  EXPECT_EQ(p.max_gfn, 900U);
  EXPECT_EQ(p.gfns, (std::vector<std::uint64_t>{900, 5, 0}));
}

TEST(ReadPageProfile, AcceptsEqualTimesCrlfBlankLinesAndByteOrderMark) {
  const PageProfile p = read(
      "\xEF\xBB\xBF"
      "time,page,op\r\n1,1,r\r\n\r\n1,2,w\r\n");
  ASSERT_EQ(p.accesses.size(), 2U);
  EXPECT_EQ(p.lines, (std::vector<std::uint64_t>{2, 4}));
}

TEST(ReadPageProfile, FirstAtOrAfter) {
  const PageProfile p = read("time,page,op\n1,1,r\n2,2,r\n2,3,r\n4,4,r\n");
  EXPECT_EQ(p.first_at_or_after(0), 0U);
  EXPECT_EQ(p.first_at_or_after(2'000'000), 1U);
  EXPECT_EQ(p.first_at_or_after(2'000'001), 3U);
  EXPECT_EQ(p.first_at_or_after(5'000'000), 4U);
}

TEST(ReadPageProfile, RejectsEmptyFile) {
  const auto e = read_error("");
  EXPECT_TRUE(Contains(e.origin, "pages.csv"));
  EXPECT_TRUE(Contains(e.what, "empty file"));
}

TEST(ReadPageProfile, RejectsMissingHeader) {
  const auto e = read_error("0.239,1,r\n");
  EXPECT_EQ(e.origin, "pages.csv:1");
  EXPECT_TRUE(Contains(e.what, "missing header"));
  EXPECT_TRUE(Contains(e.what, "'time,page,op'"));
}

TEST(ReadPageProfile, RejectsWrongFieldCount) {
  const auto e = read_error("time,page,op\n1,1,r\n2,2\n");
  EXPECT_EQ(e.origin, "pages.csv:3");
  EXPECT_TRUE(Contains(e.what, "expected 3 fields"));
  EXPECT_TRUE(Contains(e.what, "found 2"));
}

TEST(ReadPageProfile, RejectsNegativeTime) {
  const auto e = read_error("time,page,op\n-1,1,r\n");
  EXPECT_EQ(e.origin, "pages.csv:2");
  EXPECT_TRUE(Contains(e.what, "time '-1'"));
}

TEST(ReadPageProfile, RejectsNonNumericTime) {
  const auto e = read_error("time,page,op\n1,1,r\n\nnow,1,r\n");
  EXPECT_EQ(e.origin, "pages.csv:4");
  EXPECT_TRUE(Contains(e.what, "time 'now'"));
  EXPECT_TRUE(Contains(e.what, "not a non-negative number of seconds"));
}

TEST(ReadPageProfile, RejectsDecreasingTime) {
  const auto e = read_error("time,page,op\n1,1,r\n5.5,2,r\n5.4,3,w\n");
  EXPECT_EQ(e.origin, "pages.csv:4");
  EXPECT_TRUE(Contains(e.what, "time 5.4 s is before the previous row's 5.5 s"));
}

TEST(ReadPageProfile, RejectsNonIntegerPage) {
  const auto e = read_error("time,page,op\n1,1.5,r\n");
  EXPECT_EQ(e.origin, "pages.csv:2");
  EXPECT_TRUE(Contains(e.what, "page '1.5'"));
  EXPECT_TRUE(Contains(e.what, "non-negative integer"));
}

TEST(ReadPageProfile, RejectsNegativePage) {
  const auto e = read_error("time,page,op\n1,1,r\n2,-3,r\n");
  EXPECT_EQ(e.origin, "pages.csv:3");
  EXPECT_TRUE(Contains(e.what, "page '-3'"));
}

TEST(ReadPageProfile, RejectsUnknownOp) {
  const auto e = read_error("time,page,op\n1,1,r\n2,2,w\n3,3,x\n");
  EXPECT_EQ(e.origin, "pages.csv:4");
  EXPECT_TRUE(Contains(e.what, "op 'x' is unknown"));
  EXPECT_TRUE(Contains(e.what, "'r' (read) or 'w' (write)"));
}

TEST(ReadPageProfile, RejectsUppercaseOp) {
  EXPECT_EQ(read_error("time,page,op\n1,1,W\n").origin, "pages.csv:2");
}

}  // namespace
}  // namespace jettison::sim
