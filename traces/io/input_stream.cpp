#include "traces/io/input_stream.hpp"

#include <fmt/format.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/input_error.hpp"
#include "traces/io/binary_format.hpp"
#include "traces/io/csv_fields.hpp"

namespace jettison::traces {
namespace {

// Fixed buffers: memory does not grow with the (decompressed) size of the data.
constexpr std::size_t kInChunk = 64 * 1024;
constexpr std::size_t kOutChunk = 128 * 1024;
constexpr int kMaxZstdWindowLog = 27;

// A read-only streambuf that turns compressed bytes from `src_` into plain ones, one buffer at a time.
// Subclasses say how (decode()); this class reads the source, keeps count of the compressed bytes
// consumed (for error messages) and records the first error before throwing it.
class DecodingBuf : public std::streambuf {
 public:
  DecodingBuf(std::unique_ptr<std::istream> src, std::string name, std::string prefix, Compression c)
      : src_(std::move(src)), name_(std::move(name)), compression_(c), out_(kOutChunk) {
    in_.reserve(std::max(kInChunk, prefix.size()));
    in_.assign(prefix.begin(), prefix.end());
    in_len_ = in_.size();
    in_.resize(std::max(kInChunk, in_len_));
  }

  Compression compression() const { return compression_; }
  const std::optional<std::string>& error() const { return error_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (error_) fail(*error_);
    if (done_) return traits_type::eof();
    const std::size_t n = decode(out_.data(), out_.size());
    if (n == 0) {
      done_ = true;
      return traits_type::eof();
    }
    setg(out_.data(), out_.data(), out_.data() + n);
    return traits_type::to_int_type(*gptr());
  }

  // Fills `out` with up to `cap` decoded bytes; returns 0 at the end of the data.
  virtual std::size_t decode(char* out, std::size_t cap) = 0;

  // Compressed input not yet consumed.
  const unsigned char* in_data() const {
    return reinterpret_cast<const unsigned char*>(in_.data()) + in_pos_;
  }
  std::size_t in_avail() const { return in_len_ - in_pos_; }
  void consume(std::size_t n) { in_pos_ += n; }
  // Offset in the file of the next unconsumed compressed byte.
  std::uint64_t offset() const { return consumed_before_ + in_pos_; }
  bool src_eof() const { return src_eof_; }

  // Reads more compressed input once everything buffered is consumed; false at the end of the file.
  bool refill() {
    if (in_pos_ < in_len_) return true;
    if (src_eof_) return false;
    consumed_before_ += in_len_;
    in_pos_ = 0;
    in_len_ = 0;
    src_->read(in_.data(), static_cast<std::streamsize>(in_.size()));
    in_len_ = static_cast<std::size_t>(src_->gcount());
    if (src_->bad()) fail(fmt::format("read error at byte {}", offset()));
    if (in_len_ < in_.size()) src_eof_ = true;
    return in_len_ > 0;
  }

  [[noreturn]] void fail(const std::string& message) {
    error_ = message;
    throw InputError(name_, message);
  }

 private:
  std::unique_ptr<std::istream> src_;
  std::string name_;
  Compression compression_;
  std::vector<char> in_;
  std::size_t in_pos_ = 0;
  std::size_t in_len_ = 0;
  std::uint64_t consumed_before_ = 0;
  bool src_eof_ = false;
  bool done_ = false;
  std::vector<char> out_;
  std::optional<std::string> error_;
};

// gzip, one member after another (what `cat a.gz b.gz` makes), through zlib's inflate.
class GzipBuf final : public DecodingBuf {
 public:
  GzipBuf(std::unique_ptr<std::istream> src, std::string name, std::string prefix)
      : DecodingBuf(std::move(src), std::move(name), std::move(prefix), Compression::gzip) {
    std::memset(&z_, 0, sizeof z_);
    if (inflateInit2(&z_, 15 + 32) != Z_OK) throw std::bad_alloc();
  }
  ~GzipBuf() override { inflateEnd(&z_); }

 private:
  std::size_t decode(char* out, std::size_t cap) override {
    while (true) {
      refill();
      if (member_done_) {
        if (in_avail() == 0) return 0;
        if (in_data()[0] != 0x1f) {
          fail(fmt::format("unexpected data after the end of the gzip stream at byte {}", offset()));
        }
        inflateReset(&z_);
        member_done_ = false;
      }
      const std::uint64_t at = offset();
      z_.next_in = const_cast<Bytef*>(in_data());
      z_.avail_in = static_cast<uInt>(in_avail());
      z_.next_out = reinterpret_cast<Bytef*>(out);
      z_.avail_out = static_cast<uInt>(cap);
      const int ret = inflate(&z_, Z_NO_FLUSH);
      consume(in_avail() - z_.avail_in);
      const std::size_t produced = cap - z_.avail_out;
      if (ret == Z_STREAM_END) {
        member_done_ = true;
      } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR || ret == Z_MEM_ERROR) {
        fail(fmt::format("corrupt gzip data near byte {}: {}", std::max(at, offset()),
                         z_.msg != nullptr ? z_.msg : "invalid data"));
      } else if (produced == 0 && in_avail() == 0 && src_eof()) {
        fail(fmt::format("truncated gzip data: the file ends at byte {} inside the compressed stream",
                         offset()));
      }
      if (produced > 0) return produced;
    }
  }

  z_stream z_;
  bool member_done_ = false;
};

// zstd, any number of frames, through ZSTD_decompressStream.
class ZstdBuf final : public DecodingBuf {
 public:
  ZstdBuf(std::unique_ptr<std::istream> src, std::string name, std::string prefix)
      : DecodingBuf(std::move(src), std::move(name), std::move(prefix), Compression::zstd),
        z_(ZSTD_createDStream()) {
    if (z_ == nullptr) throw std::bad_alloc();
    // The window a frame may ask for is the decoder's only buffer that grows with the data: capped
    // at 2^27 bytes (128 MiB, what `zstd --ultra -22` uses; libzstd's default, made explicit). A
    // frame that asks for more (`--long=31`) is refused as corrupt data.
    ZSTD_DCtx_setParameter(z_, ZSTD_d_windowLogMax, kMaxZstdWindowLog);
  }
  ~ZstdBuf() override { ZSTD_freeDStream(z_); }

 private:
  std::size_t decode(char* out, std::size_t cap) override {
    while (true) {
      const bool more = refill();
      if (!more && last_ == 0) return 0;
      const std::uint64_t at = offset();
      ZSTD_inBuffer in{in_data(), in_avail(), 0};
      ZSTD_outBuffer o{out, cap, 0};
      const std::size_t ret = ZSTD_decompressStream(z_, &o, &in);
      consume(in.pos);
      if (ZSTD_isError(ret)) {
        fail(fmt::format("corrupt zstd data near byte {}: {}", std::max(at, offset()),
                         ZSTD_getErrorName(ret)));
      }
      last_ = ret;
      if (o.pos > 0) return o.pos;
      if (!more) {
        fail(
            fmt::format("truncated zstd data: the file ends at byte {} inside a compressed frame", offset()));
      }
    }
  }

  ZSTD_DStream* z_;
  std::size_t last_ = 0;  // 0 when the last frame is complete and flushed
};

// Bytes as they are, after the few already read to sniff the format.
class ReplayBuf final : public DecodingBuf {
 public:
  ReplayBuf(std::unique_ptr<std::istream> src, std::string name, std::string prefix)
      : DecodingBuf(std::move(src), std::move(name), std::move(prefix), Compression::none) {}

 private:
  std::size_t decode(char* out, std::size_t cap) override {
    if (!refill()) return 0;
    const std::size_t n = std::min(cap, in_avail());
    std::memcpy(out, in_data(), n);
    consume(n);
    return n;
  }
};

class DecodingStream final : public std::istream {
 public:
  explicit DecodingStream(std::unique_ptr<DecodingBuf> buf) : std::istream(nullptr), buf_(std::move(buf)) {
    rdbuf(buf_.get());
    exceptions(std::ios::badbit);
  }
  const DecodingBuf& buf() const { return *buf_; }

 private:
  std::unique_ptr<DecodingBuf> buf_;
};

}  // namespace

std::unique_ptr<std::istream> decompressing(std::unique_ptr<std::istream> in, const std::string& name) {
  const auto first = in->peek();
  if (first != 0x1f && first != 0x28) return in;
  std::array<char, 4> head{};
  in->read(head.data(), head.size());
  std::string prefix(head.data(), static_cast<std::size_t>(in->gcount()));
  if (in->bad()) throw InputError(name, "read error");
  in->clear(in->rdstate() & std::ios::badbit);
  auto starts = [&](std::initializer_list<unsigned char> magic) {
    if (prefix.size() < magic.size()) return false;
    return std::equal(magic.begin(), magic.end(), prefix.begin(),
                      [](unsigned char m, char c) { return m == static_cast<unsigned char>(c); });
  };
  std::unique_ptr<DecodingBuf> buf;
  if (starts({0x1f, 0x8b})) {
    buf = std::make_unique<GzipBuf>(std::move(in), name, std::move(prefix));
  } else if (starts({0x28, 0xb5, 0x2f, 0xfd})) {
    buf = std::make_unique<ZstdBuf>(std::move(in), name, std::move(prefix));
  } else {
    buf = std::make_unique<ReplayBuf>(std::move(in), name, std::move(prefix));
  }
  return std::make_unique<DecodingStream>(std::move(buf));
}

Compression compression_of(const std::istream& in) {
  const auto* s = dynamic_cast<const DecodingStream*>(&in);
  return s != nullptr ? s->buf().compression() : Compression::none;
}

std::optional<std::string> stream_error(const std::istream& in) {
  const auto* s = dynamic_cast<const DecodingStream*>(&in);
  return s != nullptr ? s->buf().error() : std::nullopt;
}

std::unique_ptr<std::istream> open_trace_file(const std::string& path, const std::string& origin) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(origin, fmt::format("'{}' is a folder, not a file", path));
  }
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) throw InputError(origin, fmt::format("cannot open '{}': no such file or not readable", path));
  return decompressing(std::move(in), path);
}

TraceFormat detect_trace_format(const std::string& path, const std::string& origin) {
  auto in = open_trace_file(path, origin);
  TraceFormat f;
  f.compression = compression_of(*in);
  if (in->peek() == static_cast<unsigned char>(binary::kMagic[0])) {
    f.binary = true;
    f.kind = binary::read_header(*in, path) == binary::kIdleKind ? TraceKind::idle : TraceKind::pages;
    return f;
  }
  // The first line, read a character at a time and no further than a header could go.
  std::string line;
  for (int c = in->get(); c != std::char_traits<char>::eof() && c != '\n' && line.size() < 200;
       c = in->get()) {
    line.push_back(static_cast<char>(c));
  }
  clean_header_line(line);
  if (line == "desktop,start,end") return f;
  if (line == "time,page,op") {
    f.kind = TraceKind::pages;
    return f;
  }
  throw InputError(path + ":1",
                   fmt::format("not a trace: the first line must be 'desktop,start,end' (idle periods) or "
                               "'time,page,op' (page accesses), found {}",
                               line.empty() && in->eof() ? std::string("an empty file") : quote_field(line)));
}

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::gzip:
      return "gzip";
    case Compression::zstd:
      return "zstd";
    case Compression::none:
      break;
  }
  return "none";
}

const char* kind_name(TraceKind k) { return k == TraceKind::idle ? "idle-period" : "page-access"; }

}  // namespace jettison::traces
