// Names of the staging folders a run writes its output into (`<out>.staging-<pid>-<token>`, beside
// the output folder) and the removal of those left behind by processes that are gone (killed, or
// crashed before they could clean up). Only names of exactly that form are ever touched, and only
// when their process no longer exists.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace jettison::sim {

// Eight random lowercase hex digits: two stagings of one process never share a name.
std::string staging_token();

// "<out_name>.staging-<pid>-<token>".
std::string staging_name(const std::string& out_name, pid_t pid, const std::string& token);

// The pid in `candidate` when it is exactly a staging name of `out_name` (token: 8 lowercase hex
// digits), nothing otherwise.
std::optional<pid_t> staging_pid(const std::string& out_name, const std::string& candidate);

// True when no process `pid` exists (kill(pid, 0) fails with ESRCH); a process of another user
// counts as alive.
bool process_gone(pid_t pid);

// Removes the staging folders of `out` (in its parent folder) whose process is gone and returns
// them. Folders that cannot be removed are skipped.
std::vector<std::filesystem::path> remove_stale_staging(const std::filesystem::path& out);

}  // namespace jettison::sim
