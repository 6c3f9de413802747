// A desktop's figures as the energy model uses them (the `desktop:` section of a scenario, and the
// scenario's page size): power per state, transition times, its own link. One value type for the
// simulator and the emulator, so a lab machine's measured figures are the ones the simulator uses.
#pragma once

#include <optional>

#include "common/power_state.hpp"
#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison::config {

struct Transitions {
  Duration suspend;           // entering sleep
  Duration resume_full;       // from sleep to fully on (user returns)
  Duration resume_selective;  // from sleep to the selective page-serving context
  Duration wake_on_lan;       // magic packet to the NIC's wake logic reacting
};

struct Link {
  Bandwidth bandwidth;
  Duration latency;  // one way
};

struct DesktopFigures {
  Bytes vm_memory;
  PowerTable power;
  Transitions transitions;
  Link link;  // the desktop's own link (to its switch, or to the server in a dedicated topology)
  Bytes page_size = Bytes::of(4096);
};

// The way from a desktop to its server on an idle network: what serving one page costs in time.
struct ServerPath {
  Duration latency;      // one way, summed over the links crossed
  Bandwidth bottleneck;  // the smallest capacity crossed
};

// A desktop's figures and its path to the (first) server, as a scenario gives them (no path for a
// custom topology: its routes are the simulator's to compute).
struct ScenarioFigures {
  DesktopFigures desktop;
  std::optional<ServerPath> server_path;
};

}  // namespace jettison::config
