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


def test_the_browser_benchmarks_permalink_is_a_valid_answer(bundle: Bundle) -> None:
    """The browser benchmark opens a permalink answering the first question: the checker must
    take it (a first question that takes several answers gets a list)."""
    from bench.browser import first_answer  # noqa: PLC0415 - Playwright is imported with it

    facts = first_answer(bundle)
    result = bundle.checker.check({"facts": facts})
    assert [a["fact"] for a in result["answers"]] == list(facts)
