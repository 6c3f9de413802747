// periods.csv writing throughput (rows/s), the simulator's per-period output path.
//
//   BM_PeriodRows/ostream_runtime_fmt: the way 989dbc3 wrote rows, kept here as the baseline: each
//     cell formatted with a runtime fmt format string into a row buffer, the row written through an
//     std::ofstream.
//   BM_PeriodRows/csv: common/period_csv's row formatter (format_int, compiled formats) straight
//     into an OutputFile's buffer, written with write(2) 1 MiB at a time.
//   BM_PeriodRows/csv_zst: the same through libzstd (level 3): periods.csv.zst.
// Rows are random but realistic records (every field set, migrated outcome), written to a file in a
// temporary folder; counters: rows/s and bytes per row (after compression).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "common/period_csv.hpp"
#include "sim/output/output_file.hpp"
#include "sim/output/period_csv.hpp"

namespace {

using namespace jettison;
using namespace jettison::sim;
namespace fs = std::filesystem;

constexpr std::size_t kRows = 200'000;

struct Rows {
  std::vector<std::string> desktops;
  std::vector<PeriodRecord> records;
};

const Rows& rows() {
  static const Rows r = [] {
    Rows out;
    std::mt19937_64 rng(1);
    for (int i = 0; i < 1000; ++i) out.desktops.push_back(fmt::format("desk-{:05}", i));
    auto u = [&](std::uint64_t n) { return rng() % n; };
    for (std::size_t i = 0; i < kRows; ++i) {
      PeriodRecord p;
      p.desktop = static_cast<std::uint32_t>(i % 1000);
      p.period = static_cast<std::uint32_t>(i / 1000);
      p.start = Time::micros(static_cast<std::int64_t>(u(2'592'000'000'000)));
      p.idle = Duration::micros(static_cast<std::int64_t>(u(20'000'000'000)));
      p.window = p.idle + Duration::micros(static_cast<std::int64_t>(u(10'000'000)));
      for (auto& t : p.state_time) t = Duration::micros(static_cast<std::int64_t>(u(5'000'000'000)));
      p.energy = Energy::joules(static_cast<double>(u(100'000'000)) / 1000.0);
      p.baseline = Energy::joules(static_cast<double>(u(1'000'000'000)) / 1000.0 + 1.0);
      p.server_energy = Energy::joules(static_cast<double>(u(1'000'000)) / 1000.0);
      p.migrated = Bytes::of(u(1ULL << 32));
      p.fetched = Bytes::of(u(1ULL << 28));
      p.fetched_pages = p.fetched.count() / 4096;
      p.reintegrated = Bytes::of(u(1ULL << 28));
      p.dirty_pages = u(100'000);
      p.wakeups = u(50);
      p.migration_latency = Duration::micros(static_cast<std::int64_t>(u(30'000'000)));
      p.return_latency = Duration::micros(static_cast<std::int64_t>(u(10'000'000)));
      p.migration_latency_uncontended = p.migration_latency;
      p.server = static_cast<std::int32_t>(u(4));
      p.outcome = Outcome::kMigrated;
      out.records.push_back(p);
    }
    return out;
  }();
  return r;
}

// --- the baseline: 989dbc3's row formatter (runtime format strings) and ofstream ---
using Buf = fmt::memory_buffer;
void old_seconds(Buf& b, Duration d) {
  fmt::format_to(std::back_inserter(b), "{}.{:06}", d.us() / 1'000'000, d.us() % 1'000'000);
}
template <class T>
void old_opt(Buf& b, const std::optional<T>& v) {
  if (!v) return;
  if constexpr (std::is_same_v<T, Duration>)
    old_seconds(b, *v);
  else if constexpr (std::is_same_v<T, Bytes>)
    fmt::format_to(std::back_inserter(b), "{}", v->count());
  else if constexpr (std::is_same_v<T, Energy>)
    fmt::format_to(std::back_inserter(b), "{:.3f}", v->joules());
  else
    fmt::format_to(std::back_inserter(b), "{}", *v);
}
void old_row(std::ostream& out, const PeriodRow& r) {
  Buf b;
  auto c = [&] { b.push_back(','); };
  b.append(r.strategy.data(), r.strategy.data() + r.strategy.size()), c();
  b.append(r.desktop.data(), r.desktop.data() + r.desktop.size()), c();
  fmt::format_to(std::back_inserter(b), "{}", r.period), c();
  old_opt(b, r.start), c(), old_opt(b, r.idle), c(), old_opt(b, r.window), c();
  if (r.outcome) {
    const auto n = name_of(*r.outcome);
    b.append(n.data(), n.data() + n.size());
  }
  c(), old_opt(b, r.energy), c(), old_opt(b, r.baseline), c();
  if (r.energy && r.baseline) {
    const double savings = r.baseline->joules() > 0 ? 100.0 * (1.0 - *r.energy / *r.baseline) : 0.0;
    fmt::format_to(std::back_inserter(b), "{:.4f}", savings);
  }
  c(), old_opt(b, r.server_energy), c(), old_opt(b, r.proxy_energy), c(), old_opt(b, r.migrated), c(), old_opt(b, r.fetched_pages), c();
  old_opt(b, r.fetched), c(), old_opt(b, r.prefetched_pages), c(), old_opt(b, r.prefetch_used), c();
  old_opt(b, r.reintegrated), c(), old_opt(b, r.network), c(), old_opt(b, r.dirty_pages), c();
  old_opt(b, r.wakeups), c(), old_opt(b, r.migration_latency), c(), old_opt(b, r.return_latency), c();
  old_opt(b, r.migration_latency_uncontended), c(), old_opt(b, r.server);
  for (std::size_t i = 0; i < kPowerStateCount; ++i) {
    c();
    if (r.state_time) old_seconds(b, (*r.state_time)[i]);
  }
  b.push_back('\n');
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

// A file in this process's scratch folder; finish() removes both, so nothing is left behind.
fs::path bench_file(const char* name) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("jettison-output-bench-{}", ::getpid());
  fs::create_directories(dir);
  return dir / name;
}

void finish(benchmark::State& state, const fs::path& file) {
  const auto rows_done = static_cast<double>(state.iterations()) * static_cast<double>(kRows);
  state.counters["rows_per_s"] = benchmark::Counter(rows_done, benchmark::Counter::kIsRate);
  state.counters["bytes_per_row"] = static_cast<double>(fs::file_size(file)) / static_cast<double>(kRows);
  fs::remove(file);
  fs::remove(file.parent_path());  // the scratch folder, empty now
}

void BM_PeriodRows_ostream_runtime_fmt(benchmark::State& state) {
  const Rows& r = rows();
  const fs::path file = bench_file("old.csv");
  for (auto _ : state) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << period_csv_header();
    for (const PeriodRecord& p : r.records) old_row(out, period_row("partial", r.desktops[p.desktop], p));
  }
  finish(state, file);
}

void BM_PeriodRows(benchmark::State& state, Compression compression) {
  const Rows& r = rows();
  const fs::path file = bench_file("new.csv");
  for (auto _ : state) {
    OutputFile out(file, compression);
    out.write(period_header());
    for (const PeriodRecord& p : r.records) write_period_row(out, "partial", r.desktops[p.desktop], p);
    out.close();
  }
  finish(state, file);
}

BENCHMARK(BM_PeriodRows_ostream_runtime_fmt)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_PeriodRows, csv, Compression::kNone)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_PeriodRows, csv_zst, Compression::kZstd)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
