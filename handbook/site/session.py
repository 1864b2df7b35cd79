"""Which policy the MkDocs hooks and macros render: the build pins its one bundle here.

``python -m handbook build`` loads the bundle once and pins it for the in-process MkDocs build;
``mkdocs serve`` (``make dev``) has none pinned and loads the selected policy (the default one
unless ``select`` named another), again only when its files have changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..bundle import Bundle, load_bundle

_pinned: Bundle | None = None
_selected: str | Path | None = None


@contextmanager
def pinned(bundle: Bundle) -> Iterator[Bundle]:
    """Render ``bundle`` while the block runs (the build's one MkDocs run)."""
    global _pinned  # noqa: PLW0603 - the one place MkDocs' plugins can find the build's bundle
    previous, _pinned = _pinned, bundle
    try:
        yield bundle
    finally:
        _pinned = previous


def select(policy: str | Path | None) -> None:
    """The policy a live preview renders (its id or folder; None: the default policy)."""
    global _selected  # noqa: PLW0603
    _selected = policy


def current() -> Bundle:
    """The bundle being rendered."""
    return _pinned if _pinned is not None else load_bundle(_selected)
