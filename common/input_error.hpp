// Bad input (a scenario, a trace, a flag, a peer's message) is reported where it is found, with its
// origin: "file:line: key: what is wrong". The CLI turns it into one message and a non-zero exit.
#pragma once

#include <stdexcept>
#include <string>

namespace jettison {

class InputError : public std::runtime_error {
 public:
  InputError(std::string origin, const std::string& message)
      : std::runtime_error(origin.empty() ? message : origin + ": " + message), origin_(std::move(origin)) {}
  const std::string& origin() const { return origin_; }

 private:
  std::string origin_;
};

}  // namespace jettison
