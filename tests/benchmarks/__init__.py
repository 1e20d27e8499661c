"""Benchmarks for `make bench` (`python -m tests.benchmarks`): see tests/benchmarks/__main__.py.

Not tests: pytest collects only test_*.py, and pyproject's norecursedirs keeps it out of this folder."""
