// Encode/decode round trips and every malformed case the decoder must refuse.
#include "emu/wire/messages.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "emu/wire/byte_codec.hpp"
#include "emu/wire/page_runs.hpp"

namespace jettison::emu {
namespace {

constexpr std::uint32_t kPage = 4096;
const DecodeLimits kLimits{kPage, 100};  // an image of 100 pages

template <typename T>
T round_trip(const Message& m, const DecodeLimits& limits = kLimits) {
  const Frame f = encode(m, kPage);
  Frame copy = f;
  return std::get<T>(decode(copy, limits));
}

// A frame with the given type and raw payload (header filled in).
Frame raw_frame(std::uint16_t type, std::vector<std::byte> payload) {
  Frame f;
  f.type = type;
  ByteWriter w(f.wire);
  w.u32(static_cast<std::uint32_t>(payload.size()));
  w.u16(type);
  w.u16(0);
  w.bytes(payload);
  return f;
}

Frame truncated(const Frame& f, std::size_t cut) {
  std::vector<std::byte> payload(f.payload().begin(), f.payload().end() - static_cast<std::ptrdiff_t>(cut));
  return raw_frame(f.type, payload);
}

ErrorCode decode_error(const Frame& f, const DecodeLimits& limits = kLimits) {
  try {
    decode(f, limits);
  } catch (const ProtocolError& e) {
    return e.code();
  }
  ADD_FAILURE() << "decode accepted a malformed " << frame_type_name(f.type);
  return ErrorCode{};
}

std::vector<std::byte> page_of(std::uint8_t v) { return std::vector<std::byte>(kPage, std::byte{v}); }

TEST(Frame, HeaderIsBigEndianLengthTypeFlags) {
  const Frame f = encode(Keepalive{0x0102030405060708});
  // 8-byte payload, type 9, flags 0, then the nonce big-endian.
  const std::vector<std::uint8_t> want = {0, 0, 0, 8, 0, 9, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  ASSERT_EQ(f.wire.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(static_cast<std::uint8_t>(f.wire[i]), want[i]) << i;
}

TEST(Frame, OversizedHeaderIsRefused) {
  std::vector<std::byte> h;
  ByteWriter w(h);
  w.u32(static_cast<std::uint32_t>(kMaxPayload + 1));
  w.u16(4);
  w.u16(0);
  try {
    parse_frame_header(std::span<const std::byte, kFrameHeaderBytes>(h.data(), kFrameHeaderBytes));
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTooLarge);
  }
}

TEST(Frame, NonZeroFlagsAreRefused) {
  std::vector<std::byte> h;
  ByteWriter w(h);
  w.u32(0);
  w.u16(14);
  w.u16(1);
  EXPECT_THROW(parse_frame_header(std::span<const std::byte, kFrameHeaderBytes>(h.data(), kFrameHeaderBytes)),
               ProtocolError);
}

TEST(Frame, EncodingMoreThanTheLimitThrows) {
  const auto big = std::vector<std::byte>(kMaxPageData + kPage, std::byte{1});
  Pages p{1, true, {PageRun{0, static_cast<std::uint32_t>(big.size() / kPage), false, big}}};
  // 257 pages of data + one 16-byte run + 8 bytes is still under kMaxPayload: fits.
  EXPECT_NO_THROW(encode(p, kPage));
  const auto huge = std::vector<std::byte>(kMaxPayload, std::byte{1});
  p.runs[0] = PageRun{0, static_cast<std::uint32_t>(huge.size() / kPage), false, huge};
  EXPECT_THROW(encode(p, kPage), ProtocolError);
}

TEST(RoundTrip, EveryMessage) {
  const Hello h = round_trip<Hello>(Hello{kMagic, 1, 3, 8192, 0x7});
  EXPECT_EQ(h.min_version, 1);
  EXPECT_EQ(h.max_version, 3);
  EXPECT_EQ(h.page_size, 8192u);
  EXPECT_EQ(h.capabilities, 7u);

  const HelloAck a = round_trip<HelloAck>(HelloAck{1, kPage, 400 * kPage, 0xABCDEF, 42, kCapZeroRuns});
  EXPECT_EQ(a.image_bytes, 400u * kPage);
  EXPECT_EQ(a.image_id, 0xABCDEFu);
  EXPECT_EQ(a.generation, 42u);

  const GetPages g = round_trip<GetPages>(GetPages{7, {{0, 10}, {50, 1}, {99, 1}}});
  EXPECT_EQ(g.request_id, 7u);
  EXPECT_EQ(g.ranges, (std::vector<PageRange>{{0, 10}, {50, 1}, {99, 1}}));

  const auto data = page_of(0xAB);
  Frame pf = encode(Pages{9, true, {PageRun{3, 1, false, data}, PageRun{4, 20, true, {}}}}, kPage);
  const Pages p = std::get<Pages>(decode(pf, kLimits));
  EXPECT_TRUE(p.last);
  ASSERT_EQ(p.runs.size(), 2u);
  EXPECT_EQ(p.runs[0].first_page, 3u);
  EXPECT_EQ(std::memcmp(p.runs[0].data.data(), data.data(), kPage), 0);
  EXPECT_TRUE(p.runs[1].zero);
  EXPECT_EQ(p.runs[1].count, 20u);
  // 8 bytes PAGES header + 2 runs * 16 bytes + one page: the zero run carries no data.
  EXPECT_EQ(pf.payload_size(), 8u + 32u + kPage);

  Frame uf = encode(PutPages{5, 2, {PageRun{1, 1, false, data}}}, kPage);
  const PutPages u = std::get<PutPages>(decode(uf, kLimits));
  EXPECT_EQ(u.session_id, 5u);
  EXPECT_EQ(u.batch, 2u);

  EXPECT_EQ(round_trip<PutAck>(PutAck{5, 2, 1}).pages, 1u);
  EXPECT_EQ(round_trip<Commit>(Commit{5, 12}).total_pages, 12u);
  EXPECT_EQ(round_trip<CommitAck>(CommitAck{5, 12, 3}).generation, 3u);
  EXPECT_EQ(round_trip<Keepalive>(Keepalive{77}).nonce, 77u);
  EXPECT_EQ(round_trip<KeepaliveAck>(KeepaliveAck{78}).nonce, 78u);
  EXPECT_EQ(round_trip<Sleep>(Sleep{1500}).after_ms, 1500u);
  round_trip<SleepAck>(SleepAck{});
  const ErrorMsg e = round_trip<ErrorMsg>(ErrorMsg{ErrorCode::kBusy, "busy now"});
  EXPECT_EQ(e.code, ErrorCode::kBusy);
  EXPECT_EQ(e.text, "busy now");
  round_trip<Bye>(Bye{});
}

TEST(Malformed, TruncatedPayloadOfEveryMessageIsRefused) {
  const auto data = page_of(1);
  const std::vector<Message> messages = {Hello{},
                                         HelloAck{1, kPage, kPage, 1, 1, 1},
                                         GetPages{1, {{0, 1}}},
                                         Pages{1, true, {PageRun{0, 1, false, data}}},
                                         PutPages{1, 1, {PageRun{0, 1, false, data}}},
                                         PutAck{1, 1, 1},
                                         Commit{1, 1},
                                         CommitAck{1, 1, 1},
                                         Keepalive{1},
                                         KeepaliveAck{1},
                                         Sleep{1},
                                         ErrorMsg{ErrorCode::kBusy, "x"}};
  for (const auto& m : messages) {
    const Frame f = encode(m, kPage);
    EXPECT_EQ(decode_error(truncated(f, 1)), ErrorCode::kBadFrame) << message_name(m);
  }
}

TEST(Malformed, TrailingBytesAreRefused) {
  const Frame f = encode(Keepalive{1});
  std::vector<std::byte> payload(f.payload().begin(), f.payload().end());
  payload.push_back(std::byte{0});
  EXPECT_EQ(decode_error(raw_frame(f.type, payload)), ErrorCode::kBadFrame);
  EXPECT_EQ(decode_error(raw_frame(static_cast<std::uint16_t>(FrameType::kBye), {std::byte{0}})),
            ErrorCode::kBadFrame);
}

TEST(Malformed, UnknownTypeIsRefused) {
  EXPECT_EQ(decode_error(raw_frame(0, {})), ErrorCode::kUnknownType);
  EXPECT_EQ(decode_error(raw_frame(21, {})), ErrorCode::kUnknownType);  // 15..20: version 2's VM messages
  EXPECT_EQ(decode_error(raw_frame(0xFFFF, {})), ErrorCode::kUnknownType);
}

TEST(Malformed, BadVersionOrMagic) {
  EXPECT_EQ(decode_error(encode(Hello{0xDEADBEEF, 1, 1, kPage, 0})), ErrorCode::kBadVersion);
  EXPECT_EQ(decode_error(encode(Hello{kMagic, 0, 1, kPage, 0})), ErrorCode::kBadVersion);
  EXPECT_EQ(decode_error(encode(Hello{kMagic, 3, 2, kPage, 0})), ErrorCode::kBadVersion);
}

TEST(Malformed, OutOfRangePages) {
  EXPECT_EQ(decode_error(encode(GetPages{1, {{100, 1}}})), ErrorCode::kOutOfRange);
  EXPECT_EQ(decode_error(encode(GetPages{1, {{90, 11}}})), ErrorCode::kOutOfRange);
  // first + count overflowing 64 bits must not wrap around into range.
  EXPECT_EQ(decode_error(encode(GetPages{1, {{UINT64_MAX, 2}}})), ErrorCode::kOutOfRange);
  EXPECT_EQ(decode_error(encode(Pages{1, true, {PageRun{100, 1, true, {}}}}, kPage)), ErrorCode::kOutOfRange);
  const auto data = page_of(1);
  EXPECT_EQ(decode_error(encode(PutPages{1, 1, {PageRun{100, 1, false, data}}}, kPage)),
            ErrorCode::kOutOfRange);
}

TEST(Malformed, GetPagesLimits) {
  EXPECT_EQ(decode_error(encode(GetPages{1, {}})), ErrorCode::kBadFrame);
  EXPECT_EQ(decode_error(encode(GetPages{1, {{5, 0}}})), ErrorCode::kBadFrame);
  GetPages many{1, std::vector<PageRange>(kMaxRangesPerGet + 1, PageRange{0, 1})};
  EXPECT_EQ(decode_error(encode(many)), ErrorCode::kTooLarge);
  const DecodeLimits big{kPage, 1u << 20};
  EXPECT_EQ(decode_error(encode(GetPages{1, {{0, kMaxPagesPerGet + 1}}}), big), ErrorCode::kTooLarge);
  // A range count that disagrees with the payload size (claims 2, carries 1).
  std::vector<std::byte> payload;
  ByteWriter w(payload);
  w.u32(1);
  w.u32(2);
  w.u64(0);
  w.u32(1);
  EXPECT_EQ(decode_error(raw_frame(3, payload)), ErrorCode::kBadFrame);
}

TEST(Malformed, RunsThatLie) {
  // A DATA run of 2 pages carrying only one page of data.
  const auto data = page_of(1);
  std::vector<std::byte> payload;
  ByteWriter w(payload);
  w.u32(1);
  w.u16(kPagesLast);
  w.u16(1);
  w.u64(0);
  w.u32(2);
  w.u8(0);
  w.zeros(3);
  w.bytes(data);
  EXPECT_EQ(decode_error(raw_frame(4, payload)), ErrorCode::kBadFrame);
  // Unknown run kind.
  payload.clear();
  w.u32(1);
  w.u16(kPagesLast);
  w.u16(1);
  w.u64(0);
  w.u32(1);
  w.u8(7);
  w.zeros(3);
  EXPECT_EQ(decode_error(raw_frame(4, payload)), ErrorCode::kBadFrame);
  // Unknown PAGES flag.
  payload.clear();
  w.u32(1);
  w.u16(0x8000);
  w.u16(0);
  EXPECT_EQ(decode_error(raw_frame(4, payload)), ErrorCode::kBadFrame);
  // More runs claimed than present.
  payload.clear();
  w.u32(1);
  w.u16(0);
  w.u16(3);
  EXPECT_EQ(decode_error(raw_frame(4, payload)), ErrorCode::kBadFrame);
}

TEST(Malformed, PageDataBeforeHandshake) {
  EXPECT_EQ(decode_error(encode(Pages{1, true, {PageRun{0, 1, true, {}}}}, kPage), DecodeLimits{}),
            ErrorCode::kUnexpected);
  EXPECT_EQ(decode_error(encode(GetPages{1, {{0, 1}}}), DecodeLimits{}), ErrorCode::kOutOfRange);
}

TEST(Malformed, ErrorTextTooLongAndReservedBits) {
  std::vector<std::byte> payload;
  ByteWriter w(payload);
  w.u16(1);
  w.u16(static_cast<std::uint16_t>(kMaxErrorText + 1));
  w.zeros(kMaxErrorText + 1);
  EXPECT_EQ(decode_error(raw_frame(13, payload)), ErrorCode::kTooLarge);
  // HELLO_ACK with a non-zero reserved field.
  Frame f = encode(HelloAck{1, kPage, kPage, 1, 1, 1});
  f.wire[kFrameHeaderBytes + 3] = std::byte{1};
  EXPECT_EQ(decode_error(f), ErrorCode::kBadFrame);
}

TEST(RunBuilder, MergesZeroAndAdjacentDataPages) {
  std::vector<std::byte> mem(4 * kPage, std::byte{0});
  mem[0] = std::byte{1};      // page 0: data
  mem[kPage] = std::byte{2};  // page 1: data, adjacent in memory
  // pages 2 and 3: zero
  RunBuilder b(kPage, true);
  for (std::uint64_t p = 0; p < 4; ++p) b.add(10 + p, mem.data() + p * kPage);
  const auto runs = b.take();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].count, 2u);
  EXPECT_EQ(runs[0].data.size(), 2u * kPage);
  EXPECT_TRUE(runs[1].zero);
  EXPECT_EQ(runs[1].first_page, 12u);
  EXPECT_EQ(runs[1].count, 2u);
}

TEST(RunBuilder, WithoutZeroRunsZerosTravelAsDataAndFramesFill) {
  std::vector<std::byte> zero(kPage, std::byte{0});
  RunBuilder b(kPage, false);
  std::size_t added = 0;
  while (!b.full()) {
    EXPECT_FALSE(b.add(added, zero.data()));
    ++added;
  }
  // 1 MiB of page data per frame = 256 pages of 4 KiB.
  EXPECT_EQ(added, kMaxPageData / kPage);
}

}  // namespace
}  // namespace jettison::emu
