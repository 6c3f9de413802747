// Version 2's VM messages: encode/decode round trips, every malformed variant the decoder refuses,
// and the device state stream (split by the sender, reassembled and checked by the receiver).
#include <gtest/gtest.h>

#include <cstring>

#include "emu/wire/byte_codec.hpp"
#include "emu/wire/device_state_stream.hpp"
#include "emu/wire/messages.hpp"

namespace jettison::emu {
namespace {

const DecodeLimits kV2{4096, 100, 2};

template <typename T>
T round_trip(const Message& m) {
  const Frame f = encode(m);
  return std::get<T>(decode(f, kV2));
}

Frame raw_frame(FrameType type, const std::vector<std::byte>& payload) {
  Frame f;
  f.type = static_cast<std::uint16_t>(type);
  ByteWriter w(f.wire);
  w.u32(static_cast<std::uint32_t>(payload.size()));
  w.u16(f.type);
  w.u16(0);
  w.bytes(payload);
  return f;
}

ErrorCode decode_error(const Frame& f, const DecodeLimits& limits = kV2) {
  try {
    decode(f, limits);
  } catch (const ProtocolError& e) {
    return e.code();
  }
  ADD_FAILURE() << "decode accepted a malformed " << frame_type_name(f.type);
  return ErrorCode{};
}

std::vector<std::byte> pattern(std::size_t n, std::uint8_t salt = 0) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>((i * 251 + i / 4096 + salt) & 0xFF);
  return out;
}

// A DEVICE_STATE payload with every field chosen by the test; `data_bytes` bytes follow.
std::vector<std::byte> chunk_payload(std::uint64_t epoch, std::uint64_t offset, std::uint64_t total,
                                     std::uint32_t flags, std::uint32_t length, std::size_t data_bytes) {
  std::vector<std::byte> p;
  ByteWriter w(p);
  w.u64(epoch);
  w.u64(offset);
  w.u64(total);
  w.u32(flags);
  w.u32(length);
  w.zeros(data_bytes);
  return p;
}

TEST(VmRoundTrip, EveryMessage) {
  round_trip<VmStatusQuery>(VmStatusQuery{});
  EXPECT_EQ(encode(VmStatusQuery{}).payload_size(), 0u);

  const VmStatus st{VmState::kRemote, true, 7, 3'000'000, 2ull << 30};
  const Frame sf = encode(VmStatusAck{st});
  // u32 state + u32 flags + 3 * u64 = 32 bytes.
  EXPECT_EQ(sf.payload_size(), 32u);
  EXPECT_EQ(std::get<VmStatusAck>(decode(sf, kV2)).status, st);
  const VmStatus idle{VmState::kRunningLocal, false, 0, 0, 1u << 20};
  EXPECT_EQ(round_trip<VmStatusAck>(VmStatusAck{idle}).status, idle);

  EXPECT_EQ(round_trip<GetDeviceState>(GetDeviceState{0x0102030405060708}).epoch, 0x0102030405060708u);

  const auto data = pattern(5000);
  const Frame df = encode(DeviceState{{9, 1000, 6000, true, data}});
  // 5 fields (3 * u64 + 2 * u32 = 32 bytes) + 5000 data bytes.
  EXPECT_EQ(df.payload_size(), 32u + 5000u);
  const auto d = std::get<DeviceState>(decode(df, kV2));
  EXPECT_EQ(d.epoch, 9u);
  EXPECT_EQ(d.offset, 1000u);
  EXPECT_EQ(d.total, 6000u);
  EXPECT_TRUE(d.last);
  ASSERT_EQ(d.data.size(), data.size());
  EXPECT_EQ(std::memcmp(d.data.data(), data.data(), data.size()), 0);

  const Frame pf = encode(PutDeviceState{{9, 0, 6000, false, std::span(data).first(1000)}});
  EXPECT_EQ(pf.type, static_cast<std::uint16_t>(FrameType::kPutDeviceState));
  const auto p = std::get<PutDeviceState>(decode(pf, kV2));
  EXPECT_FALSE(p.last);
  EXPECT_EQ(p.data.size(), 1000u);
  EXPECT_EQ(std::memcmp(p.data.data(), data.data(), 1000), 0);

  // The empty state: one empty LAST chunk.
  const auto e = round_trip<DeviceState>(DeviceState{{1, 0, 0, true, {}}});
  EXPECT_TRUE(e.last);
  EXPECT_EQ(e.total, 0u);

  const auto ok = round_trip<DeviceStateAck>(DeviceStateAck{9, 0, ""});
  EXPECT_EQ(ok.epoch, 9u);
  EXPECT_EQ(ok.result, 0u);
  const auto bad = round_trip<DeviceStateAck>(DeviceStateAck{9, 11, "qemu: load failed"});
  EXPECT_EQ(bad.result, 11u);
  EXPECT_EQ(bad.text, "qemu: load failed");

  EXPECT_STREQ(message_name(DeviceStateAck{}), "DEVICE_STATE_ACK");
  EXPECT_STREQ(error_code_name(ErrorCode::kVmError), "VM_ERROR");
  EXPECT_STREQ(error_code_name(ErrorCode::kVmLocal), "VM_LOCAL");
}

TEST(VmMalformed, TruncatedAndTrailingBytesAreRefused) {
  const auto data = pattern(10);
  const std::vector<Message> messages = {
      VmStatusAck{{VmState::kRemote, false, 1, 2, 3}}, GetDeviceState{4}, DeviceState{{1, 0, 10, true, data}},
      PutDeviceState{{1, 0, 10, true, data}}, DeviceStateAck{1, 11, "why"}};
  for (const auto& m : messages) {
    const Frame f = encode(m);
    std::vector<std::byte> payload(f.payload().begin(), f.payload().end());
    auto cut = payload;
    cut.pop_back();
    EXPECT_EQ(decode_error(raw_frame(static_cast<FrameType>(f.type), cut)), ErrorCode::kBadFrame)
        << message_name(m);
    auto longer = payload;
    longer.push_back(std::byte{0});
    EXPECT_EQ(decode_error(raw_frame(static_cast<FrameType>(f.type), longer)), ErrorCode::kBadFrame)
        << message_name(m);
  }
  EXPECT_EQ(decode_error(raw_frame(FrameType::kVmStatus, {std::byte{0}})), ErrorCode::kBadFrame);
}

TEST(VmMalformed, ChunksThatLie) {
  for (const FrameType type : {FrameType::kDeviceState, FrameType::kPutDeviceState}) {
    SCOPED_TRACE(frame_type_name(static_cast<std::uint16_t>(type)));
    // The well-formed reference: bytes 0..99 of 300, not last.
    EXPECT_NO_THROW(decode(raw_frame(type, chunk_payload(1, 0, 300, 0, 100, 100)), kV2));
    // Chunk length disagreeing with the bytes present (claims 100, carries 99 or 101).
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 0, 300, 0, 100, 99))), ErrorCode::kBadFrame);
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 0, 300, 0, 100, 101))), ErrorCode::kBadFrame);
    // Reserved flag bits.
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 0, 300, 2, 100, 100))), ErrorCode::kBadFrame);
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 0, 300, 0x80000000, 100, 100))),
              ErrorCode::kBadFrame);
    // Total over the 256 MiB bound.
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 0, kMaxDeviceState + 1, 0, 100, 100))),
              ErrorCode::kTooLarge);
    EXPECT_NO_THROW(decode(raw_frame(type, chunk_payload(1, 0, kMaxDeviceState, 0, 100, 100)), kV2));
    // A chunk above 1 MiB (the bytes are there: the frame itself is within kMaxPayload).
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 0, 4u << 20, 0, (1u << 20) + 1, (1u << 20) + 1))),
              ErrorCode::kTooLarge);
    // Beyond the total: offset past it, chunk running over it, offset + length overflowing 64 bits.
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 301, 300, 0, 0, 0))), ErrorCode::kBadFrame);
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 250, 300, 1, 100, 100))), ErrorCode::kBadFrame);
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, UINT64_MAX - 10, 300, 1, 100, 100))),
              ErrorCode::kBadFrame);
    // LAST on a chunk that does not end the state; a final chunk without LAST.
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 0, 300, 1, 100, 100))), ErrorCode::kBadFrame);
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 200, 300, 0, 100, 100))), ErrorCode::kBadFrame);
    // An empty chunk that is not the (empty) end.
    EXPECT_EQ(decode_error(raw_frame(type, chunk_payload(1, 0, 300, 0, 0, 0))), ErrorCode::kBadFrame);
  }
}

TEST(VmMalformed, StatusAndAckFields) {
  std::vector<std::byte> p;
  ByteWriter w(p);
  auto status = [&](std::uint32_t state, std::uint32_t flags, std::uint64_t state_bytes) {
    p.clear();
    w.u32(state);
    w.u32(flags);
    w.u64(1);
    w.u64(state_bytes);
    w.u64(1u << 30);
    return raw_frame(FrameType::kVmStatusAck, p);
  };
  EXPECT_NO_THROW(decode(status(5, 1, 100), kV2));
  EXPECT_EQ(decode_error(status(6, 0, 100)), ErrorCode::kBadFrame);  // no such VM state
  EXPECT_EQ(decode_error(status(3, 2, 100)), ErrorCode::kBadFrame);  // reserved flag
  EXPECT_EQ(decode_error(status(3, 0, kMaxDeviceState + 1)), ErrorCode::kTooLarge);

  // DEVICE_STATE_ACK text above 1024 bytes; text length disagreeing with the bytes present.
  p.clear();
  w.u64(1);
  w.u32(11);
  w.u32(static_cast<std::uint32_t>(kMaxErrorText + 1));
  w.zeros(kMaxErrorText + 1);
  EXPECT_EQ(decode_error(raw_frame(FrameType::kDeviceStateAck, p)), ErrorCode::kTooLarge);
  p.clear();
  w.u64(1);
  w.u32(11);
  w.u32(10);
  w.zeros(4);
  EXPECT_EQ(decode_error(raw_frame(FrameType::kDeviceStateAck, p)), ErrorCode::kBadFrame);
}

TEST(VmMalformed, VmTypesAreUnknownInVersion1) {
  const DecodeLimits v1{4096, 100, 1};
  EXPECT_EQ(decode_error(encode(VmStatusQuery{}), v1), ErrorCode::kUnknownType);
  EXPECT_EQ(decode_error(encode(GetDeviceState{1}), v1), ErrorCode::kUnknownType);
  EXPECT_EQ(decode_error(encode(DeviceStateAck{1, 0, ""}), v1), ErrorCode::kUnknownType);
  EXPECT_NO_THROW(decode(encode(Keepalive{1}), v1));
  // Past the last type of version 2.
  EXPECT_EQ(decode_error(raw_frame(static_cast<FrameType>(21), {})), ErrorCode::kUnknownType);
}

TEST(DeviceStateStream, SplitsIntoOneMebibyteChunks) {
  // 3,000,000 bytes = 1,048,576 + 1,048,576 + 902,848: three chunks, the last one flagged.
  const auto state = pattern(3'000'000);
  const auto chunks = split_device_state(5, state);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].data.size(), kMaxDeviceStateChunk);
  EXPECT_EQ(chunks[1].offset, kMaxDeviceStateChunk);
  EXPECT_EQ(chunks[2].data.size(), 902'848u);
  EXPECT_FALSE(chunks[1].last);
  EXPECT_TRUE(chunks[2].last);
  // Every chunk survives the decoder, and the assembler gives back the same bytes.
  DeviceStateAssembler a(5, "test");
  for (const auto& c : chunks) {
    const Frame f = encode(DeviceState{c});
    a.add(std::get<DeviceState>(decode(f, kV2)));
  }
  ASSERT_TRUE(a.complete());
  EXPECT_EQ(a.take(), state);

  const auto empty = split_device_state(5, {});
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_TRUE(empty[0].last);
  EXPECT_EQ(empty[0].total, 0u);
  DeviceStateAssembler e(5, "test");
  e.add(empty[0]);
  EXPECT_TRUE(e.complete());
  EXPECT_TRUE(e.take().empty());

  // Exactly 2 MiB: two full chunks, no empty third one.
  EXPECT_EQ(split_device_state(1, pattern(2 * kMaxDeviceStateChunk)).size(), 2u);
}

TEST(DeviceStateStream, TheAssemblerRefusesWhatDoesNotFollow) {
  const auto state = pattern(300);
  const std::span<const std::byte> s(state);
  auto refused = [](DeviceStateAssembler& a, const StateChunk& c) {
    try {
      a.add(c);
    } catch (const ProtocolError& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUnexpected);
      return true;
    }
    return false;
  };
  {
    DeviceStateAssembler a(1, "test");  // a gap: 0..99 then 150..
    a.add({1, 0, 300, false, s.first(100)});
    EXPECT_TRUE(refused(a, {1, 150, 300, true, s.subspan(150)}));
  }
  {
    DeviceStateAssembler a(1, "test");  // an overlap: 0..99 then 50..
    a.add({1, 0, 300, false, s.first(100)});
    EXPECT_TRUE(refused(a, {1, 50, 300, true, s.subspan(50)}));
  }
  {
    DeviceStateAssembler a(1, "test");  // not starting at 0
    EXPECT_TRUE(refused(a, {1, 100, 300, true, s.subspan(100)}));
  }
  {
    DeviceStateAssembler a(1, "test");  // another epoch
    EXPECT_TRUE(refused(a, {2, 0, 300, true, s}));
  }
  {
    DeviceStateAssembler a(1, "test");  // the total changes midway
    a.add({1, 0, 300, false, s.first(100)});
    EXPECT_TRUE(refused(a, {1, 100, 400, false, s.subspan(100)}));
  }
  {
    DeviceStateAssembler a(1, "test");  // a chunk after LAST
    a.add({1, 0, 300, true, s});
    EXPECT_TRUE(refused(a, {1, 300, 300, true, {}}));
  }
  DeviceStateAssembler a(1, "test");
  EXPECT_THROW(a.take(), std::logic_error);
}

}  // namespace
}  // namespace jettison::emu
