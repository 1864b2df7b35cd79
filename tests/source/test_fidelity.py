"""The structured source reproduces the adopted text of Policy 5290 word for word."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from handbook.config import ROOT, policy_dir
from handbook.source.fidelity import fidelity_diff, official_text, words
from handbook.source.model import Policy
from handbook.source.text import load_policy

from ..conftest import edit, problems_of


def _policy(folder: Path | None = None) -> Policy:
    return load_policy(folder or policy_dir())


ADOPTED = ROOT.parent / "shared" / "sources" / "policy-5290.txt"


def test_rebuilt_text_matches_adopted_copy() -> None:
    policy = _policy()
    diff = fidelity_diff(policy.original_text, official_text(policy))
    assert diff == "", "official text differs from original.txt:\n" + diff


def test_project_copy_is_the_adopted_text() -> None:
    ours = (policy_dir("5290") / "original.txt").read_text(encoding="utf-8")
    if ADOPTED.exists():  # the shared source sits beside the clone in this workplace
        assert ours == ADOPTED.read_text(encoding="utf-8")
    # its quirks are kept, not corrected
    assert "school- based" in ours
    assert ours.rstrip().endswith("Revised on")
    assert "\u00a0" in ours  # the non-breaking spaces after list numbers


def test_quirks_survive_in_the_structured_source() -> None:
    policy = _policy()
    text = official_text(policy)
    assert "school- based club" in text
    assert policy.revisions == ()
    assert text.rstrip().endswith("Revised on")
    numbers = [c.number for c in policy.section("sponsored").clauses if c.number]
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_one_changed_word_fails_with_a_readable_diff(src_copy: Path) -> None:
    edit(
        src_copy / "sections" / "07-contact.yaml",
        "Excessive informal or social involvement with",
        "Occasional informal or social involvement with",
    )
    policy = _policy(src_copy)
    diff = fidelity_diff(policy.original_text, official_text(policy))
    assert "- Excessive" in diff and "+ Occasional" in diff
    assert "@@ adopted words" in diff
    # and every build stops on it: loading the bundle reports it at the adopted copy, with the diff
    [problem] = problems_of(src_copy)
    assert "original.txt" in problem and "differs from the adopted copy" in problem
    assert "+ Occasional" in problem


def test_dropped_and_reordered_words_are_caught(src_copy: Path) -> None:
    edit(src_copy / "sections" / "04-time.yaml", "impact job performance", "impact performance")
    policy = _policy(src_copy)
    assert "- job" in fidelity_diff(policy.original_text, official_text(policy))


def test_whitespace_only_differences_are_ignored() -> None:
    assert fidelity_diff("a\u00a0\u00a0 b\n\nc", "a b c") == ""
    assert words("1.\u00a0\u00a0 \u00a0Listing") == ["1.", "Listing"]


def test_fidelity_command_reports_success() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "handbook", "fidelity"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "word for word" in out.stdout
