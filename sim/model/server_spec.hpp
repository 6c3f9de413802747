// What a scenario says of the consolidation servers (`server:` in YAML): their list and memory, where a
// migrating VM goes, what happens when none has room, and the power model. Below the scenario so the
// server models (ServerPool, ServerAccount) and the scenario loader share them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/quantity.hpp"
#include "sim/model/server_power.hpp"

namespace jettison::sim {

// Which server takes a VM about to migrate, among those with room for it.
enum class Placement : std::uint8_t {
  kFirstFit,     // the first server (in list order) with room
  kLeastLoaded,  // the server holding the least memory (ties: list order)
};
// What a desktop does when no server has room for its VM.
enum class WhenFull : std::uint8_t { kSleepOnly, kStayOn };

struct ServerPowerSpec {
  enum class Model : std::uint8_t {
    kPerVm,   // a fixed draw per hosted VM (the server's own draw is not modelled)
    kLinear,  // idle + (max - idle) x utilisation
    kTable,   // 11 points at 0%, 10%, ..., 100% utilisation, interpolated (SPECpower, as CloudSim)
  };
  Model model = Model::kPerVm;
  Power per_vm;
  ServerPowerModel curve = ServerPowerModel::linear(Power{}, Power{});  // linear and table
  double vm_load = 0;  // utilisation one hosted VM adds (0..1)
};

struct ServerSpec {
  std::string id;
  Bytes memory;  // capacity for hosted VMs
};

struct ServersSpec {
  std::vector<ServerSpec> list;  // at least one
  Placement placement = Placement::kFirstFit;
  WhenFull when_full = WhenFull::kSleepOnly;
  ServerPowerSpec power;
  bool add_to_total = false;  // add each VM's attributed server energy to its desktop's
};

}  // namespace jettison::sim
