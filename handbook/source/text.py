"""Load a policy's text (``policy_src/<id>/``) and validate it: schema first, then cross-checks.

Every problem is collected and reported together, each naming file, line, column and the
path of the offending value. Nothing is returned unless the whole source is valid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from pathlib import Path as FsPath
from typing import Any

from ..config import display
from .errors import SourceError
from .ids import clause_prefix
from .model import (
    Block,
    Clause,
    ClauseCommentary,
    Policy,
    Reference,
    Revision,
    Section,
    SectionCommentary,
    Term,
)
from .reader import Reader
from .yamlfile import YamlDoc


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def load_policy(policy_dir: FsPath, reader: Reader | None = None) -> Policy:
    """Read and validate the policy's text, commentary and glossary; SourceError lists every problem.

    ``reader``: share one with the rule source's loader, so that each file is parsed once.
    """
    ld = reader or Reader(policy_dir)
    meta = ld.read("policy.yaml", "policy")
    if meta is None:
        raise SourceError(ld.problems)
    m = meta.data
    for key in ("adopted",):
        try:
            _date(m[key])
        except ValueError:
            ld.problems.append(meta.problem((key,), f"{m[key]!r} is not a valid date"))
    if policy_dir.name != m["number"]:
        ld.problems.append(
            meta.problem(
                ("number",),
                f"the policy number {m['number']!r} must name its folder (the folder is {policy_dir.name!r})",
            )
        )

    # Sections: one file each in sections/, in the order policy.yaml gives.
    files: dict[str, YamlDoc] = {}
    unreadable = 0
    for rel in ld.files("sections"):
        doc = ld.read(rel, "section")
        if doc is None:
            unreadable += 1
            continue
        sid = doc.data["id"]
        if sid in files:
            ld.problems.append(doc.problem(("id",), f"section id {sid!r} is also used by {files[sid].file}"))
        elif sid not in m["sections"]:
            ld.problems.append(
                doc.problem(("id",), f"section {sid!r} is not listed in policy.yaml 'sections'")
            )
        else:
            files[sid] = doc
    for i, sid in enumerate(m["sections"]):
        if sid not in files and not unreadable:
            ld.problems.append(meta.problem(("sections", i), f"no file in sections/ has id {sid!r}"))

    refs_doc = ld.read("references.yaml", "references")
    references: dict[str, Reference] = {}
    if refs_doc is not None:
        for i, r in enumerate(refs_doc.data):
            if r["id"] in references:
                ld.problems.append(refs_doc.problem((i, "id"), f"duplicate reference id {r['id']!r}"))
            references[r["id"]] = Reference(r["id"], r["name"], r["kind"], r["description"])

    sections, clause_docs = _sections(ld, m, files, references if refs_doc else None)
    known_clauses = set(clause_docs)
    glossary = _glossary(ld, known_clauses, references if refs_doc else None, clause_docs)
    commentary = _commentary(ld, sections, known_clauses)

    original_path = policy_dir / m["original"]
    try:
        original = original_path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        ld.problems.append(meta.problem(("original",), f"cannot read {display(original_path)}: {exc}"))
        original = ""

    overview_path = policy_dir / "overview.md"
    overview = overview_path.read_text(encoding="utf-8").strip() if overview_path.is_file() else ""

    if ld.problems:
        raise SourceError(ld.problems)
    return Policy(
        district=m["district"],
        state=m["state"],
        series=m["series"],
        number=m["number"],
        title=m["title"],
        adopted=_date(m["adopted"]),
        revisions=tuple(Revision(_date(r["date"]), r["summary"]) for r in m["revisions"]),
        sections=tuple(sections),
        references=references,
        glossary=tuple(glossary),
        commentary=commentary,
        original_text=original,
        keywords=tuple(m.get("keywords", ())),
        fictional=bool(m.get("fictional", False)),
        overview=overview,
    )


def _sections(
    ld: Reader,
    meta: Mapping[str, Any],
    files: Mapping[str, YamlDoc],
    references: Mapping[str, Reference] | None,
) -> tuple[list[Section], dict[str, tuple[YamlDoc, tuple[str | int, ...]]]]:
    sections: list[Section] = []
    seen: dict[str, tuple[YamlDoc, tuple[str | int, ...]]] = {}
    for sid in meta["sections"]:
        doc = files.get(sid)
        if doc is None:
            continue
        blocks = []
        for b, block in enumerate(doc.data["blocks"]):
            kind = "list" if "list" in block else "paragraph"
            clauses = []
            for c, raw in enumerate(block[kind]):
                where = ("blocks", b, kind, c)
                cid = raw["id"]
                if cid in seen:
                    first_doc, first_path = seen[cid]
                    first = first_doc.problem(first_path, "")
                    ld.problems.append(
                        doc.problem(
                            (*where, "id"),
                            f"duplicate clause id {cid!r} (first defined at {first.file}:{first.line})",
                        )
                    )
                    continue
                seen[cid] = (doc, (*where, "id"))
                prefix = clause_prefix(meta["number"], sid)
                if not cid.startswith(prefix):
                    ld.problems.append(
                        doc.problem(
                            (*where, "id"),
                            f"clause id {cid!r} must start with {prefix!r} (policy number and section id)",
                        )
                    )
                if kind == "list" and raw["number"] != c + 1:
                    ld.problems.append(
                        doc.problem(
                            (*where, "number"),
                            f"list item number {raw['number']} out of sequence (expected {c + 1})",
                        )
                    )
                for r, ref in enumerate(raw.get("refs", ())):
                    if references is not None and ref not in references:
                        ld.problems.append(
                            doc.problem(
                                (*where, "refs", r), f"unknown reference {ref!r} (not in references.yaml)"
                            )
                        )
                clauses.append(
                    Clause(
                        id=cid,
                        title=raw["title"],
                        kind=raw["kind"],
                        text=" ".join(raw["text"].split()),
                        section=sid,
                        number=raw.get("number"),
                        refs=tuple(raw.get("refs", ())),
                        rules=tuple(raw.get("rules", ())),
                    )
                )
            blocks.append(Block(kind, tuple(clauses)))  # type: ignore[arg-type]
        sections.append(Section(sid, doc.data["heading"], tuple(blocks), doc.file))
    return sections, seen


def _check_ids(  # noqa: PLR0917
    ld: Reader,
    doc: YamlDoc,
    path: tuple[str | int, ...],
    ids: list[str],
    known: Callable[[str], bool],
    what: str,
) -> None:
    for i, ident in enumerate(ids):
        if not known(ident):
            ld.problems.append(doc.problem((*path, i), f"unknown {what} {ident!r}"))


def term_occurs(phrase: str, text: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words, exact case.

    Whole words as the handbook marks terms in the official text: not inside a longer word,
    nor joined to one by a hyphen ("District" does not occur in "District-sponsored").
    """
    return re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text) is not None


def _text_is_sound(ld: Reader) -> bool:
    """No problem so far in the official text (section files, or policy.yaml's section list).

    Until the clauses load cleanly, checks of glossary and commentary against clause ids would
    only echo the same problem (a renamed clause, a section file that failed its schema), so
    they wait until it is fixed.
    """
    sections_dir = FsPath(display(ld.dir / "sections"))
    policy_file = display(ld.dir / "policy.yaml")
    for problem in ld.problems:
        if FsPath(problem.file).parent == sections_dir:
            return False
        if problem.file == policy_file and problem.path[:1] == ("sections",):
            return False
    return True


def _clause_text(entry: tuple[YamlDoc, tuple[str | int, ...]]) -> str:
    """The official words of a clause, whitespace normalised, from where its id was read."""
    doc, id_path = entry
    node: Any = doc.data
    for part in id_path[:-1]:
        node = node[part]
    return " ".join(str(node.get("text", "")).split())


def _glossary(
    ld: Reader,
    clauses: set[str],
    references: Mapping[str, Reference] | None,
    clause_docs: Mapping[str, tuple[YamlDoc, tuple[str | int, ...]]],
) -> list[Term]:
    doc = ld.read("glossary.yaml", "glossary")
    if doc is None:
        return []
    sound = _text_is_sound(ld)
    terms: list[Term] = []
    ids: set[str] = set()
    spellings: dict[str, str] = {}  # term or alias -> id of the entry that has it
    for i, t in enumerate(doc.data):
        if t["id"] in ids:
            ld.problems.append(doc.problem((i, "id"), f"duplicate term id {t['id']!r}"))
        ids.add(t["id"])
        phrases = [t["term"], *t.get("aliases", ())]
        for k, phrase in enumerate(phrases):
            where: tuple[str | int, ...] = (i, "term") if k == 0 else (i, "aliases", k - 1)
            if phrase in spellings:
                ld.problems.append(
                    doc.problem(where, f"{phrase!r} is already a term or alias of {spellings[phrase]!r}")
                )
            else:
                spellings[phrase] = t["id"]
        if sound:
            _check_ids(ld, doc, (i, "clauses"), t["clauses"], clauses.__contains__, "clause id")
        for j, cid in enumerate(t["clauses"]):
            entry = clause_docs.get(cid)
            if entry is None or any(term_occurs(p, _clause_text(entry)) for p in phrases):
                continue
            aliases = phrases[1:]
            nor = f" (nor do its aliases {', '.join(map(repr, aliases))})" if aliases else ""
            ld.problems.append(
                doc.problem((i, "clauses", j), f"term {t['term']!r} does not occur in clause {cid}{nor}")
            )
        if references is not None:
            _check_ids(ld, doc, (i, "refs"), t.get("refs", []), references.__contains__, "reference")
        terms.append(
            Term(
                t["id"],
                t["term"],
                t["definition"].strip(),
                tuple(t["clauses"]),
                tuple(t.get("aliases", ())),
                tuple(t.get("refs", ())),
            )
        )
    return terms


def _commentary(ld: Reader, sections: list[Section], clauses: set[str]) -> dict[str, SectionCommentary]:
    out: dict[str, SectionCommentary] = {}
    docs: dict[str, YamlDoc] = {}
    by_id = {s.id: s for s in sections}
    sound = _text_is_sound(ld)
    incomplete = False  # a commentary file we could not attribute to a section
    for rel in ld.files("commentary"):
        doc = ld.read(rel, "commentary")
        if doc is None:
            incomplete = True
            continue
        sid = doc.data["section"]
        section = by_id.get(sid)
        if section is None:
            incomplete = True
            if sound:
                ld.problems.append(doc.problem(("section",), f"unknown section {sid!r}"))
            continue
        if sid in out:
            ld.problems.append(
                doc.problem(("section",), f"section {sid!r} already has commentary in {out[sid].file}")
            )
            continue
        own = {c.id for c in section.clauses}
        items: dict[str, ClauseCommentary] = {}
        for cid, c in doc.data["clauses"].items():
            if cid not in own:
                if sound:
                    hint = "it belongs to another section" if cid in clauses else "no such clause"
                    ld.problems.append(
                        doc.problem(
                            ("clauses", cid), f"unknown clause id {cid!r} for section {sid!r} ({hint})"
                        )
                    )
                continue
            related = c.get("related", [])
            if sound:
                _check_ids(ld, doc, ("clauses", cid, "related"), related, clauses.__contains__, "clause id")
            if cid in related:
                where = ("clauses", cid, "related", related.index(cid))
                ld.problems.append(doc.problem(where, f"clause {cid} lists itself as related"))
            items[cid] = ClauseCommentary(
                cid,
                c["summary"].strip(),
                c["why"].strip(),
                tuple(e.strip() for e in c.get("examples", ())),
                tuple(related),
            )
        out[sid] = SectionCommentary(sid, doc.data["intro"].strip(), items, doc.file)
        docs[sid] = doc
    if sound:
        _missing_commentary(ld, sections, out, docs, check_sections=not incomplete)
    return out


def _missing_commentary(
    ld: Reader,
    sections: list[Section],
    out: Mapping[str, SectionCommentary],
    docs: Mapping[str, YamlDoc],
    check_sections: bool,
) -> None:
    """Every clause has commentary: reported at its section's commentary file, or at policy.yaml."""
    meta: YamlDoc | None = None
    for section in sections:
        doc = docs.get(section.id)
        if doc is not None:
            for clause in section.clauses:
                if clause.id not in out[section.id].clauses:
                    ld.problems.append(doc.problem(("clauses",), f"clause {clause.id} has no commentary"))
            continue
        if not check_sections:
            continue
        if meta is None:
            meta = ld.read("policy.yaml", "policy")
            assert meta is not None  # it was read first, and it was valid
        where = ("sections", meta.data["sections"].index(section.id))
        for clause in section.clauses:
            ld.problems.append(
                meta.problem(
                    where,
                    f"clause {clause.id} has no commentary (no file in commentary/ is for section "
                    f"{section.id!r})",
                )
            )
