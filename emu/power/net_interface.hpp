// What the power code needs to know about a network interface, asked of the kernel by name in the
// calling thread's network namespace.
#pragma once

#include <optional>
#include <string>

#include "emu/power/mac_address.hpp"

namespace jettison::emu {

struct InterfaceInfo {
  std::string name;
  int index = 0;
  MacAddress mac;
  std::optional<std::string> broadcast;  // IPv4 broadcast address, if the interface has one
  bool up = false;
};

// Throws PowerError naming the interface (for example when it does not exist).
InterfaceInfo query_interface(const std::string& name);

}  // namespace jettison::emu
