// jettison._core: the simulator seen from Python (the package jettison/ wraps it in pandas).
// Scenarios load through the same loader as `jettison-sim run` (file, or YAML text standing for a
// file), runs keep their output files' contents in memory unless given a folder, and bad input
// raises jettison.ScenarioError with the CLI's message. The GIL is released while simulating.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <vector>

#include "common/config/config_errors.hpp"
#include "common/input_error.hpp"
#include "sim/run/run_scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/sweep/grid.hpp"
#include "sim/sweep/sweep_run.hpp"

namespace py = pybind11;

namespace jettison::sim {
namespace {

using ScenarioPtr = std::shared_ptr<const Scenario>;

// A Python value as a YAML node: mappings, sequences, None, booleans and scalars (numbers and
// strings as their text, so "4GiB" and 30 read as the file would give them).
YAML::Node to_yaml_node(py::handle value) {
  if (value.is_none()) return YAML::Node(YAML::NodeType::Null);
  if (py::isinstance<py::dict>(value)) {
    YAML::Node map(YAML::NodeType::Map);
    for (auto [k, v] : value.cast<py::dict>()) map[py::str(k).cast<std::string>()] = to_yaml_node(v);
    return map;
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    YAML::Node seq(YAML::NodeType::Sequence);
    for (py::handle v : value) seq.push_back(to_yaml_node(v));
    return seq;
  }
  if (py::isinstance<py::bool_>(value)) return YAML::Node(value.cast<bool>() ? "true" : "false");
  if (py::isinstance<py::str>(value) || py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value))
    return YAML::Node(py::str(value).cast<std::string>());
  // pathlib.Path and other objects with a text form
  return YAML::Node(py::str(value).cast<std::string>());
}

// Block-style YAML of a Python mapping, one key a line, so errors name a useful line.
std::string dict_to_yaml(const py::dict& d) {
  YAML::Emitter out;
  out << to_yaml_node(d);
  return std::string(out.c_str()) + "\n";
}

py::dict texts_dict(RunTexts&& t) {
  py::dict d;
  d["periods"] = py::str(t.periods);
  d["timeline"] = py::str(t.timeline);
  d["desktops"] = py::str(t.desktops);
  d["links"] = py::str(t.links);
  d["servers"] = py::str(t.servers);
  d["summary"] = py::str(t.summary);
  d["scenario"] = py::str(t.scenario);
  return d;
}

// Runs `s` with its outputs in memory (`out` empty) or written to `out` as `jettison-sim run` does.
py::dict run(const ScenarioPtr& s, unsigned threads, const std::string& out) {
  RunTexts texts;
  RunOptions options;
  options.threads = threads;
  options.out = out;
  if (out.empty()) options.texts = &texts;
  {
    py::gil_scoped_release release;
    run_scenario(*s, options);
  }
  if (!out.empty()) return py::dict();
  return texts_dict(std::move(texts));
}

// `jettison-sim sweep SCENARIO --set ... --grid ... --out OUT` (no MPI): the same files.
py::dict sweep_files(const std::string& scenario, const std::vector<std::string>& sets,
                     const std::vector<std::string>& grids, unsigned threads, const std::string& out) {
  SweepInput in;
  in.scenario = scenario.empty() ? kDefaultScenario : scenario;
  in.sets = sets;
  in.grid = parse_grid(grids, sets);
  SweepOptions options;
  options.out = out;
  options.threads = threads;
  SweepReport report;
  {
    py::gil_scoped_release release;
    report = run_sweep(in, options);
  }
  py::dict d;
  d["points"] = report.points;
  d["rows"] = report.rows;
  d["wall_seconds"] = report.wall_seconds;
  return d;
}

}  // namespace
}  // namespace jettison::sim

PYBIND11_MODULE(_core, m) {
  using namespace jettison::sim;
  m.doc() = "Jettison's simulator (jettison-sim) as a Python module; use the package `jettison`.";
  m.attr("default_scenario") = std::string(kDefaultScenario);

  // InputError -> jettison.ScenarioError(message, origin, file, line): the class lives in Python
  // (jettison/errors.py) so that it is an ordinary, picklable exception with attributes.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const jettison::InputError& e) {
      py::object cls = py::module_::import("jettison.errors").attr("ScenarioError");
      py::object file = py::none(), line = py::none();
      if (const auto* located = dynamic_cast<const jettison::config::LocatedInputError*>(&e)) {
        file = py::str(located->file());
        if (located->line() > 0) line = py::int_(located->line());
      }
      py::object err = cls(py::str(e.what()), py::str(e.origin()), file, line);
      PyErr_SetObject(cls.ptr(), err.ptr());
    }
  });

  py::class_<Scenario, std::shared_ptr<Scenario>>(m, "CoreScenario", "a loaded, checked scenario")
      .def_readonly("name", &Scenario::name)
      .def_readonly("source", &Scenario::source)
      .def_readonly("seed", &Scenario::seed)
      .def_readonly("strategies", &Scenario::strategies)
      .def_readonly("resolved_yaml", &Scenario::resolved_yaml)
      .def_property_readonly("desktop_count", [](const Scenario& s) { return s.desktops.size(); });

  m.def(
      "load_file",
      [](const std::string& path, const std::vector<std::string>& overrides) {
        return std::make_shared<Scenario>(load_scenario(path, overrides));
      },
      py::arg("path"), py::arg("overrides") = std::vector<std::string>{},
      "load and check a scenario file (or default_scenario), applying key.path=value overrides");
  m.def(
      "load_text",
      [](const std::string& text, const std::string& name, const std::vector<std::string>& overrides) {
        return std::make_shared<Scenario>(load_scenario_text(text, name, overrides));
      },
      py::arg("text"), py::arg("name"), py::arg("overrides") = std::vector<std::string>{},
      "load and check a scenario from YAML text; `name` stands for its file");
  m.def("dict_to_yaml", &dict_to_yaml, py::arg("mapping"), "a mapping as block-style YAML text");
  m.def(
      "run",
      [](const std::shared_ptr<Scenario>& s, unsigned threads, const std::string& out) {
        return run(s, threads, out);
      },
      py::arg("scenario"), py::arg("threads") = 0, py::arg("out") = "",
      "run every strategy; returns the output files' texts, or writes them to `out`");
  m.def("sweep_files", &sweep_files, py::arg("scenario"), py::arg("sets"), py::arg("grids"),
        py::arg("threads"), py::arg("out"), "jettison-sim sweep into `out`");
}
