// A VM's device state on the wire (PROTOCOL.md, "VM messages"): split into DEVICE_STATE /
// PUT_DEVICE_STATE chunks by the sender, put back together and checked by the receiver (one epoch,
// one total, offsets contiguous from 0, nothing after LAST).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "emu/wire/messages.hpp"

namespace jettison::emu {

// The chunks `state` travels in, in order: kMaxDeviceStateChunk bytes each but the last, which is
// flagged LAST (an empty state is one empty LAST chunk). The chunks view `state`. Throws
// std::invalid_argument above kMaxDeviceState.
std::vector<StateChunk> split_device_state(std::uint64_t epoch, std::span<const std::byte> state);

class DeviceStateAssembler {
 public:
  // `what` names the stream in errors ("PUT_DEVICE_STATE from 10.0.0.2:41234").
  DeviceStateAssembler(std::uint64_t epoch, std::string what) : epoch_(epoch), what_(std::move(what)) {}

  // Appends a chunk the decoder accepted. Throws ProtocolError(UNEXPECTED) for another epoch, a total
  // that changed, an offset that is not where the previous chunk ended, or a chunk after LAST.
  void add(const StateChunk& chunk);
  bool complete() const { return complete_; }
  std::uint64_t epoch() const { return epoch_; }
  std::uint64_t received() const { return data_.size(); }
  // The whole state, once complete.
  std::vector<std::byte> take();

 private:
  std::uint64_t epoch_;
  std::string what_;
  std::uint64_t total_ = 0;
  bool started_ = false, complete_ = false;
  std::vector<std::byte> data_;
};

}  // namespace jettison::emu
