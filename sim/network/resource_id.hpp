// The index of one shared network resource (one direction of a full-duplex link, or a whole
// half-duplex link): the common currency of the topology and the flow network.
#pragma once

#include <cstdint>

namespace jettison::sim::net {

using ResourceId = std::uint32_t;

}  // namespace jettison::sim::net
