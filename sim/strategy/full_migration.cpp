#include "sim/strategy/full_migration.hpp"

#include "sim/model/profile_replay.hpp"

namespace jettison::sim {

PrecopyInput FullMigration::input(const Host& host, const DesktopRun& d) {
  const Scenario& s = host.scenario();
  const DesktopSpec& spec = *d.spec;
  return {spec.vm_memory,
          s.page_size,
          s.migration.partial.metadata,
          spec.link.bandwidth,
          spec.link.latency,
          s.migration.full.setup,
          s.migration.full.max_rounds,
          s.migration.full.stop_copy_below};
}

void FullMigration::act(Host& host, DesktopRun& d) {
  if (!trigger_allows(host, d)) return;
  const Bytes footprint = d.spec->vm_memory;
  if (!host.server().admit(footprint)) {
    d.rec.outcome = Outcome::kRefused;
    begin_suspend(host, d);
    return;
  }
  d.footprint = footprint;
  begin_migration(host, d);
  scratch_.resize(d.profile->unique_pages());
  d.precopy = plan_precopy(input(host, d), *d.profile, (host.now() - d.window_start).us(), scratch_);
  host.at(host.now() + d.precopy.total, d, EventKind::kMigrationDone);
}

void FullMigration::abort_migration(Host& host, DesktopRun& d) {
  d.rec.migrated = precopy_sent_by(d.precopy, input(host, d), host.now() - d.migration_start);
  host.server().release(d.footprint);
  d.footprint = Bytes{};
}

bool FullMigration::on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event&) {
  if (kind != EventKind::kMigrationDone) return false;
  d.rec.outcome = Outcome::kMigrated;
  d.rec.migrated = d.precopy.bytes;
  d.rec.migration_latency = host.now() - d.migration_start;
  d.hosted_since = host.now();
  begin_suspend(host, d);
  return true;
}

void FullMigration::after_full_resume(Host& host, DesktopRun& d) {
  if (d.rec.outcome != Outcome::kMigrated) {
    host.finish(d);
    return;
  }
  // The VM ran on the server from hosted_since until the user's return; what it wrote comes back.
  d.dirty.resize(d.profile->unique_pages());
  collect_writes(*d.profile, (d.hosted_since - d.window_start).us(), (d.user_return - d.window_start).us(),
                 d.dirty);
  d.rec.dirty_pages = d.dirty.size();
  reintegrate(host, d,
              host.scenario().page_size * d.dirty.size() + host.scenario().migration.partial.metadata);
}

}  // namespace jettison::sim
