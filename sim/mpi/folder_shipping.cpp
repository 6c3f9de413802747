#include "sim/mpi/folder_shipping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "sim/mpi/job_message.hpp"

namespace jettison::sim::mpi {

namespace fs = std::filesystem;

std::size_t send_folder(Communicator& comm, int dest, const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  Bytes buffer;
  for (const fs::path& file : files) {
    const std::uint64_t size = fs::file_size(file);
    comm.send(
        dest,
        message(Kind::kFile).put_string(file.lexically_relative(folder).generic_string()).put(size).take());
    std::ifstream in(file, std::ios::binary);
    for (std::uint64_t left = size; left > 0;) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, kChunkBytes));
      buffer.resize(1 + n);
      buffer[0] = static_cast<std::byte>(Kind::kChunk);
      if (!in.read(reinterpret_cast<char*>(buffer.data() + 1), static_cast<std::streamsize>(n)))
        throw std::runtime_error(fmt::format("cannot read '{}'", file.string()));
      comm.send(dest, buffer);
      left -= n;
    }
  }
  return files.size();
}

void FolderReceiver::begin_file(Decoder& payload) {
  if (!idle()) throw std::runtime_error(fmt::format("MPI: '{}' was not received whole", path_.string()));
  const fs::path relative = payload.get_string();
  left_ = payload.get<std::uint64_t>();
  if (relative.is_absolute() || relative.lexically_normal().string().rfind("..", 0) == 0)
    throw std::runtime_error(
        fmt::format("MPI: refusing to write '{}' outside the output", relative.string()));
  path_ = root_ / relative;
  fs::create_directories(path_.parent_path());
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error(fmt::format("cannot write '{}'", path_.string()));
  if (left_ == 0) chunk(Bytes(1));
}

void FolderReceiver::chunk(const Bytes& message) {
  const std::size_t n = message.size() - 1;
  if (!out_.is_open() || n > left_) throw std::runtime_error("MPI: unexpected file bytes from another rank");
  out_.write(reinterpret_cast<const char*>(message.data() + 1), static_cast<std::streamsize>(n));
  left_ -= n;
  if (left_ > 0) return;
  out_.close();
  if (!out_) throw std::runtime_error(fmt::format("error writing '{}' (disk full?)", path_.string()));
}

}  // namespace jettison::sim::mpi
