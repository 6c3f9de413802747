#include "sim/mpi/rank_failure.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <cstdlib>
#include <string>

namespace jettison::sim::mpi {
namespace {

bool names_rank(const char* variable, int rank) {
  const char* v = std::getenv(variable);
  return v != nullptr && *v != '\0' && std::to_string(rank) == v;
}

}  // namespace

void fail_if_asked(int rank) {
  if (names_rank("JETTISON_TEST_KILL_RANK", rank)) ::raise(SIGKILL);
  if (names_rank("JETTISON_TEST_FAIL_RANK", rank))
    throw std::runtime_error(fmt::format("JETTISON_TEST_FAIL_RANK={}: failing on purpose", rank));
}

}  // namespace jettison::sim::mpi
