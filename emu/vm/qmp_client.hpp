// A client for QEMU's machine protocol (QMP) over a UNIX stream socket: connect (retrying until the
// socket exists), greeting, capability negotiation, commands with deadlines, and a queue of the
// asynchronous events QEMU sends between (and inside) replies. Every read and write is bounded by a
// poll() deadline; one line (one JSON message) may not exceed max_line_bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.hpp"
#include "emu/sys/unique_fd.hpp"
#include "emu/vm/qmp_error.hpp"

namespace jettison::emu {

// One asynchronous QMP event: its name, its "data" member (null when absent), QEMU's own timestamp
// (wall clock) and when this client read it (monotonic clock).
struct QmpEvent {
  std::string name;
  nlohmann::json data;
  std::chrono::system_clock::time_point timestamp;
  std::chrono::steady_clock::time_point received;
};

class QmpClient {
 public:
  static constexpr std::size_t kDefaultMaxLineBytes = std::size_t{16} << 20;  // 16 MiB
  static constexpr Duration kDefaultTimeout = Duration::seconds(10);

  // Connects to `socket`, retrying while it does not exist yet or refuses, until `deadline` has
  // passed (then QmpTimeout naming "connect"); reads the greeting and sends qmp_capabilities.
  // `on_retry` runs between attempts and may throw to give up early (e.g. QEMU exited).
  static QmpClient connect(const std::filesystem::path& socket, Duration deadline,
                           const std::function<void()>& on_retry = {},
                           std::size_t max_line_bytes = kDefaultMaxLineBytes);

  // Takes a connected stream socket (tests pass one end of a socketpair); `name` names it in errors.
  // Reads the greeting and negotiates capabilities within `handshake_timeout`.
  QmpClient(UniqueFd fd, std::string name, Duration handshake_timeout = kDefaultTimeout,
            std::size_t max_line_bytes = kDefaultMaxLineBytes);

  QmpClient(QmpClient&&) noexcept = default;
  QmpClient& operator=(QmpClient&&) noexcept = default;

  // Runs `command` with `args` (an object, or null/empty for none) and returns its "return" member.
  // Throws QmpCommandError when QEMU answers with an error, QmpTimeout when no answer arrives within
  // `timeout`, QmpDisconnected when the socket closes. Events read meanwhile are queued.
  nlohmann::json execute(std::string_view command, nlohmann::json args = nlohmann::json::object(),
                         Duration timeout = kDefaultTimeout);

  // The oldest queued event named `name` (removed from the queue), or the first such event to arrive
  // within `timeout`; nullopt when none came. Other events stay queued.
  std::optional<QmpEvent> wait_event(std::string_view name, Duration timeout);

  // Reads what is already waiting on the socket, then returns and clears every queued event.
  std::vector<QmpEvent> drain_events();

  // The greeting's "QMP" object (version, capabilities).
  const nlohmann::json& greeting() const { return greeting_; }
  const std::string& name() const { return name_; }
  void close() { fd_.reset(); }

 private:
  using Clock = std::chrono::steady_clock;

  void handshake(Duration timeout);
  // The next complete message, or nullopt when `deadline` passes first. `what` names the awaited
  // reply in a timeout; events are not filtered here.
  std::optional<nlohmann::json> read_message(Clock::time_point deadline);
  void write_all(std::string_view bytes, Clock::time_point deadline, std::string_view command);
  // Queues `msg` if it is an event; returns true when it was one.
  bool queue_if_event(const nlohmann::json& msg);

  UniqueFd fd_;
  std::string name_;
  std::size_t max_line_bytes_;
  std::string buffer_;
  std::deque<QmpEvent> events_;
  nlohmann::json greeting_;
  std::uint64_t next_id_ = 1;
};

}  // namespace jettison::emu
