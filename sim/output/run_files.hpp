// The files of one run's output folder as run_scenario writes them: checked ofstreams for the small
// files, and the per-strategy part files of periods and timeline, joined in the scenario's order of
// strategies under their header once every strategy is done.
#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "sim/output/output_file.hpp"
#include "sim/output/staged_output.hpp"
#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

// Throws std::runtime_error "cannot write '<path>'".
void open_or_fail(std::ofstream& f, const std::filesystem::path& p);
// Throws std::runtime_error "error writing '<path>' (disk full?)".
void close_or_fail(std::ofstream& f, const std::filesystem::path& p);

// periods.csv, periods.csv.zst; empty for `none`.
std::string periods_file_name(PeriodsOutput periods);
Compression compression_of(PeriodsOutput periods);

// Where strategy `i` writes its part of `name` ("periods", "timeline").
std::filesystem::path part_path(const StagedOutput& staged, std::string_view name, std::size_t i);

// Writes `file_name` as `header` followed by the parts 0..n-1 of `name`, byte for byte, and removes
// the parts. Compressed: the header is a zstd frame of its own and each part already is one, so the
// file is their concatenation (which zstd and pandas read as one stream).
void join_parts(const StagedOutput& staged, std::string_view name, std::size_t n, std::string_view header,
                const std::string& file_name, Compression compression);

}  // namespace jettison::sim
