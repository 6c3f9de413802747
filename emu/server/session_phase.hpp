// The phases of the consolidation server's hosting session (one desktop's VM) and which changes
// between them are allowed. One idle period runs waiting-for-vm -> migrating-in -> serving ->
// reintegrating, then either waits for the VM's next idle period or is done. Any phase but the two
// final ones may fail.
//
//   waiting-for-vm  connected to the desktop agent, waiting for its VM to go idle
//   migrating-in    the device state is coming and being loaded; faults are already served
//   serving         the guest runs here; its pages come on demand from the (mostly sleeping) desktop
//   reintegrating   guest stopped here, dirty pages and device state going back to the desktop
//   done            ended cleanly (signal, run time over, the last period)
//   failed          ended by an error (what is lost is logged where it happened)
#pragma once

#include <string_view>

#include "emu/sys/phase_machine.hpp"

namespace jettison::emu {

enum class SessionPhase { kWaitingForVm, kMigratingIn, kServing, kReintegrating, kDone, kFailed };

std::string_view name_of(SessionPhase p);
bool session_transition_allowed(SessionPhase from, SessionPhase to);
inline bool is_final(SessionPhase p) { return p == SessionPhase::kDone || p == SessionPhase::kFailed; }

using SessionPhases = PhaseMachine<SessionPhase>;

}  // namespace jettison::emu
