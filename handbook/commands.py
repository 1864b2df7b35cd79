"""``validate``, ``fidelity`` and ``compile``: the source checked, and the rulebook written."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .bundle import load_bundle
from .config import display
from .rulebook import install
from .source.fidelity import fidelity_diff, official_text


def policy_option(parser: argparse.ArgumentParser) -> None:
    """The ``--policy`` option every command shares."""
    parser.add_argument(
        "--policy",
        metavar="ID|DIR",
        help="a policy's id (a folder of policy_src/) or a policy folder's path (default: the default one)",
    )


def _parse(prog: str, argv: list[str], describe: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m handbook {prog}", description=describe)
    policy_option(parser)
    if prog == "compile":
        parser.add_argument("--out", type=Path, default=install.RULEBOOKS, help="folder for the rulebook")
        parser.add_argument(
            "--install", action="store_true", help="also install it for policycheck in this environment"
        )
    return parser.parse_args(argv)


def validate_main(argv: list[str]) -> int:
    args = _parse("validate", argv, "Load and validate a policy; every problem with file and place.")
    bundle = load_bundle(args.policy)
    policy, src = bundle.policy, bundle.rule_source
    print(
        f"policy {policy.id} ({display(bundle.source_dir)}) is valid: {len(policy.sections)} sections, "
        f"{len(list(policy.clauses()))} clauses (word for word as adopted), {len(policy.glossary)} terms, "
        f"{len(policy.references)} references, {len(src.facts)} facts, {len(src.rules)} rules, "
        f"{len(bundle.examples)} casebook scenarios (each as expected)"
    )
    return 0


def fidelity_main(argv: list[str]) -> int:
    args = _parse("fidelity", argv, "Compare the rebuilt official text with the adopted copy.")
    from .config import policy_dir  # noqa: PLC0415
    from .source.text import load_policy  # noqa: PLC0415 - the text alone, even if rules are broken

    policy = load_policy(policy_dir(args.policy))
    diff = fidelity_diff(policy.original_text, official_text(policy))
    if diff:
        print("official text differs from the adopted copy:\n" + diff, file=sys.stderr)
        return 1
    print("official text matches the adopted copy word for word")
    return 0


def compile_main(argv: list[str]) -> int:
    args = _parse("compile", argv, "Validate a policy and write its compiled rulebook.")
    start = time.perf_counter()
    bundle = load_bundle(args.policy)
    path = install.write(bundle, args.out)
    where = display(path)
    if args.install:
        where += f" and {install.install(bundle)}"
    book = bundle.checker.book
    print(
        f"rulebook of policy {bundle.id}: {len(book.facts)} facts, {len(book.rules)} rules, "
        f"{len(book.clauses)} clauses -> {where} ({(time.perf_counter() - start) * 1000:.0f} ms)"
    )
    return 0
