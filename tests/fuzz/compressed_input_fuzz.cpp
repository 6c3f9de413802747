// libFuzzer target: compressed-input detection and decompression (traces/io/input_stream.hpp):
// decompressing() over the bytes, then the whole decompressed stream read in fixed blocks, as the
// readers do. Corrupt or truncated gzip or zstd data must end in an InputError (thrown from the read,
// or kept in stream_error()); a crash, a sanitizer report, a leak, memory that grows with the
// decompressed size or a hang is a finding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "common/input_error.hpp"
#include "traces/io/input_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using jettison::traces::Compression;
  auto raw = std::make_unique<std::istringstream>(std::string(reinterpret_cast<const char*>(data), size));
  try {
    std::unique_ptr<std::istream> in = jettison::traces::decompressing(std::move(raw), "fuzz.gz");
    const Compression compression = jettison::traces::compression_of(*in);
    (void)jettison::traces::compression_name(compression);
    (void)in->peek();
    std::array<char, 4096> block{};
    std::uint64_t total = 0;
    while (in->read(block.data(), block.size()) || in->gcount() > 0) {
      total += static_cast<std::uint64_t>(in->gcount());
    }
    // Plain data passes through untouched: every byte comes back.
    if (compression == Compression::none && total != size) __builtin_trap();
    (void)jettison::traces::stream_error(*in);
  } catch (const jettison::InputError&) {
  }
  return 0;
}
