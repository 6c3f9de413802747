// Opens the files a scenario or a configuration names: from disk, or from the set embedded in the
// binary (the default scenario and its sample traces), so `jettison-sim run` works from any folder.
#pragma once

#include <filesystem>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

namespace jettison::config {

// Names of embedded files start with this prefix: "embedded:traces/samples/office-idle.csv".
inline constexpr std::string_view kEmbeddedPrefix = "embedded:";

// Resolves `relative` against the folder of `base` (a disk path or an embedded name). Absolute paths
// stay as they are; an empty `base` means the current folder.
std::string resolve_relative(const std::string& base, const std::string& relative);

// Opens `path` for reading; throws InputError naming `origin` (the key that named it) if it is missing.
std::unique_ptr<std::istream> open_input(const std::string& path, const std::string& origin);

// True when `path` names an existing disk file or embedded file.
bool input_exists(const std::string& path);

}  // namespace jettison::config
