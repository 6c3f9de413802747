#include "emu/memserver/over_limit_log.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace jettison::emu {

void OverLimitLog::record(OverLimit why, const std::string& peer, Clock::time_point now) {
  ++pending_[static_cast<std::size_t>(why)];
  last_peer_ = peer;
  flush(now);
}

void OverLimitLog::flush(Clock::time_point now) {
  std::uint64_t total = 0;
  for (auto n : pending_) total += n;
  if (total == 0 || (logged_ && now - last_line_ < kInterval)) return;
  std::string parts;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (pending_[i] == 0) continue;
    parts += fmt::format("{}{} over the limit of {}", parts.empty() ? "" : ", ", pending_[i],
                         over_limit_name(static_cast<OverLimit>(i)));
  }
  spdlog::warn("memserver: closed {} connection{} at once ({}; the last from {})", total,
               total == 1 ? "" : "s", parts, last_peer_);
  pending_ = {};
  last_line_ = now;
  logged_ = true;
}

}  // namespace jettison::emu
