"""``python -m handbook COMMAND``: validate the source and check the official text.

Commands:
  validate   load policy_src and report every problem (exit 1 when invalid)
  fidelity   compare the rebuilt official text with the adopted copy (exit 1 on a difference)
"""

from __future__ import annotations

import sys

from .errors import SourceError
from .official import fidelity_diff, official_text
from .source import load_policy


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(__doc__)
        return 0 if args else 2
    command = args[0]
    try:
        policy = load_policy()
    except SourceError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    if command == "validate":
        clauses = list(policy.clauses())
        print(
            f"policy source OK: {len(policy.sections)} sections, {len(clauses)} clauses, "
            f"{len(policy.glossary)} terms, {len(policy.references)} references"
        )
        return 0
    if command == "fidelity":
        diff = fidelity_diff(policy.original_text, official_text(policy))
        if diff:
            print("official text differs from the adopted copy:\n" + diff, file=sys.stderr)
            return 1
        print("official text matches the adopted copy word for word")
        return 0
    print(f"unknown command {command!r}; see python -m handbook --help", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
