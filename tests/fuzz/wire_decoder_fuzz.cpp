// libFuzzer target: the wire decoder (emu/wire/frame.cpp, decoder.cpp): a peer's byte stream cut into
// frames by parse_frame_header() and decoded under limits the input picks, device state chunks put
// together by a DeviceStateAssembler. Input: byte 0 picks the page size (0: before the handshake,
// else 4096 << ((n - 1) % 5)), byte 1 the negotiated version (1 or 2), bytes 2..5 the image's pages (big
// endian), then frames. A ProtocolError is an expected outcome. Every accepted message must encode
// back to the bytes it came from; a mismatch, a crash, a sanitizer report, a leak or a hang is a finding.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "emu/wire/device_state_stream.hpp"
#include "emu/wire/errors.hpp"
#include "emu/wire/frame.hpp"
#include "emu/wire/messages.hpp"

namespace {

using namespace jettison::emu;

constexpr std::size_t kPrefix = 6;

void add_chunk(std::optional<DeviceStateAssembler>& assembler, const StateChunk& chunk) {
  if (!assembler || assembler->complete()) assembler.emplace(chunk.epoch, "fuzz");
  try {
    assembler->add(chunk);
    if (assembler->complete()) (void)assembler->take();
  } catch (const ProtocolError&) {
    assembler.reset();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kPrefix) return 0;
  DecodeLimits limits;
  limits.page_size = data[0] == 0 ? 0 : 4096u << ((data[0] - 1u) % 5u);
  limits.version = data[1] % 2 == 0 ? std::uint16_t{1} : std::uint16_t{2};
  limits.image_pages = limits.page_size == 0 ? 0
                                             : (std::uint64_t{data[2]} << 24 | std::uint64_t{data[3]} << 16 |
                                                std::uint64_t{data[4]} << 8 | std::uint64_t{data[5]});
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  std::span<const std::byte> rest(bytes + kPrefix, size - kPrefix);
  std::optional<DeviceStateAssembler> assembler;
  while (rest.size() >= kFrameHeaderBytes) {
    FrameHeader header{};
    try {
      header = parse_frame_header(rest.first<kFrameHeaderBytes>());
    } catch (const ProtocolError&) {
      return 0;  // the connection would be closed here
    }
    if (header.payload_length > rest.size() - kFrameHeaderBytes) return 0;  // the peer went away mid-frame
    const std::size_t frame_bytes = kFrameHeaderBytes + header.payload_length;
    Frame frame;
    frame.type = header.type;
    frame.wire.assign(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(frame_bytes));
    rest = rest.subspan(frame_bytes);
    try {
      const Message message = decode(frame, limits);
      (void)message_name(message);
      const Frame again = encode(message, limits.page_size);
      if (again.type != frame.type || again.wire != frame.wire) __builtin_trap();
      if (const auto* chunk = std::get_if<DeviceState>(&message)) add_chunk(assembler, *chunk);
      if (const auto* chunk = std::get_if<PutDeviceState>(&message)) add_chunk(assembler, *chunk);
    } catch (const ProtocolError&) {
    }
  }
  return 0;
}
