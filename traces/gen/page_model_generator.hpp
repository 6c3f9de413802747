// Draws a page-access trace from a fitted page model (page_model.hpp) for as long as asked: new pages
// in batches whose expected count by time t is the model's U(t) (a Poisson process of batches,
// time-changed by U(t) / mean batch size, each batch of geometric size), placed near the previous
// new page with the model's locality shares and otherwise anywhere in the VM's memory; re-touches
// of pages already touched as a Poisson process at the model's rate, uniform over those pages; writes
// with the model's shares. New pages stop only when every page of the VM has been touched.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "traces/gen/idle_vm_model.hpp"
#include "traces/gen/page_model.hpp"

namespace jettison::traces {

struct ModelTrace {
  std::vector<PageEvent> events;  // sorted by time
  std::uint64_t unique_pages = 0;
  std::optional<std::int64_t> full_at_us;  // when the VM's pages ran out, if they did
};

// The most pages a VM may have here (1 TiB of 4 KiB pages): generation keeps a bit a page.
inline constexpr std::uint64_t kMaxModelVmPages = std::uint64_t{1} << 28;

// Draws from RandomStream(seed, "pages:model:new") and (seed, "pages:model:retouch"): the same
// model, VM size, seed and length give the same trace.
ModelTrace generate_from_model(const PageModel& model, std::uint64_t vm_pages, std::uint64_t seed,
                               std::int64_t length_us);

}  // namespace jettison::traces
