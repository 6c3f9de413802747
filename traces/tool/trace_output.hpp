// A trace being written by a command: an AtomicFile (nothing appears unless the whole trace was
// written), gzip- or zstd-compressed when the file name ends in .gz or .zst.
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "traces/io/output_stream.hpp"
#include "traces/tool/atomic_file.hpp"

namespace jettison::traces {

class TraceOutput {
 public:
  explicit TraceOutput(const std::string& path, std::string origin = "--out");
  std::ostream& out() { return compressed_ ? *compressed_ : file_.out(); }
  // Ends the compressed data if any, then commits the file (AtomicFile::commit).
  void commit();

 private:
  AtomicFile file_;
  std::unique_ptr<CompressingStream> compressed_;
};

}  // namespace jettison::traces
