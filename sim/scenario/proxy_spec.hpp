// The `proxy` strategy's figures (`proxy:` in YAML, read by sim/scenario/proxy_loader.hpp): a
// network-presence proxy (SleepServer, Somniloquy) answers for the sleeping desktop and wakes it for
// the requests it cannot answer.
#pragma once

#include <cstdint>

#include "common/quantity.hpp"
#include "common/time.hpp"

namespace jettison::sim {

// When the requests the proxy cannot answer arrive: a Poisson process (exponential gaps, drawn from
// the desktop's own random stream) or exactly one every 1/rate.
enum class ProxyArrivals : std::uint8_t { kPoisson, kPeriodic };

struct ProxySpec {
  Power power = Power::watts(3.0);         // the proxy's draw, charged while it holds the desktop's presence
  double wakes_per_hour = 2.0;             // requests per hour the proxy must wake the desktop for
  Duration awake = Duration::seconds(30);  // how long the desktop stays up after the last request
  ProxyArrivals arrivals = ProxyArrivals::kPoisson;

  // The mean gap between requests; Duration::max() when there are none.
  Duration mean_gap() const {
    if (!(wakes_per_hour > 0)) return Duration::max();
    return Duration::micros(static_cast<std::int64_t>(3.6e9 / wakes_per_hour + 0.5));
  }
};

}  // namespace jettison::sim
