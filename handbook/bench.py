"""``python -m handbook bench [--quick] [--site SITE]``: figures, not timed tests.

Prints, and merges into ``bench/results.json``: under ``"checker"`` evaluations per second,
median and p95 time of one ``check()`` over the casebook, the exhaustive proof's time and the
rulebook's compile time; with ``--site`` (a built site) also ``"pdf"`` (build time, pages and
bytes per edition) and ``"browser"`` (Pyodide boot vs. first verdict in headless Chromium,
warm cache, per-check latency, bytes transferred).
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

from .compile import compile_rulebook
from .files import write_atomic
from .paths import POLICY_DIR, ROOT
from .yamlfile import load_yaml

RESULTS = ROOT / "bench" / "results.json"


def _casebook() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = load_yaml(POLICY_DIR / "casebook.yaml", "casebook.yaml").data
    return [{"facts": c["facts"]} for c in data]


def bench_checker(repeat: int = 200) -> dict[str, Any]:
    import policy5290  # noqa: PLC0415 - after compile, so the fresh rulebook is loaded

    for cached in (policy5290.rulebook_data, policy5290.scenario_schema, policy5290.checker):
        cached.cache_clear()
    scenarios = _casebook()
    engine = policy5290.checker()
    for s in scenarios:  # warm up (plans are cached per activity)
        policy5290.check(s)
    samples: list[float] = []
    verdict_samples: list[float] = []
    clock = time.perf_counter
    for s in scenarios:
        facts = s["facts"]
        for _ in range(repeat):
            t0 = clock()
            policy5290.check(s)
            samples.append(clock() - t0)
            t0 = clock()
            engine.verdict({k: v for k, v in facts.items() if v is not None})
            verdict_samples.append(clock() - t0)
    samples.sort()
    verdict_samples.sort()
    start, n = clock(), 0
    while clock() - start < 1.0:
        for s in scenarios:
            policy5290.check(s)
        n += len(scenarios)
    per_second = n / (clock() - start)
    return {
        "scenarios": len(scenarios),
        "evaluations_per_second": round(per_second),
        "check_median_us": round(statistics.median(samples) * 1e6, 1),
        "check_p95_us": round(samples[int(0.95 * len(samples))] * 1e6, 1),
        "verdict_only_median_us": round(statistics.median(verdict_samples) * 1e6, 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the exhaustive proof")
    parser.add_argument(
        "--site", type=Path, help="a built site (make build): also benchmark PDFs and the browser checker"
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        compile_rulebook(out_dir=Path(tmp))
    compile_s = time.perf_counter() - t0
    compile_rulebook()  # the package's own copy, so the figures are for the current source
    figures: dict[str, Any] = {"compile_seconds": round(compile_s, 3)}
    figures.update(bench_checker())
    if not args.quick:
        from .prove import prove  # noqa: PLC0415

        report = prove()
        figures["proof_seconds"] = round(report.seconds, 1)
        figures["proof_combinations"] = report.combinations
        figures["proof_ok"] = not report.failures
    figures["python"] = platform.python_version()
    figures["machine"] = platform.machine()

    sections: dict[str, dict[str, Any]] = {"checker": figures}
    if args.site:
        from .browserbench import bench_browser  # noqa: PLC0415 - needs Playwright and Chromium
        from .pdf import bench_pdf  # noqa: PLC0415

        sections["pdf"] = bench_pdf()
        sections["browser"] = bench_browser(args.site)
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
    print(f"written to {RESULTS.relative_to(ROOT)} (keys: {', '.join(sections)})")
    return 0
