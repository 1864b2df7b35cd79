"""The browser build: the checker wheel, the site-local lock file, the self-hosted runtime, the server."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from handbook.browser.pyodide import (
    DOWNLOADS_PLACEHOLDER,
    LOCK_NAME,
    NPM_PYODIDE,
    RUNTIME_FILES,
    VERSION_PLACEHOLDER,
    PyodideBuildError,
    build_runtime,
    build_wheel,
    files,
    point_worker_at,
)
from handbook.browser.snapshot import START_PY
from handbook.bundle import load_bundle
from handbook.common import urls
from handbook.config import ROOT
from handbook.publish.headers import is_immutable
from handbook.publish.serve import BackgroundServer
from tests.support.sitebuild import built_worker, worker_constant

from ..conftest import require


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require(NPM_PYODIDE.is_dir(), "node_modules/pyodide is missing: run `npm ci`")
    target = tmp_path_factory.mktemp("runtime") / "pyodide"
    build_runtime(target)
    return target


def test_the_lock_file_lists_only_the_checker_with_its_sha256(runtime: Path) -> None:
    lock = json.loads((runtime / LOCK_NAME).read_text(encoding="utf-8"))
    npm_lock = json.loads((NPM_PYODIDE / LOCK_NAME).read_text(encoding="utf-8"))
    assert lock["info"] == npm_lock["info"]  # Pyodide checks the ABI version against its own
    assert list(lock["packages"]) == ["policycheck"]
    entry = lock["packages"]["policycheck"]
    wheel = runtime / entry["file_name"]
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert entry["depends"] == []
    assert entry["imports"] == ["policycheck"]


def test_the_wheel_is_policy_free_and_has_no_bytecode(runtime: Path) -> None:
    (wheel,) = runtime.glob("policycheck-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "policycheck/engine.py" in names
        assert not [n for n in names if n.endswith(".json")], "rulebooks are data beside the wheel"
        policy = load_bundle().policy
        for name in names:
            text = zf.read(name).decode("utf-8", "replace")
            assert policy.number not in text and policy.district not in text, f"{name} names the policy"
        assert not [n for n in names if n.endswith(".pyc")]
        assert len({info.date_time for info in zf.infolist()}) == 1  # SOURCE_DATE_EPOCH, not the clock


def test_the_runtime_is_the_pinned_npm_package_in_a_versioned_directory(runtime: Path) -> None:
    version = json.loads((NPM_PYODIDE / "package.json").read_text(encoding="utf-8"))["version"]
    pinned = json.loads((NPM_PYODIDE.parent.parent / "package.json").read_text(encoding="utf-8"))
    assert pinned["devDependencies"]["pyodide"] == version
    assert version.startswith("314.0.")
    for name in RUNTIME_FILES:
        assert (runtime / version / name).read_bytes() == (NPM_PYODIDE / name).read_bytes()
        gz = runtime / version / (name + ".gz")
        if gz.exists():
            assert gzip.decompress(gz.read_bytes()) == (NPM_PYODIDE / name).read_bytes()
    served = {p.name for p in files(runtime)}
    assert not served & {"pyodide.js", "pyodide.asm.js", "console.html", "pyodide.mjs.map"}


def test_a_rebuild_gives_the_same_bytes(runtime: Path, tmp_path: Path) -> None:
    again = tmp_path / "pyodide"
    build_runtime(again)

    def digest(d: Path) -> dict[str, str]:
        return {p.relative_to(d).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files(d)}

    assert digest(again) == digest(runtime)


def test_a_wheel_that_carries_data_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "checker"
    shutil.copytree(ROOT / "checker", project, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    (project / "src/policycheck/rulebook.json").write_text("{}", encoding="utf-8")
    with pytest.raises(PyodideBuildError, match=r"must be policy-free"):
        build_wheel(tmp_path / "out", project)


def test_the_site_carries_the_rulebook_beside_the_wheel(built_site: Path) -> None:
    bundle = load_bundle()
    assert (built_site / urls.RULEBOOK).read_text(encoding="utf-8") == bundle.rulebook_json
    assert json.loads((built_site / urls.SCENARIO_SCHEMA).read_text(encoding="utf-8")) == (
        bundle.checker.scenario_schema()
    )


def test_the_worker_is_pointed_at_the_runtime_once(tmp_path: Path) -> None:
    source = ROOT / "docs/assets/checker/worker.js"
    worker = tmp_path / "worker.js"
    shutil.copyfile(source, worker)
    point_worker_at(worker, {VERSION_PLACEHOLDER: "314.0.7", DOWNLOADS_PLACEHOLDER: '{"normal":{}}'})
    text = worker.read_text(encoding="utf-8")
    assert 'from "../pyodide/314.0.7/pyodide.mjs"' in text
    assert 'const DOWNLOADS = {"normal":{}};' in text
    with pytest.raises(PyodideBuildError, match=VERSION_PLACEHOLDER):
        point_worker_at(worker, {VERSION_PLACEHOLDER: "314.0.7"})


def test_the_built_worker_knows_the_size_of_each_download(built_site: Path) -> None:
    """The progress in bytes adds up the files each way of starting fetches, at their real sizes."""
    sizes = worker_constant(built_site, "DOWNLOADS")
    snapshot = worker_constant(built_site, "SNAPSHOT")
    assert set(sizes) == {"normal", "snapshot"}
    runtime = {"pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"}
    assert runtime | {"rulebook.json"} <= set(sizes["normal"])
    assert set(sizes["snapshot"]) == runtime | {snapshot["file"]}
    for way in sizes.values():
        for name, size in way.items():
            found = [p for p in built_site.rglob(name) if p.is_file()]
            assert [p.stat().st_size for p in found] == [size], name
    assert "__" not in "".join(re.findall(r"^const [A-Z]+ = .*$", built_worker(built_site), re.MULTILINE))


def test_the_snapshot_is_named_by_its_hash_and_checked_by_integrity(built_site: Path) -> None:
    snapshot = worker_constant(built_site, "SNAPSHOT")
    data = (built_site / urls.CHECKER_ASSETS / snapshot["file"]).read_bytes()
    assert snapshot["file"] == f"python.{hashlib.sha256(data).hexdigest()[:16]}.snapshot.gz"
    assert snapshot["integrity"] == "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert is_immutable("/" + urls.CHECKER_ASSETS + snapshot["file"])
    raw = gzip.decompress(data)
    assert len(raw) > 10 * len(data) / 4  # Pyodide's memory, gzipped about 5x
    bundle = load_bundle()
    rulebook = hashlib.sha256(bundle.rulebook_json.encode()).hexdigest()
    assert snapshot["inputs"].endswith(f":rulebook:{rulebook}")
    assert worker_constant(built_site, "START") == START_PY


def test_the_server_sends_wasm_mjs_and_precompressed_files(runtime: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>t</title>", encoding="utf-8")
    shutil.copytree(runtime, site / "assets/pyodide")
    version = next(p.name for p in (site / "assets/pyodide").iterdir() if p.is_dir())
    with BackgroundServer(site) as base:
        wasm = f"{base}assets/pyodide/{version}/pyodide.asm.wasm"
        with urllib.request.urlopen(wasm) as r:
            assert r.headers["Content-Type"] == "application/wasm"
            assert r.headers.get("Content-Encoding") is None
            plain = r.read()
        request = urllib.request.Request(wasm, headers={"Accept-Encoding": "br, gzip"})
        with urllib.request.urlopen(request) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            assert "immutable" in r.headers["Cache-Control"]
            assert gzip.decompress(r.read()) == plain
        with urllib.request.urlopen(f"{base}assets/pyodide/{version}/pyodide.mjs") as r:
            assert r.headers["Content-Type"].startswith("text/javascript")
        with urllib.request.urlopen(f"{base}assets/pyodide/{LOCK_NAME}") as r:
            assert r.headers["Cache-Control"] == "no-cache"
            etag = r.headers["ETag"]
        request = urllib.request.Request(f"{base}assets/pyodide/{LOCK_NAME}", headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request)
        assert info.value.code == 304
