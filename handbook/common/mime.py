"""Content types of the site's files: the server and every host file use this one table.

The standard library's ``mimetypes`` does not know some (``.mjs``, ``.webmanifest``) and gets
others wrong on some systems; Pyodide needs ``application/wasm`` to compile while downloading.
"""

from __future__ import annotations

MIME_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".gz": "application/gzip",
}
DEFAULT = "application/octet-stream"


def content_type(url_path: str) -> str:
    """The Content-Type of a URL path of the site (a directory URL is its index.html)."""
    name = url_path.rsplit("/", 1)[-1]
    if url_path.endswith("/") or not name:
        return MIME_TYPES[".html"]
    dot = name.rfind(".")
    return MIME_TYPES.get(name[dot:].lower(), DEFAULT) if dot > 0 else DEFAULT
