#include "sim/trace/idle_trace.hpp"

#include <streambuf>
#include <utility>

#include "sim/trace/input_file.hpp"

namespace jettison::sim {
namespace {

IdleTraceIndex index_rows(IdleTraceReader& reader, IdleTraceIndex index) {
  IdleRow row;
  Time last_start;
  while (reader.next(row)) {
    if (index.periods > 0 && row.start < last_start) index.sorted_by_start = false;
    last_start = row.start;
    index.end = max(index.end, row.end);
    ++index.periods;
  }
  traces::DesktopNames names = reader.take_names();
  names.shrink_to_fit();
  index.names = std::make_shared<const traces::DesktopNames>(std::move(names));
  return index;
}

// Reads a shared text in place (no copy): the stream keeps the text alive.
class TextBuf : public std::streambuf {
 public:
  explicit TextBuf(std::shared_ptr<const std::string> text) : text_(std::move(text)) {
    char* p = const_cast<char*>(text_->data());  // only read: the get area never writes
    setg(p, p, p + text_->size());
  }

 private:
  std::shared_ptr<const std::string> text_;
};

class TextStream : private TextBuf, public std::istream {
 public:
  explicit TextStream(std::shared_ptr<const std::string> text)
      : TextBuf(std::move(text)), std::istream(static_cast<TextBuf*>(this)) {}
};

}  // namespace

IdleTraceIndex index_idle_trace(const std::string& path, const std::string& origin) {
  IdleTraceReader reader(open_input(path, origin), path);
  IdleTraceIndex index;
  index.path = path;
  return index_rows(reader, std::move(index));
}

IdleTraceIndex index_idle_text(std::shared_ptr<const std::string> text, const std::string& name) {
  IdleTraceReader reader(std::make_unique<TextStream>(text), name);
  IdleTraceIndex index;
  index.path = name;
  index.text = std::move(text);
  return index_rows(reader, std::move(index));
}

std::unique_ptr<std::istream> open_idle_trace(const IdleTraceIndex& index) {
  if (index.text) return std::make_unique<TextStream>(index.text);
  return open_input(index.path, index.path);
}

}  // namespace jettison::sim
