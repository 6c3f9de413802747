#include "emu/wire/messages.hpp"

#include <cassert>
#include <type_traits>

#include "emu/wire/byte_codec.hpp"

namespace jettison::emu {
namespace {

constexpr std::uint8_t kRunData = 0;
constexpr std::uint8_t kRunZero = 1;

void write_runs(ByteWriter& w, const std::vector<PageRun>& runs, std::uint32_t page_size) {
  for (const auto& run : runs) {
    w.u64(run.first_page);
    w.u32(run.count);
    w.u8(run.zero ? kRunZero : kRunData);
    w.zeros(3);
    if (!run.zero) {
      assert(page_size == 0 || run.data.size() == std::size_t{run.count} * page_size);
      w.bytes(run.data);
    }
  }
}

void write_chunk(ByteWriter& w, const StateChunk& c) {
  w.u64(c.epoch);
  w.u64(c.offset);
  w.u64(c.total);
  w.u32(c.last ? kDeviceStateLast : 0);
  w.u32(static_cast<std::uint32_t>(c.data.size()));
  w.bytes(c.data);
}

std::size_t runs_size(const std::vector<PageRun>& runs) {
  std::size_t n = 0;
  for (const auto& run : runs) n += 16 + run.data.size();
  return n;
}

}  // namespace

Frame encode(const Message& message, std::uint32_t page_size) {
  Frame frame = std::visit(
      [&](const auto& m) -> Frame {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Hello>) {
          Frame f = start_frame(FrameType::kHello, 20);
          ByteWriter w(f.wire);
          w.u32(m.magic);
          w.u16(m.min_version);
          w.u16(m.max_version);
          w.u32(m.page_size);
          w.u64(m.capabilities);
          return f;
        } else if constexpr (std::is_same_v<T, HelloAck>) {
          Frame f = start_frame(FrameType::kHelloAck, 40);
          ByteWriter w(f.wire);
          w.u16(m.version);
          w.u16(0);
          w.u32(m.page_size);
          w.u64(m.image_bytes);
          w.u64(m.image_id);
          w.u64(m.generation);
          w.u64(m.capabilities);
          return f;
        } else if constexpr (std::is_same_v<T, GetPages>) {
          Frame f = start_frame(FrameType::kGetPages, 8 + 12 * m.ranges.size());
          ByteWriter w(f.wire);
          w.u32(m.request_id);
          w.u32(static_cast<std::uint32_t>(m.ranges.size()));
          for (const auto& r : m.ranges) {
            w.u64(r.first_page);
            w.u32(r.count);
          }
          return f;
        } else if constexpr (std::is_same_v<T, Pages>) {
          Frame f = start_frame(FrameType::kPages, 8 + runs_size(m.runs));
          ByteWriter w(f.wire);
          w.u32(m.request_id);
          w.u16(m.last ? kPagesLast : 0);
          w.u16(static_cast<std::uint16_t>(m.runs.size()));
          write_runs(w, m.runs, page_size);
          return f;
        } else if constexpr (std::is_same_v<T, PutPages>) {
          Frame f = start_frame(FrameType::kPutPages, 16 + runs_size(m.runs));
          ByteWriter w(f.wire);
          w.u64(m.session_id);
          w.u32(m.batch);
          w.u16(0);
          w.u16(static_cast<std::uint16_t>(m.runs.size()));
          write_runs(w, m.runs, page_size);
          return f;
        } else if constexpr (std::is_same_v<T, PutAck>) {
          Frame f = start_frame(FrameType::kPutAck, 16);
          ByteWriter w(f.wire);
          w.u64(m.session_id);
          w.u32(m.batch);
          w.u32(m.pages);
          return f;
        } else if constexpr (std::is_same_v<T, Commit>) {
          Frame f = start_frame(FrameType::kCommit, 16);
          ByteWriter w(f.wire);
          w.u64(m.session_id);
          w.u64(m.total_pages);
          return f;
        } else if constexpr (std::is_same_v<T, CommitAck>) {
          Frame f = start_frame(FrameType::kCommitAck, 24);
          ByteWriter w(f.wire);
          w.u64(m.session_id);
          w.u64(m.pages_applied);
          w.u64(m.generation);
          return f;
        } else if constexpr (std::is_same_v<T, Keepalive>) {
          Frame f = start_frame(FrameType::kKeepalive, 8);
          ByteWriter(f.wire).u64(m.nonce);
          return f;
        } else if constexpr (std::is_same_v<T, KeepaliveAck>) {
          Frame f = start_frame(FrameType::kKeepaliveAck, 8);
          ByteWriter(f.wire).u64(m.nonce);
          return f;
        } else if constexpr (std::is_same_v<T, Sleep>) {
          Frame f = start_frame(FrameType::kSleep, 4);
          ByteWriter(f.wire).u32(m.after_ms);
          return f;
        } else if constexpr (std::is_same_v<T, SleepAck>) {
          return start_frame(FrameType::kSleepAck);
        } else if constexpr (std::is_same_v<T, ErrorMsg>) {
          const std::string text = m.text.substr(0, kMaxErrorText);
          Frame f = start_frame(FrameType::kError, 4 + text.size());
          ByteWriter w(f.wire);
          w.u16(static_cast<std::uint16_t>(m.code));
          w.u16(static_cast<std::uint16_t>(text.size()));
          w.bytes(std::as_bytes(std::span(text)));
          return f;
        } else if constexpr (std::is_same_v<T, Bye>) {
          return start_frame(FrameType::kBye);
        } else if constexpr (std::is_same_v<T, VmStatusQuery>) {
          return start_frame(FrameType::kVmStatus);
        } else if constexpr (std::is_same_v<T, VmStatusAck>) {
          Frame f = start_frame(FrameType::kVmStatusAck, 32);
          ByteWriter w(f.wire);
          w.u32(static_cast<std::uint32_t>(m.status.state));
          w.u32(m.status.user_returned ? kVmUserReturned : 0);
          w.u64(m.status.epoch);
          w.u64(m.status.state_bytes);
          w.u64(m.status.guest_ram_bytes);
          return f;
        } else if constexpr (std::is_same_v<T, GetDeviceState>) {
          Frame f = start_frame(FrameType::kGetDeviceState, 8);
          ByteWriter(f.wire).u64(m.epoch);
          return f;
        } else if constexpr (std::is_same_v<T, DeviceState> || std::is_same_v<T, PutDeviceState>) {
          assert(m.data.size() <= kMaxDeviceStateChunk);
          Frame f = start_frame(
              std::is_same_v<T, DeviceState> ? FrameType::kDeviceState : FrameType::kPutDeviceState,
              32 + m.data.size());
          ByteWriter w(f.wire);
          write_chunk(w, m);
          return f;
        } else {
          static_assert(std::is_same_v<T, DeviceStateAck>);
          const std::string text = m.text.substr(0, kMaxErrorText);
          Frame f = start_frame(FrameType::kDeviceStateAck, 16 + text.size());
          ByteWriter w(f.wire);
          w.u64(m.epoch);
          w.u32(m.result);
          w.u32(static_cast<std::uint32_t>(text.size()));
          w.bytes(std::as_bytes(std::span(text)));
          return f;
        }
      },
      message);
  finish_frame(frame);
  return frame;
}

const char* message_name(const Message& message) {
  static constexpr FrameType kTypes[] = {FrameType::kHello,          FrameType::kHelloAck,
                                         FrameType::kGetPages,       FrameType::kPages,
                                         FrameType::kPutPages,       FrameType::kPutAck,
                                         FrameType::kCommit,         FrameType::kCommitAck,
                                         FrameType::kKeepalive,      FrameType::kKeepaliveAck,
                                         FrameType::kSleep,          FrameType::kSleepAck,
                                         FrameType::kError,          FrameType::kBye,
                                         FrameType::kVmStatus,       FrameType::kVmStatusAck,
                                         FrameType::kGetDeviceState, FrameType::kDeviceState,
                                         FrameType::kPutDeviceState, FrameType::kDeviceStateAck};
  static_assert(std::size(kTypes) == std::variant_size_v<Message>);
  return frame_type_name(static_cast<std::uint16_t>(kTypes[message.index()]));
}

}  // namespace jettison::emu
