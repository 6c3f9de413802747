// `partial` (Jettison): after migrate_after (if the migration trigger agrees) only the VM's metadata
// (CPU and device state, page tables), plus what the prefetcher picks, moves; the VM runs on the
// server and each first access to a page still on the desktop is a fault, served by the desktop.
// A sleeping desktop is woken (Wake-on-LAN + selective resume, or full resume if so configured) to
// serve it, and the prefetcher may send more pages along; the sleep scheduler decides when the
// desktop sleeps again. On the user's return the desktop resumes fully and only the pages dirtied
// on the server come back.
#pragma once

#include "sim/model/first_touch_index.hpp"
#include "sim/strategy/sleeping_strategy.hpp"

namespace jettison::sim {

// Not final: `hybrid` (hybrid_migration.hpp) is this plus a bulk phase, through the hooks below.
class PartialMigration : public SleepingStrategy {
 public:
  // Setup, then the metadata at the path's bottleneck, then its latency.
  Duration migration_estimate(const Scenario& s, const DesktopSpec& d, const net::Route& path) const override;

 protected:
  void act(Host& host, DesktopRun& d) override;
  void abort_migration(Host& host, DesktopRun& d) override;
  void after_full_resume(Host& host, DesktopRun& d) override;
  void return_while_awake(Host& host, DesktopRun& d) override;
  void wake_for_pages(Host& host, DesktopRun& d) override;
  bool on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) override;
  void on_close(Host& host, DesktopRun& d) override;

  // The VM runs on the server: its replay, sleep scheduler and timer have started.
  virtual void on_hosted(Host&, DesktopRun&) {}
  // Page requests after this time are not foreseen for offline sleep schedulers (partial: none come
  // after the user's return).
  virtual Time foresee_until(const Host&, const DesktopRun& d) const { return d.user_return; }
  // What is left of a full resume once the page-serving context is up.
  static Duration rest_of_full_resume(const DesktopRun& d);

 private:
  void migration_done(Host& host, DesktopRun& d);
  void replay_pages(Host& host, DesktopRun& d);
  void access(Host& host, DesktopRun& d, const PageAccess& a, Time t);
  // Whether the cursor's access is a fault (its page not on the server yet).
  static bool faults(const PartialWindow& w);
  static void apply_growth(Host& host, DesktopRun& d);
  // Sends the pages in d.prefetch_buffer that are not on the server yet; returns how many.
  std::uint64_t send_prefetched(Host& host, DesktopRun& d);
  void request_pages(Host& host, DesktopRun& d, Time t, std::uint64_t pages);
  void serve(Host& host, DesktopRun& d, Time arrival, Time ready, std::uint64_t pages);
  void arm_sleep_timer(Host& host, DesktopRun& d);
  void sleep_timer(Host& host, DesktopRun& d);
  void resume_done(Host& host, DesktopRun& d);
  // The request arrival times of the rest of the period, for offline sleep schedulers.
  void foresee_requests(const Host& host, DesktopRun& d);
  static Time own_next(const DesktopRun& d);
  const FirstTouchIndex& index(const Host& host, const DesktopRun& d);
  FirstTouchIndexes indexes_;  // per profile, shared by the desktops of this run
};

}  // namespace jettison::sim
