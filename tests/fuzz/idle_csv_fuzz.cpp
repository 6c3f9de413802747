// libFuzzer target: the idle-period trace reader (traces/io/idle_trace_reader.hpp) on arbitrary bytes,
// read row by row to the end. Rejecting the input (InputError) is an expected outcome; a crash, a
// sanitizer report, a leak, unbounded memory or a hang is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "common/input_error.hpp"
#include "traces/io/idle_trace_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = std::make_unique<std::istringstream>(std::string(reinterpret_cast<const char*>(data), size));
  try {
    jettison::traces::IdleTraceReader reader(std::move(in), "fuzz.csv");
    jettison::traces::IdleRow row;
    while (reader.next(row)) {
      (void)reader.origin(row.line);
    }
  } catch (const jettison::InputError&) {
  }
  return 0;
}
