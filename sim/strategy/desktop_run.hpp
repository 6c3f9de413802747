// The state of one desktop during one strategy's run: its policies, power meter, the open window and
// the bookkeeping the sleeping strategies share; partial migration's page state hangs off it only
// while a VM is away (PartialWindow). Strategies work on it; the run (sim/run) owns one per desktop.
#pragma once

#include <cstdint>
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

struct DesktopRun {
  std::uint32_t index = 0;
  const DesktopSpec* spec = nullptr;
  const PageProfile* profile = nullptr;
  std::unique_ptr<policy::SleepScheduler> sleep;
  std::unique_ptr<policy::Prefetcher> prefetcher;
  std::unique_ptr<policy::MigrationTrigger> trigger;

  // The open window.
  bool in_window = false;
  Time window_start;
  Time user_return;
  std::uint32_t periods_started = 0;
  std::optional<PendingPeriod> pending;  // arrived while the desktop was still coming back
  PowerMeter meter;
  PeriodRecord rec;
  std::uint32_t epoch = 0;  // bumped to cancel this window's outstanding events

  // Shared by the sleeping strategies.
  bool acted = false;                       // the strategy migrated or slept at migrate_after
  PowerState awake = PowerState::kServing;  // the state a page-service wake-up leads to
  bool returning = false;                   // the user is back; the desktop is on its way up
  bool wake_pending = false;                // a page is wanted while the desktop is still suspending
  Time migration_start;
  Time hosted_since;
  std::uint32_t server = 0;  // where the VM went (valid while it holds a footprint or is hosted)
  bool hosted = false;       // runs on the server (from the migration's end)
  double hosting_mark = 0;   // the server's attribution counter when hosting began
  Bytes footprint;           // what this VM holds on the server

  // The desktop's bulk transfer in flight (at most one: migration, a pre-copy round, reintegration).
  std::optional<std::uint32_t> flow;
  std::uint16_t flow_done = 0;  // the EventKind to fire when it is done
  bool flow_delivered = false;  // fire when the last byte arrived (+ route latency), not when it left
  // The migration's transfers: partial's one (metadata and prefetched pages), full's pre-copy rounds.
  std::uint32_t round = 0;  // rounds started (0: still in the setup)
  Time round_start;
  Bytes round_bytes;
  Bytes sent_before;  // bytes of the rounds already finished

  // Partial migration's state, from its migration to the window's close.
  std::unique_ptr<PartialWindow> partial;
};

}  // namespace jettison::sim
