// Diagnostics of the hand-off library (see handoff_log.hpp).
#include "emu/vm/handoff/handoff_log.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>

namespace jettison::emu::handoff {
namespace {

int g_log_fd = -1;

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n <= 0) return;  // diagnostics never fail the caller
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void emit(bool alert, const char* format, va_list args) {
  char line[1024];
  int prefix = std::snprintf(line, sizeof line, "jettison-uffd-handoff[%d]: ", static_cast<int>(::getpid()));
  if (prefix < 0) prefix = 0;
  int body = std::vsnprintf(line + prefix, sizeof line - static_cast<std::size_t>(prefix), format, args);
  if (body < 0) body = 0;
  std::size_t size = static_cast<std::size_t>(prefix) + static_cast<std::size_t>(body);
  if (size > sizeof line - 2) size = sizeof line - 2;
  line[size++] = '\n';
  if (g_log_fd >= 0) write_all(g_log_fd, line, size);
  if (alert) write_all(STDERR_FILENO, line, size);
}

}  // namespace

void open_log(const char* path) {
  if (path == nullptr || *path == '\0') return;
  // The raw system call: this library interposes open() itself.
  const long fd = ::syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    log_alert("cannot open the log file %s (JETTISON_HANDOFF_LOG); logging to stderr only", path);
    return;
  }
  g_log_fd = static_cast<int>(fd);
}

void log_line(const char* format, ...) {
  va_list args;
  va_start(args, format);
  emit(false, format, args);
  va_end(args);
}

void log_alert(const char* format, ...) {
  va_list args;
  va_start(args, format);
  emit(true, format, args);
  va_end(args);
}

}  // namespace jettison::emu::handoff
