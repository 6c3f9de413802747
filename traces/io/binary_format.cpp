#include "traces/io/binary_format.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <cstring>

#include "common/input_error.hpp"

namespace jettison::traces::binary {
namespace {

constexpr std::size_t kBlock = 64 * 1024;

std::uint8_t check_header(const char* h, std::size_t n, const std::string& name) {
  if (n < sizeof kMagic && std::memcmp(h, kMagic, n) == 0) {
    throw InputError(name, "truncated: the file ends inside the binary trace header");
  }
  if (n < sizeof kMagic || std::memcmp(h, kMagic, sizeof kMagic) != 0) {
    throw InputError(name, "not a jettison binary trace: bad magic bytes");
  }
  if (n < kHeaderSize) throw InputError(name, "truncated: the file ends inside the binary trace header");
  const auto version = static_cast<std::uint8_t>(h[4]);
  if (version != kVersion) {
    throw InputError(
        name, fmt::format("binary trace version {} is not supported (this build reads version {})", version,
                          kVersion));
  }
  const auto kind = static_cast<std::uint8_t>(h[5]);
  if (kind != kIdleKind && kind != kPageKind) {
    throw InputError(name, fmt::format("unknown binary trace kind {:#04x}: 'I' is idle periods, 'P' page "
                                       "accesses",
                                       kind));
  }
  return kind;
}

}  // namespace

std::uint8_t read_header(std::istream& in, const std::string& name) {
  char h[kHeaderSize];
  in.read(h, sizeof h);
  if (in.bad()) throw InputError(name, "read error");
  return check_header(h, static_cast<std::size_t>(in.gcount()), name);
}

Input::Input(std::istream& in, std::string name) : in_(in), name_(std::move(name)), buf_(kBlock) {}

void Input::header(std::uint8_t kind, const char* what) {
  char h[kHeaderSize];
  std::size_t n = 0;
  while (n < sizeof h && (pos_ < len_ || fill())) h[n++] = buf_[pos_++];
  if (check_header(h, n, name_) != kind) {
    throw InputError(name_, fmt::format("this is a binary {} trace, not {}",
                                        kind == kIdleKind ? "page-access (time,page,op)"
                                                          : "idle-period (desktop,start,end)",
                                        what));
  }
}

bool Input::fill() {
  if (!crc_done_)
    crc_ = static_cast<std::uint32_t>(crc32(crc_, reinterpret_cast<const Bytef*>(buf_.data()) + crc_from_,
                                            static_cast<uInt>(len_ - crc_from_)));
  pos_ = 0;
  len_ = 0;
  crc_from_ = 0;
  if (in_.eof()) return false;
  in_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  if (in_.bad()) throw InputError(name_, "read error");
  len_ = static_cast<std::size_t>(in_.gcount());
  return len_ > 0;
}

void Input::fail(const std::string& message) const {
  if (in_trailer_) throw InputError(name_, message);
  throw InputError(fmt::format("{}:record {}", name_, record), message);
}

void Input::truncated() const {
  if (in_trailer_) {
    fail(
        fmt::format("truncated: the file ends inside the trailer (record count and checksum) after record {}",
                    record - 1));
  }
  fail(fmt::format("truncated: the file ends inside record {}", record));
}

void Input::expect_more() {
  if (pos_ < len_ || fill()) return;
  fail(fmt::format("truncated: the file ends after record {}, before the end-of-trace marker", record - 1));
}

unsigned char Input::byte() {
  if (pos_ == len_ && !fill()) truncated();
  return static_cast<unsigned char>(buf_[pos_++]);
}

std::uint64_t Input::varint() {
  std::uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    const unsigned char b = byte();
    if (shift == 63 && (b & 0x7e) != 0) fail("corrupt: a number is longer than 64 bits");
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
    if (shift == 63) fail("corrupt: a number is longer than 64 bits");
  }
}

std::uint64_t Input::varint_low(unsigned bits, unsigned& low) {
  const unsigned char b = byte();
  low = b & ((1U << bits) - 1);
  const unsigned first = 7 - bits;
  std::uint64_t x = static_cast<std::uint64_t>(b & 0x7f) >> bits;
  if ((b & 0x80) == 0) return x;
  const std::uint64_t rest = varint();
  if ((rest >> (64 - first)) != 0) fail("corrupt: a number is longer than 64 bits");
  return x | (rest << first);
}

void Input::bytes(std::size_t n, std::string& out) {
  out.clear();
  while (out.size() < n) {
    if (pos_ == len_ && !fill()) truncated();
    const std::size_t take = std::min(n - out.size(), len_ - pos_);
    out.append(buf_.data() + pos_, take);
    pos_ += take;
  }
}

void Input::finish(std::uint64_t records) {
  in_trailer_ = true;
  const std::uint64_t count = varint();
  if (count != records) {
    fail(fmt::format("corrupt: the trailer counts {} records, the file holds {}", count, records));
  }
  crc_ = static_cast<std::uint32_t>(crc32(crc_, reinterpret_cast<const Bytef*>(buf_.data()) + crc_from_,
                                          static_cast<uInt>(pos_ - crc_from_)));
  crc_done_ = true;
  std::uint32_t stored = 0;
  for (unsigned i = 0; i < 4; ++i) stored |= static_cast<std::uint32_t>(byte()) << (8 * i);
  if (stored != crc_) {
    fail(fmt::format("corrupt: checksum mismatch (CRC-32 stored {:08x}, computed {:08x})", stored, crc_));
  }
  if (pos_ < len_ || fill()) fail("unexpected data after the end of the trace");
}

}  // namespace jettison::traces::binary
