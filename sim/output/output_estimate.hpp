// What a run will write, estimated before it starts from the idle trace's index (how many periods
// the simulated desktops have), the strategies and measured bytes per row; and the check of that
// estimate against `output.budget`, so a run too large for its budget is refused before anything is
// written.
#pragma once

#include <cstdint>

#include "common/quantity.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

// Measured on the default scenario and the 10,000-desktop x 30-day office trace (README,
// "Outputs"): the bytes of a periods.csv row besides its strategy and desktop names (196 on the
// default scenario, 184 for always-on, sleep-only and full at 10,000), and what zstd level 1 keeps
// of periods.csv (0.137 for always-on, 0.160 for the three at 10,000, 0.188 for partial at 1,000,
// whose rows are longer: 211 bytes besides the names).
inline constexpr std::uint64_t kPeriodRowBytes = 196;
inline constexpr double kZstdRatio = 0.17;
// A desktops.csv row besides the names (94 on the default scenario).
inline constexpr std::uint64_t kDesktopRowBytes = 100;
// timeline.csv per window of a traced desktop and strategy: ~40 bytes per state change, about 900
// bytes per window averaged over the four strategies of the default scenario (partial's serving
// wake-ups dominate).
inline constexpr std::uint64_t kTimelineWindowBytes = 1000;

struct OutputEstimate {
  std::uint64_t periods = 0;  // idle periods of the simulated desktops, per strategy (estimated when
                              // only some of the trace's desktops are simulated: their share)
  Bytes periods_csv;          // periods.csv, all strategies, uncompressed
  Bytes periods_file;         // what output.periods writes: periods_csv, compressed, or nothing
  Bytes other;                // desktops.csv and timeline.csv (the small files left out)
  Bytes total() const { return periods_file + other; }
};

OutputEstimate estimate_output(const Scenario& s);

// Throws InputError at the budget's origin (file:line: output.budget) when the estimate exceeds it,
// naming the estimate, the budget and the ways out.
void check_output_budget(const Scenario& s);

}  // namespace jettison::sim
