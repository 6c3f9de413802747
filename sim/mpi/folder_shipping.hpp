// A folder's files sent to rank 0 as messages, so that ranks need no shared file system: each
// regular file (walked in name order) as a kFile message (path relative to the folder, size), then
// its bytes in kChunk messages of at most kChunkBytes. FolderReceiver writes them out again under
// another folder, byte for byte.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/mpi/byte_codec.hpp"
#include "sim/mpi/communicator.hpp"

namespace jettison::sim::mpi {

inline constexpr std::size_t kChunkBytes = std::size_t{8} << 20;

// Sends every file under `folder` to `dest`; returns the number of files. The caller holds its
// sequence lock (communicator.hpp).
std::size_t send_folder(Communicator& comm, int dest, const std::filesystem::path& folder);

// Rebuilds the files one rank sends under `root`; one per sending rank.
class FolderReceiver {
 public:
  // Where the following files go (created as needed).
  void set_root(const std::filesystem::path& root) { root_ = root; }
  // A kFile message's payload: opens the file (and closes it at once when empty).
  void begin_file(Decoder& payload);
  // A kChunk message's payload (everything after the kind byte).
  void chunk(const Bytes& message);
  // True when no file is half received.
  bool idle() const { return !out_.is_open(); }

 private:
  std::filesystem::path root_;
  std::filesystem::path path_;
  std::ofstream out_;
  std::uint64_t left_ = 0;
};

}  // namespace jettison::sim::mpi
