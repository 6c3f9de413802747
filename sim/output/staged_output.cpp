#include "sim/output/staged_output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "common/input_error.hpp"
#include "sim/output/folder_swap.hpp"
#include "sim/output/stale_staging.hpp"

namespace jettison::sim {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPauseHook = "JETTISON_TEST_PAUSE_BEFORE_COMMIT";
constexpr long kMaxPauseSeconds = 600;

// The files that mark a folder as an earlier output of jettison-sim run or sweep.
constexpr const char* kOutputMarkers[] = {"summary.json", "sweep.json"};

// What older versions staged inside the output folder: ".staging-<pid>", ".points-old-<pid>".
bool is_old_leftover(const std::string& name) {
  for (const std::string prefix : {".staging-", ".points-old-"}) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    return name.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
  }
  return false;
}

fs::path absolute_folder(const fs::path& out, const std::string& origin) {
  std::error_code ec;
  fs::path p = fs::absolute(out, ec);
  if (ec || out.empty()) throw InputError(origin, fmt::format("'{}' is not a folder name", out.string()));
  p = p.lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "results/" or "results/."
  // A symbolic link to a folder: the output goes where it points, the link stays.
  if (fs::is_symlink(fs::symlink_status(p, ec))) {
    p = fs::canonical(p, ec);
    if (ec) throw InputError(origin, fmt::format("'{}' is a broken symbolic link", out.string()));
  }
  if (p == p.root_path())
    throw InputError(origin, fmt::format("'{}' cannot be an output folder", out.string()));
  return p;
}

// Refuses an `out` that is a file, or a non-empty folder that is not an earlier output.
void check_replaceable(const fs::path& out, const fs::path& as_given, const std::string& origin) {
  std::error_code ec;
  const fs::file_status st = fs::status(out, ec);
  if (!fs::exists(st)) return;
  if (!fs::is_directory(st)) {
    throw InputError(origin, fmt::format("'{}' exists and is not a folder", as_given.string()));
  }
  for (const char* marker : kOutputMarkers) {
    if (fs::is_regular_file(out / marker, ec)) return;
  }
  bool only_leftovers = true;  // empty, or only what a killed run of an older version left
  for (fs::directory_iterator it(out, ec), end; !ec && it != end && only_leftovers; it.increment(ec)) {
    only_leftovers = is_old_leftover(it->path().filename().string());
  }
  if (!ec && only_leftovers) return;
  throw InputError(origin, fmt::format("'{}' is a folder with files that are not an earlier output (no "
                                       "summary.json or sweep.json): refusing to replace it; choose a new or "
                                       "empty folder",
                                       as_given.string()));
}

void pause_if_asked(const fs::path& out, const fs::path& staging) {
  const char* value = std::getenv(kPauseHook);
  if (value == nullptr || *value == '\0') return;
  char* end = nullptr;
  const long seconds = std::strtol(value, &end, 10);
  if (*end != '\0' || seconds <= 0) return;
  fmt::print(stderr, "jettison-sim: {}: pausing before commit of '{}' (staged in '{}')\n", kPauseHook,
             out.string(), staging.string());
  std::fflush(stderr);
  std::this_thread::sleep_for(std::chrono::seconds(std::min(seconds, kMaxPauseSeconds)));
}

}  // namespace

StagedOutput::StagedOutput(const fs::path& out, std::string origin) : origin_(std::move(origin)) {
  out_ = absolute_folder(out, origin_);
  check_replaceable(out_, out, origin_);

  const fs::path parent = out_.parent_path();
  std::error_code ec;
  if (!fs::exists(parent, ec)) {
    for (fs::path p = parent; !p.empty() && p != p.root_path() && !fs::exists(p, ec); p = p.parent_path()) {
      created_dirs_.push_back(p);
    }
    fs::create_directories(parent, ec);
    if (ec) {
      created_dirs_.clear();
      throw InputError(origin_, fmt::format("cannot create folder '{}': {}", parent.string(), ec.message()));
    }
  } else if (!fs::is_directory(parent, ec)) {
    throw InputError(origin_,
                     fmt::format("cannot write '{}': '{}' is not a folder", out.string(), parent.string()));
  }

  removed_stale_ = remove_stale_staging(out_);
  for (const fs::path& p : removed_stale_) {
    fmt::print(stderr, "jettison-sim: removed '{}', the unfinished output of a process that is gone\n",
               p.string());
  }

  for (int attempt = 0;; ++attempt) {
    staging_ = parent / staging_name(out_.filename().string(), ::getpid(), staging_token());
    if (fs::create_directory(staging_, ec) && !ec) break;
    if (!ec && attempt < 100) continue;  // the name exists: draw another token
    staging_.clear();
    const std::string why = ec ? ec.message() : "no free staging name";
    for (const fs::path& p : created_dirs_) fs::remove(p, ec);
    throw InputError(origin_, fmt::format("cannot write in folder '{}': {}", parent.string(), why));
  }
}

StagedOutput::~StagedOutput() {
  if (committed_) return;
  std::error_code ec;
  if (!staging_.empty()) fs::remove_all(staging_, ec);
  for (const fs::path& p : created_dirs_) fs::remove(p, ec);  // only if still empty
}

void StagedOutput::commit() {
  pause_if_asked(out_, staging_);
  check_replaceable(out_, out_, origin_);
  sync_tree(staging_);
  const SwapResult swapped = swap_in(staging_, out_, origin_);
  committed_ = true;
  sync_folder(out_.parent_path());
  if (swapped == SwapResult::kExchanged) {
    // The earlier output, now at the staging name; if this process dies first, the next run removes it.
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

}  // namespace jettison::sim
