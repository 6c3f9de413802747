// sim/trace/idle_period_stream: the selected desktops' periods in start order, whether the file is
// streamed (sorted) or buffered and sorted (unsorted).
#include "sim/trace/idle_period_stream.hpp"

#include <gtest/gtest.h>

#include "tests/sim/input/input_test_support.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::TempDir;

struct Flat {
  std::uint32_t desktop;
  std::int64_t start;
  std::int64_t end;
  bool operator==(const Flat&) const = default;
};

std::vector<Flat> drain(IdlePeriodStream& stream) {
  std::vector<Flat> out;
  IdlePeriod p;
  while (stream.next(p)) out.push_back({p.desktop, p.start.us(), p.end.us()});
  return out;
}

const std::unordered_map<std::string, std::uint32_t> kSelected{{"d00", 0}, {"d01", 1}};

const std::vector<Flat> kExpected{
    {1, 50'000'000, 60'000'000},
    {0, 100'000'000, 200'000'000},
    {1, 150'000'000, 160'000'000},
    {0, 300'000'000, 400'000'000},
};

TEST(IdlePeriodStream, StreamsSortedFileInStartOrder) {
  TempDir dir;
  const std::string path = dir.write("idle.csv",
                                     "desktop,start,end\n"
                                     "d01,50,60\n"
                                     "d00,100,200\n"
                                     "d02,120,130\n"
                                     "d01,150,160\n"
                                     "d00,300,400\n");
  const IdleTraceIndex index = index_idle_trace(path, "idle_trace");
  ASSERT_TRUE(index.sorted_by_start);
  IdlePeriodStream stream(index, kSelected);
  EXPECT_FALSE(stream.buffered());
  EXPECT_EQ(drain(stream), kExpected);
}

TEST(IdlePeriodStream, SortsUnsortedFile) {
  TempDir dir;
  const std::string path = dir.write("idle.csv",
                                     "desktop,start,end\n"
                                     "d00,100,200\n"
                                     "d00,300,400\n"
                                     "d02,120,130\n"
                                     "d01,50,60\n"
                                     "d01,150,160\n");
  const IdleTraceIndex index = index_idle_trace(path, "idle_trace");
  ASSERT_FALSE(index.sorted_by_start);
  IdlePeriodStream stream(index, kSelected);
  EXPECT_TRUE(stream.buffered());
  EXPECT_EQ(drain(stream), kExpected);
}

// A lookup instead of a map: each desktop is looked up once, at its first period, and the ones it
// leaves out (d02) are skipped; the periods are those of the map-based stream.
TEST(IdlePeriodStream, SelectsThroughALookupAskedOncePerDesktop) {
  TempDir dir;
  const std::string path = dir.write("idle.csv",
                                     "desktop,start,end\n"
                                     "d01,50,60\n"
                                     "d00,100,200\n"
                                     "d02,120,130\n"
                                     "d01,150,160\n"
                                     "d02,250,260\n"
                                     "d00,300,400\n");
  const IdleTraceIndex index = index_idle_trace(path, "idle_trace");
  std::vector<std::string> asked;
  IdlePeriodStream stream(index, [&](std::string_view name) -> std::optional<std::uint32_t> {
    asked.emplace_back(name);
    const auto it = kSelected.find(std::string(name));
    if (it == kSelected.end()) return std::nullopt;
    return it->second;
  });
  EXPECT_EQ(drain(stream), kExpected);
  EXPECT_EQ(asked, (std::vector<std::string>{"d01", "d00", "d02"}));
}

TEST(IdlePeriodStream, EndsCleanlyAndStaysEnded) {
  TempDir dir;
  const std::string path = dir.write("idle.csv", "desktop,start,end\nd00,1,2\n");
  IdlePeriodStream stream(index_idle_trace(path, "idle_trace"), kSelected);
  IdlePeriod p;
  EXPECT_TRUE(stream.next(p));
  EXPECT_FALSE(stream.next(p));
  EXPECT_FALSE(stream.next(p));
}

}  // namespace
}  // namespace jettison::sim
