"""``python -m handbook dist [SITE_DIR] [OUT]``: one archive of the built site, ready for any static host.

The archive (default ``build/dist/policy-<number>-site.tar.gz``, the number read from the built
site's rulebook) holds the site under ``policy-<number>-site/`` and, beside every file worth it
(``common.compress``), a gzip copy ``FILE.gz`` (for nginx ``gzip_static``, Caddy ``precompressed``,
S3/CDN uploads with ``Content-Encoding``) and a Brotli copy ``FILE.br``. It is byte-for-byte
reproducible: entries are sorted, every entry has the same owner (0/0, no names), mode and time
(``SOURCE_DATE_EPOCH``), and gzip headers carry no time or file name.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import brotli

from ..common import compress, urls
from ..common.buildtime import source_date_epoch
from ..common.files import write_atomic
from ..config import BUILD, SITE, display

DIST = BUILD / "dist"


@dataclass
class DistReport:
    """What went into the archive."""

    archive: Path
    files: int = 0
    bytes_raw: int = 0
    gz: list[str] = field(default_factory=list)
    br: list[str] = field(default_factory=list)


def archive_name(site_dir: Path) -> str:
    """``policy-<number>-site``, the number read from the built site's rulebook."""
    book = json.loads((site_dir / urls.RULEBOOK).read_text(encoding="utf-8"))
    return f"policy-{book['policy']['number']}-site"


def site_entries(site_dir: Path) -> dict[str, bytes]:
    """Every file of the archive (site-relative POSIX path -> bytes), precompressed copies included."""
    files = {p.relative_to(site_dir).as_posix(): p for p in site_dir.rglob("*") if p.is_file()}
    entries: dict[str, bytes] = {}
    for rel, path in sorted(files.items()):
        data = path.read_bytes()
        entries[rel] = data
        wanted = [e for e in compress.ENCODINGS if f"{rel}.{e}" not in files]  # the build's own stay
        for encoding, packed in compress.copies(rel, data, wanted).items():
            entries[f"{rel}.{encoding}"] = packed
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


def archive_bytes(entries: dict[str, bytes], *, mtime: int, top: str) -> bytes:
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
    return compress.gzip_bytes(raw.getvalue())


def make_dist(site_dir: Path, out: Path | None = None) -> DistReport:
    """Write the archive of ``site_dir`` to ``out`` (atomically) and say what it holds."""
    if not (site_dir / "index.html").is_file():
        raise FileNotFoundError(
            f"{display(site_dir)} is not a built site (no index.html): run `make build` "
            "(or `python -m handbook build`) first"
        )
    out = out or DIST / f"{archive_name(site_dir)}.tar.gz"
    entries = site_entries(site_dir)
    data = archive_bytes(entries, mtime=source_date_epoch(), top=archive_name(site_dir))
    write_atomic(out, data)
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
    parser.add_argument("site_dir", type=Path, nargs="?", default=SITE, help="the built site")
    parser.add_argument("out", type=Path, nargs="?", help="the archive (default: build/dist/<name>.tar.gz)")
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
