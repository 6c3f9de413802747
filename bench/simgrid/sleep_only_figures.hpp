// What the SimGrid reference needs of the default scenario to replay sleep-only: the desktop's power
// per state, its suspend and full-resume times and migration.migrate_after, read from the scenario
// compiled into the binaries (scenarios/default.yaml), so both engines use the same figures.
#pragma once

#include "common/power_state.hpp"
#include "common/time.hpp"

namespace jettison::bench {

struct SleepOnlyFigures {
  PowerTable power;
  Duration suspend;        // desktop.transitions.suspend
  Duration resume_full;    // desktop.transitions.resume_full
  Duration migrate_after;  // migration.migrate_after: idleness before suspending
};

SleepOnlyFigures default_sleep_only_figures();

}  // namespace jettison::bench
