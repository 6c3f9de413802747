#include "sim/strategy/proxy_strategy.hpp"

#include <cassert>
#include <cmath>
#include <string>

namespace jettison::sim {

ProxyStrategy::Window& ProxyStrategy::window(const Host& host, const DesktopRun& d) {
  if (windows_.empty()) windows_.resize(host.scenario().desktops.size());
  return windows_[d.index];
}

void ProxyStrategy::act(Host& host, DesktopRun& d) {
  d.rec.outcome = Outcome::kSlept;
  Window& w = window(host, d);
  w = Window{};
  w.engaged = true;
  w.since = host.now();
  const ProxySpec& p = host.scenario().proxy;
  if (p.arrivals == ProxyArrivals::kPoisson) {
    // One stream per desktop and period: the same draws whatever else the run holds or how it is split.
    w.rng.emplace(host.scenario().seed, "proxy:" + d.spec->id + "#" + std::to_string(d.rec.period));
  }
  begin_suspend(host, d);
  schedule_request(host, d, w, w.since);
}

void ProxyStrategy::schedule_request(Host& host, DesktopRun& d, Window& w, Time after) {
  const ProxySpec& p = host.scenario().proxy;
  const Duration mean = p.mean_gap();
  if (mean == Duration::max()) return;  // no requests
  Duration gap = mean;
  if (p.arrivals == ProxyArrivals::kPoisson) {
    // Exponential with that mean: -ln(1 - U), U uniform in [0, 1) from the top 53 bits.
    const double u = static_cast<double>((*w.rng)() >> 11) * 0x1p-53;
    gap = Duration::micros(std::llround(-std::log1p(-u) * static_cast<double>(mean.us())));
  }
  const Time next = after + gap;
  if (next < d.user_return) host.at(next, d, EventKind::kProxyRequest);
}

// A request the proxy cannot answer. The desktop asleep: a wake-up. Suspending: the wake-up once the
// suspend is over. Resuming or awake for an earlier one: it serves this one too, and stays up
// `awake` after it.
void ProxyStrategy::on_request(Host& host, DesktopRun& d) {
  Window& w = window(host, d);
  schedule_request(host, d, w, host.now());
  switch (d.meter.state()) {
    case PowerState::kAsleep:
      wake(host, d);
      return;
    case PowerState::kSuspending:
      d.wake_pending = true;
      return;
    case PowerState::kResumingFull:
      return;
    case PowerState::kIdle:
      w.awake_until = host.now() + host.scenario().proxy.awake;
      return;
    default:
      assert(false && "proxy request in a state that cannot take it");
  }
}

void ProxyStrategy::wake_for_pages(Host& host, DesktopRun& d) {
  d.wake_pending = false;
  wake(host, d);
}

// Wake-on-LAN, then a full resume. Its end is kResumeDone, as partial's wake-ups: an event of the
// desktop's own (run ahead when it may), held for when the user comes back meanwhile.
void ProxyStrategy::wake(Host& host, DesktopRun& d) {
  ++d.rec.wakeups;
  const Transitions& tr = d.spec->transitions();
  d.meter.change(host.now(), PowerState::kResumingFull);
  host.at(host.now() + tr.wake_on_lan + tr.resume_full, d, EventKind::kResumeDone);
}

// Up for the requests; the user came back during the wake-up: it was the user's resume.
void ProxyStrategy::woken(Host& host, DesktopRun& d) {
  if (d.returning) {
    close(host, d);
    return;
  }
  Window& w = window(host, d);
  d.meter.change(host.now(), PowerState::kIdle);
  w.awake_until = host.now() + host.scenario().proxy.awake;
  host.at(w.awake_until, d, EventKind::kProxyAwakeEnd);
}

// The user's own resume (from sleep, or after a suspend).
void ProxyStrategy::after_full_resume(Host& host, DesktopRun& d) { close(host, d); }

// The user came back while the desktop was up for a request: it is the user's now.
void ProxyStrategy::return_while_awake(Host& host, DesktopRun& d) { close(host, d); }

bool ProxyStrategy::on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event&) {
  switch (kind) {
    case EventKind::kProxyRequest:
      on_request(host, d);
      return true;
    case EventKind::kResumeDone:
      woken(host, d);
      return true;
    case EventKind::kProxyAwakeEnd: {
      assert(d.meter.state() == PowerState::kIdle);
      const Window& w = window(host, d);
      if (host.now() < w.awake_until) {
        host.at(w.awake_until, d, EventKind::kProxyAwakeEnd);  // a later request kept it up
      } else {
        begin_suspend(host, d);
      }
      return true;
    }
    default:
      return false;
  }
}

void ProxyStrategy::on_close(Host& host, DesktopRun& d) {
  Window& w = window(host, d);
  if (!w.engaged) return;
  d.rec.proxy_energy = host.scenario().proxy.power * (host.now() - w.since);
  w = Window{};
}

}  // namespace jettison::sim
