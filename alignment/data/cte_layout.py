"""The CA CTE raw layouts (``ca_cte_anchor.csv``, ``ca_cte_pathway.csv``) as tidy rows.

One code path makes the tidy rows of CA CTE anchor and pathway standards, whether
they come from ``../shared`` (``standards_data/import_shared.py`` builds the bundle
with it) or from a CDE document imported into the standards library
(:mod:`alignment.data.cde_text` parses a document into these same layouts). So an
imported sector gets exactly the identifiers the bundle would give it
(``CA-CTE.PATHWAY.<sector>.<pathway>.<code>``, ``CA-CTE.ANCHOR.<sector>.<code>``),
and review decisions made on bundled rows stay attached after an import.
"""

from __future__ import annotations

import re

import pandas as pd

from alignment.data.standards import ALL_SECTORS, FRAMEWORKS, SECTORS, TIDY_COLUMNS, abbreviate

#: Grade band of every CA CTE row (grades 9-12; the standards have no grade).
CTE_GRADE_BAND = "9-12"
#: Columns of the raw layouts.
ANCHOR_LAYOUT = ["sector", "code", "parent_code", "title", "text"]
PATHWAY_LAYOUT = ["sector", "pathway", "code", "parent_code", "text"]


class CteLayoutError(ValueError):
    """The rows do not have the shape of the CA CTE layouts: stop rather than guess."""


def _row(**values) -> dict:
    row = {c: "" for c in TIDY_COLUMNS}
    row.update(depth=0, is_leaf=True, source_row=None)
    row.update(values)
    return row


def anchor_rows(src: pd.DataFrame, rel: str, all_titles: dict[str, str] | None = None) -> list[dict]:
    """Rows of the ``ca_cte_anchor.csv`` layout (sector, code, parent_code, title, text) as tidy rows.

    ``all_titles`` (``{"1.0": "Academics", ...}``): the cross-sector anchor titles, when
    ``src`` has no ``ALL`` rows (an import of one sector; the titles come from the bundle).
    """
    framework, title = "cte_anchor", FRAMEWORKS["cte_anchor"]
    records = list(enumerate(src.to_dict("records"), start=1))
    all_titles = dict(all_titles or {})
    all_titles.update({r["code"]: r["title"] for _, r in records if r["sector"] == ALL_SECTORS})
    sector_heads = {(r["sector"], r["code"]): r for _, r in records
                    if r["sector"] != ALL_SECTORS and r["code"].endswith(".0")}
    rows = []
    for i, r in records:
        sector, code = r["sector"], r["code"]
        if not re.fullmatch(r"\d+\.\d+", code):
            raise CteLayoutError(f"{rel} data row {i}: unexpected anchor code {code!r}")
        anchor = code.split(".")[0] + ".0"
        if anchor not in all_titles:
            raise CteLayoutError(f"{rel} data row {i}: no ALL row for anchor {anchor}")
        common = dict(framework=framework, framework_title=title, code=code, sector=sector,
                      grade_band=CTE_GRADE_BAND, domain=all_titles[anchor], title=r["title"], text=r["text"],
                      source_file=rel, source_row=i)
        if sector == ALL_SECTORS:
            if r["parent_code"] or not code.endswith(".0") or not r["title"]:
                raise CteLayoutError(f"{rel} data row {i}: an ALL row must be a titled X.0 row")
            rows.append(_row(standard_id=f"CA-CTE.ANCHOR.{code}", display_code=code, parent_id="",
                             kind="standard" if r["text"] else "heading", **common))
            continue
        if sector not in SECTORS:
            raise CteLayoutError(f"{rel} data row {i}: unknown sector {sector!r}")
        abbr = SECTORS[sector]
        if code.endswith(".0"):
            if r["parent_code"]:
                raise CteLayoutError(f"{rel} data row {i}: anchor {code} has a parent_code")
            if not (r["text"] or r["title"]):
                raise CteLayoutError(f"{rel} data row {i}: anchor {code} has neither title nor text")
            rows.append(_row(standard_id=f"CA-CTE.ANCHOR.{abbr}.{code}", display_code=f"{abbr} {code}",
                             parent_id=f"CA-CTE.ANCHOR.{anchor}", kind="standard" if r["text"] else "heading",
                             **common))
        else:
            if r["parent_code"] != anchor or not r["text"]:
                raise CteLayoutError(f"{rel} data row {i}: indicator {code} needs parent_code {anchor} and text")
            head = sector_heads.get((sector, anchor))
            parent = f"CA-CTE.ANCHOR.{abbr}.{anchor}" if head else f"CA-CTE.ANCHOR.{anchor}"
            common["cluster"] = head["text"] if head else ""
            rows.append(_row(standard_id=f"CA-CTE.ANCHOR.{abbr}.{code}", display_code=f"{abbr} {code}",
                             parent_id=parent, kind="indicator", **common))
    return rows


def pathway_abbreviations(src: pd.DataFrame) -> dict[str, dict[str, str]]:
    """sector -> pathway -> abbreviation (initials rule of ``abbreviate``), unique per sector."""
    out: dict[str, dict[str, str]] = {}
    for sector, pathway in src[["sector", "pathway"]].drop_duplicates().itertuples(index=False):
        abbrs = out.setdefault(sector, {})
        abbr = abbreviate(pathway)
        if abbr in abbrs.values():
            raise CteLayoutError(f"pathway abbreviation {abbr} is not unique in {sector}")
        abbrs[pathway] = abbr
    return out


def pathway_rows(src: pd.DataFrame, rel: str) -> list[dict]:
    """Rows of the ``ca_cte_pathway.csv`` layout (sector, pathway, code, parent_code, text) as tidy rows."""
    framework, title = "cte_pathway", FRAMEWORKS["cte_pathway"]
    abbrs = pathway_abbreviations(src)
    heads: dict[tuple[str, str, str], dict] = {}
    seen: dict[str, int] = {}
    rows = []
    for i, r in enumerate(src.to_dict("records"), start=1):
        sector, pathway, code = r["sector"], r["pathway"], r["code"]
        if sector not in SECTORS:
            raise CteLayoutError(f"{rel} data row {i}: unknown sector {sector!r}")
        if not re.fullmatch(r"[A-Z]\d+\.\d+", code) or not r["text"]:
            raise CteLayoutError(f"{rel} data row {i}: unexpected pathway row {code!r}")
        base = f"CA-CTE.PATHWAY.{SECTORS[sector]}.{abbrs[sector][pathway]}.{code}"
        seen[base] = seen.get(base, 0) + 1
        sid = base if seen[base] == 1 else f"{base}~{seen[base]}"
        common = dict(standard_id=sid, framework=framework, framework_title=title, code=code,
                      display_code=f"{SECTORS[sector]} {code}", sector=sector, pathway=pathway,
                      grade_band=CTE_GRADE_BAND, domain=pathway, text=r["text"], source_file=rel, source_row=i)
        if code.endswith(".0"):
            if r["parent_code"] or seen[base] > 1:
                raise CteLayoutError(f"{rel} data row {i}: pathway standard {code} has a parent or a duplicate")
            heads[(sector, pathway, code)] = common
            rows.append(_row(parent_id="", kind="standard", **common))
        else:
            head = heads.get((sector, pathway, r["parent_code"]))
            if head is None or r["parent_code"] != code.split(".")[0] + ".0":
                raise CteLayoutError(f"{rel} data row {i}: parent {r['parent_code']!r} of {code} not found above it")
            rows.append(_row(parent_id=head["standard_id"], kind="indicator", cluster=head["text"], **common))
    return rows


# ------------------------------------------------------------------ the 2023 layout (revision drafts)

#: ``domain`` of the 2023 layout's two sector-wide groups (framework ``cte_anchor``).
DRAFT_GROUP_DOMAINS = {"anchor": "Anchor standards", "interdisciplinary": "Interdisciplinary standards"}


def edition_id_part(edition: str) -> str:
    """The part of a standard_id that names an edition: ``2023-draft`` -> ``2023-DRAFT``."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-]*", edition or ""):
        raise CteLayoutError(f"edition {edition!r} is not an id of letters, digits and -")
    return edition.upper()


def draft_rows(anchors: pd.DataFrame, pathways: pd.DataFrame, rel: str, edition: str, status: str) -> list[dict]:
    """Rows of the 2023 layout (:data:`~alignment.data.cde_2023.DRAFT_ANCHOR_LAYOUT`,
    :data:`~alignment.data.cde_2023.DRAFT_PATHWAY_LAYOUT`) as tidy rows of ``edition``.

    Identifiers (stable across re-imports: made of the edition, sector, group and code
    only; never equal to a 2013 id, which has no edition part)::

        CA-CTE.<EDITION>.<sector>.ANCHOR.<code>             anchor standards 1.0-12.0 and indicators
        CA-CTE.<EDITION>.<sector>.INTERDISCIPLINARY.<code>  interdisciplinary standards 13.0-16.0
        CA-CTE.<EDITION>.<sector>.PATHWAY.<prefix>.<n>.<m>  pathway standards 17.0-20.0 of a focus area

    for example ``CA-CTE.2023-DRAFT.AME.ANCHOR.1.1``, ``CA-CTE.2023-DRAFT.AME.PATHWAY.AVG.17.1``.
    A pathway standard's code carries its focus area's prefix (``AVG.17.0``), as its
    indicators do in the document. ``source_row`` is the line of the document.
    """
    part = edition_id_part(edition)
    rows: list[dict] = []
    anchor_heads = {(h["sector"], h["code"]): h for h in anchors.to_dict("records") if not h["parent_code"]}
    for r in anchors.to_dict("records"):
        sector = r["sector"]
        if sector not in SECTORS:
            raise CteLayoutError(f"{rel} line {r['line']}: unknown sector {sector!r}")
        abbr = SECTORS[sector]
        group = r["group"].upper()
        if r["group"] not in DRAFT_GROUP_DOMAINS:
            raise CteLayoutError(f"{rel} line {r['line']}: unknown group {r['group']!r}")
        sid = f"CA-CTE.{part}.{abbr}.{group}.{r['code']}"
        parent = f"CA-CTE.{part}.{abbr}.{group}.{r['parent_code']}" if r["parent_code"] else ""
        head = anchor_heads.get((sector, r["parent_code"]))
        cluster = head["text"] if head else ""
        rows.append(_row(standard_id=sid, framework="cte_anchor", framework_title=FRAMEWORKS["cte_anchor"],
                         code=r["code"], display_code=f"{abbr} {r['code']}", sector=sector,
                         grade_band=CTE_GRADE_BAND, domain=DRAFT_GROUP_DOMAINS[r["group"]], cluster=cluster,
                         parent_id=parent, kind="indicator" if r["parent_code"] else
                         ("standard" if r["text"] else "heading"), title=r["title"], text=r["text"],
                         source_file=rel, source_row=int(r["line"]), edition=edition, edition_status=status))
    heads: dict[tuple[str, str], dict] = {}
    for r in pathways.to_dict("records"):
        sector = r["sector"]
        if sector not in SECTORS:
            raise CteLayoutError(f"{rel} line {r['line']}: unknown sector {sector!r}")
        abbr = SECTORS[sector]
        sid = f"CA-CTE.{part}.{abbr}.PATHWAY.{r['code']}"
        common = dict(standard_id=sid, framework="cte_pathway", framework_title=FRAMEWORKS["cte_pathway"],
                      code=r["code"], display_code=f"{abbr} {r['code']}", sector=sector, pathway=r["pathway"],
                      grade_band=CTE_GRADE_BAND, domain=r["pathway"], text=r["text"], source_file=rel,
                      source_row=int(r["line"]), edition=edition, edition_status=status, focus_area=r["focus_area"])
        if not r["parent_code"]:
            heads[(sector, r["code"])] = common
            rows.append(_row(parent_id="", kind="standard", title=r["title"], **common))
        else:
            head = heads.get((sector, r["parent_code"]))
            if head is None:
                raise CteLayoutError(f"{rel} line {r['line']}: parent {r['parent_code']!r} of {r['code']} not found "
                                     "above it")
            rows.append(_row(parent_id=head["standard_id"], kind="indicator", cluster=head["text"], **common))
    return rows
