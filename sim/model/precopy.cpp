#include "sim/model/precopy.hpp"

namespace jettison::sim {

PrecopyPlan plan_precopy(const PrecopyInput& in, const DirtyModel& dirty, std::int64_t start_offset_us,
                         PageSet& scratch) {
  PrecopyPlan plan;
  Duration at = in.setup;
  Bytes sent;
  std::uint64_t pages = in.memory.count() / in.page_size.count();
  Bytes round_bytes = in.memory;
  for (std::uint32_t round = 1;; ++round) {
    const Duration took = transfer_time(round_bytes, in.bandwidth);
    const std::uint64_t written =
        dirty.pages_written(start_offset_us + at.us(), start_offset_us + (at + took).us(), scratch);
    at += took;
    sent += round_bytes;
    plan.rounds.push_back({at, sent, pages});
    pages = written;
    round_bytes = in.page_size * pages;
    if (precopy_converged(in, round_bytes, round)) break;
  }
  // Stop-and-copy: the VM pauses; the last dirty pages and the device state go.
  const Bytes last = round_bytes + in.device_state;
  at += transfer_time(last, in.bandwidth) + in.latency;
  sent += last;
  plan.rounds.push_back({at, sent, pages});
  plan.total = at;
  plan.bytes = sent;
  return plan;
}

}  // namespace jettison::sim
