// Diagnostics of the LD_PRELOAD hand-off library: lines into the file JETTISON_HANDOFF_LOG names (when
// set), and alerts into that file and onto QEMU's stderr. Formats into a stack buffer and writes with
// write(2): no allocation, usable inside the interposed calls.
#pragma once

namespace jettison::emu::handoff {

// Opens the log file (append, mode 0600) without going through the interposed open(). Null or empty:
// no log file.
void open_log(const char* path);

// One line into the log file.
void log_line(const char* format, ...) __attribute__((format(printf, 1, 2)));

// One line into the log file and onto stderr: failures the operator must see.
void log_alert(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace jettison::emu::handoff
