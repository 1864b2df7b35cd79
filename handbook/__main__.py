"""``python -m handbook COMMAND [--policy ID] [ARGS]``: the pipeline's steps, for any policy.

Commands (``--policy``: a policy's id, a folder of policy_src/, or any policy folder's path;
the default policy when omitted):
  validate   load and validate the policy (text, fidelity, commentary, facts, rules, casebook)
  fidelity   compare the rebuilt official text with the adopted copy (exit 1 and a diff)
  compile    validate, then write build/rulebooks/<id>.json (--install: also for policycheck)
  prove      exhaustive proofs over the rulebook's fact space (prints counts)
  build      the complete static site into build/site/ (or the folder given)
  pdf        the PDF editions into a folder
  pyodide    the checker's runtime, wheel and rulebook into a built site
  serve      serve a built site with its real headers (make serve)
  dev        a live-reloading preview of the pages while you edit (make dev)
  dist       an archive of a built site with precompressed copies, for any static host
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from .config import PolicyNotFound
from .source.errors import SourceError

#: command -> module with ``main(argv) -> int``
COMMANDS = {
    "validate": "handbook.commands",
    "fidelity": "handbook.commands",
    "compile": "handbook.commands",
    "prove": "handbook.proof.prove",
    "build": "handbook.build",
    "pdf": "handbook.pdf.editions",
    "pyodide": "handbook.browser.pyodide",
    "serve": "handbook.publish.serve",
    "dev": "handbook.site.preview",
    "dist": "handbook.publish.dist",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(__doc__)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"unknown command {command!r}; see python -m handbook --help", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[command])
    entry: Callable[[list[str]], int] = getattr(module, f"{command}_main", None) or module.main
    try:
        return int(entry(rest))
    except PolicyNotFound as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 2
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
