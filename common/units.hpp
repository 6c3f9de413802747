// Parsing of values with units ("60W", "2.5 s", "4GiB", "1Gbps"). Every quantity in a scenario or a
// config carries its unit; a bare number or a unit of the wrong kind is an error.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "common/quantity.hpp"

namespace jettison {

enum class UnitKind { kPower, kDuration, kBytes, kBandwidth };

// What a kind of quantity is called and which units it accepts, for error messages.
std::string_view unit_kind_name(UnitKind kind);
std::string_view unit_kind_examples(UnitKind kind);

// Thrown for a malformed value; the message says what was expected. Callers add the origin.
class UnitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Power parse_power(std::string_view text);
Duration parse_duration(std::string_view text);
Bytes parse_bytes(std::string_view text);
Bandwidth parse_bandwidth(std::string_view text);

// Human-readable renderings used in messages and reports ("4 GiB", "1.5 s").
std::string format_bytes(Bytes b);

}  // namespace jettison
