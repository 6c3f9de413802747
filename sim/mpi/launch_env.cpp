#include "sim/mpi/launch_env.hpp"

#include <cstdlib>
#include <optional>

namespace jettison::sim::mpi {
namespace {

std::optional<int> number(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (*end != '\0' || v < 0 || v > 1'000'000'000) return std::nullopt;
  return static_cast<int>(v);
}

}  // namespace

LaunchEnv detect_launch(const GetEnv& getenv) {
  const GetEnv get = getenv ? getenv : GetEnv([](const char* name) { return std::getenv(name); });
  struct Launcher {
    const char* size;
    const char* rank;
  };
  // In order of preference: Open MPI's own, then the PMI flavours.
  constexpr Launcher kLaunchers[] = {
      {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"}, {"PMI_SIZE", "PMI_RANK"}, {nullptr, "PMIX_RANK"}};
  LaunchEnv env;
  for (const Launcher& l : kLaunchers) {
    const char* size = l.size ? get(l.size) : nullptr;
    const char* rank = get(l.rank);
    if (size == nullptr && rank == nullptr) continue;
    env.launched = true;
    env.variable = size ? std::string(l.size) + "=" + size : std::string(l.rank) + "=" + rank;
    env.size = number(size).value_or(0);
    env.rank = number(rank).value_or(0);
    return env;
  }
  return env;
}

}  // namespace jettison::sim::mpi
