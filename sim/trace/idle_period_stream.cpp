#include "sim/trace/idle_period_stream.hpp"

#include <algorithm>

#include "sim/trace/input_file.hpp"

namespace jettison::sim {

IdlePeriodStream::IdlePeriodStream(const IdleTraceIndex& index,
                                   const std::unordered_map<std::string, std::uint32_t>& desktops)
    : desktops_(desktops) {
  auto reader =
      std::make_unique<IdleTraceReader>(open_input(index.path, index.path), index.path, index.names);
  if (index.sorted_by_start) {
    reader_ = std::move(reader);
    return;
  }
  IdlePeriod p;
  while (read(*reader, p)) buffer_.push_back(p);
  std::stable_sort(buffer_.begin(), buffer_.end(),
                   [](const IdlePeriod& a, const IdlePeriod& b) { return a.start < b.start; });
}

bool IdlePeriodStream::read(IdleTraceReader& reader, IdlePeriod& out) {
  while (reader.next(row_)) {
    if (row_.number >= selected_.size()) selected_.resize(row_.number + 1, kUnlooked);
    std::uint32_t& desktop = selected_[row_.number];
    if (desktop == kUnlooked) {  // the first period of this desktop: is it in the run?
      const auto it = desktops_.find(row_.desktop);
      desktop = it == desktops_.end() ? kNotSelected : it->second;
    }
    if (desktop == kNotSelected) continue;
    out = {desktop, row_.start, row_.end};
    return true;
  }
  return false;
}

bool IdlePeriodStream::next(IdlePeriod& out) {
  if (!reader_) {
    if (next_ == buffer_.size()) return false;
    out = buffer_[next_++];
    return true;
  }
  return read(*reader_, out);
}

}  // namespace jettison::sim
