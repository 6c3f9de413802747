// `proxy` (SleepServer, Somniloquy): after migrate_after the desktop suspends, as in sleep-only, and a
// proxy keeps its network presence. Requests the proxy cannot answer arrive at `proxy.wake_rate`
// (Poisson or periodic); each wakes the desktop (Wake-on-LAN + a full resume: the real application
// must run), which stays up `proxy.awake` after the last request and suspends again. The proxy's
// draw is charged from migrate_after to the window's close (sim/MODEL.md, "proxy"). No bytes move.
#pragma once

#include <optional>
#include <vector>

#include "common/rng.hpp"
#include "sim/strategy/sleeping_strategy.hpp"

namespace jettison::sim {

class ProxyStrategy final : public SleepingStrategy {
 public:
  Policies policies() const override { return {false, false, false}; }

 protected:
  void act(Host& host, DesktopRun& d) override;
  void after_full_resume(Host& host, DesktopRun& d) override;
  void return_while_awake(Host& host, DesktopRun& d) override;
  bool on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) override;
  void wake_for_pages(Host& host, DesktopRun& d) override;
  void on_close(Host& host, DesktopRun& d) override;

 private:
  // One desktop's proxy in the open window.
  struct Window {
    std::optional<RandomStream> rng;  // Poisson gaps: seeded from the scenario seed, desktop and period
    Time since;                       // the proxy took over (migrate_after)
    Time awake_until;                 // the desktop may suspend again from here
    bool engaged = false;
  };
  Window& window(const Host& host, const DesktopRun& d);
  // Queues the request after the one at `after`, if it comes before the user's return.
  void schedule_request(Host& host, DesktopRun& d, Window& w, Time after);
  void on_request(Host& host, DesktopRun& d);
  void wake(Host& host, DesktopRun& d);
  void woken(Host& host, DesktopRun& d);

  std::vector<Window> windows_;  // by desktop index
};

}  // namespace jettison::sim
