// libFuzzer target: the binary trace format (traces/io/binary_format.hpp, FORMAT.md "Binary format")
// through both readers. The input follows the magic and version bytes (its first byte is the kind:
// 'I' idle periods, 'P' page accesses), so mutations spend their time on the records. Rejecting
// the input (InputError) is an expected outcome; a crash, a sanitizer report, a leak, unbounded
// memory or a hang is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "common/input_error.hpp"
#include "traces/io/binary_format.hpp"
#include "traces/io/idle_trace_reader.hpp"
#include "traces/io/page_profile.hpp"

namespace {

std::unique_ptr<std::istream> trace(const std::uint8_t* data, std::size_t size) {
  std::string bytes(jettison::traces::binary::kMagic, sizeof jettison::traces::binary::kMagic);
  bytes.push_back(static_cast<char>(jettison::traces::binary::kVersion));
  bytes.append(reinterpret_cast<const char*>(data), size);
  return std::make_unique<std::istringstream>(std::move(bytes));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    jettison::traces::IdleTraceReader reader(trace(data, size), "fuzz.jtr");
    jettison::traces::IdleRow row;
    while (reader.next(row)) {
      (void)reader.origin(row.line);
    }
  } catch (const jettison::InputError&) {
  }
  try {
    const jettison::traces::PageProfile profile =
        jettison::traces::read_page_profile(trace(data, size), "fuzz.jtr");
    for (std::uint32_t slot = 0; slot < profile.unique_pages(); ++slot) (void)profile.origin(slot);
  } catch (const jettison::InputError&) {
  }
  return 0;
}
