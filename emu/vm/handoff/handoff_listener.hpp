// The hand-off library's listening socket and its thread. The socket (JETTISON_HANDOFF_SOCKET, mode
// 0600, a stale socket file at the path replaced) is created when the first region is registered;
// the thread, which runs with every signal blocked, waits until all listed regions are registered,
// then accepts one fetcher at a time: it checks the peer (SO_PEERCRED uid is ours or root), sends
// the v2 hand-off message (emu/fetch/uffd_handoff_format.hpp) with the uffd and the RAM fds, and
// holds the connection until the peer closes it, then accepts the next. The library keeps its own
// copy of the uffd for the life of the process: while no fetcher runs, faulting guest threads stay
// blocked (never given zero pages), and every fetcher that connects receives the same uffd.
#pragma once

namespace jettison::emu::handoff {

// Creates the socket and starts the thread. Returns 0 or an errno (alerted).
int start_listener();

// Removes the socket file if this process created it (the library's destructor).
void remove_socket();

}  // namespace jettison::emu::handoff
