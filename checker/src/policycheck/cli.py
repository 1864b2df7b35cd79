"""``policycheck POLICY [SCENARIO.json | -] [--json] [--facts] [--schema] [--lenient] [--handbook URL]``

POLICY is an installed policy's id (``policycheck --list``) or a rulebook file's path. Reads a
scenario (a JSON object ``{"facts": {...}}``) from a file or standard input and prints a readable
explanation of the verdict (``--json``: the result as JSON). Exit codes: 0 a verdict other than
not permitted, 1 not permitted, 2 bad input or an unknown policy.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, NoReturn

from .api import Checker
from .explain import to_text, wrap
from .model import RESULT_FORMAT, RulebookError
from .result import to_json
from .rulebooks import installed, installed_dir
from .validate import ScenarioError
from .words import condition_text

EXIT_OK, EXIT_NOT_PERMITTED, EXIT_BAD_INPUT = 0, 1, 2
PROG = "policycheck"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{PROG}: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Check a scenario against a policy's rulebook.")
    p.add_argument("policy", nargs="?", help="an installed policy's id, or a rulebook file's path")
    p.add_argument("scenario", nargs="?", default="-", help="scenario JSON file, or - for standard input")
    p.add_argument("--json", action="store_true", help=f"print the result as JSON ({RESULT_FORMAT})")
    p.add_argument("--facts", action="store_true", help="list the facts (questions) and their answers")
    p.add_argument("--schema", action="store_true", help="print the scenario JSON Schema")
    p.add_argument("--lenient", action="store_true", help="ignore answers to questions that do not apply")
    p.add_argument("--list", action="store_true", help="list the installed policies")
    p.add_argument(
        "--handbook",
        metavar="URL",
        default="",
        help="where the handbook is published (e.g. http://127.0.0.1:8000/), so that clause links "
        "in the explanation are complete; by default they are relative to the handbook's root",
    )
    return p


def _facts_text(checker: Checker) -> str:
    lines = []
    for f in checker.facts:
        kind = {"yes_no": "yes/no", "one_of": "one of", "several_of": "several of: a list"}[f.type]
        lines += [f"{f.id} ({kind})"]
        lines += wrap(f.question, "    ")
        if f.asked_when is not None:
            lines += wrap(f"Asked when: {condition_text(f.asked_when, checker.engine)}", "    ")
        for v in f.values:
            lines.append(f"    {json.dumps(v.id)}: {v.label}")
        lines.append("")
    return "\n".join(lines)


def _list_text() -> str:
    found = installed()
    if not found:
        return f"no rulebook is installed in {installed_dir()}\n"
    lines = []
    for ident, path in found.items():
        try:
            policy = Checker.load(path).policy
            lines.append(f"{ident}\tPolicy {policy.number}, {policy.title} ({policy.district})")
        except RulebookError as exc:
            lines.append(f"{ident}\t(unreadable: {exc})")
    return "\n".join(lines) + "\n"


def _load(source: str) -> Any:
    if source == "-":
        text = sys.stdin.read()
        name = "standard input"
    else:
        name = source
        try:
            with open(source, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise ScenarioError([f"cannot read {source}: {exc.strerror}"]) from None
        except UnicodeDecodeError:
            raise ScenarioError([f"{source} is not UTF-8 text"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        print(_list_text(), end="")
        return EXIT_OK
    if not args.policy:
        parser.error("name a policy: an installed policy's id (see --list) or a rulebook file's path")
    try:
        checker = Checker.load(args.policy)
        if args.schema:
            print(json.dumps(checker.scenario_schema(), indent=2, sort_keys=True))
            return EXIT_OK
        if args.facts:
            if args.json:
                print(json.dumps(checker.facts_data(), indent=2, sort_keys=True))
            else:
                print(_facts_text(checker), end="")
            return EXIT_OK
        result = checker.check(_load(args.scenario), lenient=args.lenient)
    except ScenarioError as exc:
        print(f"{PROG}: {exc.report()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RulebookError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    base = args.handbook + ("" if not args.handbook or args.handbook.endswith("/") else "/")
    print(to_json(result) if args.json else to_text(result, base), end="\n" if args.json else "")
    return EXIT_NOT_PERMITTED if result["verdict"] == "not_permitted" else EXIT_OK
