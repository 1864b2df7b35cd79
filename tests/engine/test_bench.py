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


def test_no_later_allows_the_noise_of_the_same_way_and_not_a_real_delay() -> None:
    """The phone's comparison of two loads that boot the same way: a difference within the
    baseline's own load-to-load spread passes; a snapshot's extra download (seconds) does not."""
    from bench.browser import no_later  # noqa: PLC0415 - Playwright is imported with it

    before = [21_000.0, 21_400.0, 20_600.0, 22_000.0, 21_200.0]  # median 21,200, spread 200
    assert no_later([21_000.0, 21_100.0, 21_300.0], before)
    assert no_later([21_400.0, 21_350.0, 21_500.0], before)  # 200 later: within the spread
    assert not no_later([21_500.0, 21_450.0, 21_600.0], before)  # 300 later: beyond it
    assert not no_later([33_000.0, 32_500.0, 34_000.0], before)  # a 6 MB snapshot on 4 Mbps
