"""A second policy proves the pipeline generic: a small, clearly fictional policy kept beside these
tests goes through validation, the bundle, the rulebook, the checker (natively and in Pyodide), the
proofs, the site and the PDFs with no code change, and nothing of the default policy leaks in.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from policycheck import Checker
from pypdf import PdfReader

from handbook.bundle import Bundle, load_bundle
from handbook.common import urls
from handbook.config import ROOT, PolicyNotFound, policy_dir
from handbook.proof.prove import prove
from handbook.render import labels
from handbook.rulebook import install
from handbook.source.fidelity import fidelity_diff, official_text

from ..support.checkerdrive import check_all, open_started
from ..support.sitebuild import checker_page, chromium, serve
from .conftest import FOLDER

DEFAULT = load_bundle()  # the default policy: none of its words may appear in the fictional one's outputs


def _leaks(text: str) -> list[str]:
    probes = [DEFAULT.policy.number, DEFAULT.policy.district, DEFAULT.policy.title]
    return [p for p in probes if p in text]


def test_the_folder_is_found_by_path_and_is_not_a_policy_of_the_district() -> None:
    assert DEFAULT.id not in str(FOLDER.relative_to(ROOT))
    with pytest.raises(PolicyNotFound):
        policy_dir("9100")  # not in policy_src/: never part of the published site


def test_it_validates_word_for_word_and_says_it_is_fictional(fictional: Bundle) -> None:
    policy = fictional.policy
    assert (policy.id, policy.fictional) == ("9100", True)
    assert fidelity_diff(policy.original_text, official_text(policy)) == ""
    assert [s.id for s in policy.sections] == ["purpose", "copying", "consequences"]
    assert len(fictional.examples) == 6


def test_its_rulebook_and_checker(fictional: Bundle, tmp_path: Path) -> None:
    path = install.write(fictional, tmp_path)
    assert path.name == "9100.json"
    checker = Checker.load(path)
    assert checker.policy.number == "9100" and checker.policy.fictional
    for ex in fictional.examples:
        result = checker.check({"facts": dict(ex.facts)})
        assert result == ex.result
        assert not _leaks(json.dumps(result)), ex.id
    verdicts = {ex.id: ex.result["verdict"] for ex in fictional.examples}
    assert verdicts == {
        "garage-sale-flyers": "not_permitted",
        "garage-sale-again": "not_permitted",
        "class-set": "permitted",
        "jam-not-reported": "caution",
        "jam-reported": "permitted",
        "unknown-activity": "depends",
    }
    again = next(ex for ex in fictional.examples if ex.id == "garage-sale-again").result
    assert [c["id"] for f in again["findings"] for c in f["consequences"]] == ["discipline"]
    out = subprocess.run(
        [sys.executable, "-m", "policycheck", str(path), "-"],
        input=json.dumps({"facts": {"activity": "copy_personal"}}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1 and "Policy 9100, Staff Use of the Shared Copy Room" in out.stdout


def test_its_proofs(fictional: Bundle) -> None:
    report = prove(fictional.checker.engine)
    assert report.failures == []
    assert all(report.per_rule[r.id] > 0 for r in fictional.checker.book.rules)


def test_its_site_has_every_page_marked_fictional(fictional: Bundle, fictional_site: Path) -> None:
    for section in fictional.policy.sections:
        assert (fictional_site / urls.section_url(section.id) / "index.html").is_file()
    pages = sorted(fictional_site.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert labels.FICTIONAL in html, f"{page} does not say the policy is fictional"
        assert not _leaks(html), (page, _leaks(html))
    home = (fictional_site / "index.html").read_text(encoding="utf-8")
    assert "<title>Home - Policy 9100 Handbook (fictional)</title>" in home
    official = (fictional_site / "official" / "index.html").read_text(encoding="utf-8")
    assert "Staff shall not use District copiers for personal business." in official
    for text_file in fictional_site.rglob("*.json"):
        assert not _leaks(text_file.read_text(encoding="utf-8")), text_file
    assert (
        json.loads((fictional_site / urls.RULEBOOK).read_text(encoding="utf-8"))["policy"]["number"] == "9100"
    )


def test_its_pdfs_say_fictional_on_every_page(fictional_site: Path) -> None:
    for edition in ("official", "annotated"):
        reader = PdfReader(fictional_site / urls.pdf_url("9100", edition))
        assert reader.metadata is not None and "(fictional)" in str(reader.metadata.title)
        for number, page in enumerate(reader.pages, 1):
            text = re.sub(r"\s+", " ", page.extract_text())
            assert "Fictional" in text or "fictional" in text, f"{edition} page {number}"
            assert not _leaks(text), (edition, number)


@pytest.mark.parametrize("way", ["normal", "snapshot"])
def test_its_checker_runs_in_the_browser_on_its_rulebook(
    fictional: Bundle, fictional_site: Path, way: str
) -> None:
    """Both ways of starting, the snapshot made for this policy's rulebook included."""
    scenarios = [{"facts": dict(ex.facts)} for ex in fictional.examples]
    with serve(fictional_site) as base, chromium() as browser:
        page = browser.new_context(service_workers="block").new_page()
        about = open_started(page, base + checker_page(fictional_site), way)
        assert about["boot"] == way and "Policy 9100" in about["text"]
        answers = check_all(page, scenarios)
    assert answers == [fictional.checker.check_text(json.dumps(s)) for s in scenarios]
