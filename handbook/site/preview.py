"""``python -m handbook dev [--policy ID] [--bind HOST:PORT]``: a live-reloading preview for authors.

MkDocs' own development server, in this process, rendering the chosen policy: editing its source
(or the templates, hooks and macros) rebuilds the pages. The checker's runtime and the PDFs are
not part of the preview (``make serve`` builds and serves the whole site).
"""

from __future__ import annotations

import argparse
import logging
import sys

from mkdocs.commands.serve import serve

from ..commands import policy_option
from ..config import ROOT, policy_dir
from . import session


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m handbook dev", description=__doc__.split("\n")[0])
    parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on")
    policy_option(parser)
    args = parser.parse_args(argv)
    folder = policy_dir(args.policy)
    session.select(folder)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    serve(
        config_file=str(ROOT / "mkdocs.yml"),
        watch=[str(folder), str(ROOT / "handbook")],
        dev_addr=args.bind,
        strict=True,
    )
    return 0
