/* The in-guest worker of the test guests (tiny busybox guest and Debian guest).
 *
 * It behaves like an idle desktop VM whose memory activity we control:
 *   - a heartbeat counter kept in guest memory (a global), printed as
 *     `jettison-heartbeat <n> <uptime_ms>` on the console every `heartbeat_ms`; because the counter
 *     lives in guest RAM, it continues across a (partial) live migration;
 *   - an arena of `arena_mb` MiB, of which `touch_pps` pages per second not touched yet are read and
 *     `write_pps` pages per second are written, each cursor wrapping around the arena.
 *
 * Parameters come from the kernel command line (`jettison.<key>=<value>` in /proc/cmdline), then from
 * the arguments (`<key>=<value>`, the init script passes the command line's ones this way), later
 * ones winning. Keys: heartbeat_ms (default 1000), arena_mb (64), touch_pps (4), write_pps (2),
 * console (/dev/console). A bad key or value is reported on the console and the default is kept.
 *
 * Built by scripts/build-guest.sh with `gcc -static -O2`: plain C, libc only, no other dependency.
 * It never exits on its own (the tiny guest's init restarts it if it dies). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { kPageSize = 4096, kLineMax = 256 };
static const int64_t kNsPerSecond = 1000000000;
static const int64_t kNsPerMs = 1000000;

/* The heartbeat counter: in guest RAM, so a migrated guest carries on from the source's count. */
static volatile uint64_t heartbeat_count;

struct Config {
  uint64_t heartbeat_ms;
  uint64_t arena_mb;
  uint64_t touch_pps;
  uint64_t write_pps;
  char console[128];
};

static int console_fd = -1;

/* Writes one line to the console (falls back to stdout), retrying short writes and EINTR. */
static void say(const char* format, ...) {
  char line[kLineMax];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(line, sizeof line - 1, format, args);
  va_end(args);
  if (n < 0) return;
  size_t len = (size_t)n < sizeof line - 1 ? (size_t)n : sizeof line - 2;
  line[len++] = '\n';
  int fd = console_fd >= 0 ? console_fd : STDOUT_FILENO;
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, line + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    done += (size_t)w;
  }
}

static int64_t now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (int64_t)ts.tv_sec * kNsPerSecond + ts.tv_nsec;
}

/* Sets one `key=value` setting; `origin` names where it came from for the error message. */
static void set_option(struct Config* config, const char* setting, const char* origin) {
  const char* eq = strchr(setting, '=');
  if (eq == NULL) {
    say("jettison-worker: %s: '%s' is not key=value, ignored", origin, setting);
    return;
  }
  size_t key_len = (size_t)(eq - setting);
  const char* value = eq + 1;
  if (key_len == strlen("console") && strncmp(setting, "console", key_len) == 0) {
    snprintf(config->console, sizeof config->console, "%s", value);
    return;
  }
  uint64_t* target = NULL;
  if (key_len == strlen("heartbeat_ms") && strncmp(setting, "heartbeat_ms", key_len) == 0) {
    target = &config->heartbeat_ms;
  } else if (key_len == strlen("arena_mb") && strncmp(setting, "arena_mb", key_len) == 0) {
    target = &config->arena_mb;
  } else if (key_len == strlen("touch_pps") && strncmp(setting, "touch_pps", key_len) == 0) {
    target = &config->touch_pps;
  } else if (key_len == strlen("write_pps") && strncmp(setting, "write_pps", key_len) == 0) {
    target = &config->write_pps;
  } else {
    say("jettison-worker: %s: unknown key in '%s', ignored", origin, setting);
    return;
  }
  char* end = NULL;
  errno = 0;
  unsigned long long parsed = strtoull(value, &end, 10);
  if (errno != 0 || end == value || *end != '\0' || value[0] == '-') {
    say("jettison-worker: %s: '%s' needs a non-negative integer, ignored", origin, setting);
    return;
  }
  *target = (uint64_t)parsed;
}

/* Applies every `jettison.<key>=<value>` word of the kernel command line. */
static void read_kernel_cmdline(struct Config* config) {
  FILE* f = fopen("/proc/cmdline", "r");
  if (f == NULL) return;
  char word[512];
  while (fscanf(f, "%511s", word) == 1) {
    if (strncmp(word, "jettison.", strlen("jettison.")) == 0) {
      set_option(config, word + strlen("jettison."), "/proc/cmdline");
    }
  }
  fclose(f);
}

/* One periodic stream of events (heartbeats, page touches, page writes) on the monotonic clock. */
struct Stream {
  int64_t period_ns; /* 0: the stream is off */
  int64_t next_ns;
};

static struct Stream make_stream(int64_t period_ns, int64_t start_ns) {
  struct Stream s = {period_ns, start_ns + period_ns};
  return s;
}

/* Moves the stream past `now`. When the guest was stopped (a migration, a paused VM) the clock may
 * have jumped: missed events are dropped rather than replayed in a burst. */
static void advance(struct Stream* s, int64_t now) {
  s->next_ns += s->period_ns;
  if (s->next_ns <= now - s->period_ns) s->next_ns = now + s->period_ns;
}

int main(int argc, char** argv) {
  struct Config config = {1000, 64, 4, 2, "/dev/console"};
  console_fd = open(config.console, O_WRONLY | O_NOCTTY | O_CLOEXEC); /* for the parsing messages */
  read_kernel_cmdline(&config);
  for (int i = 1; i < argc; ++i) set_option(&config, argv[i], "argument");
  if (strcmp(config.console, "/dev/console") != 0) {
    if (console_fd >= 0) close(console_fd);
    console_fd = open(config.console, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  }
  if (console_fd < 0) say("jettison-worker: cannot open %s (%s), writing to stdout", config.console, strerror(errno));
  if (config.heartbeat_ms == 0) config.heartbeat_ms = 1000;

  size_t arena_pages = (size_t)(config.arena_mb * 1024 * 1024 / kPageSize);
  unsigned char* arena = NULL;
  if (arena_pages > 0) {
    void* mapped = mmap(NULL, arena_pages * kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) {
      say("jettison-worker: cannot map a %" PRIu64 " MiB arena (%s), running without one", config.arena_mb,
          strerror(errno));
      arena_pages = 0;
    } else {
      arena = mapped;
    }
  }
  say("jettison-worker start heartbeat_ms=%" PRIu64 " arena_mb=%" PRIu64 " touch_pps=%" PRIu64
      " write_pps=%" PRIu64 " arena_pages=%zu pid=%d",
      config.heartbeat_ms, arena_pages > 0 ? config.arena_mb : 0, config.touch_pps, config.write_pps,
      arena_pages, (int)getpid());

  int64_t start = now_ns(CLOCK_MONOTONIC);
  struct Stream beat = make_stream((int64_t)config.heartbeat_ms * kNsPerMs, start);
  beat.next_ns = start; /* the first heartbeat says at once that the guest is up */
  struct Stream touch = make_stream(
      arena_pages > 0 && config.touch_pps > 0 ? kNsPerSecond / (int64_t)config.touch_pps : 0, start);
  struct Stream write_stream = make_stream(
      arena_pages > 0 && config.write_pps > 0 ? kNsPerSecond / (int64_t)config.write_pps : 0, start);
  if (touch.period_ns == 0 && arena_pages > 0 && config.touch_pps > 0) touch.period_ns = 1;
  if (write_stream.period_ns == 0 && arena_pages > 0 && config.write_pps > 0) write_stream.period_ns = 1;
  size_t touch_cursor = 0;
  size_t write_cursor = arena_pages / 2; /* writes start away from the reads */
  uint64_t checksum = 0;                 /* keeps the reads from being optimised away */

  for (;;) {
    int64_t due = beat.next_ns;
    if (touch.period_ns > 0 && touch.next_ns < due) due = touch.next_ns;
    if (write_stream.period_ns > 0 && write_stream.next_ns < due) due = write_stream.next_ns;
    struct timespec until = {(time_t)(due / kNsPerSecond), (long)(due % kNsPerSecond)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR) {
    }
    int64_t now = now_ns(CLOCK_MONOTONIC);
    if (touch.period_ns > 0 && touch.next_ns <= now) {
      checksum += ((volatile unsigned char*)arena)[touch_cursor * kPageSize];
      touch_cursor = (touch_cursor + 1) % arena_pages;
      advance(&touch, now);
    }
    if (write_stream.period_ns > 0 && write_stream.next_ns <= now) {
      uint64_t stamp = heartbeat_count ^ checksum ^ (uint64_t)now;
      memcpy(arena + write_cursor * kPageSize, &stamp, sizeof stamp);
      write_cursor = (write_cursor + 1) % arena_pages;
      advance(&write_stream, now);
    }
    if (beat.next_ns <= now) {
      heartbeat_count = heartbeat_count + 1;
      int64_t uptime_ms = now_ns(CLOCK_BOOTTIME) / kNsPerMs;
      say("jettison-heartbeat %" PRIu64 " %" PRId64, heartbeat_count, uptime_ms);
      advance(&beat, now);
    }
  }
}
