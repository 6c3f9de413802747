// A strategy decides what a desktop does in an idle period. The run opens a window when the user
// leaves, tells the strategy when the user returns, and hands it the events it scheduled. The
// strategy closes the window (Host::finish) once the desktop is back in the user's hands.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/registry.hpp"
#include "sim/engine/event.hpp"
#include "sim/model/server.hpp"
#include "sim/run/desktop_run.hpp"

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
};

// What a strategy may ask of the run.
class Host {
 public:
  virtual ~Host() = default;
  virtual Time now() const = 0;
  virtual void at(Time t, DesktopRun& d, EventKind kind) = 0;
  // Executes the page stream's next access inline when it comes before everything queued.
  virtual bool try_inline(Time t) = 0;
  virtual void finish(DesktopRun& d) = 0;
  virtual Server& server() = 0;
  virtual const Scenario& scenario() const = 0;
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
  // How long moving the VM to the server takes (for the migration trigger's costs); 0 if it never moves.
  virtual Duration migration_estimate(const Scenario&, const DesktopSpec&) const { return Duration{}; }
};

using StrategyRegistry = Registry<std::unique_ptr<Strategy>>;
const StrategyRegistry& strategies();

}  // namespace jettison::sim
