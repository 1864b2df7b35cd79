"""The checker benchmark runs on the current formats (a smoke run: figures are printed by
``python -m bench``, never asserted as timings here)."""

from __future__ import annotations

from bench.__main__ import bench_checker
from handbook.bundle import Bundle


def test_the_checker_benchmark_runs_over_the_casebook(bundle: Bundle) -> None:
    figures = bench_checker(bundle, repeat=1)
    assert figures["scenarios"] == len(bundle.examples)
    assert figures["evaluations_per_second"] > 0
    assert 0 < figures["check_median_us"] <= figures["check_p95_us"]
