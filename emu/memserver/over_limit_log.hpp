// The memory server's log of connections it closed at once because they were over its limits: one
// line a second at most, with the counts per limit and the last peer, instead of a line per
// connection (a flood would otherwise flood the log too). Used by the accept thread only.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "emu/memserver/connection_limits.hpp"

namespace jettison::emu {

class OverLimitLog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kInterval = std::chrono::seconds(1);

  void record(OverLimit why, const std::string& peer, Clock::time_point now);
  // Logs what was recorded since the last line if a line is due (the first right away); the accept
  // loop calls it on every pass, so counts appear within a second even when the flood stops.
  void flush(Clock::time_point now);

 private:
  std::array<std::uint64_t, 3> pending_{};
  std::string last_peer_;
  Clock::time_point last_line_{};
  bool logged_ = false;
};

}  // namespace jettison::emu
