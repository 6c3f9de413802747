#include "sim/mpi/termination_cleanup.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

namespace jettison::sim::mpi {
namespace {

namespace fs = std::filesystem;

struct Entry {
  fs::path folder;
  bool staging_of = false;
  bool operator==(const Entry&) const = default;
};

struct Registry {
  std::mutex mu;
  std::vector<Entry> folders;
  int rank = 0;
  int pipe[2] = {-1, -1};
};

Registry& registry() {
  static Registry r;
  return r;
}

extern "C" void on_sigterm(int) {
  const char byte = 1;
  [[maybe_unused]] const ssize_t n = ::write(registry().pipe[1], &byte, 1);  // async-signal-safe
}

void watch() {
  char byte = 0;
  while (::read(registry().pipe[0], &byte, 1) < 0) {
  }
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  std::vector<fs::path> doomed;
  for (const Entry& e : r.folders) {
    if (!e.staging_of) {
      doomed.push_back(e.folder);
      continue;
    }
    const std::string prefix = e.folder.filename().string() + fmt::format(".staging-{}-", ::getpid());
    std::error_code ec;
    for (fs::directory_iterator it(e.folder.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().filename().string().rfind(prefix, 0) == 0) doomed.push_back(it->path());
    }
  }
  for (const fs::path& folder : doomed) {
    // The rank's own threads may still be writing in it: try a few times.
    std::error_code ec;
    for (int attempt = 0; attempt < 5 && fs::exists(folder, ec); ++attempt) fs::remove_all(folder, ec);
    fmt::print(stderr,
               "jettison-sim: rank {}: ended by SIGTERM (the launcher ends the job when a rank dies); "
               "removed '{}'\n",
               r.rank, folder.string());
  }
  std::fflush(stderr);
  ::_exit(128 + SIGTERM);
}

}  // namespace

void TerminationCleanup::install(int rank) {
  Registry& r = registry();
  {
    std::lock_guard lock(r.mu);
    if (r.pipe[0] >= 0) return;
    r.rank = rank;
    if (::pipe(r.pipe) != 0) return;  // then SIGTERM keeps its default action
  }
  std::thread(watch).detach();
  struct sigaction action {};
  action.sa_handler = on_sigterm;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &action, nullptr);
}

TerminationCleanup::Guard::Guard(fs::path folder, bool staging_of)
    : folder_(std::move(folder)), staging_of_(staging_of) {
  if (staging_of_) {
    std::error_code ec;
    folder_ = fs::absolute(folder_, ec).lexically_normal();
    if (!folder_.has_filename()) folder_ = folder_.parent_path();
  }
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.folders.push_back({folder_, staging_of_});
}

TerminationCleanup::Guard::~Guard() {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.folders.erase(std::find(r.folders.begin(), r.folders.end(), Entry{folder_, staging_of_}));
}

}  // namespace jettison::sim::mpi
