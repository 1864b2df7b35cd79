"""``python -m handbook build [SITE_DIR]``: the complete static site, every step in order.

validate the source and compile the rulebook -> MkDocs pages -> checker wheel and Pyodide
runtime -> PDF editions. The site is built in a temporary directory next to SITE_DIR and
moved into place only when every step succeeded, so a failed build never leaves a
half-written site behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from . import compile as rulebook
from . import pdf, pyodide
from .headers import write_host_files
from .paths import ROOT

#: after MkDocs, into the new site (or a folder of it): (label, timing key, main(argv) -> int, folder)
POST_STEPS: tuple[tuple[str, str, Callable[[list[str]], int], str], ...] = (
    ("checker in the browser", "pyodide", pyodide.main, ""),
    ("PDF editions", "pdf", pdf.main, "pdf"),
)


class BuildError(Exception):
    """A build step failed; the message says which and why."""


def _step(label: str) -> float:
    print(f"build: {label} ...", flush=True)
    return time.perf_counter()


def build_site(site_dir: Path, *, quiet: bool = False) -> dict[str, float]:
    """Build everything into ``site_dir`` (replaced atomically). Returns seconds per step."""
    timings: dict[str, float] = {}
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SOURCE_DATE_EPOCH", _source_date_epoch())
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # we pin MkDocs < 2 on purpose

    t = _step("validate policy_src and compile the rulebook")
    if rulebook.main([]) != 0:  # validates the whole source; prints every problem
        raise BuildError("the policy source is invalid (see above)")
    timings["compile"] = time.perf_counter() - t

    with tempfile.TemporaryDirectory(prefix=".site-", dir=site_dir.parent) as tmp:
        out = Path(tmp) / "site"
        t = _step("render the handbook pages (mkdocs build --strict)")
        cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--site-dir", str(out)]
        if quiet:
            cmd.append("--quiet")
        proc = subprocess.run(cmd, cwd=ROOT, check=False)
        if proc.returncode != 0:
            raise BuildError("mkdocs build failed (see its messages above)")
        timings["mkdocs"] = time.perf_counter() - t

        for label, key, step, sub in POST_STEPS:
            t = _step(label)
            if step([str(out / sub if sub else out)]) != 0:
                raise BuildError(f"{label} failed (see above)")
            timings[key] = time.perf_counter() - t

        # last: the Content-Security-Policy hashes the inline scripts of the finished pages
        write_host_files(out)
        if site_dir.exists():
            shutil.rmtree(site_dir)
        out.rename(site_dir)
    return timings


def _source_date_epoch() -> str:
    """The last commit's time, so two builds of one commit are byte-identical."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        return out.stdout.strip() or "0"
    except (OSError, subprocess.CalledProcessError):
        return "0"


def main(argv: list[str]) -> int:
    site_dir = Path(argv[0]) if argv else ROOT / "site"
    try:
        timings = build_site(site_dir)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    total = sum(timings.values())
    print(f"build: site written to {site_dir} in {total:.1f} s")
    return 0
