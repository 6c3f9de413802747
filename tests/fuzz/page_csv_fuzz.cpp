// libFuzzer target: the page-access trace reader and the profile built from it
// (traces/io/page_profile.hpp) on arbitrary bytes. Rejecting the input (InputError) is an expected
// outcome; a crash, a sanitizer report, a leak, unbounded memory or a hang is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "common/input_error.hpp"
#include "traces/io/page_profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = std::make_unique<std::istringstream>(std::string(reinterpret_cast<const char*>(data), size));
  try {
    const jettison::traces::PageProfile profile =
        jettison::traces::read_page_profile(std::move(in), "fuzz.csv");
    for (std::uint32_t slot = 0; slot < profile.unique_pages(); ++slot) {
      (void)profile.origin(slot);
      (void)profile.slot(profile.gfns[slot]);
    }
    if (!profile.accesses.empty()) (void)profile.first_at_or_after(profile.accesses.back().offset_us);
  } catch (const jettison::InputError&) {
  }
  return 0;
}
