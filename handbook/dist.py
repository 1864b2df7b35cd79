"""``python -m handbook dist [SITE_DIR] [OUT]``: one archive of the built site, ready for any static host.

The archive (default ``dist/policy5290-site.tar.gz``) holds the built site under ``policy5290-site/``
and, beside every text asset that compression shrinks by at least 5 %, a gzip copy ``FILE.gz``
(for nginx ``gzip_static``, Caddy ``precompressed``, S3/CDN uploads with ``Content-Encoding``) and
a Brotli copy ``FILE.br``. It is byte-for-byte reproducible: entries are sorted, every entry has the
same owner (0/0, no names), mode and time (``SOURCE_DATE_EPOCH``), and gzip headers carry no time
or file name.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import brotli

from .paths import ROOT, display

ARCHIVE_NAME = "policy5290-site.tar.gz"
TOP = "policy5290-site"
DEFAULT_EPOCH = 315532800  # 1980-01-01T00:00:00Z, when SOURCE_DATE_EPOCH is not set

#: Files worth precompressing (text, and WebAssembly, which compresses to about a third).
#: Already-compressed formats (png, pdf, whl, zip, gz, br) are left alone, and so are source maps
#: (only developer tools fetch them); so is any file that compression does not shrink by at least
#: MIN_SAVING. (python_stdlib.zip would save under 2 % for 4 s of Brotli.)
COMPRESSIBLE = frozenset({".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".wasm", ".ico"})
MIN_SAVING = 0.05
#: Brotli's best quality (11) takes about 20 s for the 9.6 MB Pyodide wasm on one core and
#: saves 12 % more than quality 9, which takes 1.4 s: files above this size get quality 9.
BROTLI_MAX_Q11_BYTES = 4_000_000


@dataclass
class DistReport:
    """What went into the archive."""

    archive: Path
    files: int = 0
    bytes_raw: int = 0
    gz: list[str] = field(default_factory=list)
    br: list[str] = field(default_factory=list)


def is_compressible(path: Path) -> bool:
    return path.suffix.lower() in COMPRESSIBLE


def gzip_bytes(data: bytes) -> bytes:
    """gzip at level 9 with no time and no file name in the header (reproducible)."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def brotli_bytes(data: bytes) -> bytes:
    quality = 11 if len(data) <= BROTLI_MAX_Q11_BYTES else 9
    return bytes(brotli.compress(data, quality=quality))


def _epoch() -> int:
    try:
        return int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    except ValueError:
        return DEFAULT_EPOCH


def site_entries(site_dir: Path) -> dict[str, bytes]:
    """Every file of the archive (site-relative POSIX path -> bytes), precompressed copies included."""
    files = {p.relative_to(site_dir).as_posix(): p for p in site_dir.rglob("*") if p.is_file()}
    entries: dict[str, bytes] = {}
    for rel, path in sorted(files.items()):
        data = path.read_bytes()
        entries[rel] = data
        if not is_compressible(path):
            continue
        for ext, compress in ((".gz", gzip_bytes), (".br", brotli_bytes)):
            if rel + ext in files:
                continue  # the build already wrote one (it is archived as it is)
            packed = compress(data)
            if len(packed) <= len(data) * (1 - MIN_SAVING):
                entries[rel + ext] = packed
    return dict(sorted(entries.items()))


def _info(name: str, *, size: int = 0, is_dir: bool = False, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if is_dir:
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.size = size
        info.mode = 0o644
    return info


def archive_bytes(entries: dict[str, bytes], *, mtime: int, top: str = TOP) -> bytes:
    """A deterministic ``.tar.gz`` of ``entries`` under the directory ``top``."""
    dirs = {top}
    for rel in entries:
        parts = rel.split("/")[:-1]
        dirs.update(f"{top}/" + "/".join(parts[: i + 1]) for i in range(len(parts)))
    members = sorted([(d, None) for d in dirs] + [(f"{top}/{rel}", data) for rel, data in entries.items()])
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            if data is None:
                tar.addfile(_info(name, is_dir=True, mtime=mtime))
            else:
                tar.addfile(_info(name, size=len(data), mtime=mtime), io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def make_dist(site_dir: Path, out: Path) -> DistReport:
    """Write the archive of ``site_dir`` to ``out`` (atomically) and say what it holds."""
    if not (site_dir / "index.html").is_file():
        raise FileNotFoundError(
            f"{display(site_dir)} is not a built site (no index.html): run `make build` "
            "(or `python -m handbook build`) first"
        )
    entries = site_entries(site_dir)
    data = archive_bytes(entries, mtime=_epoch())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    report = DistReport(out)
    for rel, blob in entries.items():
        if rel.endswith(".gz") and rel[:-3] in entries:
            report.gz.append(rel)
        elif rel.endswith(".br") and rel[:-3] in entries:
            report.br.append(rel)
        else:
            report.files += 1
            report.bytes_raw += len(blob)
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook dist", description=__doc__.split("\n")[0])
    parser.add_argument("site_dir", type=Path, nargs="?", default=ROOT / "site", help="the built site")
    parser.add_argument("out", type=Path, nargs="?", default=ROOT / "dist" / ARCHIVE_NAME, help="archive")
    args = parser.parse_args(argv)
    try:
        report = make_dist(args.site_dir, args.out)
    except (FileNotFoundError, brotli.error) as exc:
        print(f"dist: {exc}", file=sys.stderr)
        return 1
    size = report.archive.stat().st_size
    print(
        f"dist: {display(report.archive)}: {report.files} files ({report.bytes_raw / 1e6:.1f} MB), "
        f"{len(report.gz)} .gz and {len(report.br)} .br copies; archive {size / 1e6:.1f} MB"
    )
    return 0
