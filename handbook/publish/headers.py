"""The HTTP response headers of the site: one source of truth for every way it is served.

The local server (``handbook/publish/serve.py``) sends them, and the build writes them for static hosts
(:func:`write_host_files`): ``_headers`` (Netlify, Cloudflare Pages and hosts with the same format),
``.htaccess`` (Apache) and ``nginx-headers.conf`` (an ``include`` for an nginx ``server`` block).

The Content-Security-Policy allows scripts from the site itself only. Material for MkDocs inlines
a few small scripts (the palette and the storage helpers); they are allowed by their SHA-256
hashes, computed here from the built pages, never by ``'unsafe-inline'``. Pyodide compiles
WebAssembly, which needs ``'wasm-unsafe-eval'``; ``'unsafe-eval'`` is never allowed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..common.files import write_atomic
from ..common.mime import content_type

#: Cache-Control for files whose URL changes whenever their content does (content hash or version
#: in the path): a year, never revalidated.
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
#: Cache-Control for everything else (pages, the rulebook, the wheel and its lock file, which must
#: stay consistent with each other): a browser may keep a copy but revalidates it on each use.
CACHE_REVALIDATE = "no-cache"

#: URLs whose content never changes: a Material asset with a content hash in its name
#: (``bundle.a5f9d56c.min.js``, ``main.57a0d79d.min.css``), the checker's snapshot, named by its
#: hash too (``python.0123456789abcdef.snapshot.gz``), or a file under a directory named by a
#: version (``assets/pyodide/314.0.7/``). One pattern (POSIX ERE and PCRE alike) for every server.
IMMUTABLE_URL = r"\.[0-9a-f]{8,}\.min\.(js|css)$|\.[0-9a-f]{16}\.snapshot\.gz$|/v?[0-9]+\.[0-9]+\.[0-9]+/"
_IMMUTABLE = re.compile(IMMUTABLE_URL)
_VERSION_DIR = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+$")

#: The features the site never uses, switched off for it and anything it could embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)

#: Script types that browsers do not run (data blocks): no hash is needed for them.
_DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "importmap-never"}


def is_immutable(url_path: str) -> bool:
    """Whether the file at ``url_path`` (``/assets/...``) is content-hashed or versioned."""
    return bool(_IMMUTABLE.search(url_path))


def cache_control(url_path: str) -> str:
    """The Cache-Control value for a URL path of the site."""
    return CACHE_IMMUTABLE if is_immutable(url_path) else CACHE_REVALIDATE


class _InlineCollector(HTMLParser):
    """Collects the text of inline ``<script>`` and ``<style>`` elements and ``style`` attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.style_attrs: list[str] = []
        self._current: list[str] | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if attr.get("style") is not None:
            self.style_attrs.append(attr["style"] or "")
        if tag == "script" and "src" not in attr:
            kind = (attr.get("type") or "").strip().lower()
            if kind not in _DATA_SCRIPT_TYPES:
                self._current, self._buffer = self.scripts, []
        elif tag == "style":
            self._current, self._buffer = self.styles, []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._current is not None and tag in {"script", "style"}:
            self._current.append("".join(self._buffer))
            self._current = None


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@dataclass(frozen=True)
class InlineCode:
    """The hashes of the inline code in the built pages, sorted (so the policy is reproducible)."""

    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    style_attrs: tuple[str, ...] = ()

    @classmethod
    def of_site(cls, site_dir: Path) -> InlineCode:
        scripts: set[str] = set()
        styles: set[str] = set()
        attrs: set[str] = set()
        for page in sorted(site_dir.rglob("*.html")):
            collector = _InlineCollector()
            collector.feed(page.read_text(encoding="utf-8"))
            collector.close()
            scripts.update(_sha256(s) for s in collector.scripts)
            styles.update(_sha256(s) for s in collector.styles)
            attrs.update(_sha256(s) for s in collector.style_attrs)
        return cls(tuple(sorted(scripts)), tuple(sorted(styles)), tuple(sorted(attrs)))


def csp_directives(inline: InlineCode) -> dict[str, list[str]]:
    """The Content-Security-Policy directives, in order, for pages with the given inline code."""
    style_src = ["'self'", *inline.styles]
    if inline.style_attrs:
        style_src += ["'unsafe-hashes'", *inline.style_attrs]
    return {
        "default-src": ["'self'"],
        # Pyodide compiles WebAssembly: 'wasm-unsafe-eval' (never 'unsafe-eval').
        "script-src": ["'self'", "'wasm-unsafe-eval'", *inline.scripts],
        "style-src": style_src,
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }


def content_security_policy(inline: InlineCode) -> str:
    """The Content-Security-Policy header value."""
    return "; ".join(f"{name} {' '.join(values)}" for name, values in csp_directives(inline).items())


@dataclass(frozen=True)
class SiteHeaders:
    """The headers of one built site (its CSP depends on the inline code of its pages)."""

    csp: str
    common: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def for_site(cls, site_dir: Path) -> SiteHeaders:
        csp = content_security_policy(InlineCode.of_site(site_dir))
        common = (
            ("Content-Security-Policy", csp),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Permissions-Policy", PERMISSIONS_POLICY),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Cross-Origin-Resource-Policy", "same-origin"),
            ("X-Frame-Options", "DENY"),
        )
        return cls(csp, common)

    def reporting_to(self, uri: str) -> SiteHeaders:
        """The same headers with ``report-uri`` added to the CSP: browsers then POST a report of every
        violation, in pages and in their workers, to ``uri`` (the browser tests record them)."""
        csp = f"{self.csp}; report-uri {uri}"
        common = tuple((n, csp if n == "Content-Security-Policy" else v) for n, v in self.common)
        return SiteHeaders(csp, common)

    def for_path(self, url_path: str) -> list[tuple[str, str]]:
        """Every header for a response to ``url_path`` except Content-Type (``common.mime``)."""
        return [*self.common, ("Cache-Control", cache_control(url_path))]


def _url_paths(site_dir: Path) -> list[tuple[str, Path]]:
    return sorted(
        ("/" + p.relative_to(site_dir).as_posix(), p)
        for p in site_dir.rglob("*")
        if p.is_file() and not p.name.startswith((".", "_")) and p.suffix not in {".gz", ".br"}
    )


def netlify_headers(site_dir: Path, headers: SiteHeaders) -> str:
    """``_headers`` for Netlify and Cloudflare Pages.

    Both hosts apply every rule whose path matches and join repeated header names with a comma,
    so no header name is set by two rules that can match one path: the security headers are on
    ``/*``; Cache-Control is only on per-file rules (immutable assets; pages default to the hosts'
    own revalidating cache, which is what :data:`CACHE_REVALIDATE` asks for); Content-Type is only
    set where the hosts might not know it. Cloudflare allows at most 100 rules.
    """
    lines = [
        "# Generated by handbook/publish/headers.py at build time; do not edit.",
        "/*",
        *(f"  {name}: {value}" for name, value in headers.common),
        "",
    ]
    immutable_dirs: set[str] = set()
    for url, _ in _url_paths(site_dir):
        if not is_immutable(url):
            continue
        parent = url.rsplit("/", 1)[0]
        if _VERSION_DIR.match(parent.rsplit("/", 1)[-1]):
            immutable_dirs.add(parent)
            continue
        lines += [url, f"  Cache-Control: {CACHE_IMMUTABLE}", ""]
    for directory in sorted(immutable_dirs):
        lines += [f"{directory}/*", f"  Cache-Control: {CACHE_IMMUTABLE}", ""]
    for url, _ in _url_paths(site_dir):
        if url.endswith((".wasm", ".mjs")):
            lines += [url, f"  Content-Type: {content_type(url)}", ""]
    return "\n".join(lines)


def _apache_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def htaccess(headers: SiteHeaders) -> str:
    """``.htaccess`` for Apache (mod_headers, mod_mime)."""
    lines = [
        "# Generated by handbook/publish/headers.py at build time; do not edit.",
        "AddType application/wasm .wasm",
        "AddType text/javascript .mjs",
        "AddCharset utf-8 .html .css .js .mjs .json .svg .txt .xml",
        "<IfModule mod_headers.c>",
        *(f"  Header always set {name} {_apache_quote(value)}" for name, value in headers.common),
        f"  Header set Cache-Control {_apache_quote(CACHE_REVALIDATE)}",
        f'  <If "%{{REQUEST_URI}} =~ m#{IMMUTABLE_URL}#">',
        f"    Header set Cache-Control {_apache_quote(CACHE_IMMUTABLE)}",
        "  </If>",
        "</IfModule>",
        "",
    ]
    return "\n".join(lines)


def nginx_conf(headers: SiteHeaders) -> str:
    """An nginx snippet to ``include`` inside the ``server`` block that serves the site root."""
    block = [
        f'    set $hb_cache "{CACHE_REVALIDATE}";',
        f'    if ($uri ~ "{IMMUTABLE_URL}") {{ set $hb_cache "{CACHE_IMMUTABLE}"; }}',
        *(f'    add_header {name} "{value.replace('"', '\\"')}" always;' for name, value in headers.common),
        "    add_header Cache-Control $hb_cache always;",
    ]
    return "\n".join(
        [
            "# Generated by handbook/publish/headers.py at build time; do not edit.",
            "# include this file in the server block whose root is the built site.",
            "gzip_static on;  # serves the precompressed FILE.gz copies of `make dist`",
            "# brotli_static on;  # with the ngx_brotli module: serves FILE.br",
            "location / {",
            *block,
            "}",
            "location ~ \\.wasm$ {",
            "    types { } default_type application/wasm;",
            *block,
            "}",
            "location ~ \\.mjs$ {",
            "    types { } default_type text/javascript;",
            *block,
            "}",
            "",
        ]
    )


HOST_FILES = ("_headers", ".htaccess", "nginx-headers.conf")


def write_host_files(site_dir: Path) -> None:
    """Write the static hosts' header files into a built site (after every other build step)."""
    headers = SiteHeaders.for_site(site_dir)
    write_atomic(site_dir / "_headers", netlify_headers(site_dir, headers))
    write_atomic(site_dir / ".htaccess", htaccess(headers))
    write_atomic(site_dir / "nginx-headers.conf", nginx_conf(headers))
