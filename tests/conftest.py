"""Shared by every test folder: a marker per folder, and the CI rule for missing tools.

Each folder of tests/ is a tier, and its tests carry its name as a marker: ``lint``, ``source``,
``engine``, ``proofs``, ``site``, ``pdf``, ``browser`` and ``second_policy``. ``make check`` runs the
fast tiers (lint, source, engine: ``-m "not proofs and not site and not pdf and not browser and not
second_policy"``); ``make test`` runs all. Both spread the tests over the cores (pytest-xdist, one
worker per core, ``--dist loadfile``: a module's tests stay on one worker, so its fixtures run once);
the workers share the session's one build of the site.
Fixtures live in the ``conftest.py`` of the folder that uses them; outputs go to tmp paths only.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from handbook.bundle import Bundle, load_bundle, load_fresh
from handbook.config import policy_dir
from handbook.source.errors import SourceError

TIERS = ("lint", "source", "engine", "proofs", "site", "pdf", "browser", "second_policy")
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.path)).resolve().relative_to(HERE).parts[0]
        if folder in TIERS:
            item.add_marker(getattr(pytest.mark, folder))
    # The tests of the built site last (a stable sort keeps each module's order): under pytest-xdist
    # the workers start on the rest while the first of them to need the site builds it.
    items.sort(key=lambda item: "built_site" in getattr(item, "fixturenames", ()))


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(ok: object, reason: str) -> None:
    """Skip the test with ``reason`` when ``ok`` is false; in CI (CI=true) fail instead:
    there a missing browser or tool is a failure, never a silent skip."""
    if ok:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing tool is a failure, not a skip)")
    pytest.skip(reason)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file, insisting that ``old`` is there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    """The default policy's bundle (loaded and validated once per session)."""
    return load_bundle()


@pytest.fixture
def src_copy(tmp_path: Path) -> Path:
    """A writable copy of the default policy's source folder (named by its number, as required)."""
    source = policy_dir()
    dest = tmp_path / source.name
    shutil.copytree(source, dest)
    return dest


def problems_of(folder: Path) -> list[str]:
    """The problems loading the policy in ``folder`` reports, as strings; fails when it reports none."""
    with pytest.raises(SourceError) as info:
        load_fresh(folder)
    return [str(p) for p in info.value.problems]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default policy's complete built site (pages, checker, PDFs): one build per test session."""
    from .support.sitebuild import build_once  # noqa: PLC0415 - only the tiers that need a site

    # Under pytest-xdist every worker has its own basetemp, all in one folder of the session.
    shared = "PYTEST_XDIST_WORKER" in os.environ
    root = tmp_path_factory.getbasetemp().parent if shared else tmp_path_factory.getbasetemp()
    return build_once(root / "site-build")
