// The parameters of a trace model: a table of named, typed values with a default per profile,
// overridden by `--param name=value`. Every quantity carries its unit or its form:
//   number 0.9 | count 3 | duration 20min | clock time 8:15 (time of day)
//   range   lo..hi          (e.g. 8:15..9:15, 30min..60min, 2..6; a single value means lo = hi)
//   choices v:w,v:w,...     (weighted values, e.g. 1:0.3,2:0.45,3:0.25 or 30min:0.3,60min:0.7)
// Durations and clock times are held in seconds.
#pragma once

#include <cstdio>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jettison::traces {

enum class Scalar { kNumber, kCount, kDuration, kClock };
enum class Shape { kSingle, kRange, kChoices };

struct ParamSpec {
  std::string_view name;
  Scalar scalar;
  Shape shape;
  std::vector<std::string_view> defaults;  // one per profile, or one for all
  std::string_view help;
  double min = 0.0;  // bounds of each value
  double max = std::numeric_limits<double>::infinity();
};

struct Range {
  double lo = 0.0;
  double hi = 0.0;
};

struct Choices {
  std::vector<double> values;
  std::vector<double> cumulative;  // running sum of the weights
};

class Params {
 public:
  // Takes every parameter's default for `profile` (an index into each spec's defaults).
  Params(std::span<const ParamSpec> specs, std::size_t profile);

  // "name=value": replaces the value; InputError (origin "--param") for an unknown name or a bad value.
  void set(std::string_view assignment);

  double number(std::string_view name) const;
  Range range(std::string_view name) const;
  const Choices& choices(std::string_view name) const;

 private:
  struct Value {
    const ParamSpec* spec = nullptr;
    double number = 0.0;
    Range range;
    Choices choices;
  };
  const Value& get(std::string_view name, Shape shape) const;
  Value parse(const ParamSpec& spec, std::string_view text) const;

  std::span<const ParamSpec> specs_;
  std::map<std::string, Value, std::less<>> values_;
};

// Prints the table (name, default per profile, meaning) for --list-params.
void print_params(std::FILE* out, std::span<const ParamSpec> specs,
                  std::span<const std::string_view> profiles);

}  // namespace jettison::traces
