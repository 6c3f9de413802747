// decode(): the one place a peer's bytes become messages. Every count is checked against the
// bytes actually present and against the limits before anything is allocated or trusted.
#include <string>

#include "emu/wire/byte_codec.hpp"
#include "emu/wire/messages.hpp"

namespace jettison::emu {
namespace {

[[noreturn]] void fail(ErrorCode code, const char* what, const std::string& why) {
  throw ProtocolError(code, std::string(what) + ": " + why);
}

void check_range(const char* what, std::uint64_t first, std::uint64_t count, const DecodeLimits& limits) {
  if (count == 0) fail(ErrorCode::kBadFrame, what, "empty page range at page " + std::to_string(first));
  if (first >= limits.image_pages || count > limits.image_pages - first) {
    fail(ErrorCode::kOutOfRange, what,
         "pages " + std::to_string(first) + "+" + std::to_string(count) + " beyond the image's " +
             std::to_string(limits.image_pages) + " pages");
  }
}

std::vector<PageRun> read_runs(ByteReader& r, std::size_t n, const char* what, const DecodeLimits& limits) {
  if (limits.page_size == 0) fail(ErrorCode::kUnexpected, what, "page data before the handshake");
  if (n > kMaxRunsPerFrame) fail(ErrorCode::kTooLarge, what, std::to_string(n) + " runs in one frame");
  std::vector<PageRun> runs;
  runs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    PageRun run;
    run.first_page = r.u64();
    run.count = r.u32();
    const std::uint8_t kind = r.u8();
    r.reserved(3);
    if (kind > 1) r.fail("run kind " + std::to_string(kind) + " is neither DATA (0) nor ZERO (1)");
    run.zero = kind == 1;
    check_range(what, run.first_page, run.count, limits);
    if (!run.zero) {
      const std::uint64_t bytes = std::uint64_t{run.count} * limits.page_size;
      if (bytes > r.remaining()) {
        r.fail("run of " + std::to_string(run.count) + " pages needs " + std::to_string(bytes) +
               " data bytes, only " + std::to_string(r.remaining()) + " left");
      }
      run.data = r.bytes(static_cast<std::size_t>(bytes));
    }
    runs.push_back(run);
  }
  return runs;
}

// DEVICE_STATE / PUT_DEVICE_STATE: one chunk, checked on its own (contiguity across frames is the
// DeviceStateAssembler's job).
StateChunk read_chunk(ByteReader& r, const char* what) {
  StateChunk c;
  c.epoch = r.u64();
  c.offset = r.u64();
  c.total = r.u64();
  const std::uint32_t flags = r.u32();
  const std::uint32_t length = r.u32();
  if ((flags & ~kDeviceStateLast) != 0) r.fail("reserved flags set");
  c.last = (flags & kDeviceStateLast) != 0;
  if (length > kMaxDeviceStateChunk)
    fail(ErrorCode::kTooLarge, what, "chunk of " + std::to_string(length) + " bytes");
  if (c.total > kMaxDeviceState)
    fail(ErrorCode::kTooLarge, what,
         "device state of " + std::to_string(c.total) + " bytes exceeds " + std::to_string(kMaxDeviceState));
  if (length != r.remaining())
    r.fail("chunk length " + std::to_string(length) + " but " + std::to_string(r.remaining()) +
           " bytes follow");
  if (c.offset > c.total || length > c.total - c.offset)
    r.fail("chunk " + std::to_string(c.offset) + "+" + std::to_string(length) + " beyond the total of " +
           std::to_string(c.total));
  const bool ends = c.offset + length == c.total;
  if (c.last != ends) r.fail(c.last ? "LAST set before the end of the state" : "final chunk without LAST");
  if (length == 0 && !c.last) r.fail("empty chunk");
  c.data = r.bytes(length);
  return c;
}

}  // namespace

Message decode(const Frame& frame, const DecodeLimits& limits) {
  const char* what = frame_type_name(frame.type);
  ByteReader r(frame.payload(), what);
  Message out;
  const std::uint16_t since = frame_type_version(frame.type);
  if (since == 0 || since > limits.version) {
    fail(ErrorCode::kUnknownType, "frame",
         "unknown type " + std::to_string(frame.type) + " in version " + std::to_string(limits.version));
  }
  switch (static_cast<FrameType>(frame.type)) {
    case FrameType::kHello: {
      Hello m;
      m.magic = r.u32();
      m.min_version = r.u16();
      m.max_version = r.u16();
      m.page_size = r.u32();
      m.capabilities = r.u64();
      if (m.magic != kMagic) fail(ErrorCode::kBadVersion, what, "bad magic (not a Jettison peer)");
      if (m.min_version == 0 || m.min_version > m.max_version) {
        fail(ErrorCode::kBadVersion, what,
             "version range " + std::to_string(m.min_version) + ".." + std::to_string(m.max_version));
      }
      out = m;
      break;
    }
    case FrameType::kHelloAck: {
      HelloAck m;
      m.version = r.u16();
      r.reserved(2);
      m.page_size = r.u32();
      m.image_bytes = r.u64();
      m.image_id = r.u64();
      m.generation = r.u64();
      m.capabilities = r.u64();
      if (!valid_page_size(m.page_size))
        fail(ErrorCode::kBadFrame, what, "page size " + std::to_string(m.page_size));
      if (m.image_bytes % m.page_size != 0)
        fail(ErrorCode::kBadFrame, what, "image size not a page multiple");
      out = m;
      break;
    }
    case FrameType::kGetPages: {
      GetPages m;
      m.request_id = r.u32();
      const std::uint32_t n = r.u32();
      if (n == 0) fail(ErrorCode::kBadFrame, what, "no ranges");
      if (n > kMaxRangesPerGet) fail(ErrorCode::kTooLarge, what, std::to_string(n) + " ranges");
      if (std::uint64_t{n} * 12 != r.remaining()) {
        r.fail(std::to_string(n) + " ranges need " + std::to_string(std::uint64_t{n} * 12) +
               " bytes, payload has " + std::to_string(r.remaining()));
      }
      m.ranges.reserve(n);
      std::uint64_t total = 0;
      for (std::uint32_t i = 0; i < n; ++i) {
        PageRange range{r.u64(), r.u32()};
        check_range(what, range.first_page, range.count, limits);
        total += range.count;
        if (total > kMaxPagesPerGet)
          fail(ErrorCode::kTooLarge, what, "more than " + std::to_string(kMaxPagesPerGet) + " pages");
        m.ranges.push_back(range);
      }
      out = std::move(m);
      break;
    }
    case FrameType::kPages: {
      Pages m;
      m.request_id = r.u32();
      const std::uint16_t flags = r.u16();
      if ((flags & ~kPagesLast) != 0) r.fail("unknown flags");
      m.last = (flags & kPagesLast) != 0;
      const std::uint16_t n = r.u16();
      m.runs = read_runs(r, n, what, limits);
      out = std::move(m);
      break;
    }
    case FrameType::kPutPages: {
      PutPages m;
      m.session_id = r.u64();
      m.batch = r.u32();
      r.reserved(2);
      const std::uint16_t n = r.u16();
      if (n == 0) fail(ErrorCode::kBadFrame, what, "no runs");
      m.runs = read_runs(r, n, what, limits);
      out = std::move(m);
      break;
    }
    case FrameType::kPutAck:
      out = PutAck{r.u64(), r.u32(), r.u32()};
      break;
    case FrameType::kCommit: {
      Commit m;
      m.session_id = r.u64();
      m.total_pages = r.u64();
      out = m;
      break;
    }
    case FrameType::kCommitAck: {
      CommitAck m;
      m.session_id = r.u64();
      m.pages_applied = r.u64();
      m.generation = r.u64();
      out = m;
      break;
    }
    case FrameType::kKeepalive:
      out = Keepalive{r.u64()};
      break;
    case FrameType::kKeepaliveAck:
      out = KeepaliveAck{r.u64()};
      break;
    case FrameType::kSleep:
      out = Sleep{r.u32()};
      break;
    case FrameType::kSleepAck:
      out = SleepAck{};
      break;
    case FrameType::kError: {
      ErrorMsg m;
      const std::uint16_t code = r.u16();
      const std::uint16_t len = r.u16();
      if (len > kMaxErrorText) fail(ErrorCode::kTooLarge, what, "text of " + std::to_string(len) + " bytes");
      auto text = r.bytes(len);
      m.code = static_cast<ErrorCode>(code);
      m.text.assign(reinterpret_cast<const char*>(text.data()), text.size());
      out = std::move(m);
      break;
    }
    case FrameType::kBye:
      out = Bye{};
      break;
    case FrameType::kVmStatus:
      out = VmStatusQuery{};
      break;
    case FrameType::kVmStatusAck: {
      VmStatusAck m;
      const std::uint32_t state = r.u32();
      const std::uint32_t flags = r.u32();
      if (state > kMaxVmState) r.fail("unknown VM state " + std::to_string(state));
      if ((flags & ~kVmUserReturned) != 0) r.fail("reserved flags set");
      m.status.state = static_cast<VmState>(state);
      m.status.user_returned = (flags & kVmUserReturned) != 0;
      m.status.epoch = r.u64();
      m.status.state_bytes = r.u64();
      m.status.guest_ram_bytes = r.u64();
      if (m.status.state_bytes > kMaxDeviceState)
        fail(ErrorCode::kTooLarge, what,
             "device state of " + std::to_string(m.status.state_bytes) + " bytes");
      out = m;
      break;
    }
    case FrameType::kGetDeviceState:
      out = GetDeviceState{r.u64()};
      break;
    case FrameType::kDeviceState:
      out = DeviceState{read_chunk(r, what)};
      break;
    case FrameType::kPutDeviceState:
      out = PutDeviceState{read_chunk(r, what)};
      break;
    case FrameType::kDeviceStateAck: {
      DeviceStateAck m;
      m.epoch = r.u64();
      m.result = r.u32();
      const std::uint32_t len = r.u32();
      if (len > kMaxErrorText) fail(ErrorCode::kTooLarge, what, "text of " + std::to_string(len) + " bytes");
      auto text = r.bytes(len);
      m.text.assign(reinterpret_cast<const char*>(text.data()), text.size());
      out = std::move(m);
      break;
    }
    default:
      fail(ErrorCode::kUnknownType, "frame", "unknown type " + std::to_string(frame.type));
  }
  r.expect_end();
  return out;
}

}  // namespace jettison::emu
