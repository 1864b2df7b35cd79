"""``python -m handbook COMMAND [ARGS]``: the build steps, each in its own module.

Commands:
  build      the complete static site into site/ (or the directory given)
  dist       an archive of the built site with precompressed copies, for any static host
  validate   load policy_src (text, commentary, facts, rules, casebook) and report every problem
  fidelity   compare the rebuilt official text with the adopted copy (exit 1 on a difference)
  compile    validate and compile the rulebook into the checker package
  prove      exhaustive proofs over the checker's fact space (prints counts)
  bench      benchmarks; prints figures and writes bench/results.json
  pdf        render the PDF editions into a built site
  pyodide    build the checker wheel and the self-hosted Pyodide runtime into a built site
"""

from __future__ import annotations

import importlib
import sys

from .errors import SourceError
from .official import fidelity_diff, official_text
from .rulesource import load_rule_source

#: command -> module with a ``main(argv: list[str]) -> int``
COMMANDS = {
    "build": "handbook.build",
    "dist": "handbook.dist",
    "compile": "handbook.compile",
    "prove": "handbook.prove",
    "bench": "handbook.bench",
    "pdf": "handbook.pdf",
    "pyodide": "handbook.pyodide",
}


def _validate(args: list[str]) -> int:
    try:
        rules = load_rule_source()  # loads and validates the policy text first
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    policy = rules.policy
    if args and args[0] == "fidelity":
        diff = fidelity_diff(policy.original_text, official_text(policy))
        if diff:
            print("official text differs from the adopted copy:\n" + diff, file=sys.stderr)
            return 1
        print("official text matches the adopted copy word for word")
        return 0
    clauses = list(policy.clauses())
    print(
        f"policy source OK: {len(policy.sections)} sections, {len(clauses)} clauses, "
        f"{len(policy.glossary)} terms, {len(policy.references)} references, "
        f"{len(rules.facts)} facts, {len(rules.rules)} rules, {len(rules.casebook)} casebook scenarios"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(__doc__)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command in {"validate", "fidelity"}:
        return _validate([command])
    if command in COMMANDS:
        module = importlib.import_module(COMMANDS[command])
        return int(module.main(rest))
    print(f"unknown command {command!r}; see python -m handbook --help", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
