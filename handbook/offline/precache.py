"""Every file of a built site, for the service worker that keeps the site offline (``docs/sw.js``),
and the web app manifest that lets a reader install the handbook.

Run last among the steps that write the site's files (after the pages, the checker and the PDFs):
:func:`install` lists every file a reader may need with its SHA-256 and size, names the build by the
hash of that list, and writes both into the built ``sw.js``. The worker checks every byte it keeps
against these hashes, so a copy that mixes two builds is never used; any change to any file changes
``sw.js``, which is how browsers notice a new build.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..bundle import Bundle
from ..common.files import write_atomic
from ..publish.headers import HOST_FILES, is_immutable
from ..render import labels

SERVICE_WORKER = "sw.js"
WEB_MANIFEST = "manifest.webmanifest"
NOT_FOUND = "404.html"
PLACEHOLDER = "__PRECACHE__"
#: never kept for offline use: precompressed copies of a file (the worker keeps the file itself; a
#: gzipped file with no twin, such as the checker's snapshot, is kept), source maps, the sitemap,
#: the hosts' header files, the service worker (the browser keeps it itself), and the search's word
#: splitters for other languages than the site's (Material loads them for those only)
_TWIN_SUFFIXES = (".gz", ".br")
_SKIPPED_SUFFIXES = (".map",)
_SKIPPED_NAMES = frozenset((*HOST_FILES, SERVICE_WORKER, "sitemap.xml"))
_SKIPPED_DIRS = ("assets/javascripts/lunr/",)
#: the icons the manifest names (docs/assets/images/), by size
ICONS = {192: "assets/images/icon-192.png", 512: "assets/images/icon-512.png"}
THEME_COLOR = "#1c4a6e"  # the header's colour (handbook.css --md-primary-fg-color)


class OfflineBuildError(Exception):
    """The site cannot be made available offline; the message says why."""


@dataclass(frozen=True)
class Precache:
    """What the service worker keeps: path (relative to the site root) -> (sha256, bytes, immutable)."""

    files: dict[str, tuple[str, int, bool]]

    @property
    def build(self) -> str:
        """The build's name: the hash of its file list (any change to any file gives a new one)."""
        listing = json.dumps(self.files, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(listing).hexdigest()[:16]

    @property
    def total_bytes(self) -> int:
        return sum(size for _, size, _ in self.files.values())

    def as_json(self) -> str:
        data = {
            "build": self.build,
            "files": {path: [sha, size, int(fixed)] for path, (sha, size, fixed) in self.files.items()},
            "notFound": NOT_FOUND,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


def is_kept(site_dir: Path, relative: str) -> bool:
    name = relative.rsplit("/", 1)[-1]
    twin = relative.endswith(_TWIN_SUFFIXES) and (site_dir / relative.rsplit(".", 1)[0]).is_file()
    return not (
        twin
        or name in _SKIPPED_NAMES
        or name.startswith(".")
        or name.endswith(_SKIPPED_SUFFIXES)
        or relative.startswith(_SKIPPED_DIRS)
    )


def precache_of(site_dir: Path) -> Precache:
    files: dict[str, tuple[str, int, bool]] = {}
    for path in sorted(site_dir.rglob("*")):
        relative = path.relative_to(site_dir).as_posix()
        if not path.is_file() or not is_kept(site_dir, relative):
            continue
        data = path.read_bytes()
        files[relative] = (hashlib.sha256(data).hexdigest(), len(data), is_immutable("/" + relative))
    return Precache(files)


def web_manifest(bundle: Bundle) -> str:
    """The web app manifest: the handbook installs as an app that opens on its home page."""
    policy = bundle.policy
    data = {
        "name": labels.site_name(policy),
        "short_name": f"Policy {policy.number}",
        "description": f"{policy.district} Policy {policy.number}, {policy.title}: the text, explained.",
        "lang": "en",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": src, "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
            for size, src in ICONS.items()
        ],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def install(site_dir: Path, bundle: Bundle) -> Precache:
    """Write the manifest, then fill the built service worker with the list of every file."""
    worker = site_dir / SERVICE_WORKER
    if not worker.is_file():
        raise OfflineBuildError(f"{worker} is missing: is docs/{SERVICE_WORKER} in the build?")
    missing = [src for src in ICONS.values() if not (site_dir / src).is_file()]
    if missing or not (site_dir / NOT_FOUND).is_file():
        raise OfflineBuildError(f"the site lacks {', '.join(missing) or NOT_FOUND}")
    write_atomic(site_dir / WEB_MANIFEST, web_manifest(bundle))
    text = worker.read_text(encoding="utf-8")
    if text.count(PLACEHOLDER) != 1:
        raise OfflineBuildError(f"{worker} should name {PLACEHOLDER} exactly once")
    precache = precache_of(site_dir)
    write_atomic(worker, text.replace(PLACEHOLDER, precache.as_json()))
    return precache
