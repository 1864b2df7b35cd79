"""Invalid source stops the build with a message naming file, place and problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from handbook.config import ROOT

from ..conftest import edit, problems_of


def test_the_real_source_is_valid() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "handbook", "validate"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert " is valid: " in out.stdout and "word for word as adopted" in out.stdout


def test_invalid_yaml_names_file_line_and_column(src_copy: Path) -> None:
    edit(src_copy / "sections" / "04-time.yaml", "heading: Respect", "heading: [Respect")
    [msg] = problems_of(src_copy)
    assert "sections/04-time.yaml:" in msg
    assert "invalid YAML" in msg
    line = int(msg.split("04-time.yaml:")[1].split(":")[0])
    assert line > 1


def test_duplicate_yaml_key(src_copy: Path) -> None:
    edit(src_copy / "policy.yaml", "series: PERSONNEL", "series: PERSONNEL\nseries: OTHER")
    [msg] = problems_of(src_copy)
    assert "policy.yaml:" in msg and "duplicate key 'series'" in msg


def test_missing_field(src_copy: Path) -> None:
    edit(src_copy / "sections" / "02-confidential.yaml", "    kind: prohibition\n", "")
    [msg] = problems_of(src_copy)
    assert "sections/02-confidential.yaml:" in msg
    assert "blocks[0].paragraph[0]: missing field 'kind'" in msg


def test_wrong_value_names_allowed_values(src_copy: Path) -> None:
    edit(src_copy / "sections" / "02-confidential.yaml", "kind: prohibition", "kind: forbidden")
    [msg] = problems_of(src_copy)
    assert "blocks[0].paragraph[0].kind: 'forbidden' is not one of" in msg
    assert "'prohibition'" in msg


def test_unknown_field(src_copy: Path) -> None:
    edit(src_copy / "policy.yaml", "state: Idaho", "state: Idaho\ncounty: Twin Falls")
    [msg] = problems_of(src_copy)
    assert "unknown field 'county'" in msg


def test_duplicate_clause_id_names_both_places(src_copy: Path) -> None:
    edit(src_copy / "sections" / "03-name.yaml", "id: 5290.name.2", "id: 5290.name.1")
    [msg] = problems_of(src_copy)
    assert "sections/03-name.yaml:" in msg
    assert "duplicate clause id '5290.name.1' (first defined at" in msg


def test_clause_id_must_match_its_section(src_copy: Path) -> None:
    edit(src_copy / "sections" / "04-time.yaml", "id: 5290.time.1", "id: 5290.tim.1")
    [msg] = problems_of(src_copy)
    assert "clause id '5290.tim.1' must start with '5290.time.'" in msg


def test_unknown_clause_id_in_glossary(src_copy: Path) -> None:
    edit(src_copy / "glossary.yaml", "clauses: [5290.preamble.1", "clauses: [5290.nowhere.9")
    msgs = problems_of(src_copy)
    assert any("glossary.yaml:" in m and "unknown clause id '5290.nowhere.9'" in m for m in msgs), msgs


def test_dangling_cross_reference(src_copy: Path) -> None:
    edit(src_copy / "sections" / "08-sponsored.yaml", "- policy-5335", "- policy-9999")
    [msg] = problems_of(src_copy)
    assert "sections/08-sponsored.yaml:" in msg
    assert "unknown reference 'policy-9999' (not in references.yaml)" in msg


def test_section_listed_but_missing(src_copy: Path) -> None:
    (src_copy / "sections" / "04-time.yaml").unlink()
    msgs = problems_of(src_copy)
    assert any("policy.yaml:" in m and "no file in sections/ has id 'time'" in m for m in msgs), msgs


def test_every_problem_is_reported_at_once(src_copy: Path) -> None:
    edit(src_copy / "sections" / "03-name.yaml", "id: 5290.name.2", "id: 5290.name.1")
    edit(src_copy / "sections" / "08-sponsored.yaml", "- policy-5335", "- policy-9999")
    assert len(problems_of(src_copy)) == 2


def test_validate_command_exits_1_without_traceback(src_copy: Path, tmp_path: Path) -> None:
    edit(src_copy / "sections" / "08-sponsored.yaml", "- policy-5335", "- policy-9999")
    out = subprocess.run(
        [sys.executable, "-m", "handbook", "validate", "--policy", str(src_copy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "policy source is invalid (1 problem)" in out.stderr
