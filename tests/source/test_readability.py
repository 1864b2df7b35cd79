"""Our commentary reads at grade 8 or below: every clause summary, measured with a maintained library
(textstat's Flesch-Kincaid grade), and the figures are printed for the README (``-s`` shows them)."""

from __future__ import annotations

import statistics

import textstat

from handbook.bundle import Bundle

GRADE = 8.0


def _grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(" ".join(text.split())))


def test_every_summary_reads_at_grade_8_or_below(bundle: Bundle) -> None:
    policy = bundle.policy
    grades = {}
    for clause in policy.clauses():
        note = policy.clause_commentary(clause.id)
        assert note is not None
        grades[clause.id] = _grade(note.summary)
    too_hard = {cid: round(g, 1) for cid, g in grades.items() if g > GRADE}
    official = statistics.mean(_grade(c.text) for c in policy.clauses())
    headlines = [_grade(r.headline) for r in bundle.checker.book.rules]
    print(
        f"\nFlesch-Kincaid grade: summaries mean {statistics.mean(grades.values()):.1f}, "
        f"max {max(grades.values()):.1f} ({len(grades)}); checker headlines mean "
        f"{statistics.mean(headlines):.1f}, max {max(headlines):.1f};"
        f" the official text's clauses mean {official:.1f}"
    )
    assert not too_hard, f"summaries above grade {GRADE}: {too_hard}"


def test_the_measure_is_real() -> None:
    """The library tells plain words from the policy's own style (so the test above can fail)."""
    plain = "Do not post your students' grades."
    legal = (
        "Failure to maintain a professional relationship with students will result in the required "
        "reporting of such conduct to the Professional Standards Commission by the District's Administration."
    )
    assert _grade(plain) < GRADE < _grade(legal)
