#include "traces/tool/trace_output.hpp"

namespace jettison::traces {

TraceOutput::TraceOutput(const std::string& path, std::string origin) : file_(path, std::move(origin)) {
  const Compression c = compression_for_name(path);
  if (c != Compression::none) compressed_ = std::make_unique<CompressingStream>(file_.out(), c);
}

void TraceOutput::commit() {
  if (compressed_) {
    compressed_->finish();
    if (!*compressed_) file_.out().setstate(std::ios::badbit);  // AtomicFile::commit reports it
  }
  file_.commit();
}

}  // namespace jettison::traces
