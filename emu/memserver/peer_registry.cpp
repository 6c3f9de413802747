#include "emu/memserver/peer_registry.hpp"

#include <algorithm>
#include <tuple>

namespace jettison::emu {

void PeerRegistry::connected(const std::string& peer, const std::string& address, const std::string& identity,
                             std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  const Key key{address, identity};
  auto [it, added] = servers_.try_emplace(key);
  ServerPeer& s = it->second;
  if (added) {
    s.address = address;
    s.identity = identity;
    s.first_seen_unix_ms = now_ms;
  }
  if (s.open == 0) s.connected_since_unix_ms = now_ms;
  ++s.open;
  s.last_seen_unix_ms = now_ms;
  conns_[peer] = Conn{key, now_ms};
  if (added) evict();
}

void PeerRegistry::closed(const std::string& peer, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  const auto c = conns_.find(peer);
  if (c == conns_.end()) return;
  const Key key = c->second.server;
  conns_.erase(c);
  const auto it = servers_.find(key);
  if (it == servers_.end()) return;
  ServerPeer& s = it->second;
  s.open = s.open > 0 ? s.open - 1 : 0;
  s.last_seen_unix_ms = std::max(s.last_seen_unix_ms, now_ms);
  // Connected since the oldest of its connections still open.
  s.connected_since_unix_ms.reset();
  for (const auto& [p, conn] : conns_)
    if (conn.server == key)
      s.connected_since_unix_ms = std::min(s.connected_since_unix_ms.value_or(conn.since_ms), conn.since_ms);
}

void PeerRegistry::took_vm(const std::string& peer, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  const auto c = conns_.find(peer);
  if (c == conns_.end()) return;
  for (auto& [key, s] : servers_) s.holds_vm_since_unix_ms.reset();
  servers_[c->second.server].holds_vm_since_unix_ms = now_ms;
}

void PeerRegistry::vm_returned() {
  std::lock_guard lock(mutex_);
  for (auto& [key, s] : servers_) s.holds_vm_since_unix_ms.reset();
}

std::optional<ServerPeer> PeerRegistry::current() const {
  std::lock_guard lock(mutex_);
  const ServerPeer* best = nullptr;
  // Rank: holds the VM, then connected, then seen (HELLO or end) later.
  auto rank = [](const ServerPeer& s) {
    return std::make_tuple(s.holds_vm_since_unix_ms.has_value(), s.open > 0, s.last_seen_unix_ms);
  };
  for (const auto& [key, s] : servers_)
    if (best == nullptr || rank(s) > rank(*best)) best = &s;
  if (best == nullptr) return std::nullopt;
  return *best;
}

void PeerRegistry::evict() {
  while (servers_.size() > kMaxServers) {
    auto victim = servers_.end();
    for (auto it = servers_.begin(); it != servers_.end(); ++it) {
      if (it->second.open > 0 || it->second.holds_vm_since_unix_ms) continue;
      if (victim == servers_.end() || it->second.last_seen_unix_ms < victim->second.last_seen_unix_ms)
        victim = it;
    }
    if (victim == servers_.end()) return;  // every one connected or holding: keep them
    servers_.erase(victim);
  }
}

}  // namespace jettison::emu
