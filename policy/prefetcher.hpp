// Which pages to send while the desktop is awake anyway. The interface every prefetcher implements.
// Pure: no I/O, no clocks; pages are guest page frame numbers, the same in sim and emu.
//
// The simulator (and the emulator's fetcher) call, for each idle period of a desktop:
//   on_migration(t, out)         once, as the VM moves: pages to send along with its metadata
//   on_fault(t, page, out)       at each fault (a first access to a page not on the server)
//   on_period_end(touched)       once, when the user returns: every page the VM touched on the server
// Pages the caller finds already on the server are skipped (not sent twice); pages beyond the VM's
// memory are ignored. One object serves one desktop and keeps what it learned across its periods.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison::policy {

using PageId = std::uint64_t;

// Tunables from the scenario (policy.prefetch in YAML). Each prefetcher reads what it needs.
struct PrefetchParams {
  std::uint32_t radius = 8;            // `spatial`: pages on each side of a fault
  Bytes budget = Bytes::of(16 << 20);  // `history`, `markov`: bytes sent at migration / per fault
  std::uint32_t depth = 16;            // `markov`: successors followed from a fault
};

// What a prefetcher knows of the VM.
struct VmShape {
  std::uint64_t pages = 0;  // pages of guest memory; valid ids are [0, pages)
  Bytes page_size;
};

class Prefetcher {
 public:
  virtual ~Prefetcher() = default;
  virtual void on_migration(Time t, std::vector<PageId>& out) = 0;
  virtual void on_fault(Time t, PageId page, std::vector<PageId>& out) = 0;
  virtual void on_period_end(std::span<const PageId> touched) = 0;
  // An independent copy with the same learned state.
  virtual std::unique_ptr<Prefetcher> clone() const = 0;
};

}  // namespace jettison::policy
