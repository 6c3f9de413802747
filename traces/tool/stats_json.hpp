// A minimal JSON writer for `jettison-trace stats --json`: objects, arrays, numbers, strings, null.
// Keys are written in the order given; non-finite numbers become null.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jettison::traces {

class JsonWriter {
 public:
  JsonWriter& key(std::string_view k) {
    separate();
    string_value(k);
    text_ += ": ";
    after_key_ = true;
    return *this;
  }
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& value(double v) {
    separate();
    text_ += std::isfinite(v) ? fmt::format("{}", v) : "null";
    return *this;
  }
  JsonWriter& value(std::uint64_t v) {
    separate();
    text_ += fmt::format("{}", v);
    return *this;
  }
  JsonWriter& value(std::string_view s) {
    separate();
    string_value(s);
    return *this;
  }
  JsonWriter& null() {
    separate();
    text_ += "null";
    return *this;
  }
  const std::string& text() const { return text_; }

 private:
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) text_ += ',';
      first_.back() = false;
      text_ += '\n';
      text_.append(2 * first_.size(), ' ');
    }
  }
  JsonWriter& open(char c) {
    separate();
    text_ += c;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& close(char c) {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) {
      text_ += '\n';
      text_.append(2 * first_.size(), ' ');
    }
    text_ += c;
    return *this;
  }
  void string_value(std::string_view s) {
    text_ += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') {
        text_ += '\\';
        text_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        text_ += fmt::format("\\u{:04x}", static_cast<int>(c));
      } else {
        text_ += c;
      }
    }
    text_ += '"';
  }

  std::string text_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace jettison::traces
