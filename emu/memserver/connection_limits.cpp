#include "emu/memserver/connection_limits.hpp"

#include <stdexcept>
#include <utility>

namespace jettison::emu {

void validate(const ConnectionLimitsConfig& config) {
  const char* zero = config.max_connections == 0  ? "max_connections"
                     : config.max_handshakes == 0 ? "max_handshakes"
                     : config.max_per_peer == 0   ? "max_per_peer"
                                                  : nullptr;
  if (zero) throw std::invalid_argument(std::string("connection limit ") + zero + " must be at least 1");
}

const char* over_limit_name(OverLimit why) {
  switch (why) {
    case OverLimit::kConnections:
      return "open connections";
    case OverLimit::kHandshakes:
      return "handshakes in progress";
    case OverLimit::kPeer:
      return "handshakes from one peer";
  }
  return "?";
}

ConnectionLimits::Slot::Slot(Slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      host_(std::move(other.host_)),
      in_handshake_(other.in_handshake_) {}

ConnectionLimits::Slot& ConnectionLimits::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    host_ = std::move(other.host_);
    in_handshake_ = other.in_handshake_;
  }
  return *this;
}

void ConnectionLimits::Slot::handshake_done() {
  if (owner_ == nullptr || !in_handshake_) return;
  owner_->end_handshake(host_);
  in_handshake_ = false;
}

void ConnectionLimits::Slot::release() {
  if (owner_ == nullptr) return;
  handshake_done();
  owner_->end_connection();
  owner_ = nullptr;
}

ConnectionLimits::ConnectionLimits(ConnectionLimitsConfig config) : config_(config) { validate(config_); }

std::variant<ConnectionLimits::Slot, OverLimit> ConnectionLimits::admit(const std::string& host) {
  std::lock_guard lock(mutex_);
  if (counts_.connections >= config_.max_connections) return OverLimit::kConnections;
  if (counts_.handshakes >= config_.max_handshakes) return OverLimit::kHandshakes;
  std::uint32_t& from_peer = per_peer_[host];
  if (from_peer >= config_.max_per_peer) return OverLimit::kPeer;
  ++from_peer;
  ++counts_.handshakes;
  ++counts_.connections;
  return Slot(this, host);
}

ConnectionLimits::Counts ConnectionLimits::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

std::uint32_t ConnectionLimits::handshakes_from(const std::string& host) const {
  std::lock_guard lock(mutex_);
  const auto it = per_peer_.find(host);
  return it == per_peer_.end() ? 0 : it->second;
}

void ConnectionLimits::end_handshake(const std::string& host) {
  std::lock_guard lock(mutex_);
  --counts_.handshakes;
  const auto it = per_peer_.find(host);
  if (it != per_peer_.end() && --it->second == 0) per_peer_.erase(it);
}

void ConnectionLimits::end_connection() {
  std::lock_guard lock(mutex_);
  --counts_.connections;
}

}  // namespace jettison::emu
