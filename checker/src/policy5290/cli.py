"""``policy5290 [SCENARIO.json | -] [--json] [--facts] [--schema] [--handbook URL]``

Reads a scenario (a JSON object ``{"facts": {...}}``) from a file or standard input and prints a
readable explanation of the verdict (``--json``: the result as JSON). Exit codes: 0 a verdict
other than not permitted, 1 not permitted, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, NoReturn

from . import check, checker, scenario_schema, to_json
from .describe import condition_text
from .explain import _wrap, to_text
from .validate import ScenarioError

EXIT_OK, EXIT_NOT_PERMITTED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"policy5290: {message}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="policy5290", description="Check a scenario against Policy 5290.")
    p.add_argument("scenario", nargs="?", default="-", help="scenario JSON file, or - for standard input")
    p.add_argument("--json", action="store_true", help="print the result as JSON (policy5290.result/1)")
    p.add_argument("--facts", action="store_true", help="list the facts (questions) and their answers")
    p.add_argument("--schema", action="store_true", help="print the scenario JSON Schema")
    p.add_argument("--lenient", action="store_true", help="ignore answers to questions that do not apply")
    p.add_argument(
        "--handbook",
        metavar="URL",
        default="",
        help="where the handbook is published (e.g. http://127.0.0.1:8000/), so that clause links "
        "in the explanation are complete; by default they are relative to the handbook's root",
    )
    return p


def _facts_text() -> str:
    lines = []
    for f in checker().facts:
        lines += [f"{f.id} ({'yes/no' if f.type == 'yes_no' else 'one of'})"]
        lines += _wrap(f.question, "    ")
        if f.asked_when is not None:
            lines += _wrap(f"Asked when: {condition_text(f.asked_when, checker())}", "    ")
        for v in f.values:
            lines.append(f"    {json.dumps(v.id)}: {v.label}")
        lines.append("")
    return "\n".join(lines)


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
    args = _parser().parse_args(argv)
    try:
        if args.schema:
            print(json.dumps(scenario_schema(), indent=2, sort_keys=True))
            return EXIT_OK
        if args.facts:
            if args.json:
                print(json.dumps([_fact_json(f.id) for f in checker().facts], indent=2, sort_keys=True))
            else:
                print(_facts_text(), end="")
            return EXIT_OK
        result = check(_load(args.scenario), lenient=args.lenient)
    except ScenarioError as exc:
        print(f"policy5290: {exc.report()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RuntimeError as exc:  # the rulebook is missing: a broken installation
        print(f"policy5290: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    base = args.handbook + ("" if not args.handbook or args.handbook.endswith("/") else "/")
    print(to_json(result) if args.json else to_text(result, base), end="\n" if args.json else "")
    return EXIT_NOT_PERMITTED if result["verdict"] == "not_permitted" else EXIT_OK


def _fact_json(fid: str) -> dict[str, Any]:
    f = checker().fact[fid]
    return {
        "id": f.id,
        "type": f.type,
        "question": f.question,
        "help": f.help,
        "values": [{"id": v.id, "label": v.label} for v in f.values],
        "asked_when": f.asked_when,
    }
