// Idle-trace reading throughput (rows/s): what every strategy's run streams from its trace.
//
//   BM_IdleTraceRead/bytewise_989dbc3: the reading loop of 989dbc3, kept here as the baseline: each
//     line read byte by byte from the streambuf (NUL and length checks per byte), split on commas,
//     both times parsed, the desktop looked up in a map of names to its last end, its name copied.
//   BM_IdleTraceRead/csv: traces::IdleTraceReader on the same CSV (lines cut from a 256 KiB buffer,
//     desktops numbered by a shared name table, as a simulation run reads it).
//   BM_IdleTraceRead/binary: the same rows in the binary format.
// The trace: JETTISON_BENCH_TRACE if set (CSV), else 1,000,000 synthetic rows of 10,000 desktops in
// start order (ids d0000-d9999, times with three decimals, as `jettison-trace generate idle` writes),
// held in memory, so the figures are parsing alone (no disk).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "traces/io/binary_writer.hpp"
#include "traces/io/csv_fields.hpp"
#include "traces/io/csv_lines.hpp"
#include "traces/io/idle_trace_reader.hpp"

namespace {

using namespace jettison;
using namespace jettison::traces;

struct Traces {
  std::string csv;
  std::string binary;
  std::uint64_t rows = 0;
  std::shared_ptr<const DesktopNames> names;  // as a run's index pass leaves them
};

const Traces& traces() {
  static const Traces all = [] {
    Traces t;
    if (const char* path = std::getenv("JETTISON_BENCH_TRACE")) {
      std::ifstream in(path, std::ios::binary);
      t.csv.assign(std::istreambuf_iterator<char>(in), {});
    } else {
      std::mt19937_64 rng(1);
      t.csv = "desktop,start,end\n";
      std::int64_t start_ms = 60'000;
      for (int i = 0; i < 1'000'000; ++i) {
        start_ms += 1 + static_cast<std::int64_t>(rng() % 200);
        const auto desktop = static_cast<int>(rng() % 10'000);
        // Periods last 1 ms and starts grow by at least 1 ms: no desktop's periods overlap.
        fmt::format_to(std::back_inserter(t.csv), "d{:04},{}.{:03},{}.{:03}\n", desktop, start_ms / 1000,
                       start_ms % 1000, (start_ms + 1) / 1000, (start_ms + 1) % 1000);
      }
    }
    IdleTraceReader reader(std::make_unique<std::istringstream>(t.csv), "bench.csv");
    std::ostringstream bin;
    IdleBinaryWriter writer(bin);
    IdleRow row;
    while (reader.next(row)) {
      writer.write(row);
      ++t.rows;
    }
    writer.finish();
    t.binary = bin.str();
    t.names = std::make_shared<const DesktopNames>(reader.take_names());
    return t;
  }();
  return all;
}

// 989dbc3's CsvLines::read_line and IdleTraceReader::next, without their error texts.
std::uint64_t read_bytewise(const std::string& text) {
  std::istringstream in(text);
  std::streambuf* buf = in.rdbuf();
  using traits = std::char_traits<char>;
  std::string line;
  std::vector<std::string_view> f;
  std::unordered_map<std::string, Time, StringHash, std::equal_to<>> last_end;
  IdleRow row;
  std::uint64_t rows = 0;
  bool header = true;
  while (!traits::eq_int_type(buf->sgetc(), traits::eof())) {
    line.clear();
    for (auto c = buf->sbumpc(); !traits::eq_int_type(c, traits::eof()); c = buf->sbumpc()) {
      if (c == '\n') break;
      if (c == '\0') std::abort();
      if (line.size() >= kMaxLineBytes && !(line.size() == kMaxLineBytes && c == '\r')) std::abort();
      line.push_back(traits::to_char_type(c));
    }
    if (header) {
      header = false;
      continue;
    }
    if (line.empty()) continue;
    if (split_csv(line, f, 3) != 3 || !valid_desktop_id(f[0])) std::abort();
    const auto start = parse_seconds_us(f[1]);
    const auto end = parse_seconds_us(f[2]);
    if (!start || !end || *end <= *start) std::abort();
    auto it = last_end.find(f[0]);
    if (it != last_end.end() && *start < it->second.us()) std::abort();
    row.desktop.assign(f[0]);
    row.start = Time::micros(*start);
    row.end = Time::micros(*end);
    if (it != last_end.end()) {
      it->second = row.end;
    } else {
      last_end.emplace(row.desktop, row.end);
    }
    ++rows;
  }
  return rows;
}

std::uint64_t read_with_reader(const std::string& text, const std::shared_ptr<const DesktopNames>& names) {
  IdleTraceReader reader(std::make_unique<std::istringstream>(text), "bench", names);
  IdleRow row;
  std::uint64_t rows = 0;
  while (reader.next(row)) ++rows;
  return rows;
}

void report(benchmark::State& state, std::uint64_t rows, std::size_t bytes) {
  if (rows != traces().rows) state.SkipWithError("row count differs");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

void BM_IdleTraceRead_bytewise(benchmark::State& state) {
  const Traces& t = traces();
  std::uint64_t rows = 0;
  for (auto _ : state) rows = read_bytewise(t.csv);
  report(state, rows, t.csv.size());
}

void BM_IdleTraceRead_csv(benchmark::State& state) {
  const Traces& t = traces();
  std::uint64_t rows = 0;
  for (auto _ : state) rows = read_with_reader(t.csv, t.names);
  report(state, rows, t.csv.size());
}

void BM_IdleTraceRead_binary(benchmark::State& state) {
  const Traces& t = traces();
  std::uint64_t rows = 0;
  for (auto _ : state) rows = read_with_reader(t.binary, t.names);
  report(state, rows, t.binary.size());
}

BENCHMARK(BM_IdleTraceRead_bytewise)
    ->Name("BM_IdleTraceRead/bytewise_989dbc3")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IdleTraceRead_csv)->Name("BM_IdleTraceRead/csv")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IdleTraceRead_binary)->Name("BM_IdleTraceRead/binary")->Unit(benchmark::kMillisecond);

}  // namespace
