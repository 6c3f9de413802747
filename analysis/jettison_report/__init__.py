"""Jettison report generator: run and sweep folders of jettison-sim -> a self-contained HTML report.

Modules, one job each:
  errors    the one exception a bad input raises (it names the file)
  loading   reads run and sweep folders into RunData / SweepData, validating every file
  metrics   derived tables: energy per strategy, savings by idle-period length, latencies, bytes, timeline
  published "published vs ours": a scenario's about.published ranges against our figures
  params    the scenario's parameters as flattened key paths
  figures   the PNG figures (matplotlib Agg, deterministic)
  content   the document model (headings, paragraphs, tables, figures) both renderers share
  sections  builds the document: one section per input folder, plus an overview for several
  html      renders the document as a self-contained index.html
  markdown  renders the document as summary.md
  fmt       number, byte and percentage formatting shared by both renderers
  build     writes the report folder atomically
  cli       the command line
"""
