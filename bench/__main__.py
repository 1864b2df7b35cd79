"""``python -m bench [--quick] [--site SITE] [--policy ID]``: figures, not timed tests.

Prints, and merges into ``build/bench/results.json``: under ``"checker"`` evaluations per second,
median and p95 time of one ``check()`` over the casebook, the standard proof's time and the
time to load and validate the policy (its bundle, rulebook included); with ``--site`` (a built
site) also ``"pdf"`` (time, pages and bytes per edition) and ``"browser"`` (Pyodide boot vs. first
verdict in headless Chromium, warm cache, per-check latency, bytes transferred).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from policycheck.validate import read_scenario

from handbook.bundle import Bundle, load_fresh
from handbook.commands import policy_option
from handbook.common.files import write_atomic
from handbook.config import BUILD, display, policy_dir

RESULTS = BUILD / "bench" / "results.json"


def bench_checker(bundle: Bundle, repeat: int = 200) -> dict[str, Any]:
    checker = bundle.checker
    scenarios = [{"facts": dict(ex.facts)} for ex in bundle.examples]
    for s in scenarios:  # warm up (plans are cached per activity)
        checker.check(s)
    samples: list[float] = []
    verdict_samples: list[float] = []
    clock = time.perf_counter
    for s in scenarios:
        answers = read_scenario(checker.engine, s).answers  # as the engine reads them (sets)
        for _ in range(repeat):
            t0 = clock()
            checker.check(s)
            samples.append(clock() - t0)
            t0 = clock()
            checker.engine.verdict(answers)
            verdict_samples.append(clock() - t0)
    samples.sort()
    verdict_samples.sort()
    start, n = clock(), 0
    while clock() - start < 1.0:
        for s in scenarios:
            checker.check(s)
        n += len(scenarios)
    return {
        "scenarios": len(scenarios),
        "evaluations_per_second": round(n / (clock() - start)),
        "check_median_us": round(statistics.median(samples) * 1e6, 1),
        "check_p95_us": round(samples[int(0.95 * len(samples))] * 1e6, 1),
        "verdict_only_median_us": round(statistics.median(verdict_samples) * 1e6, 1),
    }


def bench_pdf(bundle: Bundle) -> dict[str, Any]:
    """Both editions into a scratch folder: seconds, pages and bytes of each, and the total."""
    from handbook.pdf.editions import build_editions  # noqa: PLC0415 - WeasyPrint is heavy

    with tempfile.TemporaryDirectory(prefix="pdf-bench-") as tmp:
        start = time.perf_counter()
        built = build_editions(Path(tmp), bundle)
        total = time.perf_counter() - start
    figures: dict[str, Any] = {"pdf_total_seconds": round(total, 3)}
    for b in built:
        figures[f"pdf_{b.edition}_seconds"] = round(b.seconds, 3)
        figures[f"pdf_{b.edition}_pages"] = b.pages
        figures[f"pdf_{b.edition}_bytes"] = b.size
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the standard proof")
    parser.add_argument(
        "--site", type=Path, help="a built site (make build): also benchmark PDFs and the browser checker"
    )
    policy_option(parser)
    args = parser.parse_args(argv)

    folder = policy_dir(args.policy)
    t0 = time.perf_counter()
    bundle = load_fresh(folder)  # uncached: the figure is a real load and validation
    load_s = time.perf_counter() - t0
    figures: dict[str, Any] = {"policy": bundle.id, "bundle_load_seconds": round(load_s, 3)}
    figures.update(bench_checker(bundle))
    if not args.quick:
        from handbook.proof.prove import prove  # noqa: PLC0415

        # the standard level (make test's); the complete one (make prove) takes many minutes here
        report = prove(bundle.checker.engine, level="standard")
        figures["proof_level"] = "standard"
        figures["proof_seconds"] = round(report.seconds, 1)
        figures["proof_combinations"] = report.combinations
        figures["proof_ok"] = not report.failures
    figures["python"] = platform.python_version()
    figures["machine"] = platform.machine()

    sections: dict[str, dict[str, Any]] = {"checker": figures}
    if args.site:
        from .browser import bench_browser  # noqa: PLC0415 - needs Playwright and Chromium

        sections["pdf"] = bench_pdf(bundle)
        sections["browser"] = bench_browser(args.site, bundle)
    for name, section in sections.items():
        print(f"[{name}]")
        for key, value in section.items():
            print(f"  {key:34} {value}")
    results: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            results = json.loads(RESULTS.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            results = {}
    results.update(sections)
    write_atomic(RESULTS, json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"written to {display(RESULTS)} (keys: {', '.join(sections)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
