#include "sim/trace/idle_period_stream.hpp"

#include <algorithm>

#include "sim/trace/input_file.hpp"

namespace jettison::sim {

IdlePeriodStream::IdlePeriodStream(const IdleTraceIndex& index,
                                   const std::unordered_map<std::string, std::uint32_t>& desktops)
    : desktops_(desktops) {
  auto reader = std::make_unique<IdleTraceReader>(open_input(index.path, index.path), index.path);
  if (index.sorted_by_start) {
    reader_ = std::move(reader);
    return;
  }
  while (reader->next(row_)) {
    auto it = desktops_.find(row_.desktop);
    if (it != desktops_.end()) buffer_.push_back({it->second, row_.start, row_.end});
  }
  std::stable_sort(buffer_.begin(), buffer_.end(),
                   [](const IdlePeriod& a, const IdlePeriod& b) { return a.start < b.start; });
}

bool IdlePeriodStream::next(IdlePeriod& out) {
  if (!reader_) {
    if (next_ == buffer_.size()) return false;
    out = buffer_[next_++];
    return true;
  }
  while (reader_->next(row_)) {
    auto it = desktops_.find(row_.desktop);
    if (it == desktops_.end()) continue;
    out = {it->second, row_.start, row_.end};
    return true;
  }
  return false;
}

}  // namespace jettison::sim
