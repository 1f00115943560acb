"""CDE Model Curriculum Standards text (PDF, Word, pasted web pages) -> the CA CTE layouts.

A sector's standards as the California Department of Education prints them:

- **anchor standards** ``1.0``-``11.0``: the code with the anchor's title on one line
  (``2.0 Communications``), the statement below it, then its performance indicators
  ``2.1``, ``2.2``, ...;
- **pathway standards**, under a heading per pathway (``Networking Pathway``, or
  ``A. Networking Pathway``): ``B1.0`` and its statement, then its indicators
  ``B1.1``, ``B1.2``, ...

Statements run over several lines and across pages; PDF page headers, footers and
page numbers sit between them. :func:`parse_cde_lines` reads
:class:`~alignment.io.documents.Line` objects into two tables in the layouts of
``ca_cte_anchor.csv`` and ``ca_cte_pathway.csv`` (see
:mod:`alignment.data.cte_layout`), so a parsed document becomes tidy rows exactly as
the bundle does. What it does to the text, and nothing else:

- the lines of one item are joined with a space; a word broken at a line end with a
  hyphen (``multime-`` / ``dia``) is joined without it;
- ``(Direct alignment with ...)`` notes after an anchor statement are removed (they
  map to Common Core, they are not the standard; the bundle removes them too);
- in a paged document, lines that repeat at the top or bottom of most pages
  (headers, footers, with any page number in them) and lines that are only a page
  number are dropped;
- lines starting with ``#`` are metadata a saved excerpt may carry
  (``#SECTOR``, ``#PATHWAY``, ``#KIND``, ``#URL``, ``#NOTE``), not text.

Every problem raises :class:`~alignment.io.errors.InputError` naming the source and
the page/line: no codes at all, a code twice, codes out of order, an indicator
without its standard above it, an empty item, no sector.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from alignment.data.cte_layout import ANCHOR_LAYOUT, PATHWAY_LAYOUT
from alignment.data.standards import SECTORS
from alignment.io.documents import Line
from alignment.io.errors import InputError

_CODE = re.compile(r"^(?P<code>(?P<letter>[A-Z])?(?P<major>\d{1,2})\.(?P<minor>\d{1,2}))\.?(?:\s+(?P<rest>.*))?$")
_PATHWAY_HEADING = re.compile(r"^(?:[A-Z][.)]\s+)?(?P<name>[A-Z][A-Za-z,&'\- ]{2,80}?)\s+Pathway:?$")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_ALIGNMENT_NOTE = re.compile(r"\s*\(Direct alignment with [^)]*\)")
_SECTION_HEADINGS = {
    "anchor standards", "knowledge and performance anchor standards", "pathway standards",
    "performance indicators", "standards for career ready practice", "career ready practice",
    "anchor standards and performance indicators", "pathway standards and performance indicators",
}
_SECTOR_BY_LOWER = {name.lower(): name for name in SECTORS}
_METADATA = re.compile(r"^#(?P<key>[A-Z]+)\s*(?P<value>.*)$")


@dataclass
class _Item:
    code: str
    letter: str
    major: int
    minor: int
    first: str
    line: Line
    pathway: str
    more: list[str] = field(default_factory=list)

    def text(self) -> str:
        out = self.first
        for part in self.more:
            out = _join(out, part)
        return out.strip()


@dataclass
class ParsedDocument:
    """A parsed CDE document: the sector, its rows in the two raw layouts, what was dropped."""

    sector: str
    anchors: pd.DataFrame
    pathways: pd.DataFrame
    notes: list[str]


def _join(left: str, right: str) -> str:
    right = right.strip()
    if not left:
        return right
    if not right:
        return left
    if re.search(r"[a-z]-$", left) and re.match(r"[a-z]", right):
        return left[:-1] + right
    return left + " " + right


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text)).strip().lower()


def _running_lines(lines: list[Line]) -> set[tuple[int | None, int]]:
    """(page, line) of headers, footers and bare page numbers of a paged document."""
    pages: dict[int, list[Line]] = {}
    for line in lines:
        if line.page is not None and line.text.strip():
            pages.setdefault(line.page, []).append(line)
    drop = {(ln.page, ln.number) for ln in lines if _PAGE_NUMBER.match(ln.text.strip())}
    if len(pages) < 2:
        return drop
    edges: dict[str, list[Line]] = {}
    for page_lines in pages.values():
        for line in page_lines[:2] + page_lines[-2:]:
            edges.setdefault(_normal(line.text), []).append(line)
    for key, found in edges.items():
        on_pages = {ln.page for ln in found}
        if len(on_pages) >= 2 and len(on_pages) * 2 >= len(pages) and not _CODE.match(found[0].text.strip()):
            drop.update((ln.page, ln.number) for ln in found)
    return drop


def parse_cde_lines(lines: list[Line], source: str, *, sector: str | None = None, pathway: str | None = None,
                    anchor_titles: dict[str, str] | None = None) -> ParsedDocument:
    """Parse a CDE standards document's lines (see the module docstring).

    sector / pathway: given by the person importing (``--sector``, ``--pathway``);
    otherwise read from the document (a line that is a sector's name, ``#SECTOR``,
    pathway headings, ``#PATHWAY``). anchor_titles: ``{"2.0": "Communications", ...}``,
    the fixed anchor titles, to split ``2.0 Communications Acquire and ...`` when the
    title and the statement share a line.
    """
    anchor_titles = anchor_titles or {}
    if sector and sector not in SECTORS:
        sector = _SECTOR_BY_LOWER.get(sector.strip().lower(), sector)
        if sector not in SECTORS:
            raise InputError(source, f"{source}: sector {sector!r} is not one of the 15 CA CTE sectors: "
                                     f"{', '.join(SECTORS)}")
    found_sector = sector
    current_pathway = pathway or ""
    drop = _running_lines(lines)
    items: list[_Item] = []
    current: _Item | None = None
    notes: list[str] = []
    dropped = 0
    for line in lines:
        text = line.text.strip()
        if (line.page, line.number) in drop:
            dropped += 1
            continue
        meta = _METADATA.match(text)
        if meta:
            key, value = meta["key"], meta["value"].strip()
            if key == "SECTOR" and not sector:
                found_sector = _SECTOR_BY_LOWER.get(value.lower(), value)
            elif key == "PATHWAY" and not pathway:
                current_pathway = value
            current = None if key in ("SECTOR", "PATHWAY") else current
            continue
        if not text:
            continue
        lowered = re.sub(r"\s+(industry\s+)?sector$", "", text.lower()).rstrip(":")
        if lowered in _SECTOR_BY_LOWER:
            if not found_sector:
                found_sector = _SECTOR_BY_LOWER[lowered]
            current = None
            continue
        if text.lower().rstrip(":") in _SECTION_HEADINGS:
            current = None
            continue
        heading = _PATHWAY_HEADING.match(text)
        if heading and not pathway:
            current_pathway = heading["name"].strip()
            current = None
            continue
        code = _CODE.match(text)
        if code:
            current = _Item(code["code"], code["letter"] or "", int(code["major"]), int(code["minor"]),
                            (code["rest"] or "").strip(), line, current_pathway if code["letter"] else "")
            items.append(current)
            continue
        if current is not None:
            current.more.append(text)
    if dropped:
        notes.append(f"dropped {dropped} header, footer and page-number line(s)")
    if not items:
        raise InputError(source, f"{source}: no standards codes found (anchor standards 1.0-11.0 with indicators "
                                 "1.1, 1.2, ...; pathway standards A1.0 with indicators A1.1, ...); is this a CDE "
                                 "Model Curriculum Standards document with a text layer?")
    if not found_sector:
        raise InputError(source, f"{source}: no sector named in the document; name it with --sector "
                                 f"(one of: {', '.join(SECTORS)})")
    if found_sector not in SECTORS:
        raise InputError(source, f"{source}: sector {found_sector!r} is not one of the 15 CA CTE sectors: "
                                 f"{', '.join(SECTORS)}")
    return ParsedDocument(found_sector, *_tables(items, source, found_sector, anchor_titles, notes), notes)


def _where(source: str, line: Line) -> str:
    return f"{source} {line.where()}"


def _tables(items: list[_Item], source: str, sector: str, anchor_titles: dict[str, str],
            notes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    first_at: dict[tuple, _Item] = {}
    last_in: dict[tuple, _Item] = {}
    heads: set[tuple] = set()
    anchors, pathways = [], []
    removed_notes = 0
    for item in items:
        group = ("pathway", item.pathway) if item.letter else ("anchor", "")
        key = group + (item.code,)
        if key in first_at:
            raise InputError(source, f"{_where(source, item.line)}: code {item.code} appears twice (first at "
                                     f"{first_at[key].line.where()}); a document holds each code once")
        first_at[key] = item
        previous = last_in.get(group)
        order = (item.letter, item.major, item.minor)
        if previous is not None and order <= (previous.letter, previous.major, previous.minor):
            raise InputError(source, f"{_where(source, item.line)}: code {item.code} comes after {previous.code} "
                                     f"({previous.line.where()}); codes must run in order")
        last_in[group] = item
        text = item.text()
        cleaned = _ALIGNMENT_NOTE.sub("", text).strip()
        removed_notes += cleaned != text
        text = cleaned
        if item.letter:
            if not item.pathway:
                raise InputError(source, f"{_where(source, item.line)}: pathway standard {item.code} comes before "
                                         "any pathway heading (\"<Name> Pathway\"); add the heading or name the "
                                         "pathway with --pathway")
            if not text:
                raise InputError(source, f"{_where(source, item.line)}: code {item.code} has no text")
            parent = ""
            if item.minor:
                parent = f"{item.letter}{item.major}.0"
                if group + (parent,) not in first_at:
                    raise InputError(source, f"{_where(source, item.line)}: indicator {item.code} has no pathway "
                                             f"standard {parent} above it")
            pathways.append({"sector": sector, "pathway": item.pathway, "code": item.code, "parent_code": parent,
                             "text": text})
        else:
            if anchor_titles and f"{item.major}.0" not in anchor_titles:
                raise InputError(source, f"{_where(source, item.line)}: anchor standard {item.major}.0 is not one of "
                                         f"the 2013 anchor standards ({', '.join(anchor_titles)}); is this another "
                                         "edition (the 2023 revision drafts have more anchors)?")
            title = ""
            if not item.minor:
                known = anchor_titles.get(item.code, "")
                if known and item.first.lower().startswith(known.lower()):
                    title = item.first[:len(known)]
                    text = _statement(item.first[len(known):].strip(), item.more)
                elif item.more and not item.first.endswith("."):
                    title, text = item.first, _statement("", item.more)
                heads.add(item.code)
            elif not text:
                raise InputError(source, f"{_where(source, item.line)}: code {item.code} has no text")
            anchors.append({"sector": sector, "code": item.code,
                            "parent_code": "" if not item.minor else f"{item.major}.0", "title": title,
                            "text": text})
    if removed_notes:
        notes.append(f"removed {removed_notes} '(Direct alignment with ...)' note(s) from the statements")
    return (pd.DataFrame(anchors, columns=ANCHOR_LAYOUT, dtype=str),
            pd.DataFrame(pathways, columns=PATHWAY_LAYOUT, dtype=str))


def _statement(first: str, more: list[str]) -> str:
    out = first
    for part in more:
        out = _join(out, part)
    return _ALIGNMENT_NOTE.sub("", out).strip()
