// Helpers for the input tests: catching an InputError (and only that type), substring checks, and a
// small valid scenario with its traces written into a TempDir.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>

#include "common/input_error.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing {

struct CaughtInputError {
  std::string origin;
  std::string what;
};

// Runs `f`, which must throw jettison::InputError; anything else is a test failure.
inline CaughtInputError input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return {e.origin(), e.what()};
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
  return {};
}

inline ::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "'\n  does not contain '" << part << "'";
}

// 1-based number of the only line of `text` that contains `needle`.
inline int line_of(const std::string& text, const std::string& needle) {
  int line = 1;
  int found = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text.substr(start, end - start).find(needle) != std::string::npos) {
      if (found != 0) ADD_FAILURE() << "'" << needle << "' is on more than one line";
      found = line;
    }
    start = end + 1;
    ++line;
  }
  if (found == 0) ADD_FAILURE() << "'" << needle << "' is on no line";
  return found;
}

// `text` with the one occurrence of `from` replaced by `to`.
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos || text.find(from, at + 1) != std::string::npos) {
    ADD_FAILURE() << "'" << from << "' does not occur exactly once";
    return text;
  }
  return text.replace(at, from.size(), to);
}

// Three desktops, interleaved, globally sorted by start.
inline const std::string kTinyIdle =
    "desktop,start,end\n"
    "d00,3600,5400.25\n"
    "d01,3700.5,3900\n"
    "d02,3800,4000\n"
    "d00,6000,7200\n"
    "d01,7000,9000\n";

inline const std::string kTinyWindows =
    "time,page,op\n"
    "0.239,1000,r\n"
    "0.239,1001,w\n"
    "5.1,1000,r\n";

inline const std::string kTinyLinux =
    "time,page,op\n"
    "2.1,18689,r\n"
    "4.5,200000,w\n";

// The shape of scenarios/default.yaml, small. Trace paths are relative to the YAML's folder.
inline const std::string kTinyScenario = R"(# a small scenario for tests
name: tiny
seed: 7
page_size: 4KiB
idle_trace: traces/idle.csv
page_traces:
  profiles:
    - name: windows
      file: traces/windows.csv
      when_shorter: repeat
    - name: linux
      file: traces/linux.csv
      when_shorter: stop
      length: 10s
  assign: round-robin
desktop:
  vm_memory: 1GiB
  power:
    active: 110W
    idle: 102.1W
    migrating: 105W
    suspending: 90W
    asleep: 1.2W
    resuming_full: 100W
    resuming_selective: 60W
    serving: 60W
  transitions:
    suspend: 3.09s
    resume_full: 2.27s
    resume_selective: 0.7s
    wake_on_lan: 10ms
  link:
    bandwidth: 1Gbps
    latency: 0.2ms
desktops:
  count: 2
server:
  memory: 64GiB
  power: {model: per-vm, per_vm: 5W}
  add_to_total: false
migration:
  migrate_after: 5min
  partial:
    metadata: 40MiB
    setup: 3.5s
  full:
    setup: 1s
    max_rounds: 30
    stop_copy_below: 64MiB
  reintegration_setup: 1s
policy:
  sleep:
    rule: timeout
    timeout: 10s
strategies: [always-on, sleep-only, full, partial]
)";

// kTinyScenario with `desktops: count: 2` replaced by a list.
inline const std::string kTinyListDesktops =
    "desktops:\n"
    "  list:\n"
    "    - {id: d01, vm_memory: 2GiB, profile: windows}\n"
    "    - id: d00\n"
    "      power: {idle: 60W}\n"
    "      link: {latency: 1ms}\n";

inline std::string with_list(const std::string& scenario) {
  return replaced(scenario, "desktops:\n  count: 2\n", kTinyListDesktops);
}

// Writes the scenario as scenario.yaml next to the tiny traces (each replaceable) and returns its path.
inline std::string write_scenario(const TempDir& dir, const std::string& yaml,
                                  const std::string& idle = kTinyIdle,
                                  const std::string& windows = kTinyWindows,
                                  const std::string& linux_profile = kTinyLinux) {
  dir.write("traces/idle.csv", idle);
  dir.write("traces/windows.csv", windows);
  dir.write("traces/linux.csv", linux_profile);
  return dir.write("scenario.yaml", yaml);
}

}  // namespace jettison::testing
