// The server side of the desktop's power: a thread that watches the fetcher's sleep scheduler and,
// when it says so (now >= Fetcher::sleep_at()), tells the desktop to sleep through the page source
// (RemoteSource::sleep_desktop()). It tells the scheduler what happened (desktop_slept, and
// desktop_woke once the source has reached the desktop again) and keeps a log of every decision and
// wake, so a test can check that the wake-ups match the scheduler's decisions: every wake-up follows
// a sleep and a later fault.
//
// The two sides are small interfaces so the loop is testable without a network or userfaultfd:
//   SleepClock    what the controller reads from and reports to the fetcher (FetcherClock adapts one)
//   DesktopPower  what it asks of the desktop (RemoteDesktop adapts a RemoteSource)
//
// Stop order: request_stop(), stop the fetcher (it cancels the source, so a sleep_desktop() waiting
// for a paused fetch returns), then stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/time.hpp"
#include "policy/sleep_scheduler.hpp"

namespace jettison::emu {

class Fetcher;
class RemoteSource;

// The sleep scheduler's side: times are the fetcher's clock (microseconds since it started).
class SleepClock {
 public:
  virtual ~SleepClock() = default;
  virtual Time now() const = 0;
  virtual Time sleep_at() const = 0;
  virtual std::uint64_t faults() const = 0;  // missing-page faults so far
  virtual void desktop_slept(Time t) = 0;
  virtual void desktop_woke(Time t) = 0;
};

// The desktop's side.
class DesktopPower {
 public:
  virtual ~DesktopPower() = default;
  // Tells the desktop to sleep; false when it cannot be reached now (nothing was changed).
  virtual bool sleep_desktop() = 0;
  // True from an acknowledged sleep until the source has reached the desktop again.
  virtual bool asleep() const = 0;
  virtual std::uint64_t magic_packets() const = 0;  // sent so far
  virtual std::uint64_t wakeups() const = 0;        // outages ended by magic packets (the source's count)
};

class FetcherClock final : public SleepClock {
 public:
  explicit FetcherClock(Fetcher& fetcher) : fetcher_(fetcher) {}
  Time now() const override;
  Time sleep_at() const override;
  std::uint64_t faults() const override;
  void desktop_slept(Time t) override;
  void desktop_woke(Time t) override;

 private:
  Fetcher& fetcher_;
};

class RemoteDesktop final : public DesktopPower {
 public:
  explicit RemoteDesktop(RemoteSource& source) : source_(source) {}
  bool sleep_desktop() override;
  bool asleep() const override;
  std::uint64_t magic_packets() const override;
  std::uint64_t wakeups() const override;

 private:
  RemoteSource& source_;
};

// The desktop's power figures as the sleep rules see them: the default scenario's desktop (the
// embedded scenarios/default.yaml, through the one loader both the simulator and the emulator use)
// with selective resume, on the default scenario's path to its server; the same costs the simulator
// derives for it (common/config/desktop_sleep_costs.hpp).
policy::SleepCosts default_sleep_costs();

struct SleepEvent {
  enum class Kind {
    kSleep,        // a decision the desktop acknowledged (it is going to sleep)
    kSleepFailed,  // a decision the desktop could not be told (unreachable); retried later
    kFault,        // the first fault after a sleep: the desktop is needed again
    kMagicPacket,  // the source sent magic packets (detail: how many since the last event)
    kWake,         // the source reached the desktop again after our sleep
  };
  Kind kind;
  Time at;             // the fetcher's clock
  std::string detail;  // what the scheduler said, how many packets, ...
};
std::string_view to_string(SleepEvent::Kind kind);

struct SleepSummary {
  std::uint64_t decisions = 0;          // sleep decisions taken (acknowledged or not)
  std::uint64_t sleeps = 0;             // acknowledged sleeps
  std::uint64_t sleeps_then_fault = 0;  // ... followed by a fault
  std::uint64_t wakes = 0;              // ... after which the desktop was reached again
  std::uint64_t magic_packets = 0;      // sent by the source while the controller ran
  std::uint64_t source_wakeups = 0;     // the source's wake-up count while the controller ran
};

struct SleepControllerOptions {
  std::chrono::milliseconds poll{5};  // how often the scheduler and the source are looked at
  // After a decision the desktop could not be told, wait this long before trying again.
  std::chrono::milliseconds retry{500};
  // Every event, after it is logged (spdlog) and recorded; from the controller's thread.
  std::function<void(const SleepEvent&)> on_event;
};

class SleepController {
 public:
  // `clock` and `desktop` must outlive the controller.
  SleepController(SleepClock& clock, DesktopPower& desktop, SleepControllerOptions options = {});
  ~SleepController();  // stop()
  SleepController(const SleepController&) = delete;
  SleepController& operator=(const SleepController&) = delete;

  void start();
  // Asks the loop to take no further decision, without waiting: call it before stopping the fetcher,
  // then stop() (a decision in progress may be waiting for a paused fetch, which stopping the
  // fetcher cancels).
  void request_stop();
  // Joins the thread, after one last look at the source (a wake that has just happened is recorded;
  // no new decision is taken). Idempotent.
  void stop();

  std::vector<SleepEvent> events() const;
  SleepSummary summary() const;
  // Null when every wake the controller saw follows a sleep and a later fault, every sleep followed
  // by a fault was woken (but perhaps the last, still waking when the controller stopped) and, unless
  // `other_outages` (the desktop was also lost for other reasons: a crash, a link down), the source's
  // wake-ups equal the controller's wakes; else what is off.
  std::optional<std::string> check_wakeups(bool other_outages = false) const;

 private:
  void run();
  void step(bool may_decide);
  void record(SleepEvent::Kind kind, Time at, std::string detail);

  SleepClock& clock_;
  DesktopPower& desktop_;
  SleepControllerOptions options_;

  // Loop-thread state.
  bool slept_ = false;       // we put the desktop to sleep and have not seen it reached since
  bool fault_seen_ = false;  // ... and a fault came after that
  std::uint64_t faults_at_sleep_ = 0;
  std::uint64_t packets_seen_ = 0, wakeups_at_start_ = 0, packets_at_start_ = 0;
  std::chrono::steady_clock::time_point retry_after_{};

  std::thread thread_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  bool running_ = false;  // between start() and the end of stop()
  std::vector<SleepEvent> events_;
  SleepSummary summary_;
};

}  // namespace jettison::emu
