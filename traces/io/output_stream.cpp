#include "traces/io/output_stream.hpp"

#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace jettison::traces {

Compression compression_for_name(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".gz") return Compression::gzip;
  if (ext == ".zst") return Compression::zstd;
  return Compression::none;
}

class CompressingStream::Buf : public std::streambuf {
 public:
  Buf(std::ostream& sink, Compression c) : sink_(sink), c_(c), in_(64 * 1024), out_(64 * 1024) {
    if (c_ == Compression::gzip) {
      std::memset(&z_, 0, sizeof z_);
      if (deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::bad_alloc();
    } else if (c_ == Compression::zstd) {
      zs_ = ZSTD_createCCtx();
      if (zs_ == nullptr) throw std::bad_alloc();
      ZSTD_CCtx_setParameter(zs_, ZSTD_c_compressionLevel, 3);
      ZSTD_CCtx_setParameter(zs_, ZSTD_c_checksumFlag, 1);
    } else {
      throw std::invalid_argument("CompressingStream needs gzip or zstd");
    }
    setp(in_.data(), in_.data() + in_.size());
  }
  ~Buf() override {
    if (c_ == Compression::gzip) deflateEnd(&z_);
    if (zs_ != nullptr) ZSTD_freeCCtx(zs_);
  }

  // Compresses the buffered bytes; `end` also closes the compressed stream. False on failure.
  bool drain(bool end) {
    const auto n = static_cast<std::size_t>(pptr() - pbase());
    setp(in_.data(), in_.data() + in_.size());
    if (c_ == Compression::gzip) {
      z_.next_in = reinterpret_cast<Bytef*>(in_.data());
      z_.avail_in = static_cast<uInt>(n);
      int ret = Z_OK;
      do {
        z_.next_out = reinterpret_cast<Bytef*>(out_.data());
        z_.avail_out = static_cast<uInt>(out_.size());
        ret = deflate(&z_, end ? Z_FINISH : Z_NO_FLUSH);
        if (ret == Z_STREAM_ERROR) return false;
        sink_.write(out_.data(), static_cast<std::streamsize>(out_.size() - z_.avail_out));
      } while (z_.avail_out == 0 || (end && ret != Z_STREAM_END));
    } else {
      ZSTD_inBuffer in{in_.data(), n, 0};
      std::size_t left = 0;
      do {
        ZSTD_outBuffer o{out_.data(), out_.size(), 0};
        left = ZSTD_compressStream2(zs_, &o, &in, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left)) return false;
        sink_.write(out_.data(), static_cast<std::streamsize>(o.pos));
      } while (in.pos < in.size || (end && left != 0));
    }
    return static_cast<bool>(sink_);
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain(false)) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  std::streamsize xsputn(const char* s, std::streamsize count) override {
    std::streamsize done = 0;
    while (done < count) {
      if (pptr() == epptr() && !drain(false)) return done;
      const auto take = std::min<std::streamsize>(count - done, epptr() - pptr());
      std::memcpy(pptr(), s + done, static_cast<std::size_t>(take));
      pbump(static_cast<int>(take));
      done += take;
    }
    return done;
  }

 private:
  std::ostream& sink_;
  Compression c_;
  std::vector<char> in_;
  std::vector<char> out_;
  z_stream z_{};
  ZSTD_CCtx* zs_ = nullptr;
};

CompressingStream::CompressingStream(std::ostream& sink, Compression c)
    : std::ostream(nullptr), buf_(std::make_unique<Buf>(sink, c)) {
  rdbuf(buf_.get());
}

CompressingStream::~CompressingStream() = default;

void CompressingStream::finish() {
  if (!buf_->drain(true)) setstate(std::ios::badbit);
}

}  // namespace jettison::traces
