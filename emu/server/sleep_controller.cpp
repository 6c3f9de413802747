#include "emu/server/sleep_controller.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cassert>

#include "common/config/desktop_loader.hpp"
#include "common/config/desktop_sleep_costs.hpp"
#include "emu/fetch/fetcher.hpp"
#include "emu/remote/remote_source.hpp"

namespace jettison::emu {

Time FetcherClock::now() const { return fetcher_.now(); }
Time FetcherClock::sleep_at() const { return fetcher_.sleep_at(); }
std::uint64_t FetcherClock::faults() const { return fetcher_.stats().faults; }
void FetcherClock::desktop_slept(Time t) { fetcher_.desktop_slept(t); }
void FetcherClock::desktop_woke(Time t) { fetcher_.desktop_woke(t); }

bool RemoteDesktop::sleep_desktop() { return source_.sleep_desktop(); }
bool RemoteDesktop::asleep() const { return source_.desktop_asleep(); }
std::uint64_t RemoteDesktop::magic_packets() const { return source_.stats().magic_packets; }
std::uint64_t RemoteDesktop::wakeups() const { return source_.stats().wakeups; }

policy::SleepCosts default_sleep_costs() {
  const config::ScenarioFigures& f = config::default_scenario_figures();
  assert(f.server_path);  // the default scenario's topology is a generated one
  return config::sleep_costs(f.desktop, policy::ResumeKind::kSelective, *f.server_path);
}

std::string_view to_string(SleepEvent::Kind kind) {
  switch (kind) {
    case SleepEvent::Kind::kSleep:
      return "sleep";
    case SleepEvent::Kind::kSleepFailed:
      return "sleep-failed";
    case SleepEvent::Kind::kFault:
      return "fault";
    case SleepEvent::Kind::kMagicPacket:
      return "magic-packet";
    case SleepEvent::Kind::kWake:
      return "wake";
  }
  return "?";
}

SleepController::SleepController(SleepClock& clock, DesktopPower& desktop, SleepControllerOptions options)
    : clock_(clock), desktop_(desktop), options_(std::move(options)) {}

SleepController::~SleepController() { stop(); }

void SleepController::start() {
  if (thread_.joinable()) return;
  packets_at_start_ = packets_seen_ = desktop_.magic_packets();
  wakeups_at_start_ = desktop_.wakeups();
  {
    std::lock_guard lock(mu_);
    running_ = true;
  }
  thread_ = std::thread([this] { run(); });
}

void SleepController::request_stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
}

void SleepController::stop() {
  request_stop();
  if (!thread_.joinable()) return;
  thread_.join();
  try {
    step(/*may_decide=*/false);
  } catch (const std::exception&) {
    // the source is gone: nothing more to record
  }
  // The source's counters as of the end, for the summary.
  std::lock_guard lock(mu_);
  summary_.magic_packets = desktop_.magic_packets() - packets_at_start_;
  summary_.source_wakeups = desktop_.wakeups() - wakeups_at_start_;
  running_ = false;
}

void SleepController::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    try {
      step(/*may_decide=*/true);
    } catch (const std::exception& e) {
      // A source that was cancelled (the fetcher is stopping) or failed: nothing more to decide.
      spdlog::warn("sleep controller: {}; stopping decisions", e.what());
      lock.lock();
      break;
    }
    lock.lock();
    wake_.wait_for(lock, options_.poll, [&] { return stopping_; });
  }
}

void SleepController::step(bool may_decide) {
  const Time t = clock_.now();
  const std::uint64_t packets = desktop_.magic_packets();
  if (packets > packets_seen_) {
    record(SleepEvent::Kind::kMagicPacket, t,
           fmt::format("{} sent ({} so far)", packets - packets_seen_, packets - packets_at_start_));
    packets_seen_ = packets;
  }
  if (slept_) {
    if (!fault_seen_ && clock_.faults() > faults_at_sleep_) {
      fault_seen_ = true;
      {
        std::lock_guard lock(mu_);
        ++summary_.sleeps_then_fault;
      }
      record(SleepEvent::Kind::kFault, t, "a fault needs the sleeping desktop: the source wakes it");
    }
    if (!desktop_.asleep()) {
      slept_ = false;
      const Time woke = clock_.now();
      clock_.desktop_woke(woke);
      {
        std::lock_guard lock(mu_);
        ++summary_.wakes;
      }
      record(SleepEvent::Kind::kWake, woke, "the source reached the desktop again");
    }
    return;
  }
  if (!may_decide || std::chrono::steady_clock::now() < retry_after_) return;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
  }
  const Time at = clock_.sleep_at();
  if (at == Time::never() || t < at) return;
  // Faults counted before the command: one read while it is being sent needs the desktop after it
  // (its fetch waits for the command, which holds the source).
  const std::uint64_t faults = clock_.faults();
  {
    std::lock_guard lock(mu_);
    ++summary_.decisions;
  }
  const std::string why = fmt::format("the scheduler said sleep at {:.3f} s (now {:.3f} s)",
                                      static_cast<double>(at.us()) / 1e6, static_cast<double>(t.us()) / 1e6);
  if (desktop_.sleep_desktop()) {
    const Time slept = clock_.now();
    clock_.desktop_slept(slept);
    slept_ = true;
    fault_seen_ = false;
    faults_at_sleep_ = faults;
    {
      std::lock_guard lock(mu_);
      ++summary_.sleeps;
    }
    record(SleepEvent::Kind::kSleep, slept, why);
  } else {
    retry_after_ = std::chrono::steady_clock::now() + options_.retry;
    record(
        SleepEvent::Kind::kSleepFailed, clock_.now(),
        fmt::format("{}, but the desktop cannot be reached; retrying in {} ms", why, options_.retry.count()));
  }
}

void SleepController::record(SleepEvent::Kind kind, Time at, std::string detail) {
  SleepEvent e{kind, at, std::move(detail)};
  const auto level = kind == SleepEvent::Kind::kSleepFailed ? spdlog::level::warn : spdlog::level::info;
  spdlog::log(level, "sleep controller: {:.3f} s {}: {}", static_cast<double>(at.us()) / 1e6, to_string(kind),
              e.detail);
  {
    std::lock_guard lock(mu_);
    events_.push_back(e);
  }
  if (options_.on_event) options_.on_event(e);
}

std::vector<SleepEvent> SleepController::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

SleepSummary SleepController::summary() const {
  std::lock_guard lock(mu_);
  SleepSummary s = summary_;
  if (running_) {  // the source's counters as of now
    s.magic_packets = desktop_.magic_packets() - packets_at_start_;
    s.source_wakeups = desktop_.wakeups() - wakeups_at_start_;
  }
  return s;
}

std::optional<std::string> SleepController::check_wakeups(bool other_outages) const {
  const std::vector<SleepEvent> log = events();
  const SleepSummary s = summary();
  bool asleep = false, fault = false;
  std::uint64_t pending = 0;  // a sleep followed by a fault, not woken yet
  for (std::size_t i = 0; i < log.size(); ++i) {
    const SleepEvent& e = log[i];
    switch (e.kind) {
      case SleepEvent::Kind::kSleep:
        if (asleep) return fmt::format("event {}: a second sleep before the desktop was reached again", i);
        asleep = true;
        fault = false;
        break;
      case SleepEvent::Kind::kFault:
        if (!asleep) return fmt::format("event {}: a fault recorded while the desktop was not asleep", i);
        fault = true;
        pending = 1;
        break;
      case SleepEvent::Kind::kWake:
        if (!asleep) return fmt::format("event {}: a wake without a sleep before it", i);
        if (!fault) return fmt::format("event {}: a wake without a fault after the sleep", i);
        asleep = false;
        pending = 0;
        break;
      default:
        break;
    }
  }
  if (s.wakes + pending != s.sleeps_then_fault)
    return fmt::format("{} sleeps were followed by a fault but {} wakes were seen", s.sleeps_then_fault,
                       s.wakes);
  if (!other_outages && s.source_wakeups != s.wakes)
    return fmt::format("the source counted {} wake-ups, the controller {} wakes after its sleeps",
                       s.source_wakeups, s.wakes);
  return std::nullopt;
}

}  // namespace jettison::emu
