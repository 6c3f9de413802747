#include "sim/strategy/full_migration.hpp"

namespace jettison::sim {

PrecopyInput FullMigration::input(const Host& host, const DesktopRun& d) {
  const Scenario& s = host.scenario();
  const net::Route& path = host.route(d, net::Direction::kToServer);
  return {d.spec->vm_memory(),
          s.page_size,
          s.migration.partial.metadata,
          path.bottleneck,
          path.latency,
          s.migration.full.setup,
          s.migration.full.max_rounds,
          s.migration.full.stop_copy_below};
}

DirtyModel FullMigration::dirty_model(const Host& host, const DesktopRun& d) {
  const Scenario& s = host.scenario();
  const FirstTouchIndex& writes =
      indexes_.of(*d.profile, s.replay_every_access ? FirstTouchIndex::Mode::kEveryAccess
                                                    : FirstTouchIndex::Mode::kFirstTouches);
  return DirtyModel(writes, s.migration.full.dirty_rate, s.page_size,
                    d.spec->vm_memory().count() / s.page_size.count());
}

// Profile offsets count from here: the window's start, or for `anchor: migration-end` the pre-copy's
// start (sim/MODEL.md, "full").
Time FullMigration::origin(const DesktopRun& d) {
  return replay_origin(*d.profile, d.window_start, d.migration_start);
}

void FullMigration::act(Host& host, DesktopRun& d) {
  if (!trigger_allows(host, d)) return;
  if (!admit(host, d, d.spec->vm_memory())) return;
  begin_migration(host, d, host.scenario().migration.full.setup);
  scratch_.resize(d.profile->unique_pages());
  const PrecopyPlan alone =
      plan_precopy(input(host, d), dirty_model(host, d), (host.now() - origin(d)).us(), scratch_);
  d.rec.migration_latency_uncontended = alone.total;
  d.round = 0;
  d.sent_before = Bytes{};
}

// What left the desktop: the finished rounds, and of the current one what its flow sent (all of it
// when its last byte already left and only its arrival or the next round's start is pending).
void FullMigration::abort_migration(Host& host, DesktopRun& d) {
  const Bytes current = d.flow ? host.cancel_transfer(d) : (d.round > 0 ? d.round_bytes : Bytes{});
  d.rec.migrated = d.sent_before + current;
}

// A round's last byte left: the pages the VM wrote meanwhile are the next round, or stop-and-copy
// sends them with the device state.
void FullMigration::round_done(Host& host, DesktopRun& d) {
  const Scenario& s = host.scenario();
  d.sent_before += d.round_bytes;
  scratch_.resize(d.profile->unique_pages());
  const std::uint64_t written = dirty_model(host, d).pages_written((d.round_start - origin(d)).us(),
                                                                   (host.now() - origin(d)).us(), scratch_);
  const Bytes dirty = s.page_size * written;
  d.round_start = host.now();
  if (precopy_converged(input(host, d), dirty, d.round)) {
    d.round_bytes = dirty + s.migration.partial.metadata;
    host.transfer(d, net::Direction::kToServer, d.round_bytes, EventKind::kMigrationDone, true);
    return;
  }
  ++d.round;
  d.round_bytes = dirty;
  host.transfer(d, net::Direction::kToServer, d.round_bytes, EventKind::kRoundDone, false);
}

bool FullMigration::on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event&) {
  switch (kind) {
    case EventKind::kSetupDone:  // round 1: all of memory
      d.round = 1;
      d.round_start = host.now();
      d.round_bytes = d.spec->vm_memory();
      host.transfer(d, net::Direction::kToServer, d.round_bytes, EventKind::kRoundDone, false);
      return true;
    case EventKind::kRoundDone:
      round_done(host, d);
      return true;
    case EventKind::kMigrationDone:
      d.rec.outcome = Outcome::kMigrated;
      d.rec.migrated = d.sent_before + d.round_bytes;
      d.rec.migration_latency = host.now() - d.migration_start;
      start_hosting(host, d);
      begin_suspend(host, d);
      return true;
    default:
      return false;
  }
}

void FullMigration::after_full_resume(Host& host, DesktopRun& d) {
  if (d.rec.outcome != Outcome::kMigrated) {
    close(host, d);
    return;
  }
  // What the VM wrote from the stop-and-copy's start until the user's return comes back: it ran on
  // the server from hosted_since, and what it would have done while paused for the stop-and-copy
  // (from d.round_start, left there when the last round converged) it does when it resumes there.
  scratch_.resize(d.profile->unique_pages());
  d.rec.dirty_pages = dirty_model(host, d).pages_written((d.round_start - origin(d)).us(),
                                                         (d.user_return - origin(d)).us(), scratch_);
  reintegrate(host, d,
              host.scenario().page_size * d.rec.dirty_pages + host.scenario().migration.partial.metadata);
}

}  // namespace jettison::sim
