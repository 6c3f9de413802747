// The registry of prefetchers, by the name a scenario uses in policy.prefetch.
#pragma once

#include <memory>

#include "common/registry.hpp"
#include "policy/prefetcher.hpp"

namespace jettison::policy {

using PrefetchRegistry = Registry<std::unique_ptr<Prefetcher>, const PrefetchParams&, const VmShape&>;

const PrefetchRegistry& prefetchers();

}  // namespace jettison::policy
