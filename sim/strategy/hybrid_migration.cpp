#include "sim/strategy/hybrid_migration.hpp"

#include <algorithm>
#include <cassert>

namespace jettison::sim {

HybridMigration::Bulk& HybridMigration::bulk(const DesktopRun& d) {
  if (bulk_.size() <= d.index) bulk_.resize(d.index + 1);
  return bulk_[d.index];
}

void HybridMigration::on_hosted(Host& host, DesktopRun& d) {
  bulk(d) = Bulk{};
  const Time at = d.hosted_since + host.scenario().migration.hybrid.after;
  if (at < d.user_return) host.at(at, d, EventKind::kBulkStart);
}

// From the bulk phase on the desktop is awake until it has sent everything, then never woken again:
// requests after its start need no foresight.
Time HybridMigration::foresee_until(const Host& host, const DesktopRun& d) const {
  return std::min(d.user_return, d.hosted_since + host.scenario().migration.hybrid.after);
}

// The bulk phase needs the desktop up. Asleep: woken as for a page (a wake-up); suspending: woken
// when the suspend ends; waking: the wake-up under way serves. Each time the start is tried again when
// the desktop is up (the transition's end was queued first, so it runs first at that instant).
void HybridMigration::bulk_start(Host& host, DesktopRun& d) {
  PartialWindow& w = *d.partial;
  const PowerState state = d.meter.state();
  if (state == d.awake) {
    const Scenario& s = host.scenario();
    const std::uint64_t vm_pages = d.spec->vm_memory().count() / s.page_size.count();
    const std::uint64_t resident =
        w.counted ? w.resident_pages : w.pages.count(PageStates::kResident) + w.unprofiled_prefetched.size();
    Bulk& b = bulk(d);
    b.phase = Phase::kSending;
    b.bytes = s.page_size * (vm_pages > resident ? vm_pages - resident : 0);
    d.meter.change(host.now(), PowerState::kMigrating);
    host.transfer_capped(d, net::Direction::kToServer, b.bytes, EventKind::kBulkDone, true);
    return;
  }
  switch (state) {
    case PowerState::kAsleep:
      wake_for_pages(host, d);
      break;
    case PowerState::kSuspending:
      d.wake_pending = true;
      break;
    case PowerState::kResumingSelective:
    case PowerState::kResumingFull:
      break;
    default:
      assert(false && "the bulk phase starts in a state partial migration does not have");
      return;
  }
  host.at(w.transition_at, d, EventKind::kBulkStart);
}

// All of the VM is on the server: every page is resident (no more faults), the footprint is the
// whole VM, and the desktop suspends.
void HybridMigration::bulk_done(Host& host, DesktopRun& d) {
  PartialWindow& w = *d.partial;
  Bulk& b = bulk(d);
  b.phase = Phase::kDone;
  d.rec.migrated += b.bytes;
  d.footprint += b.bytes;
  host.grow(d, b.bytes);
  if (w.counted) {
    w.all_resident = true;
  } else {
    for (std::uint32_t slot = 0; slot < d.profile->unique_pages(); ++slot)
      if (!w.pages.has(slot, PageStates::kResident)) w.pages.set(slot, PageStates::kResident);
  }
  begin_suspend(host, d);
  w.transition_at = host.now() + d.spec->transitions().suspend;
}

void HybridMigration::on_user_return(Host& host, DesktopRun& d) {
  if (!d.hosted || bulk(d).phase != Phase::kSending) {
    PartialMigration::on_user_return(host, d);
    return;
  }
  // Back during the bulk transfer: it stops (what left the desktop counts; all of it when only its
  // arrival was pending) and the way back is partial's from the page-serving context.
  Bulk& b = bulk(d);
  const Bytes sent = d.flow ? host.cancel_transfer(d) : b.bytes;
  d.rec.migrated += sent;
  b.phase = Phase::kWaiting;
  d.returning = true;
  begin_full_resume(host, d, rest_of_full_resume(d));
}

bool HybridMigration::on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) {
  switch (kind) {
    case EventKind::kBulkStart:
      if (d.returning || bulk(d).phase != Phase::kWaiting) return false;
      bulk_start(host, d);
      return true;
    case EventKind::kBulkDone:
      if (d.returning || bulk(d).phase != Phase::kSending) return false;
      bulk_done(host, d);
      return true;
    default:
      return PartialMigration::on_own_event(host, d, kind, e);
  }
}

}  // namespace jettison::sim
