// Every independent error a configuration file holds, gathered while it is loaded: loading goes on
// past a bad value (keeping its default) and at the end one InputError lists them all, sorted by file
// then line, capped at kMaxConfigErrors. A single error reads exactly as it did when thrown alone.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "common/input_error.hpp"

namespace jettison::config {

inline constexpr std::size_t kMaxConfigErrors = 50;

// An InputError that knows the file and 1-based line it names (line 0: none), so that errors can be
// put in file order. Thrown by YamlNode::fail and the YAML tree checks.
class LocatedInputError : public InputError {
 public:
  LocatedInputError(std::string origin, const std::string& message, std::string file, int line)
      : InputError(std::move(origin), message), message_(message), file_(std::move(file)), line_(line) {}
  const std::string& message() const { return message_; }
  const std::string& file() const { return file_; }
  int line() const { return line_; }

 private:
  std::string message_;
  std::string file_;
  int line_;
};

// An error that follows from another one of the same file: a required key is missing because it was
// misspelled, and the misspelling is reported as an unknown key. Reported only when nothing else is.
class FollowOnInputError : public LocatedInputError {
 public:
  using LocatedInputError::LocatedInputError;
};

class ConfigErrors {
 public:
  void add(const LocatedInputError& e);
  // An error without a known place (a trace reader's, a --set's): kept after the located ones.
  void add(const InputError& e);

  // Runs `f`; an InputError it throws is recorded instead of propagating. True when `f` succeeded.
  bool attempt(const std::function<void()>& f);

  bool empty() const { return entries_.empty() && follow_ons_.empty(); }

  // Throws one InputError listing every error so far (see the file comment); nothing when none.
  // Its origin and first line are those of the first error in file order; each further error
  // follows on its own line as "origin: message"; past the cap, a last line counts the rest.
  void throw_if_any() const;

 private:
  struct Entry {
    std::string origin;
    std::string message;
    std::string file;  // empty: no known place
    int line = 0;
    std::size_t seq = 0;
  };
  std::vector<Entry> entries_;
  std::vector<Entry> follow_ons_;
};

}  // namespace jettison::config
