// The sleep scheduler's view of a desktop (policy::SleepCosts), derived from its figures: one
// definition for the simulator's partial strategy and the emulator's sleep controller (sim/MODEL.md).
#pragma once

#include "common/config/desktop_figures.hpp"
#include "policy/resume_planner.hpp"
#include "policy/sleep_scheduler.hpp"

namespace jettison::config {

// Serving and waking use the selective context when `resume_pages` is kSelective, else the full
// one (idle power, full resume). Wake = Wake-on-LAN + that resume. A full resume from serving takes
// what the full resume has beyond the selective one. Serving one request = a round trip on `path`
// + one page through its bottleneck.
policy::SleepCosts sleep_costs(const DesktopFigures& d, policy::ResumeKind resume_pages,
                               const ServerPath& path);

}  // namespace jettison::config
