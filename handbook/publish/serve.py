"""A small static server for the built site (``make serve``, browser tests and the benchmark).

``python -m handbook serve [--bind 127.0.0.1] [--port 8000] [SITE_DIR]``

Standard library only. Compared with ``python -m http.server`` it sends the MIME types Pyodide needs
(``application/wasm``; ``text/javascript`` for ``.mjs``), the site's own response headers from
:mod:`handbook.publish.headers` (Content-Security-Policy, Cache-Control: versioned Pyodide files immutable,
everything else revalidated, unchanged files get ``304 Not Modified``), serves a precompressed
``FILE.br`` or ``FILE.gz`` beside ``FILE`` when the browser accepts that encoding, and is quiet.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import http.server
import os
import posixpath
import sys
import threading
import urllib.parse
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from ..common.mime import MIME_TYPES, content_type
from ..config import SITE
from .headers import SiteHeaders

#: encoding -> suffix of the precompressed file, best first
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory``; ``overlays`` maps URL prefixes (``/bench/``) to other directories."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}  # noqa: RUF012
    overlays: Mapping[str, Path] = {}
    site_headers: SiteHeaders | None = None
    quiet = True

    def __init__(
        self,
        *args: Any,
        overlays: Mapping[str, Path] | None = None,
        site_headers: SiteHeaders | None = None,
        **kwargs: Any,
    ) -> None:
        if overlays is not None:
            self.overlays = overlays
        self.site_headers = site_headers
        super().__init__(*args, **kwargs)

    def _site_headers(self, url_path: str) -> list[tuple[str, str]]:
        if self.site_headers is None:
            return [("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")]
        return self.site_headers.for_path(url_path)

    def translate_path(self, path: str) -> str:
        clean = urllib.parse.unquote(path.split("?", 1)[0].split("#", 1)[0])
        for prefix, base in self.overlays.items():
            if clean.startswith(prefix):
                rest = posixpath.normpath(clean[len(prefix) :]).lstrip("/")
                parts = [p for p in rest.split("/") if p not in {"", ".", ".."}]
                target = base.joinpath(*parts)
                return str(target) + ("/" if clean.endswith("/") else "")
        return super().translate_path(path)

    def _encoded(self, path: str) -> tuple[str, str] | None:
        accepted = {
            part.split(";")[0].strip().lower() for part in self.headers.get("Accept-Encoding", "").split(",")
        }
        for encoding, suffix in ENCODINGS:
            if encoding in accepted and os.path.isfile(path + suffix):
                return encoding, path + suffix
        return None

    def send_head(self) -> Any:
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            index = os.path.join(path, "index.html")
            if not self.path.split("?", 1)[0].endswith("/") or not os.path.isfile(index):
                return super().send_head()
            path = index
        if not os.path.isfile(path):
            return super().send_head()
        encoded = self._encoded(path)
        served = encoded[1] if encoded else path
        try:
            f = open(served, "rb")  # noqa: SIM115 (returned to the caller, which closes it)
        except OSError:
            self.send_error(404, "File not found")
            return None
        stat = os.fstat(f.fileno())
        etag = f'"{int(stat.st_mtime_ns):x}-{stat.st_size:x}{"-" + encoded[0] if encoded else ""}"'
        url_path = urllib.parse.unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        extra = self._site_headers(url_path)
        if self.headers.get("If-None-Match") == etag:
            f.close()
            self.send_response(304)
            self.send_header("ETag", etag)
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("Content-Type", content_type(url_path))
        if encoded:
            self.send_header("Content-Encoding", encoded[0])
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.send_header("ETag", etag)
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        return f

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """An unknown path gets the site's own 404 page (search and links onward), with status 404."""
        page = os.path.join(self.directory, "404.html")
        if code != 404 or self.command not in {"GET", "HEAD"} or not os.path.isfile(page):
            super().send_error(code, message, explain)
            return
        with open(page, "rb") as f:
            body = f.read()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in self._site_headers("/404.html"):
            self.send_header(name, value)
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that hangs up mid-download (a page left, a service worker's download stopped)
        is ordinary, not an error worth a traceback; anything else is reported as usual."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def make_server(
    site_dir: Path, host: str = "127.0.0.1", port: int = 0, overlays: Mapping[str, Path] | None = None
) -> SiteServer:
    """A server for ``site_dir`` (port 0: any free port; see ``server.server_address``)."""
    handler = partial(
        SiteHandler,
        directory=str(site_dir),
        overlays=dict(overlays or {}),
        site_headers=SiteHeaders.for_site(site_dir),
    )
    return SiteServer((host, port), handler)


class BackgroundServer:
    """``with BackgroundServer(site) as base_url: ...``: serve in a thread, for tests and benchmarks."""

    def __init__(self, site_dir: Path, overlays: Mapping[str, Path] | None = None) -> None:
        self.server = make_server(site_dir, overlays=overlays)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook serve", description=__doc__.split("\n")[0])
    parser.add_argument("site_dir", nargs="?", type=Path, default=SITE)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if not (args.site_dir / "index.html").is_file():
        print(
            f"serve: {args.site_dir} is not a built site (no index.html); run `make build`",
            file=sys.stderr,
        )
        return 1
    SiteHandler.quiet = not args.verbose
    try:
        server = make_server(args.site_dir, args.bind, args.port)
    except OSError as exc:
        print(f"serve: cannot listen on {args.bind}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    with server:
        print(f"Serving {args.site_dir} on http://{args.bind}:{server.server_address[1]}/ (Ctrl+C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
