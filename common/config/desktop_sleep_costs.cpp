#include "common/config/desktop_sleep_costs.hpp"

namespace jettison::config {

policy::SleepCosts sleep_costs(const DesktopFigures& d, policy::ResumeKind resume_pages,
                               const ServerPath& path) {
  const Transitions& tr = d.transitions;
  const bool selective = resume_pages == policy::ResumeKind::kSelective;
  policy::SleepCosts c;
  c.serving = d.power[selective ? PowerState::kServing : PowerState::kIdle];
  c.asleep = d.power[PowerState::kAsleep];
  c.suspending = d.power[PowerState::kSuspending];
  c.resuming = d.power[selective ? PowerState::kResumingSelective : PowerState::kResumingFull];
  c.resuming_full = d.power[PowerState::kResumingFull];
  c.suspend = tr.suspend;
  c.wake = tr.wake_on_lan + (selective ? tr.resume_selective : tr.resume_full);
  c.full_resume_from_sleep = tr.resume_full;
  c.full_resume_from_awake =
      selective && tr.resume_full > tr.resume_selective ? tr.resume_full - tr.resume_selective : Duration{};
  c.service = path.latency * 2 + transfer_time(d.page_size, path.bottleneck);
  return c;
}

}  // namespace jettison::config
