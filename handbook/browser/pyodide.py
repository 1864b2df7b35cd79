"""The checker in the reader's browser: a self-hosted Pyodide runtime, the policy-free checker
wheel, and the policy's rulebook beside them.

``python -m handbook pyodide SITE_DIR [--policy ID]`` (after the pages) writes into ``SITE_DIR/assets/``:

* ``pyodide/VERSION/``: the Pyodide runtime files the page loads, copied from the npm package
  ``pyodide`` (pinned in ``package.json``/``package-lock.json``; run ``npm ci`` first), with
  reproducible ``.gz`` copies for servers that send precompressed files;
* ``pyodide/``: the checker wheel built with pypa ``build``, and a site-local ``pyodide-lock.json``
  made with pyodide-build's ``pyodide lockfile add-wheels`` (which records the wheel's sha256, so
  Pyodide checks its integrity), trimmed to the packages the site loads: the checker, nothing else;
* ``checker/python.HASH.snapshot.gz``: Pyodide's memory with the checker started (``snapshot``),
  which the worker restores instead of booting Python when the page asks for it;
* ``checker/worker.js``: its import now names the runtime's version directory, and it knows the
  files each way of starting downloads (with their sizes), the snapshot and the Python that starts
  the checker;
  ``checker/rulebook.json`` (and ``scenario.schema.json``): the policy's compiled rulebook, which
  the worker loads into the generic checker, and the page reads to show the questions while
  Pyodide is still loading.

Everything is served from the site's own origin (no CDN) and the output is byte-for-byte
reproducible: the wheel's timestamps come from ``SOURCE_DATE_EPOCH`` (``common.buildtime``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from ..bundle import Bundle, load_bundle
from ..commands import policy_option
from ..common import compress, urls
from ..common.buildtime import pin
from ..common.files import write_atomic
from ..config import ROOT, SITE, display
from . import snapshot

NPM_PYODIDE = ROOT / "node_modules" / "pyodide"
CHECKER_PROJECT = ROOT / "checker"
PACKAGE = "policycheck"

#: The runtime files a page loads (``pyodide.mjs`` imports ``pyodide.asm.mjs``, which fetches the
#: wasm and the standard library). The npm package's own lock file lists ~350 packages hosted on a
#: CDN: it is only the input of ``add-wheels``, never served.
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
LOCK_NAME = "pyodide-lock.json"
#: what docs/assets/checker/worker.js imports from ``../pyodide/__PYODIDE_VERSION__/pyodide.mjs``
VERSION_PLACEHOLDER = "__PYODIDE_VERSION__"
#: where the worker reads, for each way of starting, the files it downloads with their sizes (JSON,
#: for its progress); the snapshot's name, integrity and inputs (JSON); the Python that starts the
#: checker (a JSON string)
DOWNLOADS_PLACEHOLDER = "__DOWNLOADS__"
SNAPSHOT_PLACEHOLDER = "__SNAPSHOT__"
START_PLACEHOLDER = "__START__"
#: the runtime files the boot fetches (the modules are imported, not fetched)
FETCHED_RUNTIME = ("pyodide.asm.wasm", "python_stdlib.zip")


class PyodideBuildError(Exception):
    """A step of the browser build cannot run; the message says what is missing and how to fix it."""


def npm_pyodide_version() -> str:
    """The version of the installed npm ``pyodide`` package (fails when ``npm ci`` has not run)."""
    pkg = NPM_PYODIDE / "package.json"
    if not pkg.is_file():
        raise PyodideBuildError(
            f"{display(NPM_PYODIDE)} is missing: run `npm ci` at the repository root "
            "(it installs the Pyodide runtime pinned in package-lock.json)"
        )
    return str(json.loads(pkg.read_text(encoding="utf-8"))["version"])


def build_wheel(out_dir: Path, project: Path = CHECKER_PROJECT) -> Path:
    """Build the checker wheel (pypa build, no isolation) into ``out_dir``, reproducibly.

    The wheel is the generic checker only: it carries no policy (rulebooks are data beside it).
    """
    pin()
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    out_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", str(project), "-o", str(out_dir)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise PyodideBuildError(f"building the checker wheel failed:\n{proc.stdout}{proc.stderr}")
    wheels = sorted(out_dir.glob(f"{PACKAGE}-*.whl"))
    if len(wheels) != 1:
        raise PyodideBuildError(f"expected one {PACKAGE} wheel in {out_dir}, found {len(wheels)}")
    with zipfile.ZipFile(wheels[0]) as zf:
        names = zf.namelist()
    data = [n for n in names if n.endswith(".json")]
    if data:
        raise PyodideBuildError(f"{wheels[0].name} carries data files {data}: the wheel must be policy-free")
    stray = [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    if stray:
        raise PyodideBuildError(f"{wheels[0].name} contains bytecode caches: {stray}")
    return wheels[0]


def _pyodide_cli() -> list[str]:
    try:
        import pyodide_cli  # type: ignore[import-untyped]  # noqa: F401, PLC0415
        import pyodide_lock  # noqa: F401, PLC0415
    except ImportError as exc:
        raise PyodideBuildError(
            f"{exc.name} is not installed in {sys.executable} (Python {sys.version.split()[0]}): "
            "install pyodide-build and pyodide-lock[wheel] (they need Python >= 3.12), e.g. `make setup`"
        ) from exc
    return [sys.executable, "-m", "pyodide_cli"]


def make_lock(wheel: Path, dest: Path) -> dict[str, Any]:
    """Register ``wheel`` (already in ``dest``'s directory) in a site-local lock file, trimmed.

    The lock keeps the runtime's ``info`` (Pyodide checks its ABI version) and only the packages the
    site loads: the checker and its dependencies within the lock (none: it is standard library only).
    """
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "lock-full.json"
        proc = subprocess.run(
            [
                *_pyodide_cli(),
                "lockfile",
                "add-wheels",
                "--input",
                str(NPM_PYODIDE / LOCK_NAME),
                "--output",
                str(full),
                "--base-path",
                str(wheel.parent),
                str(wheel),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise PyodideBuildError(f"`pyodide lockfile add-wheels` failed:\n{proc.stdout}{proc.stderr}")
        lock = json.loads(full.read_text(encoding="utf-8"))
    packages: dict[str, Any] = lock["packages"]
    keep: dict[str, Any] = {}
    todo = [PACKAGE]
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        if name not in packages:
            raise PyodideBuildError(f"the lock file has no package {name!r}")
        keep[name] = packages[name]
        todo.extend(packages[name].get("depends", []))
    entry = keep[PACKAGE]
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if entry.get("sha256") != digest or entry.get("file_name") != wheel.name:
        raise PyodideBuildError(f"the lock entry for {PACKAGE} does not match {wheel.name}: {entry}")
    trimmed = {"info": lock["info"], "packages": dict(sorted(keep.items()))}
    write_atomic(dest, json.dumps(trimmed, indent=1, sort_keys=True) + "\n")
    return trimmed


def build_runtime(target: Path, project: Path = CHECKER_PROJECT) -> dict[str, Any]:
    """Fill ``target`` (emptied first) with the runtime, the checker wheel and the trimmed lock file.

    The runtime goes into a directory named by its version (``target/314.0.7/``), so hosts may cache
    it for good (handbook/headers.py); the wheel and the lock file, which must stay consistent with
    each other, sit in ``target`` itself and are revalidated.
    """
    version = npm_pyodide_version()
    if target.exists():
        shutil.rmtree(target)
    runtime = target / version
    runtime.mkdir(parents=True)
    for name in RUNTIME_FILES:
        src = NPM_PYODIDE / name
        if not src.is_file():
            raise PyodideBuildError(f"{display(src)} is missing (pyodide {version}); run `npm ci` again")
        shutil.copyfile(src, runtime / name)
    with tempfile.TemporaryDirectory() as tmp:
        built = build_wheel(Path(tmp), project)
        wheel = target / built.name
        shutil.copyfile(built, wheel)
    lock = make_lock(wheel, target / LOCK_NAME)
    compress.precompress(target)
    return {
        "pyodide": version,
        "python": lock["info"]["python"],
        "wheel": wheel.name,
        "sha256": lock["packages"][PACKAGE]["sha256"],
        "files": {
            p.relative_to(target).as_posix(): p.stat().st_size
            for p in sorted(target.rglob("*"))
            if p.is_file()
        },
    }


def files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def point_worker_at(worker: Path, values: dict[str, str]) -> None:
    """Fill the built worker's placeholders (each named exactly once) with ``values``."""
    text = worker.read_text(encoding="utf-8")
    for placeholder, value in values.items():
        if text.count(placeholder) != 1:
            raise PyodideBuildError(f"{worker} should name {placeholder} exactly once")
        text = text.replace(placeholder, value)
    write_atomic(worker, text)


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def boot_downloads(site_dir: Path, version: str, snap: snapshot.Snapshot) -> dict[str, dict[str, int]]:
    """The files the worker fetches for each way of starting (the modules are imported, not
    fetched), with their sizes: the runtime and the lock file, then the wheel and the rulebook for a
    normal boot, or the snapshot, which holds both already started."""
    pyodide_dir = site_dir / urls.PYODIDE_ASSETS
    lock = json.loads((pyodide_dir / LOCK_NAME).read_text(encoding="utf-8"))
    common = [pyodide_dir / version / name for name in FETCHED_RUNTIME] + [pyodide_dir / LOCK_NAME]
    normal = [pyodide_dir / lock["packages"][PACKAGE]["file_name"], site_dir / urls.RULEBOOK]
    restored = [site_dir / urls.CHECKER_ASSETS / snap.file]
    return {
        way: {f.name: f.stat().st_size for f in common + extra}
        for way, extra in (("normal", normal), ("snapshot", restored))
    }


def install(site_dir: Path, bundle: Bundle, project: Path = CHECKER_PROJECT) -> dict[str, Any]:
    """Put the runtime, the wheel, the lock file and the policy's rulebook into a built site."""
    if not (site_dir / "index.html").is_file():
        raise PyodideBuildError(f"{site_dir} is not a built site (no index.html): run `mkdocs build` first")
    checker_assets = site_dir / urls.CHECKER_ASSETS
    if not (checker_assets / "worker.js").is_file():
        raise PyodideBuildError(
            f"{checker_assets}/worker.js is missing: is docs/assets/checker/ in the build?"
        )
    pyodide_dir = site_dir / urls.PYODIDE_ASSETS
    info = build_runtime(pyodide_dir, project)
    write_atomic(site_dir / urls.RULEBOOK, bundle.rulebook_json)
    try:
        snap = snapshot.make(
            pyodide_dir / info["pyodide"],
            pyodide_dir / LOCK_NAME,
            pyodide_dir / info["wheel"],
            site_dir / urls.RULEBOOK,
            checker_assets,
        )
    except snapshot.SnapshotError as exc:
        raise PyodideBuildError(str(exc)) from None
    point_worker_at(
        checker_assets / "worker.js",
        {
            VERSION_PLACEHOLDER: info["pyodide"],
            DOWNLOADS_PLACEHOLDER: _json(boot_downloads(site_dir, info["pyodide"], snap)),
            SNAPSHOT_PLACEHOLDER: _json(snap.for_worker()),
            START_PLACEHOLDER: _json(snapshot.START_PY),
        },
    )
    write_atomic(site_dir / urls.SCENARIO_SCHEMA, bundle.scenario_schema_json())
    return {**info, "snapshot": snap.file, "snapshot_bytes": snap.size, "snapshot_raw_bytes": snap.raw_size}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook pyodide", description=__doc__.split("\n")[0])
    parser.add_argument("site_dir", type=Path, nargs="?", default=SITE, help="the built site")
    policy_option(parser)
    args = parser.parse_args(argv)
    try:
        info = install(args.site_dir, load_bundle(args.policy))
    except PyodideBuildError as exc:
        print(f"pyodide: {exc}", file=sys.stderr)
        return 1
    total = sum(info["files"].values())  # precompressed copies included
    print(
        f"pyodide {info['pyodide']} (Python {info['python']}) and {info['wheel']} "
        f"(sha256 {info['sha256'][:12]}...) in {display(args.site_dir / 'assets' / 'pyodide')}: "
        f"{len(info['files'])} files, {total / 1e6:.1f} MB"
    )
    return 0
