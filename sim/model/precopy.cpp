#include "sim/model/precopy.hpp"

#include "sim/model/profile_replay.hpp"

namespace jettison::sim {

PrecopyPlan plan_precopy(const PrecopyInput& in, const PageProfile& profile, std::int64_t start_offset_us,
                         PageSet& scratch) {
  PrecopyPlan plan;
  Duration at = in.setup;
  Bytes sent;
  std::uint64_t pages = in.memory.count() / in.page_size.count();
  Bytes round_bytes = in.memory;
  for (std::uint32_t round = 1;; ++round) {
    const Duration took = transfer_time(round_bytes, in.bandwidth);
    scratch.clear();
    collect_writes(profile, start_offset_us + at.us(), start_offset_us + (at + took).us(), scratch);
    at += took;
    sent += round_bytes;
    plan.rounds.push_back({at, sent, pages});
    pages = scratch.size();
    round_bytes = in.page_size * pages;
    if (round_bytes <= in.stop_copy_below || round == in.max_rounds) break;
  }
  // Stop-and-copy: the VM pauses; the last dirty pages and the device state go.
  const Bytes last = round_bytes + in.device_state;
  at += transfer_time(last, in.bandwidth) + in.latency;
  sent += last;
  plan.rounds.push_back({at, sent, pages});
  plan.total = at;
  plan.bytes = sent;
  scratch.clear();
  return plan;
}

Bytes precopy_sent_by(const PrecopyPlan& plan, const PrecopyInput& in, Duration elapsed) {
  Duration round_start = in.setup;
  Bytes before;
  for (const PrecopyRound& r : plan.rounds) {
    if (elapsed < r.end) {
      const Bytes partial = bytes_in(elapsed - round_start, in.bandwidth);
      const Bytes round_total = r.sent - before;
      return before + (partial < round_total ? partial : round_total);
    }
    before = r.sent;
    round_start = r.end;
  }
  return plan.bytes;
}

}  // namespace jettison::sim
