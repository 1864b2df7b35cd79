"""Precompressed copies (``FILE.gz``, ``FILE.br``) of the files worth compressing: the one rule.

Text formats and WebAssembly (about a third of its size) are worth it; formats that are already
compressed (png, pdf, whl, zip) are not, nor are source maps (only developer tools fetch them).
A copy is kept only when it saves at least :data:`MIN_SAVING`. Output is reproducible: gzip
headers carry no time and no file name.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

import brotli

from .files import write_atomic

COMPRESSIBLE = frozenset({".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".wasm", ".ico"})
MIN_SAVING = 0.05
#: Brotli's best quality (11) takes about 20 s for the 9.6 MB Pyodide wasm on one core and saves
#: 12 % more than quality 9 (1.4 s): files above this size get quality 9.
BROTLI_MAX_Q11_BYTES = 4_000_000
ENCODINGS = ("gz", "br")


def is_compressible(name: str) -> bool:
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in COMPRESSIBLE


def gzip_bytes(data: bytes) -> bytes:
    """gzip at level 9 with no time and no file name in the header (reproducible)."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def brotli_bytes(data: bytes) -> bytes:
    quality = 11 if len(data) <= BROTLI_MAX_Q11_BYTES else 9
    return bytes(brotli.compress(data, quality=quality))


_COMPRESSORS = {"gz": gzip_bytes, "br": brotli_bytes}


def copies(name: str, data: bytes, encodings: Iterable[str] = ENCODINGS) -> dict[str, bytes]:
    """``{"gz": bytes, ...}``: the precompressed copies worth keeping of a file called ``name``."""
    if not is_compressible(name):
        return {}
    out = {}
    for encoding in encodings:
        packed = _COMPRESSORS[encoding](data)
        if len(packed) <= len(data) * (1 - MIN_SAVING):
            out[encoding] = packed
    return out


def precompress(directory: Path, encodings: Iterable[str] = ("gz",)) -> list[str]:
    """Write ``FILE.gz`` (and the other ``encodings``) beside each file under ``directory`` worth it,
    unless one is there already, so that a server sends compressed bytes; the files' names
    (relative to ``directory``) that got copies."""
    written = []
    wanted = tuple(encodings)
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        missing = [e for e in wanted if not path.with_name(f"{path.name}.{e}").exists()]
        for encoding, packed in copies(path.name, path.read_bytes(), missing).items():
            write_atomic(path.with_name(f"{path.name}.{encoding}"), packed)
            written.append(path.relative_to(directory).as_posix())
    return written
