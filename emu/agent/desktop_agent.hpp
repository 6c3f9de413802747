// The desktop side of partial migration: a MemoryServer over the VM's memory image plus a power
// backend, wired so that a SLEEP command (or request_sleep()) stops serving (connections close) and
// enters the backend's suspend(). With the emulated backend a valid magic packet on the agent's
// interface wakes it; after its resume delay the server serves again on the same port. With the real
// backend the machine suspends only when allow_suspend is set (otherwise the backend runs in dry-run:
// it records what it would do and returns at once). Time in each power state is counted, and with a
// table of watts per state turned into energy.
//
// Sockets (the server's listener, the magic-packet listener) are opened in the network namespace of
// the thread that constructs (listener) and starts (server) the agent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "emu/memserver/memory_server.hpp"
#include "emu/power/emulated_power.hpp"
#include "emu/power/energy_report.hpp"
#include "emu/power/real_power.hpp"

namespace jettison::emu {

enum class PowerBackendKind { kEmulated, kReal };

constexpr std::string_view name_of(PowerBackendKind k) {
  return k == PowerBackendKind::kEmulated ? "emulated" : "real";
}

struct DesktopAgentConfig {
  // Image, page size, listen address and port, TLS. on_sleep is set by the agent.
  MemoryServerConfig server;
  PowerBackendKind power = PowerBackendKind::kEmulated;
  // Emulated backend: listener.interface is required; a zero listener.mac means the interface's own.
  EmulatedPowerConfig emulated;
  // Real backend: dry_run is forced on unless allow_suspend is set.
  RealPowerConfig real;
  std::optional<PowerTable> watts;  // watts per state, for the energy report
};

struct DesktopAgentStats {
  std::uint64_t sleeps = 0;   // suspends entered
  std::uint64_t wakeups = 0;  // of those, ended by a magic packet
  std::optional<WakeEvent> last_wake;
  std::optional<std::int64_t> last_wake_unix_ms;  // when last_wake ended the suspend (system clock)
  MemoryServerStats server;
};

class DesktopAgent {
 public:
  // Opens the image (recovering an interrupted write-back) and the power backend (the magic-packet
  // listener, in the calling thread's namespace). Throws PowerError, WireError, InputError.
  explicit DesktopAgent(DesktopAgentConfig config);
  ~DesktopAgent();
  DesktopAgent(const DesktopAgent&) = delete;
  DesktopAgent& operator=(const DesktopAgent&) = delete;

  // Serves, and starts the power thread that waits for SLEEP. Once per agent.
  void start();
  // Ends a suspend in progress, stops serving, joins the power thread. Idempotent.
  void stop();
  // As if a SLEEP(after_ms) had arrived.
  void request_sleep(std::uint32_t after_ms = 0);
  // The user is back at the desktop: a sleeping emulated desktop resumes fully (a real one has been
  // woken by the user already).
  void user_wake();
  // The state the desktop is in outside a suspend, as its VM moves (active, migrating, serving);
  // recorded by the emulated backend's clock (the real backend measures only its own suspends).
  void set_power_state(PowerState s);

  std::uint16_t port() const { return server_->port(); }
  bool serving() const { return server_->running(); }
  PowerState state() const { return backend_->state(); }
  // True once state() == s, false after `timeout`.
  bool wait_for_state(PowerState s, std::chrono::milliseconds timeout) const;
  StateTimes state_times() const { return backend_->state_times(); }
  std::optional<EnergyReport> energy() const;
  // Time (and energy, with watts) per state, one line each, for logs and the CLI's exit report.
  std::string report() const;
  DesktopAgentStats stats() const;
  const DesktopAgentConfig& config() const { return config_; }
  const MemoryServer& server() const { return *server_; }
  std::string_view backend_name() const { return backend_->name(); }

 private:
  void power_loop();
  void stop_serving();
  void resume_serving();

  DesktopAgentConfig config_;
  std::unique_ptr<MemoryServer> server_;
  std::unique_ptr<PowerBackend> backend_;
  EmulatedPower* emulated_ = nullptr;  // backend_ when emulated

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool started_ = false, stopping_ = false, sleep_requested_ = false;
  std::uint32_t sleep_after_ms_ = 0;
  DesktopAgentStats stats_;
  std::thread power_thread_;
};

}  // namespace jettison::emu
