"""Reproducible build: two complete builds of the same commit are byte-identical, file for file."""

from __future__ import annotations

import difflib
import gzip
from pathlib import Path

from handbook.build import build_site
from handbook.bundle import load_fresh
from handbook.config import policy_dir

#: Where differences usually come from, by file name, to say where to look.
HINTS = {
    "sitemap.xml": "lastmod dates: MkDocs takes them from SOURCE_DATE_EPOCH when it is set",
    ".gz": "gzip header time or file name (gzip.compress(..., mtime=0))",
    "search_index.json": "search index order or content",
    ".pdf": "PDF creation/modification dates or document id (WeasyPrint honours SOURCE_DATE_EPOCH)",
    ".whl": "wheel entry timestamps (SOURCE_DATE_EPOCH) or entry order",
    "pyodide-lock.json": "the wheel's sha256 (the wheel itself differs)",
    ".html": "a date, a random id or an unordered collection rendered into the page",
    "rulebook.json": "the compiled rulebook's key order",
    "_headers": "the CSP hashes of inline scripts (a page's inline script differs)",
}


def hint(rel: str) -> str:
    for key, text in HINTS.items():
        if rel.endswith(key) or key in rel:
            return text
    return "compare the two files"


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def show(rel: str, a: bytes, b: bytes) -> str:
    if rel.endswith(".gz"):
        a, b = gzip.decompress(a), gzip.decompress(b)
        if a == b:
            return f"{rel}: same content, different gzip header ({hint(rel)})"
    try:
        lines = difflib.unified_diff(
            a.decode("utf-8").splitlines(), b.decode("utf-8").splitlines(), lineterm="", n=0
        )
        diff = "\n        ".join(list(lines)[2:8])
    except UnicodeDecodeError:
        first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        diff = f"binary; sizes {len(a)} and {len(b)}, first difference at byte {first}"
    return f"{rel}: {hint(rel)}\n        {diff}"


def test_two_builds_of_one_commit_are_byte_identical(
    built_site: Path,
    tmp_path: Path,
) -> None:
    again = tmp_path / "site"
    build_site(again, load_fresh(policy_dir()), quiet=True)  # loaded anew, as a second run would
    first, second = snapshot(built_site), snapshot(again)
    only = sorted(set(first) ^ set(second))
    assert not only, f"files in only one of the builds: {only}"
    differ = [rel for rel in first if first[rel] != second[rel]]
    assert not differ, f"{len(differ)} of {len(first)} files differ between two builds:\n" + "\n".join(
        show(rel, first[rel], second[rel]) for rel in differ
    )
    print(f"reproducible: {len(first)} files, {sum(map(len, first.values())) / 1e6:.1f} MB, identical")
