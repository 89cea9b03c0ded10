"""The pieces of `benchmarks/run.py` (make bench): the machine, measured subprocesses, the DuckDB floor, the
landing zones and configs, where a run's time goes, and BENCHMARKS.md's sections."""
