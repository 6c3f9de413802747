// The binary trace format (traces/FORMAT.md, "Binary format"): shared constants, the integer codings
// (LEB128 varints, zigzag) and the checked byte source the readers decode records from.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace jettison::traces::binary {

inline constexpr char kMagic[4] = {'\x89', 'J', 'T', 'R'};
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::uint8_t kIdleKind = 'I';
inline constexpr std::uint8_t kPageKind = 'P';
inline constexpr std::size_t kHeaderSize = 6;

// Idle records: the first number is ref * 8 + scale; 0 ends the records.
inline constexpr unsigned kScaleBits = 3;
inline constexpr std::uint64_t kNewDesktop = 1;  // ref 1: a name follows; ref i + 2: the i-th name
inline constexpr unsigned kMaxScale = 6;         // times are multiples of 10^scale microseconds
// Page records: the first number is zigzag(page delta) * 8 + flags.
inline constexpr unsigned kPageFlagBits = 3;
inline constexpr unsigned kOpMask = 3;
inline constexpr unsigned kOpRead = 0;
inline constexpr unsigned kOpWrite = 1;
inline constexpr unsigned kOpEnd = 3;         // with every other bit 0: the end of the records
inline constexpr unsigned kTimeAdvances = 4;  // a time delta (> 0 microseconds) follows

constexpr std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ (v < 0 ? ~std::uint64_t{0} : std::uint64_t{0});
}
constexpr std::int64_t unzigzag(std::uint64_t z) {
  return static_cast<std::int64_t>((z >> 1) ^ (std::uint64_t{0} - (z & 1)));
}

// Appends the LEB128 coding of `v`.
inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Appends the LEB128 coding of x * 2^bits + low (a number of up to 64 + bits bits).
inline void put_varint_low(std::string& out, std::uint64_t x, unsigned low, unsigned bits) {
  const unsigned first = 7 - bits;
  const auto b = static_cast<unsigned>(low | ((x & ((1U << first) - 1)) << bits));
  const std::uint64_t rest = x >> first;
  if (rest == 0) {
    out.push_back(static_cast<char>(b));
    return;
  }
  out.push_back(static_cast<char>(b | 0x80));
  put_varint(out, rest);
}

// Reads and checks the six header bytes from `in`; returns the kind byte. Bad magic, an unknown
// version or kind, or a short file throw InputError(name, ...).
std::uint8_t read_header(std::istream& in, const std::string& name);

// A binary trace being decoded: bytes from a stream in 64 KiB blocks, the CRC-32 of every byte
// consumed, and errors that name the file and the record being read ("file:record 12: ...").
class Input {
 public:
  Input(std::istream& in, std::string name);

  // Reads the header; fails unless its kind is `kind` (`what` describes the expected trace).
  void header(std::uint8_t kind, const char* what);

  std::uint64_t record = 0;  // the record being decoded, from 1

  // At a record's start: fails as truncated if no byte is left.
  void expect_more();
  std::uint64_t varint();
  // LEB128 of x * 2^bits + low: returns x, sets low.
  std::uint64_t varint_low(unsigned bits, unsigned& low);
  void bytes(std::size_t n, std::string& out);

  // After the end marker: the record count (must equal `records`), the CRC-32, then nothing.
  void finish(std::uint64_t records);

  [[noreturn]] void fail(const std::string& message) const;
  const std::string& name() const { return name_; }

 private:
  bool fill();
  unsigned char byte();
  [[noreturn]] void truncated() const;

  std::istream& in_;
  std::string name_;
  std::vector<char> buf_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  std::size_t crc_from_ = 0;
  std::uint32_t crc_ = 0;
  bool in_trailer_ = false;
  bool crc_done_ = false;
};

}  // namespace jettison::traces::binary
