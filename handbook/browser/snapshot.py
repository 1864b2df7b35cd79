"""A memory snapshot of Pyodide with the checker started, made at build time, so that a reader's
browser restores it instead of booting Python and importing the checker (about 4x faster here).

:func:`make` runs ``snapshot.mjs`` in Node with the runtime, lock file, wheel and rulebook the site
ships, then writes the snapshot gzipped (6 MB of 31) under a content-hashed name beside the
worker, which gunzips it with ``DecompressionStream`` (any static host serves a ``.gz`` file) and
checks it with subresource integrity. The snapshot is reproducible (snapshot.mjs fixes the
runtime's entropy and clocks while it runs). The worker falls back to the normal boot on any failure.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..common import compress
from ..common.files import write_atomic

SCRIPT = Path(__file__).with_name("snapshot.mjs")
#: what the worker runs in Python to start the checker (the snapshot is taken right after it)
START_PY = (
    "from policycheck.web import start\n"
    "_check_text, _labels, _policy = start(_rulebook_text)\n"
    "del _rulebook_text\n"
)
SUFFIX = ".snapshot.gz"


class SnapshotError(Exception):
    """The snapshot could not be made; the message says why."""


@dataclass(frozen=True)
class Snapshot:
    """A snapshot written into the site: what the worker needs to fetch, check and use it."""

    file: str  # its name, beside the worker
    integrity: str  # subresource integrity of the gzipped file
    inputs: str  # the wheel and rulebook it was made from, checked after the restore
    size: int  # bytes of the gzipped file (what the reader downloads)
    raw_size: int  # bytes once gunzipped (the memory Pyodide restores)

    def for_worker(self) -> dict[str, str]:
        return {"file": self.file, "integrity": self.integrity, "inputs": self.inputs}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make(runtime: Path, lock: Path, wheel: Path, rulebook: Path, out_dir: Path) -> Snapshot:
    """Snapshot Pyodide (from ``runtime``) with ``wheel`` started on ``rulebook``, into ``out_dir``."""
    node = shutil.which("node")
    if node is None:
        raise SnapshotError("node is not installed (Node.js 20 makes the checker's snapshot at build time)")
    inputs = f"{wheel.name}:{_sha256(wheel.read_bytes())}:rulebook:{_sha256(rulebook.read_bytes())}"
    with tempfile.TemporaryDirectory() as tmp:
        raw_path = Path(tmp) / "snapshot.bin"
        args = [str(runtime), str(lock), str(wheel), str(rulebook), START_PY, inputs, str(raw_path)]
        proc = subprocess.run(
            [node, str(SCRIPT), *args], capture_output=True, text=True, check=False, env=dict(os.environ)
        )
        if proc.returncode != 0 or not raw_path.is_file():
            raise SnapshotError(f"Node could not snapshot Pyodide:\n{proc.stdout}{proc.stderr}")
        raw = raw_path.read_bytes()
    packed = compress.gzip_bytes(raw)
    for old in out_dir.glob("*" + SUFFIX):
        old.unlink()
    name = f"python.{_sha256(packed)[:16]}{SUFFIX}"
    write_atomic(out_dir / name, packed)
    integrity = "sha256-" + base64.b64encode(hashlib.sha256(packed).digest()).decode()
    return Snapshot(name, integrity, inputs, len(packed), len(raw))
