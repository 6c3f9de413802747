// What every emulator executable does around its work: a --log-level flag, parsing the command
// line, and turning errors into one message and an exit code (2: bad input, a flag, a file, a
// configuration; 1: a failure while running). Header-only: the executables link CLI11.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "common/input_error.hpp"
#include "common/version/version.hpp"

namespace jettison::emu {

inline constexpr int kInputErrorExit = 2;

// Adds --log-level (trace, debug, info, warn, error, off) writing into `level`.
inline void add_log_level(CLI::App& app, std::string& level) {
  app.add_option("--log-level", level, "trace, debug, info, warn, error, off (default info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
}

// Adds --version (common/version/version.hpp), parses `argv` into `app`, sets spdlog's level from `level`,
// then returns what `body()` returns; errors are printed as "<tool>: error: ...".
template <class Body>
int run_cli(const char* tool, CLI::App& app, int argc, char** argv, const std::string& level, Body body) {
  app.set_version_flag("--version", version_line(tool));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kInputErrorExit;
  }
  spdlog::set_level(spdlog::level::from_str(level));
  try {
    return body();
  } catch (const InputError& e) {
    fmt::print(stderr, "{}: error: {}\n", tool, e.what());
    return kInputErrorExit;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: error: {}\n", tool, e.what());
    return 1;
  }
}

}  // namespace jettison::emu
