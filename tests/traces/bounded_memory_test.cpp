// Bounded memory whatever the input: /dev/zero given as an idle trace (no line end, NUL bytes), to
// the trace reader or as a scenario's idle trace, fails at once naming "/dev/zero:1", with a small
// peak RSS, measured in a forked child.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

#include "common/input_error.hpp"
#include "sim/trace/idle_trace.hpp"
#include "tests/sim/input/input_test_support.hpp"
#include "tests/traces/measured_child.hpp"
#include "traces/io/idle_trace_reader.hpp"
#include "traces/io/input_stream.hpp"

namespace jettison::testing {
namespace {

// A safety net for the child: its address space may grow by at most 1 GiB beyond what it has now,
// so a reader that is not bounded fails with bad_alloc instead of eating the machine.
void limit_growth_to_one_gib() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return;
  unsigned long pages = 0;
  const int n = std::fscanf(f, "%lu", &pages);
  std::fclose(f);
  if (n != 1) return;
  const auto now = static_cast<rlim_t>(pages) * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE));
  const rlimit lim{now + (rlim_t{1} << 30), now + (rlim_t{1} << 30)};
  ::setrlimit(RLIMIT_AS, &lim);
}

// Runs `read` in a forked child limited to 1 GiB of growth; its InputError's text goes to stderr.
MeasuredChild read_in_child(const std::function<void()>& read) {
  TempDir dir;
  return run_measured(dir.path().string(), [&] {
    limit_growth_to_one_gib();
    try {
      read();
    } catch (const InputError& e) {
      std::fputs(e.what(), stderr);
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "not an InputError: %s", e.what());
      return 3;
    }
    return 4;
  });
}

void expect_bounded_nul_error(const MeasuredChild& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "/dev/zero:1: "));
  EXPECT_TRUE(Contains(r.err, "NUL byte"));
  // The child starts as a copy of the test process (a few MB); an unbounded line read holds the
  // whole 1 GiB it may grow by before it fails.
  EXPECT_LT(r.peak_rss_kb, 200U * 1024) << "peak RSS " << r.peak_rss_kb << " KiB";
}

TEST(BoundedMemory, DevZeroAsAnIdleTraceFailsAtOnceNamingFileAndLine) {
  if (::access("/dev/zero", R_OK) != 0) GTEST_SKIP() << "no readable /dev/zero";
  expect_bounded_nul_error(read_in_child([] {
    traces::IdleTraceReader reader(traces::open_trace_file("/dev/zero", "idle_trace"), "/dev/zero");
    traces::IdleRow row;
    while (reader.next(row)) {
    }
  }));
}

TEST(BoundedMemory, DevZeroAsAScenariosIdleTraceFailsAtOnce) {
  // What `jettison-sim validate` does with `idle_trace: /dev/zero` (2.6 GB before lines were bounded).
  if (::access("/dev/zero", R_OK) != 0) GTEST_SKIP() << "no readable /dev/zero";
  expect_bounded_nul_error(read_in_child([] { sim::index_idle_trace("/dev/zero", "idle_trace"); }));
}

}  // namespace
}  // namespace jettison::testing
