// Packing pages into the runs of PAGES and PUT_PAGES frames. Consecutive pages whose data are
// adjacent in memory merge into one DATA run; consecutive all-zero pages merge into one ZERO run
// (no data on the wire) when zero runs were negotiated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "emu/wire/messages.hpp"

namespace jettison::emu {

bool is_zero_page(const std::byte* data, std::size_t size);

class RunBuilder {
 public:
  RunBuilder(std::uint32_t page_size, bool zero_runs) : page_size_(page_size), zero_runs_(zero_runs) {}
  // True if one more page might not fit the current frame (the caller sends take() first).
  bool full() const { return data_bytes_ + page_size_ > kMaxPageData || runs_.size() >= kMaxRunsPerFrame; }
  // Adds a page; `data` must stay valid until the frame built from take() has been sent.
  // Returns true if it went as a zero page.
  bool add(std::uint64_t page, const std::byte* data);
  bool empty() const { return runs_.empty(); }
  std::vector<PageRun> take();

 private:
  std::uint32_t page_size_;
  bool zero_runs_;
  std::vector<PageRun> runs_;
  std::size_t data_bytes_ = 0;
};

}  // namespace jettison::emu
