#include "sim/trace/idle_period_stream.hpp"

#include <algorithm>
#include <utility>

namespace jettison::sim {

IdlePeriodStream::IdlePeriodStream(const IdleTraceIndex& index,
                                   const std::unordered_map<std::string, std::uint32_t>& desktops)
    : IdlePeriodStream(index, [&desktops](std::string_view name) -> std::optional<std::uint32_t> {
        const auto it = desktops.find(std::string(name));
        if (it == desktops.end()) return std::nullopt;
        return it->second;
      }) {}

IdlePeriodStream::IdlePeriodStream(const IdleTraceIndex& index, DesktopLookup desktops)
    : desktops_(std::move(desktops)) {
  auto reader = std::make_unique<IdleTraceReader>(open_idle_trace(index), index.path, index.names);
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
      const std::optional<std::uint32_t> found = desktops_(row_.desktop);
      desktop = found ? *found : kNotSelected;
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
