#include "emu/wire/device_state_stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "emu/wire/errors.hpp"

namespace jettison::emu {

std::vector<StateChunk> split_device_state(std::uint64_t epoch, std::span<const std::byte> state) {
  if (state.size() > kMaxDeviceState) {
    throw std::invalid_argument(fmt::format("device state of {} bytes exceeds the protocol's {} bytes",
                                            state.size(), kMaxDeviceState));
  }
  std::vector<StateChunk> out;
  std::size_t offset = 0;
  do {
    const std::size_t n = std::min(kMaxDeviceStateChunk, state.size() - offset);
    out.push_back(
        StateChunk{epoch, offset, state.size(), offset + n == state.size(), state.subspan(offset, n)});
    offset += n;
  } while (offset < state.size());
  return out;
}

void DeviceStateAssembler::add(const StateChunk& chunk) {
  auto refuse = [&](const std::string& why) {
    throw ProtocolError(ErrorCode::kUnexpected, fmt::format("{}: {}", what_, why));
  };
  if (complete_) refuse("chunk after the LAST one");
  if (chunk.epoch != epoch_)
    refuse(fmt::format("chunk of epoch {} in the stream of epoch {}", chunk.epoch, epoch_));
  if (!started_) {
    total_ = chunk.total;
    started_ = true;
  } else if (chunk.total != total_) {
    refuse(fmt::format("total changed from {} to {} bytes", total_, chunk.total));
  }
  if (chunk.offset != data_.size())
    refuse(fmt::format("chunk at offset {}, expected {} (not contiguous)", chunk.offset, data_.size()));
  if (chunk.offset + chunk.data.size() > total_) refuse("chunk beyond the total");
  data_.insert(data_.end(), chunk.data.begin(), chunk.data.end());
  if (chunk.last) {
    if (data_.size() != total_) refuse(fmt::format("LAST after {} of {} bytes", data_.size(), total_));
    complete_ = true;
  }
}

std::vector<std::byte> DeviceStateAssembler::take() {
  if (!complete_) throw std::logic_error("DeviceStateAssembler::take: the state is not complete");
  return std::move(data_);
}

}  // namespace jettison::emu
