// How a magic packet travels: as a UDP broadcast or as a raw Ethernet frame (EtherType 0x0842).
#pragma once

#include <string_view>

namespace jettison::emu {

enum class WolTransport { kUdp, kRaw };

constexpr std::string_view name_of(WolTransport t) { return t == WolTransport::kUdp ? "udp" : "raw"; }

}  // namespace jettison::emu
