// The state of one desktop during one strategy's run: its policies, power meter, the open window and
// the bookkeeping the sleeping strategies share; partial migration's page state hangs off it only
// while a VM is away (PartialWindow). Strategies work on it; the run (sim/run) owns one per desktop.
#pragma once

#include <cassert>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>

#include "policy/migration_trigger.hpp"
#include "policy/prefetcher.hpp"
#include "policy/sleep_scheduler.hpp"
#include "sim/metrics/period_record.hpp"
#include "sim/model/power_meter.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/strategy/partial_window.hpp"

namespace jettison::sim {

struct PendingPeriod {
  Time start;
  Time end;
};

// At most one PendingPeriod, as std::optional spells it, in 16 bytes instead of 24: an empty slot
// holds Time::never() as its start (a period's start is always a real time).
class PendingSlot {
 public:
  explicit operator bool() const { return p_.start != Time::never(); }
  const PendingPeriod& operator*() const {
    assert(*this);
    return p_;
  }
  PendingSlot& operator=(const PendingPeriod& p) {
    assert(p.start != Time::never());
    p_ = p;
    return *this;
  }
  void reset() { p_ = PendingPeriod{Time::never(), Time{}}; }

 private:
  PendingPeriod p_{Time::never(), Time{}};
};

// At most one Duration, as std::optional spells it, in 8 bytes instead of 16: an empty slot holds
// the lowest representable count (a latency is never negative).
class DurationSlot {
 public:
  DurationSlot& operator=(Duration d) {
    assert(d.us() != kEmpty);
    us_ = d.us();
    return *this;
  }
  std::optional<Duration> get() const {
    return us_ == kEmpty ? std::nullopt : std::optional<Duration>(Duration::micros(us_));
  }

 private:
  static constexpr std::int64_t kEmpty = std::numeric_limits<std::int64_t>::min();
  std::int64_t us_ = kEmpty;
};

// What a strategy records while the window is open: PeriodRecord's fields the strategies set, and
// no more (112 bytes). The run completes it into the window's PeriodRecord when the window closes
// (times in states, energies, the return's latency), so a desktop does not carry those 136 bytes
// meanwhile.
struct WindowRecord {
  Bytes migrated;
  Bytes fetched;
  Bytes prefetched;
  Bytes reintegrated;
  std::uint64_t fetched_pages = 0;
  std::uint64_t prefetched_pages = 0;
  std::uint64_t prefetch_used = 0;
  std::uint64_t dirty_pages = 0;
  std::uint64_t wakeups = 0;
  DurationSlot migration_latency;
  DurationSlot migration_latency_uncontended;
  Energy proxy_energy;
  std::uint32_t period = 0;  // index of the period among this desktop's periods
  std::int32_t server = -1;
  Outcome outcome = Outcome::kStayedOn;

  // The record of desktop `desktop`'s window opened at `start`, with what was recorded in it.
  PeriodRecord record(std::uint32_t desktop, Time start) const {
    PeriodRecord r;
    r.desktop = desktop;
    r.period = period;
    r.start = start;
    r.proxy_energy = proxy_energy;
    r.migrated = migrated;
    r.fetched = fetched;
    r.prefetched = prefetched;
    r.reintegrated = reintegrated;
    r.fetched_pages = fetched_pages;
    r.prefetched_pages = prefetched_pages;
    r.prefetch_used = prefetch_used;
    r.dirty_pages = dirty_pages;
    r.wakeups = wakeups;
    r.migration_latency = migration_latency.get();
    r.migration_latency_uncontended = migration_latency_uncontended.get();
    r.server = server;
    r.outcome = outcome;
    return r;
  }
};

// Fields are grouped by what they are for; the small ones (flags, counters, indices) sit together
// at the end so that none pads a larger neighbour (one of these lives per desktop and strategy).
struct DesktopRun {
  const DesktopSpec* spec = nullptr;
  const PageProfile* profile = nullptr;
  // Null where the strategy does not consult the policy (Strategy::policies()), and for the rules
  // their registry marks inert (Registry::Entry::inert: prefetch `none` never prefetches, trigger
  // `idle-time` always migrates).
  std::unique_ptr<policy::SleepScheduler> sleep;
  std::unique_ptr<policy::Prefetcher> prefetcher;
  std::unique_ptr<policy::MigrationTrigger> trigger;

  // The open window.
  Time window_start;
  Time user_return;
  PendingSlot pending;  // arrived while the desktop was still coming back
  PowerMeter meter;
  WindowRecord rec;

  // Shared by the sleeping strategies.
  Time migration_start;
  Time hosted_since;
  double hosting_mark = 0;  // the server's attribution counter when hosting began
  Bytes footprint;          // what this VM holds on the server

  // The migration's transfers: partial's one (metadata and prefetched pages), full's pre-copy rounds.
  Time round_start;
  Bytes round_bytes;
  Bytes sent_before;  // bytes of the rounds already finished

  // Partial migration's state, from its migration to the window's close.
  std::unique_ptr<PartialWindow> partial;

  // The small fields of the groups above.
  std::uint32_t index = 0;
  std::uint32_t periods_started = 0;  // the open window
  std::uint32_t epoch = 0;            // bumped to cancel this window's outstanding events
  std::uint32_t server = 0;           // where the VM went (valid while it holds a footprint or is hosted)
  std::uint32_t round = 0;            // rounds started (0: still in the setup)
  // The desktop's bulk transfer in flight (at most one: migration, a pre-copy round, reintegration).
  std::optional<std::uint32_t> flow;
  std::uint16_t flow_done = 0;  // the EventKind to fire when it is done
  bool flow_delivered = false;  // fire when the last byte arrived (+ route latency), not when it left
  bool in_window = false;       // the open window
  bool acted = false;           // the strategy migrated or slept at migrate_after
  PowerState awake = PowerState::kServing;  // the state a page-service wake-up leads to
  bool returning = false;                   // the user is back; the desktop is on its way up
  bool wake_pending = false;                // a page is wanted while the desktop is still suspending
  bool hosted = false;                      // runs on the server (from the migration's end)
};

}  // namespace jettison::sim
