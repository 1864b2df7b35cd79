"""``python -m handbook build [--policy ID] [SITE_DIR]``: a policy's complete static site, from one bundle.

Load and validate the policy once (``bundle.load_bundle``: text, fidelity, commentary, rules,
casebook) -> MkDocs pages, in this process, from that bundle -> the checker in the browser
(Pyodide runtime, the policy-free wheel, the rulebook) -> PDF editions -> the offline copy
(service worker, web app manifest) -> host header files.
The site is built in a temporary folder beside SITE_DIR (default ``build/site``) and moved into
place only when every step succeeded, so a failed build never leaves a half-written site.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from .browser import pyodide
from .bundle import Bundle, load_bundle
from .commands import policy_option
from .common import compress
from .common.buildtime import pin
from .config import ROOT, SITE, display
from .offline import precache
from .pdf import editions
from .publish.headers import write_host_files
from .site import session

MKDOCS_YML = ROOT / "mkdocs.yml"


class BuildError(Exception):
    """A build step failed; the message says which and why."""


@contextmanager
def _mkdocs_log(quiet: bool) -> Iterator[None]:
    """Show MkDocs' messages as its command line does (warnings and errors only when quiet)."""
    logger = logging.getLogger("mkdocs")
    macros = logging.getLogger("mkdocs.plugins.mkdocs_macros")  # lists its macros at INFO: noise here
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(logging.WARNING if quiet else logging.INFO)
    levels = logger.level, macros.level
    logger.setLevel(logging.INFO)
    macros.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(levels[0])
        macros.setLevel(levels[1])


def render_pages(bundle: Bundle, out: Path, *, quiet: bool = False) -> None:
    """The handbook's pages for ``bundle`` into ``out`` (MkDocs, strict, in this process)."""
    with session.pinned(bundle), _mkdocs_log(quiet):
        try:
            config = load_config(str(MKDOCS_YML), site_dir=str(out), strict=True)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build(config)
            finally:
                config.plugins.on_shutdown()
        except (Abort, ConfigurationError, PluginError) as exc:
            raise BuildError(f"the pages could not be built: {exc}") from None


@contextmanager
def _step(
    label: str,
    key: str,
    timings: dict[str, float],
    quiet: bool,
    failure: tuple[type[Exception], str] | None = None,
) -> Iterator[None]:
    """Announce a step, time it into ``timings[key]``, and turn its own error (``failure``: the
    exception class and what to say) into a :class:`BuildError`."""
    if not quiet:
        print(f"build: {label} ...", flush=True)
    start = time.perf_counter()
    try:
        yield
    except Exception as exc:
        if failure is None or not isinstance(exc, failure[0]):
            raise
        raise BuildError(f"{failure[1]}: {exc}") from None
    timings[key] = time.perf_counter() - start


def build_site(site_dir: Path, bundle: Bundle, *, quiet: bool = False) -> dict[str, float]:
    """Build everything for ``bundle`` into ``site_dir`` (replaced atomically); seconds per step."""
    timings: dict[str, float] = {}
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    pin()  # SOURCE_DATE_EPOCH, for every step and the tools they start
    with tempfile.TemporaryDirectory(prefix=".site-", dir=site_dir.parent) as tmp:
        out = Path(tmp) / "site"
        with _step("the handbook's pages (MkDocs, strict)", "pages", timings, quiet):
            render_pages(bundle, out, quiet=quiet)

        packaging = (pyodide.PyodideBuildError, "the checker could not be packaged")
        checker = "the checker in the browser (Pyodide, wheel, rulebook)"
        with _step(checker, "pyodide", timings, quiet, packaging):
            pyodide.install(out, bundle)

        with _step("the PDF editions", "pdf", timings, quiet):
            built = editions.build_editions(out / "pdf", bundle)
            problems = [f"{b.edition}: {w}" for b in built for w in b.warnings]
            if problems:
                raise BuildError("WeasyPrint warned while printing: " + "; ".join(problems))

        offline = (precache.OfflineBuildError, "the site could not be made available offline")
        with _step("the offline copy (service worker, web app manifest)", "offline", timings, quiet, offline):
            precache.install(out, bundle)

        # a gzip copy beside every file worth it, for servers that send precompressed files
        # (`make serve` does; `make dist` adds Brotli copies)
        compress.precompress(out)

        # last: the Content-Security-Policy hashes the inline scripts of the finished pages
        write_host_files(out)
        if site_dir.exists():
            shutil.rmtree(site_dir)
        out.rename(site_dir)
    return timings


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook build", description=__doc__.split("\n")[0])
    parser.add_argument("site_dir", type=Path, nargs="?", default=SITE, help="where to put the site")
    policy_option(parser)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    print("build: load and validate the policy (text, fidelity, commentary, rules, casebook) ...")
    bundle = load_bundle(args.policy)
    try:
        build_site(args.site_dir, bundle)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    print(f"build: policy {bundle.id} -> {display(args.site_dir)} in {time.perf_counter() - start:.1f} s")
    return 0
