#include "emu/wire/page_runs.hpp"

#include <cassert>
#include <cstring>
#include <utility>

namespace jettison::emu {

bool is_zero_page(const std::byte* data, std::size_t size) {
  // Word-wise scan; pages are at least 4 KiB and 8-byte multiples.
  std::uint64_t acc = 0;
  for (std::size_t i = 0; i < size; i += sizeof(std::uint64_t)) {
    std::uint64_t w;
    std::memcpy(&w, data + i, sizeof w);
    acc |= w;
    if ((i & 511) == 0 && acc != 0) return false;
  }
  return acc == 0;
}

bool RunBuilder::add(std::uint64_t page, const std::byte* data) {
  assert(!full());
  const bool zero = zero_runs_ && is_zero_page(data, page_size_);
  PageRun* last = runs_.empty() ? nullptr : &runs_.back();
  const bool follows = last != nullptr && last->zero == zero && last->first_page + last->count == page &&
                       last->count < UINT32_MAX;
  if (zero) {
    if (follows) {
      ++last->count;
    } else {
      runs_.push_back(PageRun{page, 1, true, {}});
    }
    return true;
  }
  if (follows && last->data.data() + last->data.size() == data) {
    ++last->count;
    last->data = std::span<const std::byte>(last->data.data(), last->data.size() + page_size_);
  } else {
    runs_.push_back(PageRun{page, 1, false, std::span<const std::byte>(data, page_size_)});
  }
  data_bytes_ += page_size_;
  return false;
}

std::vector<PageRun> RunBuilder::take() {
  data_bytes_ = 0;
  return std::exchange(runs_, {});
}

}  // namespace jettison::emu
