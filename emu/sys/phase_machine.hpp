// A lifecycle as an explicit state machine, the way QEMU's migration code keeps its status: a fixed
// table of allowed transitions, every change checked against it (a forbidden one is a logic error,
// never silently taken), one log line per change naming the machine, both phases and why, and a
// history a test can read. Shared by the server's hosting session and the desktop's VM.
//
// `Phase` is an enum with a `name_of(Phase)` found by argument-dependent lookup; `allowed(from, to)`
// is the table.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jettison::emu {

// A transition the table does not allow: a bug in the caller, reported with both phases.
class PhaseError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

template <class Phase>
struct PhaseChange {
  Phase from, to;
  std::string why;
  std::chrono::steady_clock::time_point at;
};

template <class Phase>
class PhaseMachine {
 public:
  using Allowed = bool (*)(Phase from, Phase to);
  PhaseMachine(std::string name, Phase initial, Allowed allowed)
      : name_(std::move(name)), phase_(initial), allowed_(allowed) {}

  Phase phase() const {
    std::lock_guard lock(mu_);
    return phase_;
  }
  // Moves to `next`, or throws PhaseError when the table forbids it (the phase is unchanged).
  void to(Phase next, std::string_view why) {
    std::lock_guard lock(mu_);
    if (!allowed_(phase_, next))
      throw PhaseError(fmt::format("{}: transition {} -> {} is not allowed ({})", name_, name_of(phase_),
                                   name_of(next), why));
    spdlog::info("{}: {} -> {}: {}", name_, name_of(phase_), name_of(next), why);
    history_.push_back({phase_, next, std::string(why), std::chrono::steady_clock::now()});
    phase_ = next;
    changed_.notify_all();
  }
  // True once the phase satisfies `pred` (checked at once and at every change), false after `timeout`.
  bool wait_until(const std::function<bool(Phase)>& pred, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] { return pred(phase_); });
  }
  std::vector<PhaseChange<Phase>> history() const {
    std::lock_guard lock(mu_);
    return history_;
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  Phase phase_;
  Allowed allowed_;
  std::vector<PhaseChange<Phase>> history_;
};

}  // namespace jettison::emu
