#include "sim/strategy/sleeping_strategy.hpp"

#include <cassert>

namespace jettison::sim {

void SleepingStrategy::on_idle(Host& host, DesktopRun& d) {
  const Time act_at = d.window_start + host.scenario().migration.migrate_after;
  if (act_at < d.user_return) host.at(act_at, d, EventKind::kMigrateAfter);
}

bool SleepingStrategy::trigger_allows(Host& host, DesktopRun& d) {
  if (!d.trigger) return true;  // an inert trigger (`idle-time`): always migrate; the run makes no object
  switch (d.trigger->decide(host.now() - d.window_start)) {
    case policy::TriggerAction::kMigrate:
      return true;
    case policy::TriggerAction::kSleepOnly:
      d.rec.outcome = Outcome::kSlept;
      begin_suspend(host, d);
      return false;
    case policy::TriggerAction::kStayOn:
      return false;
  }
  return false;
}

bool SleepingStrategy::admit(Host& host, DesktopRun& d, Bytes footprint) {
  const auto server = host.servers().admit(footprint, host.now());
  if (!server) {
    d.rec.outcome = Outcome::kRefused;
    if (host.scenario().servers.when_full == WhenFull::kSleepOnly) begin_suspend(host, d);
    return false;
  }
  d.server = *server;
  d.rec.server = static_cast<std::int32_t>(*server);
  d.footprint = footprint;
  return true;
}

void SleepingStrategy::begin_migration(Host& host, DesktopRun& d, Duration setup) {
  d.acted = true;
  d.migration_start = host.now();
  d.meter.change(host.now(), PowerState::kMigrating);
  host.at(host.now() + setup, d, EventKind::kSetupDone);
}

void SleepingStrategy::start_hosting(Host& host, DesktopRun& d) {
  d.hosted = true;
  d.hosted_since = host.now();
  d.hosting_mark = host.servers().start_hosting(d.server, host.now());
}

void SleepingStrategy::begin_suspend(Host& host, DesktopRun& d) {
  d.acted = true;
  d.meter.change(host.now(), PowerState::kSuspending);
  if (d.sleep) d.sleep->on_sleep(host.now());
  host.at(host.now() + d.spec->transitions().suspend, d, EventKind::kSuspendDone);
}

void SleepingStrategy::begin_full_resume(Host& host, DesktopRun& d, Duration how_long) {
  d.meter.change(host.now(), PowerState::kResumingFull);
  host.at(host.now() + how_long, d, EventKind::kFullResumeDone);
}

// The dirty pages and the state flow back first; then the desktop restores the VM.
void SleepingStrategy::reintegrate(Host& host, DesktopRun& d, Bytes bytes) {
  d.meter.change(host.now(), PowerState::kMigrating);
  d.rec.reintegrated = bytes;
  host.transfer(d, net::Direction::kToDesktop, bytes, EventKind::kReintegrationSent, true);
}

void SleepingStrategy::return_while_awake(Host&, DesktopRun&) {
  assert(false && "only partial migration keeps the desktop awake in the selective context");
}

void SleepingStrategy::on_user_return(Host& host, DesktopRun& d) {
  switch (d.meter.state()) {
    case PowerState::kIdle:
      if (!d.acted) {  // never acted: nothing to undo
        ++d.epoch;
        close(host, d);
        return;
      }
      d.returning = true;  // awake in the full context serving pages (partial, full page resume)
      return_while_awake(host, d);
      return;
    case PowerState::kMigrating:  // the VM is still on the desktop: stop sending
      abort_migration(host, d);
      d.rec.outcome = Outcome::kAborted;
      ++d.epoch;
      close(host, d);
      return;
    case PowerState::kAsleep:
      d.returning = true;
      begin_full_resume(host, d, d.spec->transitions().resume_full);
      return;
    case PowerState::kSuspending:
    case PowerState::kResumingSelective:
    case PowerState::kResumingFull:  // a full-resume wake-up to serve pages
      d.returning = true;            // picked up when the transition ends
      return;
    case PowerState::kServing:
      d.returning = true;
      return_while_awake(host, d);
      return;
    default:
      assert(false && "unexpected state at the user's return");
  }
}

bool SleepingStrategy::on_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) {
  if (e.token != d.epoch) return false;
  switch (kind) {
    case EventKind::kMigrateAfter:
      act(host, d);
      return true;
    case EventKind::kSuspendDone:
      if (d.returning) {
        begin_full_resume(host, d, d.spec->transitions().resume_full);
      } else if (d.wake_pending) {
        wake_for_pages(host, d);
      } else {
        d.meter.change(host.now(), PowerState::kAsleep);
      }
      return true;
    case EventKind::kFullResumeDone:
      after_full_resume(host, d);
      return true;
    case EventKind::kReintegrationSent:
      host.at(host.now() + host.scenario().migration.reintegration_setup, d, EventKind::kReintegrationDone);
      return true;
    case EventKind::kReintegrationDone:
      close(host, d);
      return true;
    default:
      return on_own_event(host, d, kind, e);
  }
}

void SleepingStrategy::close(Host& host, DesktopRun& d) {
  on_close(host, d);
  host.finish(d);
}

}  // namespace jettison::sim
