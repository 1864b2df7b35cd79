"""``python -m handbook dist``: one deterministic archive of the built site with precompressed copies."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import brotli
import pytest

from handbook.__main__ import main as handbook_main
from handbook.publish.dist import archive_bytes, make_dist

TOP = "policy-5290-site"  # the default policy's number names the archive's folder
ARCHIVE_NAME = f"{TOP}.tar.gz"


@pytest.fixture(scope="module")
def archive(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist") / ARCHIVE_NAME
    assert handbook_main(["dist", str(built_site), str(out)]) == 0
    return out


def members(archive: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: m for m in tar.getmembers()}


def read_all(archive: Path) -> dict[str, bytes]:
    out = {}
    with tarfile.open(archive, "r:gz") as tar:
        for m in tar.getmembers():
            if m.isfile():
                f = tar.extractfile(m)
                assert f is not None
                out[m.name[len(TOP) + 1 :]] = f.read()
    return out


def test_archive_holds_every_file_of_the_site(archive: Path, built_site: Path) -> None:
    files = read_all(archive)
    site_files = {p.relative_to(built_site).as_posix(): p for p in built_site.rglob("*") if p.is_file()}
    missing = sorted(set(site_files) - set(files))
    assert not missing, f"files of the site missing from the archive: {missing}"
    changed = sorted(rel for rel, p in site_files.items() if files[rel] != p.read_bytes())
    assert not changed, f"files whose bytes differ in the archive: {changed}"
    extra = sorted(set(files) - set(site_files))
    assert all(rel.endswith((".gz", ".br")) for rel in extra), extra
    for must in ("index.html", "_headers"):
        assert must in files, must


def test_precompressed_copies_decompress_to_the_original(archive: Path) -> None:
    files = read_all(archive)
    pairs = 0
    for rel, data in files.items():
        for ext, decompress in ((".gz", gzip.decompress), (".br", brotli.decompress)):
            if rel.endswith(ext) and rel[: -len(ext)] in files:
                assert decompress(data) == files[rel[: -len(ext)]], f"{rel} does not match its original"
                pairs += 1
    # every page, stylesheet and script has both copies
    for rel in files:
        if rel.endswith((".html", ".css", ".js")) and len(files[rel]) > 1024:
            assert rel + ".gz" in files, f"no gzip copy of {rel}"
            assert rel + ".br" in files, f"no Brotli copy of {rel}"
    assert pairs > 10
    wasm = [rel for rel in files if rel.endswith(".wasm")]
    for rel in wasm:
        assert rel + ".br" in files, f"no Brotli copy of {rel}"
        assert len(files[rel + ".br"]) < len(files[rel]) / 2


def test_archive_metadata_is_fixed(archive: Path) -> None:
    infos = members(archive)
    names = list(infos)
    assert names == sorted(names), "entries are not sorted"
    assert all(n == TOP or n.startswith(TOP + "/") for n in names)
    mtimes = {m.mtime for m in infos.values()}
    assert len(mtimes) == 1, mtimes
    for m in infos.values():
        assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "", ""), m.name
        assert m.mode == (0o755 if m.isdir() else 0o644), m.name
        assert m.isdir() or m.isfile(), f"{m.name}: only files and directories"
    with gzip.open(archive) as gz:
        gz.read(1)
    header = archive.read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0", "the gzip header carries a time"
    assert not header[3] & 0x08, "the gzip header carries a file name"


def test_archive_is_deterministic(archive: Path, built_site: Path, tmp_path: Path) -> None:
    again = make_dist(built_site, tmp_path / "again.tar.gz")
    assert again.archive.read_bytes() == archive.read_bytes(), "two dist runs gave different archives"


def test_archive_bytes_ignore_input_order() -> None:
    a = archive_bytes({"b/x.txt": b"1", "a.txt": b"2"}, mtime=1, top=TOP)
    b = archive_bytes({"a.txt": b"2", "b/x.txt": b"1"}, mtime=1, top=TOP)
    assert a == b
    with tarfile.open(fileobj=io.BytesIO(a), mode="r:gz") as tar:
        names = tar.getnames()
    assert names == [TOP, f"{TOP}/a.txt", f"{TOP}/b", f"{TOP}/b/x.txt"]


def test_dist_without_a_site_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert handbook_main(["dist", str(tmp_path / "nothing"), str(tmp_path / "out.tar.gz")]) == 1
    assert "make build" in capsys.readouterr().err
