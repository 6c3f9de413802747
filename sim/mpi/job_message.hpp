// The messages of a job spread over ranks (a sweep's points, a run's shards): the kind is the first
// byte, what follows is an Encoder's payload. Rank 0 collects and writes; the others work and send.
//
//   start:  every rank -> 0: kChecked (exit code, message, fingerprint); 0 -> every rank: kGo or kQuit
//   work:   rank -> 0: kItem... (what the job defines: a point, a shard's records, files), then one of
//           kDone, kFailed (exit code, message) or kStopped; 0 -> rank: kStop once any rank failed
//   end:    0 -> every rank: kFinish (the job's exit code)
#pragma once

#include <cstdint>

#include "sim/mpi/byte_codec.hpp"

namespace jettison::sim::mpi {

enum class Kind : std::uint8_t {
  kChecked = 1,
  kGo,
  kQuit,
  kDone,
  kFailed,
  kStopped,
  kStop,
  kFinish,
  kFile,  // folder_shipping.hpp: a file's path and size, then its bytes in kChunk messages
  kChunk,
  kItem = 32,  // first of the job's own kinds (kItem, kItem + 1, ...)
};

inline Encoder message(Kind kind) {
  Encoder e;
  e.put(kind);
  return e;
}

// The kind of `m`, leaving `d` after it. Throws on an empty message.
inline Kind read_kind(Decoder& d) { return d.get<Kind>(); }

}  // namespace jettison::sim::mpi
