// libFuzzer target: the scenario loader (sim/scenario/scenario_loader.hpp) on arbitrary YAML. The
// input becomes scenario.yaml in a private folder (under $TMPDIR, removed at exit) beside two small
// traces, idle.csv and pages.csv, that the seeds name, so mutations reach past the trace checks;
// `extends: embedded:scenarios/default.yaml` reaches the compiled-in default. Rejecting the scenario
// (InputError) is an expected outcome; any other exception, a crash, a sanitizer report, a leak,
// unbounded memory or a hang is a finding.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/input_error.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace {

namespace fs = std::filesystem;

fs::path folder;

void write_file(const fs::path& path, const char* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data, static_cast<std::streamsize>(size));
  if (!out.flush()) std::abort();
}

void write_file(const fs::path& path, const std::string& text) { write_file(path, text.data(), text.size()); }

void remove_folder() {
  std::error_code ec;
  fs::remove_all(folder, ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string pattern = (fs::temp_directory_path() / "jettison-scenario-fuzz-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  folder = pattern;
  std::atexit(remove_folder);
  write_file(folder / "idle.csv",
             "desktop,start,end\n"
             "d00,0,3600\n"
             "d01,600,4200\n"
             "d00,7200,10800\n");
  write_file(folder / "pages.csv",
             "time,page,op\n"
             "0.5,10,r\n"
             "1.0,11,w\n"
             "2.25,10,r\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path scenario = folder / "scenario.yaml";
  write_file(scenario, reinterpret_cast<const char*>(data), size);
  try {
    (void)jettison::sim::load_scenario(scenario.string());
  } catch (const jettison::InputError&) {
  }
  return 0;
}
