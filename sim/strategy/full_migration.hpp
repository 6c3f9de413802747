// `full` (LiteGreen-style): after migrate_after the whole VM moves to the server by pre-copy; the
// desktop sleeps until the user returns; then it resumes fully and the pages the VM dirtied on the
// server come back with its device state. Each pre-copy round is a network flow: under contention
// the rounds stretch and the VM dirties more meanwhile.
#pragma once

#include "sim/model/first_touch_index.hpp"
#include "sim/model/page_set.hpp"
#include "sim/model/precopy.hpp"
#include "sim/strategy/sleeping_strategy.hpp"

namespace jettison::sim {

class FullMigration final : public SleepingStrategy {
 public:
  // Setup, then the whole memory at the path's bottleneck, then its latency (no dirty rounds).
  Duration migration_estimate(const Scenario& s, const DesktopSpec& d,
                              const net::Route& path) const override {
    return s.migration.full.setup + path.latency + transfer_time(d.vm_memory(), path.bottleneck);
  }
  Policies policies() const override { return {false, false, true}; }  // only the migration trigger

 protected:
  void act(Host& host, DesktopRun& d) override;
  void abort_migration(Host& host, DesktopRun& d) override;
  void after_full_resume(Host& host, DesktopRun& d) override;
  bool on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) override;

 private:
  static PrecopyInput input(const Host& host, const DesktopRun& d);
  static Time origin(const DesktopRun& d);
  DirtyModel dirty_model(const Host& host, const DesktopRun& d);
  void round_done(Host& host, DesktopRun& d);
  PageSet scratch_;            // reused between desktops: used only inside one call
  FirstTouchIndexes indexes_;  // per profile, shared by the desktops of this run
};

}  // namespace jettison::sim
