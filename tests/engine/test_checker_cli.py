"""The command line: exit codes, messages, formats; never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from handbook.bundle import Bundle

from . import conftest

BOOK: str = ""  # the rulebook file of this session (set by the fixture below)


@pytest.fixture(autouse=True)
def _rulebook(rulebook_file: Path) -> None:
    global BOOK  # noqa: PLW0603 - every CLI call of this module names the same rulebook
    BOOK = str(rulebook_file)


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m policycheck RULEBOOK ARGS`` (options may come first, as a reader would type them)."""
    return conftest.run_cli(BOOK, *args, stdin=stdin)


NOT_PERMITTED = {"facts": {"activity": ["manage_accounts"], "district_email_for_personal": True}}
PERMITTED = {"facts": {"activity": ["connect_with_students"], "contact_person": "parent"}}


def test_readable_explanation_from_stdin() -> None:
    out = run_cli(stdin=json.dumps(NOT_PERMITTED))
    assert out.returncode == 1, out.stderr
    text = out.stdout
    # the plain answer first, then why; the answers it assumes last
    assert (
        text.splitlines()[2] == "ANSWER: No. Don't use your District email address for personal social media."
    )
    assert text.index("ANSWER:") < text.index("What applies:") < text.index("Your answers")
    assert "(5290.accounts.2)" in text and "Staff members will not use their District email address" in text
    assert "Handbook: sections/accounts/#c-5290-accounts-2" in text
    assert "Because your District email address is used for personal social media." in text
    assert "What can happen:" in text and "may result in disciplinary action. (5290.accounts.3)" in text
    assert "What would change the answer:" in text
    assert "If you use social media for your job and you use the same email address" in text
    assert "you said" not in text


def test_handbook_option_makes_clause_links_complete() -> None:
    out = run_cli("--handbook", "http://127.0.0.1:8000", stdin=json.dumps(NOT_PERMITTED))
    assert "Handbook: http://127.0.0.1:8000/sections/accounts/#c-5290-accounts-2" in out.stdout
    as_json = run_cli("--json", "--handbook", "http://example.invalid/", stdin=json.dumps(NOT_PERMITTED))
    assert "example.invalid" not in as_json.stdout  # the JSON result keeps its documented relative URLs


def test_file_argument_and_json(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(PERMITTED), encoding="utf-8")
    out = run_cli(str(path), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["verdict"] == "permitted"
    again = run_cli(str(path), "--json")
    assert again.stdout == out.stdout


def test_depends_lists_open_questions() -> None:
    out = run_cli(stdin=json.dumps({"facts": {"activity": ["personal_use_at_work"], "on_duty": None}}))
    assert out.returncode == 0
    text = " ".join(out.stdout.split())  # as read, whatever the wrapping
    assert "ANSWER: It depends on whether it could get in the way of your work." in text
    assert "Questions still open:" in text and "[on_duty; it could change the answer]" in text
    assert "You answered: I don't know." in text
    assert "→ I don't know" in text  # "I don't know" is one of your answers


def test_python_dash_m_and_console_script_agree() -> None:
    out = run_cli("-", "--json", stdin=json.dumps(NOT_PERMITTED))
    assert json.loads(out.stdout)["verdict"] == "not_permitted"


def test_facts_and_schema() -> None:
    facts = run_cli("--facts")
    assert facts.returncode == 0
    assert facts.stdout.startswith("activity (several of: a list)")
    assert "Asked when:" in facts.stdout
    facts_json = json.loads(run_cli("--facts", "--json").stdout)
    assert facts_json[0]["id"] == "activity"
    schema = json.loads(run_cli("--schema").stdout)
    assert schema["required"] == ["facts"]


@pytest.mark.parametrize(
    "stdin,message",
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "a scenario is a JSON object"),
        ('{"facts": {"activty": ["post_content"]}}', "unknown fact 'activty' (did you mean 'activity'?)"),
        ('{"facts": {"activity": ["post_content"], "district_logos": "yes"}}', "takes true or false"),
        ('{"facts": {"activity": ["dance"]}}', "has no value 'dance'"),
        ('{"facts": {"activity": "post_content"}}', "'activity' takes a list of its values"),
        (
            '{"facts": {"activity": ["manage_accounts"], "on_duty": true}}',
            "contradictory facts: 'on_duty' does not apply when 'activity' is ['manage_accounts']",
        ),
        ("", "is not valid JSON"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(stdin: str, message: str) -> None:
    out = run_cli(stdin=stdin)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert out.stdout == ""


def test_missing_file_and_bad_option() -> None:
    out = run_cli("/nonexistent/scenario.json")
    assert out.returncode == 2 and "cannot read" in out.stderr and "Traceback" not in out.stderr
    out = run_cli("--frobnicate")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_several_problems_in_one_message() -> None:
    out = run_cli(stdin='{"facts": {"activty": 1, "district_logos": 3}, "x": 1}')
    assert out.returncode == 2
    assert "invalid scenario (3 problems)" in out.stderr


def test_the_console_script_by_policy_id(bundle: Bundle) -> None:
    """`policycheck 5290`: the id finds the rulebook `make setup` installed, which is this source's."""
    script = Path(sys.executable).parent / "policycheck"
    assert script.exists(), "make setup installs the checker with its console script"
    listed = subprocess.run([str(script), "--list"], capture_output=True, text=True, check=False)
    assert listed.stdout.startswith(f"{bundle.id}\tPolicy {bundle.id}, "), "make setup installs the rulebook"
    out = subprocess.run(
        [str(script), bundle.id, "--json"],
        input=json.dumps(NOT_PERMITTED),
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1
    assert json.loads(out.stdout)["verdict"] == "not_permitted"
    assert json.loads(out.stdout)["policy"]["text_sha256"] == bundle.policy.text_sha256


def test_a_missing_policy_is_named_with_what_is_there() -> None:
    out = conftest.run_cli(stdin=json.dumps(NOT_PERMITTED))
    assert out.returncode == 2 and "name a policy" in out.stderr and "Traceback" not in out.stderr
    out = conftest.run_cli("no-such-policy", stdin=json.dumps(NOT_PERMITTED))
    assert out.returncode == 2 and "no rulebook for policy 'no-such-policy'" in out.stderr
    assert "installed: " in out.stderr
