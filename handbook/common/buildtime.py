"""The build's time: ``SOURCE_DATE_EPOCH``, so that two builds of one commit are byte-identical.

Its one home: the build, the wheel, the PDFs and the archive all read :func:`source_date_epoch`.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess

from ..config import ROOT

#: 1980-01-01T00:00:00Z, the earliest time a zip file can record: used outside a git checkout.
EARLIEST = 315532800


def source_date_epoch() -> int:
    """``SOURCE_DATE_EPOCH`` when set, else the last commit's time, else :data:`EARLIEST`."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        return int(raw)
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    return int(out) if out.isdigit() else EARLIEST


def pin() -> int:
    """Fix ``SOURCE_DATE_EPOCH`` for this process and the tools it starts (pypa build); returns it."""
    epoch = source_date_epoch()
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    return epoch


def build_time() -> dt.datetime:
    return dt.datetime.fromtimestamp(source_date_epoch(), dt.UTC)
