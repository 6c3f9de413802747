#include "traces/tool/convert_command.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "common/input_error.hpp"
#include "traces/io/binary_writer.hpp"
#include "traces/io/csv_writer.hpp"
#include "traces/io/idle_trace_reader.hpp"
#include "traces/io/input_stream.hpp"
#include "traces/io/output_stream.hpp"
#include "traces/io/page_profile.hpp"
#include "traces/tool/trace_output.hpp"

namespace jettison::traces {
namespace {

namespace fs = std::filesystem;

bool binary_output(const ConvertArgs& a) {
  if (!a.to.empty()) return a.to == "binary";
  fs::path name(a.out);
  if (compression_for_name(a.out) != Compression::none) name = name.stem();
  const std::string ext = name.extension().string();
  if (ext == ".csv") return false;
  if (ext == ".jtrace") return true;
  throw InputError("OUT",
                   fmt::format("cannot tell the output format from '{}': name it .csv or .jtrace (either "
                               "optionally followed by .gz or .zst), or pass --to csv|binary",
                               a.out));
}

template <class Row, class Reader, class Writer>
std::uint64_t copy_rows(Reader& reader, Writer&& writer) {
  Row row;
  while (reader.next(row)) writer.write(row);
  writer.finish();
  return writer.records();
}

}  // namespace

ConvertResult convert_trace(const ConvertArgs& a) {
  ConvertResult r;
  r.binary_out = binary_output(a);
  std::error_code ec;
  const auto in_bytes = fs::file_size(a.in, ec);
  const TraceFormat format = detect_trace_format(a.in, "IN");
  r.idle = format.kind == TraceKind::idle;
  TraceOutput out(a.out, "OUT");
  if (r.idle) {
    IdleTraceReader reader(open_trace_file(a.in, "IN"), a.in);
    r.rows = r.binary_out ? copy_rows<IdleRow>(reader, IdleBinaryWriter(out.out()))
                          : copy_rows<IdleRow>(reader, IdleCsvWriter(out.out()));
  } else {
    PageTraceReader reader(open_trace_file(a.in, "IN"), a.in);
    r.rows = r.binary_out ? copy_rows<PageRow>(reader, PageBinaryWriter(out.out()))
                          : copy_rows<PageRow>(reader, PageCsvWriter(out.out()));
  }
  out.commit();
  if (!a.quiet) {
    const auto out_bytes = fs::file_size(a.out, ec);
    fmt::print("{} ({} trace, {}{}) -> {} ({}{}): {} rows", a.in, kind_name(format.kind),
               format.binary ? "binary" : "CSV",
               format.compression == Compression::none
                   ? ""
                   : fmt::format(", {}", compression_name(format.compression)),
               a.out, r.binary_out ? "binary" : "CSV",
               compression_for_name(a.out) == Compression::none
                   ? ""
                   : fmt::format(", {}", compression_name(compression_for_name(a.out))),
               r.rows);
    if (in_bytes != static_cast<std::uintmax_t>(-1) && out_bytes != static_cast<std::uintmax_t>(-1)) {
      fmt::print(", {} -> {} bytes", in_bytes, out_bytes);
    }
    fmt::print("\n");
  }
  return r;
}

void add_convert_command(CLI::App& app) {
  auto a = std::make_shared<ConvertArgs>();
  auto* cmd = app.add_subcommand("convert",
                                 "rewrite a trace as CSV or binary (input: CSV or binary, plain, "
                                 ".gz or .zst)");
  cmd->add_option("in", a->in, "the trace to read")->required();
  cmd->add_option("out", a->out, "the file to write (.csv or .jtrace, optionally + .gz or .zst)")->required();
  cmd->add_option("--to", a->to, "output format (default: from OUT's name)")
      ->check(CLI::IsMember({"csv", "binary"}));
  cmd->add_flag("-q,--quiet", a->quiet, "print nothing but errors");
  cmd->callback([a] { convert_trace(*a); });
}

}  // namespace jettison::traces
