"""A second, fictional policy (``policy_src/9100/`` here) taken through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook.build import build_site
from handbook.bundle import Bundle, load_bundle

FOLDER = Path(__file__).resolve().parent / "policy_src" / "9100"


@pytest.fixture(scope="session")
def fictional() -> Bundle:
    return load_bundle(FOLDER)


@pytest.fixture(scope="session")
def fictional_site(fictional: Bundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fictional policy's complete site (pages, checker, PDFs): its one build of the session."""
    site = tmp_path_factory.mktemp("fictional") / "site"
    build_site(site, fictional, quiet=True)
    return site
