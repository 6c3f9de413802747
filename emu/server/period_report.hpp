// What jettison-server tells a person and writes for the simulator about each hosted period: the
// summary lines (faults, pages, fault latency, wake-ups, sleep decisions, dirty pages, write-back,
// device state both ways) and, with an output folder, `periods.csv` (the simulator's columns, one
// row per period) and `pages-<epoch>.csv` per period (the page trace the guest produced: first
// touches and first writes, in the simulator's page-trace format, time 0 = the guest resumed here).
// Files appear whole or not at all (written to a temporary name, then renamed).
#pragma once

#include <cstdio>
#include <filesystem>
#include <span>
#include <string>

#include "emu/server/host_session.hpp"

namespace jettison::emu {

void print_period(std::FILE* out, const HostedPeriod& p, const std::string& sleep_rule, bool write_back);
void write_period_files(const std::filesystem::path& dir, std::span<const HostedPeriod> periods);

}  // namespace jettison::emu
