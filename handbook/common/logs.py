"""Collecting a library's log messages (WeasyPrint's warnings, MkDocs' messages) instead of
letting them scroll by: the one helper, for the build and for the tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _Collect(logging.Handler):
    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


@contextmanager
def collected(name: str, level: int = logging.WARNING, *, silence: bool = False) -> Iterator[list[str]]:
    """The messages of logger ``name`` at ``level`` or above while the block runs, as
    ``"warning: ..."`` lines; ``silence``: they are not passed on to other handlers as well."""
    logger = logging.getLogger(name)
    handler = _Collect(level)
    logger.addHandler(handler)
    propagate = logger.propagate
    if silence:
        logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
