"""Fixtures of the browser tier: headless Chromium and the session's built site served on
127.0.0.1 with its real headers, one of each per test module (a module may ask for more)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support.sitebuild import chromium, serve


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def base_url(built_site: Path) -> Iterator[str]:
    with serve(built_site) as url:
        yield url
