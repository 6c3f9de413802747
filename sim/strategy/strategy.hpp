// A strategy decides what a desktop does in an idle period. The run opens a window when the user
// leaves, tells the strategy when the user returns, and hands it the events it scheduled. The
// strategy closes the window (Host::finish) once the desktop is back in the user's hands.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/registry.hpp"
#include "sim/engine/event.hpp"
#include "sim/model/server_pool.hpp"
#include "sim/network/topology.hpp"
#include "sim/strategy/desktop_run.hpp"

namespace jettison::sim {

enum class EventKind : std::uint16_t {
  kIdleArrival,        // the idle trace's next period (the trace stream)
  kUserReturn,         // the user is back at the desktop
  kMigrateAfter,       // the desktop has been idle for migration.migrate_after
  kMigrationDone,      // the VM runs on the server
  kSuspendDone,        // the desktop reached sleep
  kResumeDone,         // selective resume finished: ready to serve pages
  kFullResumeDone,     // full resume finished after the user's return
  kReintegrationDone,  // the VM runs on the desktop again
  kSleepTimer,         // the sleep scheduler's deadline
  kPageAccess,         // the VM's next page access (the page stream)
  kSetupDone,          // migration setup done on the desktop: the state starts to move
  kRoundDone,          // a pre-copy round's last byte left the desktop
  kReintegrationSent,  // the state sent back has arrived; the desktop restores the VM
  kProxyRequest,       // proxy: a request the proxy cannot answer; the desktop must wake
  kProxyAwakeEnd,      // proxy: the desktop may suspend again after handling requests
  kBulkStart,          // hybrid: the VM has been hosted for migration.hybrid.after; the rest follows
  kBulkDone,           // hybrid: the rest of the VM's memory has arrived on the server
};

// What a strategy may ask of the run.
class Host {
 public:
  virtual ~Host() = default;
  virtual Time now() const = 0;
  virtual void at(Time t, DesktopRun& d, EventKind kind) = 0;
  // Executes the page stream's next access, at `t`, inline when it may run now: before everything
  // queued, or (run-ahead) before the earliest global event and before `own_next`, the desktop's own
  // next queued event (its sleep timer, the end of its suspend or resume).
  virtual bool try_inline(Time t, Time own_next) = 0;
  virtual void finish(DesktopRun& d) = 0;
  virtual ServerPool& servers() = 0;
  // The desktop's footprint on its server (d.server) grows by `bytes` now. Unlike servers().grow,
  // it may be called from a local event run ahead (the run applies it in time order).
  virtual void grow(DesktopRun& d, Bytes bytes) = 0;
  virtual const Scenario& scenario() const = 0;

  // The network path between the desktop and its server (d.server), in one direction.
  virtual const net::Route& route(const DesktopRun& d, net::Direction dir) const = 0;
  // Starts a bulk transfer of `bytes` on that path, as a flow sharing the links with every other
  // transfer; `done` fires at the desktop when its last byte has left (`delivered` false) or arrived
  // (`delivered` true: the route's latency later). A desktop has at most one transfer at a time.
  virtual void transfer(DesktopRun& d, net::Direction dir, Bytes bytes, EventKind done, bool delivered) = 0;
  // The same, and the flow also crosses a link of the desktop's own with Strategy::rate_cap's
  // capacity: it gets min(its max-min share of the path, that cap).
  virtual void transfer_capped(DesktopRun& d, net::Direction dir, Bytes bytes, EventKind done,
                               bool delivered) = 0;
  // Stops the desktop's transfer in flight; the bytes it had sent (0 when none is in flight).
  virtual Bytes cancel_transfer(DesktopRun& d) = 0;
  // A page request answered now (not a flow): the round trip plus `bytes` at the share of the path
  // such a request would get now.
  virtual Duration request_time(const DesktopRun& d, Bytes bytes) const = 0;
  // Changes whenever the network's flows change: request_time(d, bytes) keeps its value (for the
  // same d.server) for as long as this does, so a strategy may keep it.
  virtual std::uint64_t network_version() const = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // The user left; the window is open and the desktop is in `idle`.
  virtual void on_idle(Host& host, DesktopRun& d) = 0;
  // The user is back.
  virtual void on_user_return(Host& host, DesktopRun& d) = 0;
  // An event this strategy scheduled; false when it turned out to be cancelled.
  virtual bool on_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) = 0;
  // How long moving the VM to the server takes on an idle network along `path` (for the migration
  // trigger's costs); 0 if it never moves.
  virtual Duration migration_estimate(const Scenario&, const DesktopSpec&, const net::Route& /*path*/) const {
    return Duration{};
  }
  // The rate limit of the strategy's Host::transfer_capped flows; none: it makes none.
  virtual std::optional<Bandwidth> rate_cap(const Scenario&) const { return std::nullopt; }
  // The policy objects the strategy consults: the run makes only these for each desktop (the others
  // stay null; a strategy that never asks a policy need not pay for one per desktop).
  struct Policies {
    bool sleep = true;     // DesktopRun::sleep
    bool prefetch = true;  // DesktopRun::prefetcher
    bool trigger = true;   // DesktopRun::trigger
  };
  virtual Policies policies() const { return {}; }
};

using StrategyRegistry = Registry<std::unique_ptr<Strategy>>;
const StrategyRegistry& strategies();

}  // namespace jettison::sim
