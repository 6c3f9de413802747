#include "emu/agent/desktop_agent.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "emu/power/net_interface.hpp"
#include "emu/power/power_error.hpp"

namespace jettison::emu {

DesktopAgent::DesktopAgent(DesktopAgentConfig config) : config_(std::move(config)) {
  config_.server.on_sleep = [this](std::uint32_t after_ms) { request_sleep(after_ms); };
  if (config_.power == PowerBackendKind::kEmulated) {
    auto& listener = config_.emulated.listener;
    if (listener.interface.empty())
      throw PowerError("emulated power: no interface to listen on for magic packets");
    if (listener.mac == MacAddress()) listener.mac = query_interface(listener.interface).mac;
    PowerHooks hooks{[this] { stop_serving(); }, [this](const WakeEvent&) { resume_serving(); }};
    auto e = std::make_unique<EmulatedPower>(config_.emulated, std::move(hooks));
    emulated_ = e.get();
    backend_ = std::move(e);
  } else {
    if (!config_.real.allow_suspend && !config_.real.dry_run) {
      spdlog::warn(
          "agent: real power backend without allow_suspend: running in dry-run (nothing is suspended)");
      config_.real.dry_run = true;
    }
    if (config_.real.dry_run) {
      // Dry-run performs nothing (a DryRunActuator, explicitly), so the backend may "allow" it: it
      // only records and logs the plan. The agent's own config keeps the user's allow_suspend.
      RealPowerConfig dry = config_.real;
      dry.allow_suspend = true;
      backend_ = std::make_unique<RealPower>(dry, std::make_unique<DryRunActuator>());
    } else {
      backend_ = std::make_unique<RealPower>(config_.real);
    }
  }
  server_ = std::make_unique<MemoryServer>(config_.server);
}

DesktopAgent::~DesktopAgent() { stop(); }

void DesktopAgent::start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) throw std::logic_error("DesktopAgent::start: already started");
    started_ = true;
  }
  server_->start();
  power_thread_ = std::thread([this] { power_loop(); });
  spdlog::info("agent: serving on port {}, power backend {}", server_->port(), backend_->name());
}

void DesktopAgent::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (emulated_ != nullptr) emulated_->shutdown();
  if (power_thread_.joinable()) power_thread_.join();
  server_->stop();
}

void DesktopAgent::request_sleep(std::uint32_t after_ms) {
  {
    std::lock_guard lock(mutex_);
    sleep_requested_ = true;
    sleep_after_ms_ = after_ms;
  }
  cv_.notify_all();
}

void DesktopAgent::user_wake() {
  if (emulated_ != nullptr) emulated_->user_wake();
}

void DesktopAgent::set_power_state(PowerState s) {
  if (emulated_ == nullptr) return;
  const PowerState now = emulated_->state();
  // Inside a suspend the backend owns the state; the VM's moves only label the awake time.
  if (now == PowerState::kAsleep || now == PowerState::kSuspending || now == PowerState::kResumingFull ||
      now == PowerState::kResumingSelective)
    return;
  emulated_->set_state(s);
}

void DesktopAgent::stop_serving() { server_->stop(); }

void DesktopAgent::resume_serving() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    // A SLEEP that came while we were going down belonged to a connection that is gone now; one
    // from a connection made after this point is a new request.
    sleep_requested_ = false;
  }
  try {
    server_->start();
  } catch (const std::exception& e) {
    spdlog::error("agent: cannot serve again after waking: {}", e.what());
  }
}

void DesktopAgent::power_loop() {
  while (true) {
    std::uint32_t after_ms = 0;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || sleep_requested_; });
      if (stopping_) return;
      after_ms = sleep_after_ms_;
      sleep_requested_ = false;
      // SLEEP's delay: the desktop keeps serving until then (stop() cuts it short).
      if (cv_.wait_for(lock, std::chrono::milliseconds(after_ms), [&] { return stopping_; })) return;
      ++stats_.sleeps;
    }
    spdlog::info("agent: going to sleep ({} backend{})", backend_->name(),
                 after_ms > 0 ? fmt::format(", after {} ms", after_ms) : std::string());
    WakeEvent ev;
    try {
      if (emulated_ != nullptr) {
        ev = emulated_->suspend();  // its hooks stop and restart the server
      } else {
        stop_serving();
        try {
          ev = backend_->suspend();
        } catch (...) {
          resume_serving();
          throw;
        }
        resume_serving();
      }
    } catch (const PowerError& e) {
      spdlog::error("agent: suspend failed: {}", e.what());
      continue;
    }
    spdlog::info("agent: awake ({}, {} resume, {:.3f} s asleep){}{}", name_of(ev.cause), name_of(ev.resume),
                 ev.asleep.seconds_f(), ev.detail.empty() ? "" : ": ", ev.detail);
    std::lock_guard lock(mutex_);
    if (ev.cause == WakeCause::kMagicPacket) ++stats_.wakeups;
    stats_.last_wake = ev;
    stats_.last_wake_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  }
}

bool DesktopAgent::wait_for_state(PowerState s, std::chrono::milliseconds timeout) const {
  if (emulated_ != nullptr) return emulated_->wait_for_state(s, timeout);
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (backend_->state() != s) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::optional<EnergyReport> DesktopAgent::energy() const {
  if (!config_.watts) return std::nullopt;
  return make_energy_report(state_times(), *config_.watts);
}

std::string DesktopAgent::report() const {
  if (auto e = energy()) return e->to_string(*config_.watts);
  const StateTimes t = state_times();
  std::string out;
  Duration total;
  for (std::size_t i = 0; i < kPowerStateCount; ++i) {
    out += fmt::format("{:<20} {:>10.3f} s\n", kPowerStateNames[i], t[i].seconds_f());
    total += t[i];
  }
  out += fmt::format("{:<20} {:>10.3f} s\n", "total", total.seconds_f());
  return out;
}

DesktopAgentStats DesktopAgent::stats() const {
  std::lock_guard lock(mutex_);
  DesktopAgentStats s = stats_;
  s.server = server_->stats();
  return s;
}

}  // namespace jettison::emu
