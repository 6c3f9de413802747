// `hybrid` (Oasis-style consolidation): `partial` first, exactly as PartialMigration does it; once
// the VM has run on the server for migration.hybrid.after, the pages still on the desktop follow in
// one bulk transfer (a flow on the route, capped at migration.hybrid.rate), the desktop awake and
// `migrating` while it sends; then the desktop suspends and no fault reaches it again. On the user's
// return only the pages dirtied on the server come back; a return during the bulk transfer cancels
// it (the bytes it sent still count) and the way back is partial's. sim/MODEL.md, "hybrid".
#pragma once

#include <cstdint>
#include <vector>

#include "sim/strategy/partial_migration.hpp"

namespace jettison::sim {

class HybridMigration final : public PartialMigration {
 public:
  std::optional<Bandwidth> rate_cap(const Scenario& s) const override { return s.migration.hybrid.rate; }
  void on_user_return(Host& host, DesktopRun& d) override;

 protected:
  bool on_own_event(Host& host, DesktopRun& d, EventKind kind, const Event& e) override;
  void on_hosted(Host& host, DesktopRun& d) override;
  Time foresee_until(const Host& host, const DesktopRun& d) const override;

 private:
  enum class Phase : std::uint8_t { kWaiting, kSending, kDone };
  struct Bulk {
    Phase phase = Phase::kWaiting;
    Bytes bytes;  // the pages not on the server when it started
  };
  Bulk& bulk(const DesktopRun& d);
  void bulk_start(Host& host, DesktopRun& d);
  void bulk_done(Host& host, DesktopRun& d);
  std::vector<Bulk> bulk_;  // per desktop index; valid while d.hosted
};

}  // namespace jettison::sim
