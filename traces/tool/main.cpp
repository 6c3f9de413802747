// jettison-trace: generate, inspect, convert, import and fit models to the traces the simulator reads
// (traces/FORMAT.md, traces/README.md). Bad input of any kind exits with code 2 and an error that
// names the file and line; outputs are written whole or not at all.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "common/input_error.hpp"
#include "common/version/version.hpp"
#include "traces/tool/convert_command.hpp"
#include "traces/tool/fit_pages.hpp"
#include "traces/tool/generate_idle.hpp"
#include "traces/tool/generate_pages.hpp"
#include "traces/tool/import_command.hpp"
#include "traces/tool/stats_command.hpp"

namespace {

constexpr int kInputErrorExit = 2;

}  // namespace

int main(int argc, char** argv) {
  using namespace jettison;
  using namespace jettison::traces;
  CLI::App app{
      "jettison-trace: generate, inspect, convert and import Jettison's traces, and fit page models to them"};
  app.set_version_flag("--version", version_line("jettison-trace"));
  app.require_subcommand(1);

  auto* generate = app.add_subcommand("generate", "synthetic traces from the models in traces/README.md");
  generate->require_subcommand(1);
  add_generate_idle_command(*generate);
  add_generate_pages_command(*generate);

  add_fit_command(app);
  add_stats_command(app);
  add_import_command(app);
  add_convert_command(app);

  try {
    app.parse(argc, argv);  // the commands run in their callbacks
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kInputErrorExit;
  } catch (const InputError& e) {
    fmt::print(stderr, "jettison-trace: error: {}\n", e.what());
    return kInputErrorExit;
  } catch (const std::exception& e) {
    fmt::print(stderr, "jettison-trace: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
