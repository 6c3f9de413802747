#include "traces/gen/model_params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "common/input_error.hpp"
#include "common/units.hpp"

namespace jettison::traces {
namespace {

[[noreturn]] void bad(std::string_view name, std::string_view text, const std::string& why) {
  throw InputError("--param", fmt::format("{}={}: {}", name, text, why));
}

std::string_view scalar_name(Scalar s) {
  switch (s) {
    case Scalar::kNumber:
      return "a number (e.g. 0.9)";
    case Scalar::kCount:
      return "a whole number (e.g. 3)";
    case Scalar::kDuration:
      return "a duration with its unit (e.g. 20min, 1.5h, 90s)";
    case Scalar::kClock:
      return "a time of day H:MM (e.g. 8:15)";
  }
  return "";
}

std::optional<double> parse_number(std::string_view s) {
  double v = 0.0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> parse_clock(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3)
    return std::nullopt;
  int h = 0, m = 0;
  auto [p1, e1] = std::from_chars(s.data(), s.data() + colon, h);
  auto [p2, e2] = std::from_chars(s.data() + colon + 1, s.data() + s.size(), m);
  if (e1 != std::errc() || p1 != s.data() + colon || e2 != std::errc() || p2 != s.data() + s.size()) {
    return std::nullopt;
  }
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return h * 3600.0 + m * 60.0;
}

double parse_scalar(const ParamSpec& spec, std::string_view text, std::string_view whole) {
  std::optional<double> v;
  switch (spec.scalar) {
    case Scalar::kNumber:
      v = parse_number(text);
      break;
    case Scalar::kCount:
      v = parse_number(text);
      if (v && *v != std::floor(*v)) v.reset();
      break;
    case Scalar::kDuration:
      try {
        v = static_cast<double>(parse_duration(text).us()) / 1e6;
      } catch (const UnitError& e) {
        bad(spec.name, whole, e.what());
      }
      break;
    case Scalar::kClock:
      v = parse_clock(text);
      break;
  }
  if (!v) bad(spec.name, whole, fmt::format("'{}' is not {}", text, scalar_name(spec.scalar)));
  if (*v < spec.min || *v > spec.max) {
    const bool secs = spec.scalar == Scalar::kDuration || spec.scalar == Scalar::kClock;
    bad(spec.name, whole,
        std::isinf(spec.max)
            ? fmt::format("'{}' must be at least {}{}", text, spec.min, secs ? " s" : "")
            : fmt::format("'{}' must be within {}..{}{}", text, spec.min, spec.max, secs ? " s" : ""));
  }
  return *v;
}

}  // namespace

Params::Params(std::span<const ParamSpec> specs, std::size_t profile) : specs_(specs) {
  for (const ParamSpec& spec : specs_) {
    const std::string_view text = spec.defaults.size() == 1 ? spec.defaults[0] : spec.defaults.at(profile);
    Value v = parse(spec, text);
    values_.emplace(std::string(spec.name), std::move(v));
  }
}

Params::Value Params::parse(const ParamSpec& spec, std::string_view text) const {
  Value v;
  v.spec = &spec;
  switch (spec.shape) {
    case Shape::kSingle:
      v.number = parse_scalar(spec, text, text);
      break;
    case Shape::kRange: {
      const auto dots = text.find("..");
      if (dots == std::string_view::npos) {
        v.range.lo = v.range.hi = parse_scalar(spec, text, text);
      } else {
        v.range.lo = parse_scalar(spec, text.substr(0, dots), text);
        v.range.hi = parse_scalar(spec, text.substr(dots + 2), text);
      }
      if (v.range.hi < v.range.lo) bad(spec.name, text, "a range lo..hi needs lo <= hi");
      break;
    }
    case Shape::kChoices: {
      double acc = 0.0;
      std::size_t start = 0;
      while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const std::string_view item =
            text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        const auto colon = item.rfind(':');
        if (colon == std::string_view::npos) {
          bad(spec.name, text, fmt::format("'{}' is not value:weight (choices are v:w,v:w,...)", item));
        }
        const double value = parse_scalar(spec, item.substr(0, colon), text);
        const auto weight = parse_number(item.substr(colon + 1));
        if (!weight || *weight < 0) {
          bad(spec.name, text,
              fmt::format("weight '{}' is not a non-negative number", item.substr(colon + 1)));
        }
        acc += *weight;
        v.choices.values.push_back(value);
        v.choices.cumulative.push_back(acc);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
      if (!(acc > 0)) bad(spec.name, text, "the weights must not all be zero");
      break;
    }
  }
  return v;
}

void Params::set(std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    throw InputError("--param", fmt::format("'{}' is not name=value", assignment));
  }
  const std::string_view name = assignment.substr(0, eq);
  auto it = values_.find(name);
  if (it == values_.end()) {
    throw InputError("--param", fmt::format("unknown parameter '{}' (--list-params shows them all)", name));
  }
  it->second = parse(*it->second.spec, assignment.substr(eq + 1));
}

const Params::Value& Params::get(std::string_view name, Shape shape) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.spec->shape != shape) {
    throw std::logic_error(
        fmt::format("model parameter '{}' read with the wrong shape or not declared", name));
  }
  return it->second;
}

double Params::number(std::string_view name) const { return get(name, Shape::kSingle).number; }
Range Params::range(std::string_view name) const { return get(name, Shape::kRange).range; }
const Choices& Params::choices(std::string_view name) const { return get(name, Shape::kChoices).choices; }

void print_params(std::FILE* out, std::span<const ParamSpec> specs,
                  std::span<const std::string_view> profiles) {
  std::size_t width = 4;
  for (const auto& s : specs) width = std::max(width, s.name.size());
  for (const auto& s : specs) {
    fmt::print(out, "  {:<{}}  ", s.name, width);
    if (s.defaults.size() == 1 || profiles.size() <= 1) {
      fmt::print(out, "{}\n", s.defaults[0]);
    } else {
      for (std::size_t i = 0; i < profiles.size(); ++i) {
        fmt::print(out, "{}{}: {}", i ? "  " : "", profiles[i], s.defaults.at(i));
      }
      fmt::print(out, "\n");
    }
    fmt::print(out, "  {:<{}}  {}\n", "", width, s.help);
  }
}

}  // namespace jettison::traces
