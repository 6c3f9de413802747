#include "emu/server/session_phase.hpp"

#include <array>

namespace jettison::emu {

std::string_view name_of(SessionPhase p) {
  constexpr std::array<std::string_view, 6> kNames{"waiting-for-vm", "migrating-in", "serving",
                                                   "reintegrating",  "done",         "failed"};
  return kNames[static_cast<std::size_t>(p)];
}

bool session_transition_allowed(SessionPhase from, SessionPhase to) {
  using P = SessionPhase;
  if (is_final(from)) return false;
  if (to == P::kFailed) return true;
  switch (from) {
    case P::kWaitingForVm:
      return to == P::kMigratingIn || to == P::kDone;
    case P::kMigratingIn:
      return to == P::kServing;
    case P::kServing:
      return to == P::kReintegrating;
    case P::kReintegrating:
      return to == P::kWaitingForVm || to == P::kDone;
    default:
      return false;
  }
}

}  // namespace jettison::emu
