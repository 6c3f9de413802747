#include "sim/output/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace jettison::sim {
namespace {

ZSTD_CCtx* cctx(void* p) { return static_cast<ZSTD_CCtx*>(p); }

}  // namespace

OutputFile::OutputFile(std::filesystem::path path, Compression compression) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error(fmt::format("cannot write '{}': {}", path_.string(), std::strerror(errno)));
  }
  buffer_.reserve(kChunk + 4096);
  if (compression == Compression::kZstd) {
    zstd_ = ZSTD_createCCtx();
    if (zstd_ == nullptr ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx(zstd_), ZSTD_c_compressionLevel, kZstdLevel)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx(zstd_), ZSTD_c_checksumFlag, 1))) {
      ZSTD_freeCCtx(cctx(zstd_));
      ::close(fd_);
      throw std::runtime_error(fmt::format("cannot write '{}': zstd compressor unavailable", path_.string()));
    }
    compressed_.resize(kChunk);
  }
}

OutputFile::OutputFile() : in_memory_(true) { buffer_.reserve(kChunk + 4096); }

OutputFile::~OutputFile() {
  if (zstd_ != nullptr) ZSTD_freeCCtx(cctx(zstd_));
  if (fd_ >= 0) ::close(fd_);
}

void OutputFile::flush() {
  if (in_memory_) {
    text_.append(buffer_.data(), buffer_.size());
  } else if (zstd_ != nullptr) {
    compress(false);
  } else if (buffer_.size() > 0) {
    write_fd(buffer_.data(), buffer_.size());
  }
  bytes_in_ += buffer_.size();
  buffer_.clear();
}

// Feeds buffer_ to zstd (and ends the frame when `end`), writing compressed_ out whenever it fills.
void OutputFile::compress(bool end) {
  ZSTD_inBuffer in{buffer_.data(), buffer_.size(), 0};
  const ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
  for (;;) {
    ZSTD_outBuffer out{compressed_.data(), compressed_.size(), compressed_size_};
    const std::size_t left = ZSTD_compressStream2(cctx(zstd_), &out, &in, mode);
    if (ZSTD_isError(left)) fail(ZSTD_getErrorName(left));
    compressed_size_ = out.pos;
    if (compressed_size_ == compressed_.size()) {
      write_fd(compressed_.data(), compressed_size_);
      compressed_size_ = 0;
    }
    const bool done = end ? left == 0 : in.pos == in.size;
    if (done) break;
  }
  if (end && compressed_size_ > 0) {
    write_fd(compressed_.data(), compressed_size_);
    compressed_size_ = 0;
  }
}

void OutputFile::write_fd(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(n < 0 ? std::strerror(errno) : "nothing written");
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void OutputFile::close() {
  if (in_memory_) {
    flush();
    return;
  }
  if (fd_ < 0) return;
  if (zstd_ != nullptr) {
    compress(true);
    bytes_in_ += buffer_.size();
    buffer_.clear();
  } else {
    flush();
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(std::strerror(errno));
}

void OutputFile::fail(std::string_view why) const {
  throw std::runtime_error(fmt::format("error writing '{}': {}", path_.string(), why));
}

}  // namespace jettison::sim
