#include "sim/strategy/partial_migration.hpp"

#include <cassert>

#include "sim/model/profile_replay.hpp"

namespace jettison::sim {

Duration PartialMigration::migration_estimate(const Scenario& s, const DesktopSpec&,
                                              const net::Route& path) const {
  return s.migration.partial.setup + path.latency +
         transfer_time(s.migration.partial.metadata, path.bottleneck);
}

void PartialMigration::act(Host& host, DesktopRun& d) {
  if (!trigger_allows(host, d)) return;
  const Scenario& s = host.scenario();
  if (!admit(host, d, s.migration.partial.metadata)) return;
  begin_migration(host, d, s.migration.partial.setup);
  d.partial = std::make_unique<PartialWindow>();
  // Without a prefetcher (an inert rule has none) no page reaches the server but by a fault:
  // counters stand for the pages.
  d.partial->counted = !d.prefetcher;
  if (!d.partial->counted) d.partial->pages.reset(d.profile->unique_pages());
  // The prefetcher's pick travels with the metadata.
  if (d.prefetcher) d.prefetcher->on_migration(host.now(), d.partial->prefetch_buffer);
  const std::uint64_t extra = send_prefetched(host, d);
  d.round = 0;
  d.round_bytes = s.migration.partial.metadata + s.page_size * extra;
  const net::Route& path = host.route(d, net::Direction::kToServer);
  d.rec.migration_latency_uncontended =
      s.migration.partial.setup + path.latency + transfer_time(d.round_bytes, path.bottleneck);
}

void PartialMigration::abort_migration(Host& host, DesktopRun& d) {
  // During the setup nothing was sent; once the flow's last byte left (arrival pending), all of it.
  const Bytes sent = d.flow ? host.cancel_transfer(d) : (d.round > 0 ? d.round_bytes : Bytes{});
  const Bytes metadata = host.scenario().migration.partial.metadata;
  d.rec.migrated = sent < metadata ? sent : metadata;
  // Prefetched pages go after the metadata: only what was sent counts.
  const Bytes rest = sent < metadata ? Bytes{} : sent - metadata;
  if (rest < d.rec.prefetched) d.rec.prefetched = rest;
}

std::uint64_t PartialMigration::send_prefetched(Host& host, DesktopRun& d) {
  PartialWindow& w = *d.partial;
  const Scenario& s = host.scenario();
  const std::uint64_t vm_pages = d.spec->vm_memory().count() / s.page_size.count();
  std::uint64_t sent = 0;
  for (policy::PageId gfn : w.prefetch_buffer) {
    if (gfn >= vm_pages) continue;
    if (const auto slot = d.profile->slot(gfn)) {
      if (w.pages.has(*slot, PageStates::kResident)) continue;
      w.pages.set(*slot, PageStates::kResident | PageStates::kPrefetched);
    } else if (!w.unprofiled_prefetched.insert(gfn).second) {
      continue;  // a page the profile never touches, already sent
    }
    ++sent;
  }
  d.rec.prefetched_pages += sent;
  d.rec.prefetched += s.page_size * sent;
  d.footprint += s.page_size * sent;
  host.grow(d, s.page_size * sent);
  return sent;
}

void PartialMigration::migration_done(Host& host, DesktopRun& d) {
  PartialWindow& w = *d.partial;
  d.rec.outcome = Outcome::kMigrated;
  d.rec.migrated = host.scenario().migration.partial.metadata;
  d.rec.migration_latency = host.now() - d.migration_start;
  start_hosting(host, d);
  // The VM resumes on the server and faults in its working set at once: the desktop stays up
  // serving, and the sleep scheduler counts from here.
  d.meter.change(host.now(), d.awake);
  // Profile offsets count from w.origin (sim/MODEL.md, "Profile anchor").
  w.origin = replay_origin(*d.profile, d.window_start, host.now());
  const std::int64_t offset = (host.now() - w.origin).us();
  if (d.sleep->offline()) foresee_requests(host, d);
  d.sleep->on_period_start(host.now(), d.sleep->offline() ? &w.future : nullptr);
  arm_sleep_timer(host, d);
  w.cursor.start(index(host, d), offset);
  if (!w.cursor.done()) {
    const Time next = w.origin + Duration::micros(w.cursor.offset_us());
    if (next < d.user_return) host.at(next, d, EventKind::kPageAccess);
  }
  on_hosted(host, d);
}

// Faults do not depend on when the desktop sleeps (a page arrives at its first access either way,
// and prefetch decisions are made at faults), so the arrivals can be replayed ahead of time with a
// copy of the page states and of the prefetcher. After one whole cycle of a repeating profile
// without a fault, none can follow.
void PartialMigration::foresee_requests(const Host& host, DesktopRun& d) {
  PartialWindow& w = *d.partial;
  w.future.requests.clear();
  w.future.user_return = d.user_return;
  const PageProfile& p = *d.profile;
  std::vector<bool> resident(p.unique_pages(), false);
  for (std::uint32_t slot : w.pages.members()) resident[slot] = w.pages.has(slot, PageStates::kResident);
  auto prefetcher = d.prefetcher ? d.prefetcher->clone() : nullptr;
  std::vector<policy::PageId> out;
  FirstTouchCursor c;
  const std::int64_t from = (host.now() - w.origin).us();
  const std::int64_t until = (foresee_until(host, d) - w.origin).us();
  std::int64_t last_fault = from;
  // A fault is a page's first access since `from`: the cursor skips only accesses that are not.
  for (c.start(index(host, d), from); !c.done() && c.offset_us() < until; c.advance()) {
    const std::int64_t at = c.offset_us();
    if (p.repeat && at - last_fault > p.cycle.us()) break;
    const std::uint32_t slot = c.access().slot;
    if (resident[slot]) continue;
    resident[slot] = true;
    last_fault = at;
    const Time t = w.origin + Duration::micros(at);
    w.future.requests.push_back(t);
    out.clear();
    if (prefetcher) prefetcher->on_fault(t, p.gfns[slot], out);
    for (policy::PageId gfn : out)
      if (const auto s = p.slot(gfn)) resident[*s] = true;
  }
}

// Runs the VM's accesses from the cursor on: the first at the event's time, the following ones
// inline while they come before anything queued, then one event for the next. The cursor skips the
// accesses that change nothing; where the full replay would have queued an event for one of them
// (and so placed the next access's event later among events at equal times), one event at the last
// skipped access stands in for them (sim/MODEL.md, "Page replay").
void PartialMigration::replay_pages(Host& host, DesktopRun& d) {
  PartialWindow& w = *d.partial;
  const bool stood_in = w.cursor.unpark();
  Time last = host.now();
  if (!stood_in) {
    access(host, d, w.cursor.access(), last);
    w.cursor.advance();
  }
  bool may_stand_in = !stood_in;
  while (!w.cursor.done()) {
    const Time t = w.origin + Duration::micros(w.cursor.offset_us());
    if (t >= d.user_return || d.returning) break;
    if (t != last) apply_growth(host, d);  // while the run's time is still `last`
    if (host.try_inline(t, own_next(d))) {
      access(host, d, w.cursor.access(), t);
      w.cursor.advance();
      last = t;
      may_stand_in = true;
      continue;
    }
    apply_growth(host, d);
    // Only a fault cares where it runs among equal-time events (it grows the server, asks the
    // network and may wake the desktop); a page already on the server only sets its flags.
    if (may_stand_in && w.cursor.skipped_before() && faults(w)) {
      w.cursor.park();
      host.at(w.origin + Duration::micros(w.cursor.skipped_until_us()), d, EventKind::kPageAccess);
      return;
    }
    host.at(t, d, EventKind::kPageAccess);
    return;
  }
  apply_growth(host, d);
}

bool PartialMigration::faults(const PartialWindow& w) {
  if (w.counted) return !w.all_resident && w.cursor.first_touch();
  return !w.pages.has(w.cursor.access().slot, PageStates::kResident);
}

// The pages counted faults fetched at one µs reach the server as one growth (growths at one µs are
// pure additions: the same bytes, peak and overcommit count as one at a time).
void PartialMigration::apply_growth(Host& host, DesktopRun& d) {
  PartialWindow& w = *d.partial;
  if (w.unapplied_growth.count() == 0) return;
  host.grow(d, w.unapplied_growth);
  w.unapplied_growth = Bytes{};
}

// The desktop's own next queued event: its sleep timer, or the end of the suspend or wake-up under
// way. A page access may run ahead of other desktops' events only if it comes strictly before it.
Time PartialMigration::own_next(const DesktopRun& d) {
  const PartialWindow& w = *d.partial;
  switch (d.meter.state()) {
    case PowerState::kSuspending:
    case PowerState::kResumingSelective:
    case PowerState::kResumingFull:
      return min(w.timer_at, w.transition_at);
    default:
      return w.timer_at;
  }
}

const FirstTouchIndex& PartialMigration::index(const Host& host, const DesktopRun& d) {
  return indexes_.of(*d.profile, host.scenario().replay_every_access ? FirstTouchIndex::Mode::kEveryAccess
                                                                     : FirstTouchIndex::Mode::kFirstTouches);
}

void PartialMigration::access(Host& host, DesktopRun& d, const PageAccess& a, Time t) {
  PartialWindow& w = *d.partial;
  if (w.counted) {  // `a` is the cursor's access: its keys say what it changes
    if (w.cursor.first_write()) ++w.dirty_pages;
    if (w.all_resident || !w.cursor.first_touch()) return;
    // A fault; nothing to prefetch.
    const Bytes page = host.scenario().page_size;
    ++w.resident_pages;
    ++d.rec.fetched_pages;
    d.rec.fetched += page;
    d.footprint += page;
    w.unapplied_growth += page;  // replay_pages applies it before leaving this µs
    request_pages(host, d, t, 1);
    return;
  }
  const std::uint8_t flags = w.pages.get(a.slot);
  const std::uint8_t want =
      static_cast<std::uint8_t>(PageStates::kTouched | (a.write ? PageStates::kDirty : 0));
  if (flags & PageStates::kResident) {
    if ((flags & want) != want) w.pages.set(a.slot, want);
    if (flags & PageStates::kPrefetched) {
      w.pages.clear(a.slot, PageStates::kPrefetched);
      ++d.rec.prefetch_used;
    }
    return;
  }
  // A fault: the page comes from the desktop, with whatever the prefetcher adds.
  w.pages.set(a.slot, static_cast<std::uint8_t>(PageStates::kResident | want));
  const Bytes page = host.scenario().page_size;
  ++d.rec.fetched_pages;
  d.rec.fetched += page;
  d.footprint += page;
  host.grow(d, page);
  w.prefetch_buffer.clear();
  if (d.prefetcher) d.prefetcher->on_fault(t, d.profile->gfns[a.slot], w.prefetch_buffer);
  const std::uint64_t extra = w.prefetch_buffer.empty() ? 0 : send_prefetched(host, d);
  request_pages(host, d, t, 1 + extra);
}

void PartialMigration::request_pages(Host& host, DesktopRun& d, Time t, std::uint64_t pages) {
  PartialWindow& w = *d.partial;
  const PowerState state = d.meter.state();
  // Awake: serving pages, or (hybrid) sending the rest of the VM in bulk.
  if (state == d.awake || state == PowerState::kMigrating) {
    serve(host, d, t, t, pages);
    return;
  }
  w.queued_pages += pages;
  if (w.queued_arrival == Time::never()) w.queued_arrival = t;
  switch (state) {
    case PowerState::kAsleep:
      wake_for_pages(host, d);
      return;
    case PowerState::kSuspending:
      d.wake_pending = true;
      return;
    case PowerState::kResumingSelective:
    case PowerState::kResumingFull:
      return;
    default:
      assert(false && "page request in a state that cannot serve it");
  }
}

void PartialMigration::wake_for_pages(Host& host, DesktopRun& d) {
  d.wake_pending = false;
  ++d.rec.wakeups;
  const Transitions& tr = d.spec->transitions();
  const bool selective = d.awake == PowerState::kServing;
  d.meter.change(host.now(), selective ? PowerState::kResumingSelective : PowerState::kResumingFull);
  d.partial->transition_at = host.now() + tr.wake_on_lan + (selective ? tr.resume_selective : tr.resume_full);
  host.at(d.partial->transition_at, d, EventKind::kResumeDone);
}

// The request travels to the desktop and the pages come back; the desktop is done at arrival.
void PartialMigration::serve(Host& host, DesktopRun& d, Time arrival, Time ready, std::uint64_t pages) {
  PartialWindow& w = *d.partial;
  const Bytes bytes = host.scenario().page_size * pages;
  const std::uint64_t version = host.network_version();
  if (version != w.request_version || bytes != w.request_bytes) {
    w.request_time = host.request_time(d, bytes);
    w.request_version = version;
    w.request_bytes = bytes;
  }
  const Time done = ready + w.request_time;
  d.sleep->on_request(arrival, done);
  arm_sleep_timer(host, d);
}

void PartialMigration::arm_sleep_timer(Host& host, DesktopRun& d) {
  PartialWindow& w = *d.partial;
  const Time at = d.sleep->sleep_at();
  if (at == Time::never()) return;  // stays up until the next request
  const Time want = max(at, host.now());
  if (want >= w.timer_at) return;  // an earlier timer is pending: it re-arms when it fires
  w.timer_at = want;
  host.at(want, d, EventKind::kSleepTimer);
}

void PartialMigration::sleep_timer(Host& host, DesktopRun& d) {
  d.partial->timer_at = Time::never();
  if (d.meter.state() != d.awake || d.returning) return;
  if (d.sleep->sleep_at() > host.now()) {
    arm_sleep_timer(host, d);
    return;
  }
  begin_suspend(host, d);
  d.partial->transition_at = host.now() + d.spec->transitions().suspend;
}

void PartialMigration::resume_done(Host& host, DesktopRun& d) {
  PartialWindow& w = *d.partial;
  if (d.returning) {
    begin_full_resume(host, d, rest_of_full_resume(d));
    return;
  }
  d.meter.change(host.now(), d.awake);
  d.sleep->on_wake(host.now());
  const std::uint64_t pages = w.queued_pages;
  const Time arrival = w.queued_arrival;
  w.queued_pages = 0;
  w.queued_arrival = Time::never();
  if (pages > 0) serve(host, d, arrival, host.now(), pages);
  arm_sleep_timer(host, d);
}

Duration PartialMigration::rest_of_full_resume(const DesktopRun& d) {
  if (d.awake != PowerState::kServing) return Duration{};  // woken fully already
  const Transitions& tr = d.spec->transitions();
  return tr.resume_full > tr.resume_selective ? tr.resume_full - tr.resume_selective : Duration{};
}

void PartialMigration::return_while_awake(Host& host, DesktopRun& d) {
  begin_full_resume(host, d, rest_of_full_resume(d));
}

bool PartialMigration::on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) {
  switch (kind) {
    case EventKind::kSetupDone:
      d.round = 1;  // the state is on its way
      host.transfer(d, net::Direction::kToServer, d.round_bytes, EventKind::kMigrationDone, true);
      return true;
    case EventKind::kMigrationDone:
      migration_done(host, d);
      return true;
    case EventKind::kPageAccess:
      if (d.returning) return false;
      replay_pages(host, d);
      return true;
    case EventKind::kSleepTimer:
      if (e.time != d.partial->timer_at) return false;
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
    close(host, d);
    return;
  }
  const PartialWindow& w = *d.partial;
  d.rec.dirty_pages = w.counted ? w.dirty_pages : w.pages.count(PageStates::kDirty);
  reintegrate(host, d,
              host.scenario().page_size * d.rec.dirty_pages + host.scenario().migration.partial.metadata);
}

// The prefetcher learns the pages the VM touched on the server; the page state goes.
void PartialMigration::on_close(Host&, DesktopRun& d) {
  if (!d.partial) return;
  if (d.partial->counted) {  // no prefetcher: nothing learns
    d.partial.reset();
    return;
  }
  const PageStates& pages = d.partial->pages;
  if (d.rec.outcome == Outcome::kMigrated && !pages.members().empty()) {
    std::vector<policy::PageId> touched;
    for (std::uint32_t slot : pages.members())
      if (pages.has(slot, PageStates::kTouched)) touched.push_back(d.profile->gfns[slot]);
    if (d.prefetcher) d.prefetcher->on_period_end(touched);
  }
  d.partial.reset();
}

}  // namespace jettison::sim
