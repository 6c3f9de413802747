#include "sim/strategy/partial_migration.hpp"

#include <cassert>

namespace jettison::sim {

void PartialMigration::act(Host& host, DesktopRun& d) {
  const Bytes metadata = host.scenario().migration.partial.metadata;
  if (!host.server().admit(metadata)) {
    d.rec.outcome = Outcome::kRefused;
    begin_suspend(host, d);
    return;
  }
  d.footprint = metadata;
  d.migration_start = host.now();
  d.meter.change(host.now(), PowerState::kMigrating);
  const DesktopSpec& spec = *d.spec;
  const Duration took = host.scenario().migration.partial.setup + spec.link.latency +
                        transfer_time(metadata, spec.link.bandwidth);
  host.at(host.now() + took, d, EventKind::kMigrationDone);
}

void PartialMigration::abort_migration(Host& host, DesktopRun& d) {
  const Duration sending = host.now() - d.migration_start - host.scenario().migration.partial.setup;
  const Bytes sent = bytes_in(sending, d.spec->link.bandwidth);
  const Bytes metadata = host.scenario().migration.partial.metadata;
  d.rec.migrated = sent < metadata ? sent : metadata;
  host.server().release(d.footprint);
  d.footprint = Bytes{};
}

void PartialMigration::migration_done(Host& host, DesktopRun& d) {
  d.rec.outcome = Outcome::kMigrated;
  d.rec.migrated = host.scenario().migration.partial.metadata;
  d.rec.migration_latency = host.now() - d.migration_start;
  d.hosted_since = host.now();
  d.resident.resize(d.profile->unique_pages());
  d.dirty.resize(d.profile->unique_pages());
  // The VM resumes on the server and faults in its working set at once: the desktop stays up
  // serving, and the sleep scheduler counts from here.
  d.meter.change(host.now(), PowerState::kServing);
  d.sleep->on_period_start(host.now(), nullptr);
  arm_sleep_timer(host, d);
  d.cursor.start(*d.profile, (host.now() - d.window_start).us());
  if (!d.cursor.done()) {
    const Time next = d.window_start + Duration::micros(d.cursor.offset_us());
    if (next < d.user_return) host.at(next, d, EventKind::kPageAccess);
  }
}

// Runs the VM's accesses from the cursor on: the first at the event's time, the following ones
// inline while they come before anything queued, then one event for the next.
void PartialMigration::replay_pages(Host& host, DesktopRun& d) {
  Time t = host.now();
  while (true) {
    access(host, d, d.cursor.access(), t);
    d.cursor.advance();
    if (d.cursor.done()) return;
    t = d.window_start + Duration::micros(d.cursor.offset_us());
    if (t >= d.user_return || d.returning) return;
    if (!host.try_inline(t)) {
      host.at(t, d, EventKind::kPageAccess);
      return;
    }
  }
}

void PartialMigration::access(Host& host, DesktopRun& d, const PageAccess& a, Time t) {
  if (a.write) d.dirty.insert(a.slot);
  if (!d.resident.insert(a.slot)) return;  // already on the server (or on its way)
  ++d.rec.fetched_pages;
  d.rec.fetched += host.scenario().page_size;
  d.footprint += host.scenario().page_size;
  host.server().grow(host.scenario().page_size);
  request_page(host, d, t);
}

void PartialMigration::request_page(Host& host, DesktopRun& d, Time t) {
  switch (d.meter.state()) {
    case PowerState::kServing:
      serve(host, d, t, 1);
      return;
    case PowerState::kAsleep:
      ++d.queued_pages;
      wake_for_pages(host, d);
      return;
    case PowerState::kSuspending:
      ++d.queued_pages;
      d.wake_pending = true;
      return;
    case PowerState::kResumingSelective:
      ++d.queued_pages;
      return;
    default:
      assert(false && "page request in a state that cannot serve it");
  }
}

void PartialMigration::wake_for_pages(Host& host, DesktopRun& d) {
  d.wake_pending = false;
  ++d.rec.wakeups;
  d.meter.change(host.now(), PowerState::kResumingSelective);
  const Transitions& tr = d.spec->transitions;
  host.at(host.now() + tr.wake_on_lan + tr.resume_selective, d, EventKind::kResumeDone);
}

// The request travels to the desktop and the pages come back; the desktop is done at arrival.
void PartialMigration::serve(Host& host, DesktopRun& d, Time t, std::uint64_t pages) {
  const Link& link = d.spec->link;
  const Time done = t + link.latency * 2 + transfer_time(host.scenario().page_size * pages, link.bandwidth);
  d.sleep->on_request(t, done);
  arm_sleep_timer(host, d);
}

void PartialMigration::arm_sleep_timer(Host& host, DesktopRun& d) {
  const Time want = max(d.sleep->sleep_at(), host.now());
  if (want >= d.timer_at) return;  // an earlier timer is pending: it re-arms when it fires
  d.timer_at = want;
  host.at(want, d, EventKind::kSleepTimer);
}

void PartialMigration::sleep_timer(Host& host, DesktopRun& d) {
  d.timer_at = Time::never();
  if (d.meter.state() != PowerState::kServing || d.returning) return;
  if (d.sleep->sleep_at() > host.now()) {
    arm_sleep_timer(host, d);
    return;
  }
  begin_suspend(host, d);
}

void PartialMigration::resume_done(Host& host, DesktopRun& d) {
  if (d.returning) {
    begin_full_resume(host, d, rest_of_full_resume(d));
    return;
  }
  d.meter.change(host.now(), PowerState::kServing);
  d.sleep->on_wake(host.now());
  const std::uint64_t pages = d.queued_pages;
  d.queued_pages = 0;
  if (pages > 0) serve(host, d, host.now(), pages);
  arm_sleep_timer(host, d);
}

Duration PartialMigration::rest_of_full_resume(const DesktopRun& d) {
  const Transitions& tr = d.spec->transitions;
  return tr.resume_full > tr.resume_selective ? tr.resume_full - tr.resume_selective : Duration{};
}

void PartialMigration::return_while_awake(Host& host, DesktopRun& d) {
  begin_full_resume(host, d, rest_of_full_resume(d));
}

bool PartialMigration::on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) {
  switch (kind) {
    case EventKind::kMigrationDone:
      migration_done(host, d);
      return true;
    case EventKind::kPageAccess:
      if (d.returning) return false;
      replay_pages(host, d);
      return true;
    case EventKind::kSleepTimer:
      if (e.time != d.timer_at) return false;
      sleep_timer(host, d);
      return true;
    case EventKind::kResumeDone:
      resume_done(host, d);
      return true;
    default:
      return false;
  }
}

void PartialMigration::after_full_resume(Host& host, DesktopRun& d) {
  if (d.rec.outcome != Outcome::kMigrated) {
    host.finish(d);
    return;
  }
  d.rec.dirty_pages = d.dirty.size();
  reintegrate(host, d, host.scenario().page_size * d.dirty.size() + host.scenario().migration.partial.metadata);
}

}  // namespace jettison::sim
