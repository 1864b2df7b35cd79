"""Compiling a policy's source into the checker's rulebook: clear errors, deterministic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.bundle import load_fresh
from handbook.config import ROOT, SCHEMA_DIR
from handbook.rulebook import install
from handbook.source.errors import SourceError

from ..conftest import edit

SECTIONS = "sections"


def compile_problems(src: Path, scratch: Path) -> list[str]:
    out = scratch / "rulebooks"
    with pytest.raises(SourceError) as info:
        install.write(load_fresh(src), out)
    assert not out.exists() or not list(out.iterdir()), "nothing is written from an invalid source"
    return [str(p) for p in info.value.problems]


def test_compiles_and_is_deterministic(src_copy: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    install.write(load_fresh(src_copy), a)
    install.write(load_fresh(src_copy), b)
    for name in ("5290.json", "5290.scenario.schema.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    book = json.loads((a / "5290.json").read_text(encoding="utf-8"))
    assert book["format"] == "policycheck.rulebook/1"
    assert book["policy"]["number"] == "5290" and len(book["policy"]["text_sha256"]) == 64
    assert book["clauses"]["5290.contact.3.1"]["url"] == "sections/contact/#c-5290-contact-3-1"
    assert not list(a.glob(".*")), "temporary files left behind"


def test_command_line(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "handbook", "compile", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("rulebook of policy 5290: ")
    assert (tmp_path / "5290.json").is_file()


def test_command_line_names_an_unknown_policy(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "handbook", "compile", "--policy", "4242", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert "no policy '4242'" in out.stderr and "5290" in out.stderr and "Traceback" not in out.stderr


def test_unknown_fact(src_copy: Path, tmp_path: Path) -> None:
    edit(
        src_copy / SECTIONS / "03-name.yaml",
        "{fact: district_logos, is: true}",
        "{fact: district_logo, is: true}",
    )
    [msg] = [m for m in compile_problems(src_copy, tmp_path) if "district_logo'" in m]
    assert "sections/03-name.yaml:" in msg
    assert "unknown fact 'district_logo' (did you mean 'district_logos'" in msg
    assert ".rules[0].when.all[1].fact" in msg


def test_unknown_clause(src_copy: Path, tmp_path: Path) -> None:
    edit(src_copy / "consequences.yaml", "clause: 5290.accounts.3", "clause: 5290.accounts.9")
    edit(src_copy / "casebook.yaml", "clauses: [5290.name.1]", "clauses: [5290.name.11]")
    msgs = compile_problems(src_copy, tmp_path)
    assert any("consequences.yaml:" in m and "unknown clause '5290.accounts.9'" in m for m in msgs), msgs
    assert any("casebook.yaml:" in m and "unknown clause '5290.name.11'" in m for m in msgs), msgs


def test_value_outside_the_type(src_copy: Path, tmp_path: Path) -> None:
    path = src_copy / SECTIONS / "03-name.yaml"
    edit(path, "{fact: district_logos, is: true}", "{fact: district_logos, is: yes}")
    edit(path, "in: [product, cause,", "in: [products, cause,")
    msgs = compile_problems(src_copy, tmp_path)
    assert any(
        "value 'yes' is outside the type of yes/no fact 'district_logos' (use true or false)" in m
        for m in msgs
    )
    assert any(
        "value 'products' is outside the values of fact 'district_name_promotes' (did you mean 'product'?)"
        in m
        for m in msgs
    ), msgs


def test_fact_read_by_no_rule(src_copy: Path, tmp_path: Path) -> None:
    with (src_copy / "facts.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            "- id: wears_hat\n  type: yes_no\n  question: Do you wear a hat?\n  help: A hat.\n"
            "  topic: whether you wear a hat\n  yes: you wear a hat\n  no: you wear no hat\n"
        )
    [msg] = compile_problems(src_copy, tmp_path)
    assert "facts.yaml:" in msg and "fact 'wears_hat' is read by no rule" in msg


def test_normative_clause_without_rule(src_copy: Path, tmp_path: Path) -> None:
    path = src_copy / SECTIONS / "04-time.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("    rules:")], encoding="utf-8")
    msgs = compile_problems(src_copy, tmp_path)
    assert any(
        "04-time.yaml:" in m and "obligation clause 5290.time.1 has no checker rule" in m for m in msgs
    ), msgs


def test_rule_on_a_purpose_clause(src_copy: Path, tmp_path: Path) -> None:
    edit(
        src_copy / SECTIONS / "01-preamble.yaml",
        "by all employees:\n",
        "by all employees:\n    rules:\n    - {id: x, when: {fact: activity, has: post_content},"
        " verdict: permitted, headline: Go ahead., explanation: x}\n",
    )
    msgs = compile_problems(src_copy, tmp_path)
    assert any("5290.preamble.1 is a purpose clause" in m for m in msgs), msgs


def test_rule_reference_cycle(src_copy: Path, tmp_path: Path) -> None:
    edit(
        src_copy / SECTIONS / "06-accounts.yaml",
        "{fact: district_email_for_personal, is: true}",
        "{any: [{fact: district_email_for_personal, is: true}, {rule: accounts-1-not-separate}]}",
    )
    edit(
        src_copy / SECTIONS / "06-accounts.yaml",
        "{fact: separate_email_addresses, is: false}",
        "{any: [{fact: separate_email_addresses, is: false}, {rule: accounts-2-district-email}]}",
    )
    msgs = compile_problems(src_copy, tmp_path)
    assert any(
        "rule reference cycle: " in m and "accounts-2-district-email" in m and "accounts-1-not-separate" in m
        for m in msgs
    ), msgs


def test_unknown_rule_and_consequence(src_copy: Path, tmp_path: Path) -> None:
    path = src_copy / SECTIONS / "07-contact.yaml"
    headline = "      headline: Use the District tool or the school page"
    edit(path, headline, f"      overrides: [contact-3-2-unaproved-means]\n{headline}")
    edit(path, "consequences: [psc_report]", "consequences: [psc_reprot]")
    msgs = compile_problems(src_copy, tmp_path)
    assert any(
        "unknown rule 'contact-3-2-unaproved-means' (did you mean 'contact-3-2-unapproved-means'?)" in m
        for m in msgs
    )
    assert any("unknown consequence 'psc_reprot' (did you mean 'psc_report'?)" in m for m in msgs)


def test_casebook_answers_are_checked(src_copy: Path, tmp_path: Path) -> None:
    edit(src_copy / "casebook.yaml", "on_duty: true", "on_duty: maybe")
    edit(src_copy / "casebook.yaml", "contact_kind: [message]", "contact_kind: [mesage]")
    msgs = compile_problems(src_copy, tmp_path)
    assert any("casebook.yaml:" in m and "'on_duty' takes true or false" in m for m in msgs), msgs
    assert any("casebook.yaml:" in m and "'contact_kind' has no value 'mesage'" in m for m in msgs), msgs


def test_asked_when_reads_only_earlier_facts(src_copy: Path, tmp_path: Path) -> None:
    edit(
        src_copy / "facts.yaml",
        "asked_when: {fact: activity, has: [post_content, personal_use_at_work]}",
        "asked_when: {fact: later_fact, is: true}",
    )
    msgs = compile_problems(src_copy, tmp_path)
    assert any("unknown fact 'later_fact'" in m for m in msgs), msgs


def test_the_condition_language_has_one_schema() -> None:
    """Rules, questions and notes write conditions in one language, defined once (defs.schema.json)."""
    shared = {"condition", "factId", "ruleId", "clauseId"}
    for path in SCHEMA_DIR.glob("*.schema.json"):
        text = path.read_text(encoding="utf-8")
        schema = json.loads(text)
        if path.name == "defs.schema.json":
            assert shared <= set(schema["$defs"])
            operators = {
                k for branch in schema["$defs"]["condition"]["oneOf"] for k in branch.get("required", ())
            }
            assert operators >= {"all", "any", "not", "fact", "rule"}
        else:
            for key in shared & set(schema.get("$defs", {})):  # an alias of the shared definition at most
                assert schema["$defs"][key] == {"$ref": f"defs.schema.json#/$defs/{key}"}, (
                    f"{path.name}: {key}"
                )
    for name in ("section", "facts", "notes"):
        assert "defs.schema.json#/$defs/condition" in (SCHEMA_DIR / f"{name}.schema.json").read_text(
            encoding="utf-8"
        )


def test_a_wrong_expectation_is_reported_at_its_scenario(src_copy: Path, tmp_path: Path) -> None:
    """The casebook's expected verdicts are checked whenever the policy is loaded (every build)."""
    path = src_copy / "casebook.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("  expect:\n    verdict: not_permitted")
    path.write_text(
        text[:first] + text[first:].replace("verdict: not_permitted", "verdict: permitted", 1),
        encoding="utf-8",
    )
    [msg] = compile_problems(src_copy, tmp_path)
    assert "casebook.yaml:" in msg and "].expect: scenario " in msg
    assert "verdict: the checker gives 'not_permitted', the casebook expects 'permitted'" in msg
