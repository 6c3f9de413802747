// `always-on`: the desktop stays on through every idle period. The baseline the others save against.
#pragma once

#include "sim/strategy/strategy.hpp"

namespace jettison::sim {

class AlwaysOn final : public Strategy {
 public:
  void on_idle(Host&, DesktopRun&) override {}
  void on_user_return(Host& host, DesktopRun& d) override { host.finish(d); }
  bool on_event(Host&, DesktopRun&, EventKind, const Event&) override { return false; }
  Policies policies() const override { return {false, false, false}; }
};

}  // namespace jettison::sim
