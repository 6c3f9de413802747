// Putting a finished folder in place of another in one step. Both live in the same parent folder, so
// the step is a single rename: a plain one when the target does not exist yet, an exchange
// (renameat2 with RENAME_EXCHANGE) when it does, after which the old contents sit at the finished
// folder's former name. Readers, and a kill at any instant, see the old folder or the new one whole.
#pragma once

#include <filesystem>
#include <string>

namespace jettison::sim {

enum class SwapResult {
  kMoved,      // the target did not exist; `staging` is gone
  kExchanged,  // the old target's contents are now at `staging`
};

// Writes every file and folder under `dir`, and `dir` itself, to disk (fsync). Throws
// std::runtime_error naming the path that failed.
void sync_tree(const std::filesystem::path& dir);

// fsync of one folder (its entries: creations, renames). Throws std::runtime_error.
void sync_folder(const std::filesystem::path& dir);

// Puts `staging` at `target` (same parent folder) in one rename, see above. Errors are InputError
// naming `origin` (the option that gave `target`), including a file system that cannot exchange
// two folders.
SwapResult swap_in(const std::filesystem::path& staging, const std::filesystem::path& target,
                   const std::string& origin);

}  // namespace jettison::sim
