// The hand-off library's region table (see handoff_regions.hpp).
#include "emu/vm/handoff/handoff_regions.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emu/vm/handoff/handoff_config.hpp"
#include "emu/vm/handoff/handoff_listener.hpp"
#include "emu/vm/handoff/handoff_log.hpp"
#include "emu/vm/handoff/handoff_uffd.hpp"

namespace jettison::emu::handoff {
namespace {

pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t g_all_registered = PTHREAD_COND_INITIALIZER;
RegionState g_regions[handoff_format::kMaxRegions];
std::uint32_t g_registered = 0;
int g_uffd = -1;

struct Lock {
  Lock() { pthread_mutex_lock(&g_mutex); }
  ~Lock() { pthread_mutex_unlock(&g_mutex); }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
};

bool same_file(const struct stat& a, dev_t dev, ino_t ino) { return a.st_dev == dev && a.st_ino == ino; }

// The index of the unregistered listed region whose file `st` is, or -1. Regions whose open() was not
// seen (opened before this library was loaded, or through a call it does not interpose) are matched
// by stat()ing their path now: still by identity.
int find_region(const struct stat& st) {
  const Config& c = config();
  for (std::uint32_t i = 0; i < c.count; ++i) {
    const RegionState& r = g_regions[i];
    if (r.registered) continue;
    if (r.learned) {
      if (same_file(st, r.dev, r.ino)) return static_cast<int>(i);
      continue;
    }
    struct stat listed {};
    if (::stat(c.paths[i], &listed) == 0 && same_file(st, listed.st_dev, listed.st_ino))
      return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

void note_open(const char* path, int fd) {
  const Config& c = config();
  if (!c.enabled || fd < 0 || path == nullptr) return;
  const char* name = base_name(path);
  struct stat opened {};
  bool have_opened = false;
  for (std::uint32_t i = 0; i < c.count; ++i) {
    if (std::strcmp(name, base_name(c.paths[i])) != 0) continue;  // cheap filter before any stat
    if (!have_opened) {
      if (::fstat(fd, &opened) != 0) return;
      have_opened = true;
    }
    struct stat listed {};
    if (::stat(c.paths[i], &listed) != 0 || !same_file(opened, listed.st_dev, listed.st_ino)) continue;
    Lock lock;
    RegionState& r = g_regions[i];
    if (r.registered) return;
    r.learned = true;
    r.dev = opened.st_dev;
    r.ino = opened.st_ino;
    log_line("region %u: %s opened as fd %d (dev %lu, inode %lu)", i, c.paths[i], fd,
             static_cast<unsigned long>(r.dev), static_cast<unsigned long>(r.ino));
    return;
  }
}

int note_mmap(void* address, std::size_t length, int flags, int fd, std::uint64_t offset) {
  const Config& c = config();
  if (!c.enabled || fd < 0) return 0;
  const int type = flags & MAP_TYPE;
  if (type != MAP_SHARED && type != MAP_SHARED_VALIDATE) return 0;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;

  Lock lock;
  const int index = find_region(st);
  if (index < 0) return 0;
  RegionState& r = g_regions[index];
  const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const auto base = reinterpret_cast<std::uint64_t>(address);
  const std::uint64_t bytes = (static_cast<std::uint64_t>(length) + page - 1) / page * page;
  if (g_uffd < 0) {
    const int created = create_uffd(c.write_protect);
    if (created < 0) return -created;
    g_uffd = created;
  }
  if (const int e = register_range(g_uffd, base, bytes, c.write_protect); e != 0) return e;
  const int own = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) {
    const int e = errno;
    log_alert("region %d: dup of the RAM file's fd %d: %s (%d)", index, fd, std::strerror(e), e);
    return e;
  }
  if (g_registered == 0) {
    if (const int e = start_listener(); e != 0) {
      ::close(own);
      return e;
    }
  }
  r.registered = true;
  r.base = base;
  r.length = bytes;
  r.file_offset = offset;
  r.fd = own;
  ++g_registered;
  log_line("region %d: %s mapped at %#llx+%llu (file offset %llu) registered on uffd %d (%u of %u)", index,
           c.paths[index], static_cast<unsigned long long>(base), static_cast<unsigned long long>(bytes),
           static_cast<unsigned long long>(offset), g_uffd, g_registered, c.count);
  if (g_registered == c.count) pthread_cond_broadcast(&g_all_registered);
  return 0;
}

void wait_all_registered() {
  Lock lock;
  while (g_registered < config().count) pthread_cond_wait(&g_all_registered, &g_mutex);
}

int uffd() { return g_uffd; }

const RegionState& region(std::uint32_t index) { return g_regions[index]; }

}  // namespace jettison::emu::handoff
