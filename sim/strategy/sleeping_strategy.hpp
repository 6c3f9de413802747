// What every strategy that puts the desktop to sleep shares: waiting migrate_after, suspending, and
// the way back when the user returns (finish suspending, full resume, then whatever the strategy
// does to bring the VM home). Subclasses fill in what happens at migrate_after and after resuming.
#pragma once

#include "sim/strategy/strategy.hpp"

namespace jettison::sim {

class SleepingStrategy : public Strategy {
 public:
  void on_idle(Host& host, DesktopRun& d) override;
  void on_user_return(Host& host, DesktopRun& d) override;
  bool on_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) override;

 protected:
  // At migrate_after: migrate, or just sleep.
  virtual void act(Host& host, DesktopRun& d) = 0;
  // The user came back mid-migration: the VM is still on the desktop; count what was sent.
  virtual void abort_migration(Host&, DesktopRun&) {}
  // Full resume done: bring the VM home (or finish when it never left).
  virtual void after_full_resume(Host& host, DesktopRun& d) = 0;
  // The user came back while the desktop was awake in the selective context (partial only).
  virtual void return_while_awake(Host& host, DesktopRun& d);
  // A strategy's own events.
  virtual bool on_own_event(Host&, DesktopRun&, EventKind, const Event&) { return false; }
  // Suspending finished while a page was wanted (partial only).
  virtual void wake_for_pages(Host&, DesktopRun&) {}

  // Asks the migration trigger. On "no" it applies the fallback (sleep without migrating, or stay
  // on) and returns false.
  bool trigger_allows(Host& host, DesktopRun& d);
  // Reserves `footprint` on a server chosen by the placement policy (d.server). When no server has
  // room: outcome `refused`, and the desktop sleeps or stays on (server.when_full); false.
  bool admit(Host& host, DesktopRun& d, Bytes footprint);
  // The VM starts moving: the desktop is `migrating`; after `setup` (kSetupDone) the state flows.
  void begin_migration(Host& host, DesktopRun& d, Duration setup);
  // The VM runs on the server from now.
  void start_hosting(Host& host, DesktopRun& d);
  void begin_suspend(Host& host, DesktopRun& d);
  void begin_full_resume(Host& host, DesktopRun& d, Duration how_long);
  // Sends the dirty pages and the VM's state back; the window closes when they arrive.
  void reintegrate(Host& host, DesktopRun& d, Bytes bytes);
  // Closes the window: the strategy's on_close, then Host::finish.
  void close(Host& host, DesktopRun& d);
  // The window is closing: what the strategy does last (partial: the prefetcher learns, the page
  // state goes).
  virtual void on_close(Host&, DesktopRun&) {}
};

}  // namespace jettison::sim
