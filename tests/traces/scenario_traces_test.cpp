// Scenarios read compressed and binary traces like CSV ones: the same run from a .csv.gz idle trace
// and .jtrace / .csv.zst page profiles as from the plain CSV files, and a damaged compressed trace
// stops load_scenario with an InputError naming the file.
#include <gtest/gtest.h>

#include <sstream>

#include "common/input_error.hpp"
#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/input/input_test_support.hpp"
#include "tests/traces/trace_test_support.hpp"
#include "traces/io/binary_writer.hpp"

namespace jettison::testing {
namespace {

std::string pages_binary(const std::string& csv) {
  traces::PageTraceReader r(stream_of(csv), "in.csv");
  std::ostringstream out;
  traces::PageBinaryWriter w(out);
  traces::PageRow row;
  while (r.next(row)) w.write(row);
  w.finish();
  return out.str();
}

std::string idle_binary(const std::string& csv) {
  traces::IdleTraceReader r(stream_of(csv), "in.csv");
  std::ostringstream out;
  traces::IdleBinaryWriter w(out);
  traces::IdleRow row;
  while (r.next(row)) w.write(row);
  w.finish();
  return out.str();
}

// kTinyScenario over the bundled samples (4 desktops, a week), with the trace files named here.
std::string scenario_yaml(const std::string& idle, const std::string& windows,
                          const std::string& linux_file) {
  std::string y = replaced(kTinyScenario, "idle_trace: traces/idle.csv", "idle_trace: " + idle);
  y = replaced(y, "file: traces/windows.csv", "file: " + windows);
  y = replaced(y, "file: traces/linux.csv", "file: " + linux_file);
  y = replaced(y, "      length: 10s\n", "");
  y = replaced(y, "vm_memory: 1GiB", "vm_memory: 4GiB");
  return replaced(y, "desktops:\n  count: 2\n", "desktops:\n  count: 4\n");
}

TEST(ScenarioTraces, CompressedAndBinaryTracesRunTheSameAsCsv) {
  TempDir dir;
  const std::string idle = slurp(sample("office-idle.csv"));
  const std::string windows = slurp(sample("pages-windows.csv"));
  const std::string linux_pages = slurp(sample("pages-linux.csv"));
  dir.write("traces/idle.csv", idle);
  dir.write("traces/windows.csv", windows);
  dir.write("traces/linux.csv", linux_pages);
  dir.write("traces/idle.csv.gz", gzip_bytes(idle));
  dir.write("traces/windows.jtrace", pages_binary(windows));
  dir.write("traces/linux.csv.zst", zstd_bytes(linux_pages));
  dir.write("traces/idle.jtrace.zst", zstd_bytes(idle_binary(idle)));
  dir.write("traces/windows.jtrace.gz", gzip_bytes(pages_binary(windows)));

  const auto plain = sim::load_scenario(
      dir.write("plain.yaml", scenario_yaml("traces/idle.csv", "traces/windows.csv", "traces/linux.csv")));
  const auto packed = sim::load_scenario(dir.write(
      "packed.yaml", scenario_yaml("traces/idle.csv.gz", "traces/windows.jtrace", "traces/linux.csv.zst")));
  const auto binary = sim::load_scenario(
      dir.write("binary.yaml",
                scenario_yaml("traces/idle.jtrace.zst", "traces/windows.jtrace.gz", "traces/linux.csv")));

  for (const sim::Scenario* s : {&packed, &binary}) {
    EXPECT_EQ(s->idle_trace.desktops(), plain.idle_trace.desktops());
    EXPECT_EQ(s->idle_trace.periods, plain.idle_trace.periods);
    EXPECT_EQ(s->idle_trace.end, plain.idle_trace.end);
    EXPECT_EQ(s->idle_trace.sorted_by_start, plain.idle_trace.sorted_by_start);
    ASSERT_EQ(s->profiles.size(), plain.profiles.size());
    for (std::size_t i = 0; i < plain.profiles.size(); ++i) {
      EXPECT_EQ(s->profiles[i].gfns, plain.profiles[i].gfns);
      EXPECT_EQ(s->profiles[i].accesses.size(), plain.profiles[i].accesses.size());
      EXPECT_EQ(s->profiles[i].cycle, plain.profiles[i].cycle);
    }
  }
  EXPECT_TRUE(packed.profiles[0].binary);
  EXPECT_FALSE(packed.profiles[1].binary);

  sim::RunOptions options;
  options.threads = 2;
  options.out = dir.path() / "out-plain";
  sim::run_scenario(plain, options);
  options.out = dir.path() / "out-packed";
  sim::run_scenario(packed, options);
  options.out = dir.path() / "out-binary";
  sim::run_scenario(binary, options);
  for (const char* f : {"periods.csv", "desktops.csv"}) {
    const std::string expected = slurp(dir.path() / "out-plain" / f);
    EXPECT_GT(expected.size(), 1000U) << f;
    EXPECT_EQ(slurp(dir.path() / "out-packed" / f), expected) << f;
    EXPECT_EQ(slurp(dir.path() / "out-binary" / f), expected) << f;
  }
}

TEST(ScenarioTraces, DamagedCompressedOrBinaryTraceStopsLoadingWithTheFileName) {
  TempDir dir;
  const std::string gz = gzip_bytes(slurp(sample("office-idle.csv")));
  const std::string cut = dir.write("traces/idle.csv.gz", gz.substr(0, gz.size() * 2 / 3));
  const std::string windows_bin = pages_binary(slurp(sample("pages-windows.csv")));
  dir.write("traces/windows.jtrace", windows_bin.substr(0, windows_bin.size() - 3));
  dir.write("traces/windows.csv", kTinyWindows);
  dir.write("traces/linux.csv", kTinyLinux);
  auto e = input_error([&] {
    sim::load_scenario(
        dir.write("a.yaml", scenario_yaml("traces/idle.csv.gz", "traces/windows.csv", "traces/linux.csv")));
  });
  EXPECT_EQ(e.origin, cut);
  EXPECT_TRUE(Contains(e.what, "truncated gzip data"));

  dir.write("traces/idle.csv", slurp(sample("office-idle.csv")));
  e = input_error([&] {
    sim::load_scenario(
        dir.write("b.yaml", scenario_yaml("traces/idle.csv", "traces/windows.jtrace", "traces/linux.csv")));
  });
  EXPECT_EQ(e.origin, (dir.path() / "traces/windows.jtrace").string());
  EXPECT_TRUE(Contains(e.what, "truncated: the file ends inside the trailer"));
}

}  // namespace
}  // namespace jettison::testing
