#include "sim/scenario/hybrid_loader.hpp"

namespace jettison::sim {

void read_hybrid(const YamlNode& migration, Scenario& s) {
  const auto hybrid = migration.find("hybrid");
  if (!hybrid) return;
  hybrid->expect_keys({"after", "rate"});
  hybrid->attempt([&] {
    const YamlNode after = hybrid->at("after");
    s.migration.hybrid.after = after.duration();
    if (s.migration.hybrid.after < Duration{}) after.fail("must not be negative");
  });
  hybrid->attempt([&] {
    const YamlNode rate = hybrid->at("rate");
    s.migration.hybrid.rate = rate.bandwidth();
    if (!(s.migration.hybrid.rate.bits_per_second() > 0)) rate.fail("must be more than 0 bps");
  });
}

}  // namespace jettison::sim
