"""CDE Model Curriculum Standards in the 2023 layout (the revision drafts) -> raw tables.

The 2023 drafts (first: *Draft: 2023 Arts, Media, and Entertainment CTE Model
Curriculum Standards*, CDE, April 2023) are laid out differently from the adopted
2013 standards that :mod:`alignment.data.cde_text` reads:

- **anchor standards** ``1.0``-``12.0``, each a heading ``1.0 Academics`` with its
  statement in the next paragraph (in italics in the document) and indicators
  ``1.1``, ``1.2``, ...;
- **interdisciplinary standards** ``13.0``-``16.0``, the same shape, under their own
  part heading (``<Sector>: Interdisciplinary Standards``);
- **pathway standards** ``17.0``-``20.0`` under a pathway heading
  (``Media Production Pathway``) and a focus-area heading
  (``Animation, Visual Effects, and Games``): a heading ``17.0: <title>`` with no
  statement, then indicators coded with the focus area's prefix (``AVG.17.1``).

The input is the document's lines (markdown as converted from CDE's document, or
plain text of it: ``#`` heading marks and ``**``/``*`` emphasis are optional). What
is done to the text, and nothing else: heading marks, emphasis marks and footnote
markers (``[^7]``) are removed (a footnote's own text, at the end of the document, is
never glued into a standard); codes are normalised (``AVG 18.3`` -> ``AVG.18.3``,
``AVG.17.6.`` -> ``AVG.17.6``, ``7.3.`` -> ``7.3``, ``17.0:`` -> ``17.0``).
Tables (the *Guidance for High Quality Pathway Sequencing* tables: they cite codes,
they hold no standard), the table of contents, descriptions, glossary and references
are not standards and are passed over.

Anything inside a standard's section that cannot be read without guessing is
**listed** in :attr:`Parsed2023.skipped` with its line and the reason, never
guessed: a code that appears twice, an indicator of another standard or focus area,
a paragraph without a code, an indicator before any standard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from alignment.data.frameworks import SECTORS
from alignment.io.documents import Line
from alignment.io.errors import InputError

#: Columns of the parsed anchor and interdisciplinary rows.
DRAFT_ANCHOR_LAYOUT = ["sector", "group", "code", "parent_code", "title", "text", "line"]
#: Columns of the parsed pathway rows (``prefix``: the focus area's code prefix, ``AVG``).
DRAFT_PATHWAY_LAYOUT = ["sector", "pathway", "focus_area", "prefix", "code", "parent_code", "title", "text", "line"]

ANCHOR_NUMBERS = range(1, 13)
INTERDISCIPLINARY_NUMBERS = range(13, 17)
PATHWAY_NUMBERS = range(17, 21)

_HEADING = re.compile(r"^(?P<marks>#{1,6})\s*(?P<text>.*)$")
_FOOTNOTE = re.compile(r"\s*\[\^\d+\]")
_STANDARD = re.compile(r"^(?P<major>\d{1,2})\.0:?\s+(?P<title>\S.*)$")
_ANCHOR_INDICATOR = re.compile(r"^(?P<major>\d{1,2})\.(?P<minor>\d{1,2})\.?\s+(?P<text>\S.*)$")
_PATHWAY_INDICATOR = re.compile(r"^(?P<prefix>[A-Z]{1,4})[. ]\s*(?P<major>\d{1,2})\.(?P<minor>\d{1,2})\.?\s+"
                                r"(?P<text>\S.*)$")
_PART = re.compile(r"^(?P<sector>.+?):\s*(?P<part>Anchor|Interdisciplinary|Pathway) Standards$", re.IGNORECASE)
_PATHWAY = re.compile(r"^(?P<name>[A-Z][A-Za-z,&'\- ]{2,80}?)\s+Pathway$")
#: A document in the 2023 layout: a 13.0-20.0 heading, or an indicator coded with a focus-area prefix.
_LAYOUT_MARK = re.compile(r"^(?:#{1,6}\s*)?\**\s*(?:1[3-9]|20)\.0:?\s|^\**[A-Z]{1,4}[. ](?:1[7-9]|20)\.\d{1,2}\.?\s")


@dataclass
class Skipped:
    """A line of a standard's section that was not read, and why."""

    line: int
    text: str
    reason: str


@dataclass
class Parsed2023:
    """A parsed 2023-layout document: sector, whether it says it is a draft, the rows, what was skipped."""

    sector: str
    draft: bool
    anchors: pd.DataFrame
    pathways: pd.DataFrame
    skipped: list[Skipped]
    notes: list[str]


def is_2023_layout(lines: list[Line]) -> bool:
    """Whether the lines look like a 2023-layout document (interdisciplinary or 17.0-20.0
    pathway standards, which the 2013 layout does not have)."""
    return any(_LAYOUT_MARK.match(line.text.strip()) for line in lines)


def clean(text: str) -> str:
    """A line without heading marks, emphasis marks, footnote markers and surrounding space."""
    text = _HEADING.sub(r"\g<text>", text.strip())
    text = _FOOTNOTE.sub("", text)
    text = text.replace("**", "")
    text = re.sub(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", text)
    text = text.replace("\\.", ".").replace("\\*", "*")
    return re.sub(r"\s+", " ", text).strip()


def parse_2023_lines(lines: list[Line], source: str, *, sector: str | None = None) -> Parsed2023:
    """Parse a 2023-layout CDE document (see the module docstring).

    sector: given by the person importing; otherwise the sector named in the document's
    part headings (``Arts, Media, and Entertainment: Anchor Standards``). Raises
    :class:`InputError` when no sector is named or no standard is found.
    """
    anchors: list[dict] = []
    pathways: list[dict] = []
    skipped: list[Skipped] = []
    found_sector = sector or ""
    part = ""                 # "anchor", "interdisciplinary", "pathway" or "" (not in a standards part)
    pathway = focus = ""
    prefix_of: dict[str, str] = {}   # focus area -> its code prefix
    standard: dict | None = None     # the standard whose section we are in
    expect_statement = False
    seen: dict[tuple, int] = {}
    draft = False
    for line in lines:
        raw = line.text.strip()
        if not raw:
            continue
        if line.number <= 60 and re.search(r"\bdraft\b", raw, re.IGNORECASE):
            draft = True
        if raw.startswith("|"):
            standard = None  # a sequencing table ends a standard's section
            continue
        text = clean(raw)
        if not text:
            continue
        heading = _HEADING.match(raw)
        part_match = _PART.match(text)
        if part_match and heading:
            named = part_match["sector"].strip()
            if named.lower() in {s.lower() for s in SECTORS}:
                named = next(s for s in SECTORS if s.lower() == named.lower())
                found_sector = found_sector or named
                part = part_match["part"].lower()
                pathway = focus = ""
                standard = None
                continue
        if heading:
            standard = None
            expect_statement = False
            level = len(heading["marks"])
            std = _STANDARD.match(text)
            if std and part:
                major = int(std["major"])
                allowed = {"anchor": ANCHOR_NUMBERS, "interdisciplinary": INTERDISCIPLINARY_NUMBERS,
                           "pathway": PATHWAY_NUMBERS}[part]
                if major not in allowed:
                    skipped.append(Skipped(line.number, raw, f"standard {major}.0 is not a {part} standard "
                                                             f"({allowed.start}.0-{allowed.stop - 1}.0)"))
                    continue
                if part == "pathway" and not focus:
                    skipped.append(Skipped(line.number, raw, f"pathway standard {major}.0 before any focus-area "
                                                             "heading"))
                    continue
                key = (part, pathway, focus, major)
                if key in seen:
                    skipped.append(Skipped(line.number, raw, f"standard {major}.0 appears twice in this part "
                                                             f"(first at line {seen[key]})"))
                    continue
                seen[key] = line.number
                standard = {"major": major, "line": line.number, "code": f"{major}.0", "minors": set()}
                if part == "pathway":
                    standard["code"] = ""  # the focus area's prefix is known from its first indicator
                    row = {"sector": found_sector, "pathway": pathway, "focus_area": focus, "prefix": "",
                           "code": "", "parent_code": "", "title": std["title"].strip(), "text": std["title"].strip(),
                           "line": line.number}
                    pathways.append(row)
                    standard["row"] = row
                else:
                    row = {"sector": found_sector, "group": part, "code": f"{major}.0", "parent_code": "",
                           "title": std["title"].strip(), "text": "", "line": line.number}
                    anchors.append(row)
                    standard["row"] = row
                    expect_statement = True
                continue
            if part == "pathway":
                pw = _PATHWAY.match(text)
                if level <= 2 and pw:
                    pathway, focus = pw["name"].strip(), ""
                elif level <= 2:
                    part = ""  # the pathways end (pre-apprenticeship, contributors, glossary ...)
                elif level == 3 and pathway:
                    focus = text
            elif level <= 2:
                part = ""
            continue
        if standard is None:
            continue  # descriptions, lists and notes between the standards
        row = standard["row"]
        if expect_statement:
            expect_statement = False
            if raw.startswith("*") and not _ANCHOR_INDICATOR.match(text):
                row["text"] = text
                continue
        if part == "pathway":
            ind = _PATHWAY_INDICATOR.match(text)
            if not ind:
                skipped.append(Skipped(line.number, raw, f"a paragraph without a code in the section of "
                                                         f"{_shown(standard)} ({focus}); not joined to the "
                                                         "indicator above it"))
                continue
            prefix, major, minor = ind["prefix"], int(ind["major"]), int(ind["minor"])
            code = f"{prefix}.{major}.{minor}"
            known = prefix_of.setdefault(focus, prefix)
            if prefix != known:
                skipped.append(Skipped(line.number, raw, f"code prefix {prefix} differs from {known}, the prefix "
                                                         f"of the focus area {focus}"))
                continue
            if not row["prefix"]:
                row.update(prefix=prefix, code=f"{prefix}.{major}.0")
                standard["code"] = row["code"]
        else:
            ind = _ANCHOR_INDICATOR.match(text)
            if not ind:
                skipped.append(Skipped(line.number, raw, f"a paragraph without a code in the section of "
                                                         f"{_shown(standard)}; not joined to the indicator above it"))
                continue
            major, minor = int(ind["major"]), int(ind["minor"])
            code = f"{major}.{minor}"
        if major != standard["major"] or minor == 0:
            skipped.append(Skipped(line.number, raw, f"indicator {code} in the section of {_shown(standard)}"))
            continue
        if minor in standard["minors"]:
            first = standard["minors_at"][minor]
            skipped.append(Skipped(line.number, raw, f"code {code} appears twice (first at line {first}); the "
                                                     "second is not imported"))
            continue
        standard["minors"].add(minor)
        standard.setdefault("minors_at", {})[minor] = line.number
        if part == "pathway":
            pathways.append({"sector": found_sector, "pathway": pathway, "focus_area": focus, "prefix": prefix,
                             "code": code, "parent_code": row["code"], "title": "", "text": ind["text"].strip(),
                             "line": line.number})
        else:
            anchors.append({"sector": found_sector, "group": part, "code": code, "parent_code": row["code"],
                            "title": "", "text": ind["text"].strip(), "line": line.number})
    if not anchors and not pathways:
        raise InputError(source, f"{source}: no standards in the 2023 layout found (anchor standards 1.0-12.0, "
                                 "interdisciplinary 13.0-16.0, pathway standards 17.0-20.0 under "
                                 "'<Sector>: ... Standards' headings)")
    if not found_sector:
        raise InputError(source, f"{source}: no sector named in the document; name it with --sector "
                                 f"(one of: {', '.join(SECTORS)})")
    without = [r for r in pathways if not r["code"]]
    for r in without:
        skipped.append(Skipped(r["line"], r["title"], "pathway standard without indicators: its code prefix "
                                                      "is unknown"))
    pathways = [r for r in pathways if r["code"]]
    for r in anchors + pathways:
        r["sector"] = found_sector
    skipped.sort(key=lambda s: s.line)
    notes = [f"2023 layout: {len(anchors)} anchor and interdisciplinary rows, {len(pathways)} pathway rows"]
    if skipped:
        notes.append(f"{len(skipped)} line(s) not imported (listed with their reasons): "
                     + "; ".join(f"line {s.line}: {s.reason}" for s in skipped))
    return Parsed2023(found_sector, draft, pd.DataFrame(anchors, columns=DRAFT_ANCHOR_LAYOUT),
                      pd.DataFrame(pathways, columns=DRAFT_PATHWAY_LAYOUT), skipped, notes)


def _shown(standard: dict) -> str:
    return standard["code"] or f"{standard['major']}.0"
