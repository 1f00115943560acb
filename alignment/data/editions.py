"""Editions of a framework: which ones are known, which are loaded, and choosing one.

A framework can be loaded in several editions at once: the CA CTE Model Curriculum
Standards adopted in 2013 and the 2023 revision drafts (the first: Arts, Media, and
Entertainment, April 2023), later the standards CDE adopts with the national Career
Clusters Framework. Every row of the tidy standards table says its edition in two
columns:

- ``edition``: a short id (``2010`` Common Core, ``2013`` CA CTE, ``2023-draft``);
- ``edition_status``: ``adopted`` or ``draft``.

Tables without the columns (older library imports, a user's CSV) get defaults when
coerced (:func:`default_edition`): CA CTE rows ``2013``/adopted, Common Core
``2010``/adopted, any other framework no edition and ``adopted``.

**Selection** (:func:`select_edition`, the ``edition`` setting): ``adopted`` drops
draft rows; an edition id applies to the (framework family, sector) pairs it covers
in the loaded table: its rows replace the rows of those pairs, and everything else
(other sectors, the Career Ready Practices, Common Core) stays in the adopted
edition. So ``2023-draft`` gives the Arts, Media, and Entertainment courses the
draft's anchor, interdisciplinary and pathway standards and leaves every other sector
as it was.

Pure functions over DataFrames; nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Edition statuses.
ADOPTED, DRAFT = "adopted", "draft"
EDITION_STATUSES = (ADOPTED, DRAFT)
#: The value of the ``edition`` setting that means "the adopted edition of everything".
ADOPTED_SELECTION = "adopted"
#: Framework family of each bundled framework (an edition belongs to a family).
FAMILY_OF = {"ccss_math": "ccss", "ccss_ela": "ccss", "cte_anchor": "ca_cte", "cte_crp": "ca_cte",
             "cte_pathway": "ca_cte"}


@dataclass(frozen=True)
class Edition:
    """One edition of a framework family: what it is called, its status and where it comes from."""

    family: str
    id: str
    label: str
    short: str
    status: str
    date: str
    source: str


#: The editions the project knows (an edition loaded but not listed here is shown by its id).
EDITIONS: tuple[Edition, ...] = (
    Edition("ccss", "2010", "Common Core State Standards, 2010", "2010", ADOPTED,
            "2010-06", "National Governors Association Center for Best Practices and Council of Chief State "
                       "School Officers, 2010; as exported by the Common Standards Project (standards_data/"
                       "SOURCES_standards.md)"),
    Edition("ca_cte", "2013", "CA CTE Model Curriculum Standards, 2013", "2013", ADOPTED, "2013-01",
            "California Department of Education, Career Technical Education Model Curriculum Standards, adopted "
            "by the State Board of Education in January 2013 (standards_data/SOURCES_standards.md)"),
    Edition("ca_cte", "2023-draft", "CA CTE Model Curriculum Standards, 2023 draft", "2023 draft", DRAFT, "2023-04",
            "California Department of Education, Career and College Transition Division: Draft: 2023 Arts, Media, "
            "and Entertainment Career Technical Education Model Curriculum Standards, April 2023; markdown "
            "conversion in levelarts-studio/cte-docs, content/standards/cte-arts-entertainment-design-"
            "standards.md, commit 2c9ffb116610c6372ed52def0bf268ea77c004fa (standards_data/documents/)"),
)
EDITION_BY_ID = {e.id: e for e in EDITIONS}
#: The edition a row gets when its table has none, per framework family.
DEFAULT_EDITION = {"ccss": "2010", "ca_cte": "2013"}

EDITIONS_COLUMNS = ["family", "edition", "label", "status", "date", "sectors", "frameworks", "rows", "standards",
                    "indicators"]


def family_of(framework: str) -> str:
    """The framework family of a framework key (``cte_pathway`` -> ``ca_cte``); a custom framework is its own."""
    return FAMILY_OF.get(framework, framework)


def default_edition(framework: str) -> str:
    """The edition of a row of ``framework`` whose table does not say (see the module docstring)."""
    return DEFAULT_EDITION.get(family_of(framework), "")


def with_editions(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with ``edition`` and ``edition_status`` filled where empty (defaults per framework)."""
    out = df.copy()
    if "edition" not in out.columns:
        out["edition"] = ""
    if "edition_status" not in out.columns:
        out["edition_status"] = ""
    edition = out["edition"].fillna("").astype(str)
    empty = edition.str.strip() == ""
    if empty.any():
        edition = edition.where(~empty, out["framework"].fillna("").astype(str).map(default_edition))
    status = out["edition_status"].fillna("").astype(str)
    missing = status.str.strip() == ""
    if missing.any():
        known = edition.map(lambda e: EDITION_BY_ID[e].status if e in EDITION_BY_ID else ADOPTED)
        status = status.where(~missing, known)
    out["edition"] = edition
    out["edition_status"] = status
    return out


def edition_label(edition: str) -> str:
    """The human label of an edition id (the id itself when it is not in :data:`EDITIONS`)."""
    known = EDITION_BY_ID.get(edition)
    return known.label if known else edition


def edition_short(edition: str, status: str = "") -> str:
    """A short label for a badge: ``2023 draft``, ``2013``; an unknown draft gets `` (draft)``."""
    known = EDITION_BY_ID.get(edition)
    if known:
        return known.short
    return f"{edition} (draft)" if status == DRAFT and edition else edition


def editions_of(standards: pd.DataFrame) -> pd.DataFrame:
    """What is loaded, per framework family and edition: label, status, date, the sectors
    it covers, its frameworks and its row counts (columns :data:`EDITIONS_COLUMNS`)."""
    table = with_editions(standards)
    rows = []
    families = table["framework"].map(family_of)
    for (family, edition), group in table.groupby([families, table["edition"]], sort=False):
        known = EDITION_BY_ID.get(edition)
        sectors = [s for s in dict.fromkeys(group["sector"]) if s and s != "ALL"]
        kinds = group["kind"]
        rows.append({
            "family": family, "edition": edition, "label": edition_label(edition),
            "status": "; ".join(sorted(set(group["edition_status"]))), "date": known.date if known else "",
            "sectors": "; ".join(sectors), "frameworks": ", ".join(dict.fromkeys(group["framework"])),
            "rows": len(group), "standards": int(kinds.isin(["standard", "sub-standard"]).sum()),
            "indicators": int((kinds == "indicator").sum()),
        })
    return pd.DataFrame(rows, columns=EDITIONS_COLUMNS)


def loaded_editions(standards: pd.DataFrame) -> list[str]:
    """The edition ids in the table, in order of appearance."""
    return list(dict.fromkeys(with_editions(standards)["edition"]))


def edition_choices(standards: pd.DataFrame) -> list[str]:
    """What the ``edition`` setting may be for this table: ``adopted`` and every draft edition loaded."""
    table = with_editions(standards)
    drafts = table.loc[table["edition_status"] == DRAFT, "edition"]
    return [ADOPTED_SELECTION] + list(dict.fromkeys(drafts))


def covered_pairs(standards: pd.DataFrame, edition: str) -> set[tuple[str, str]]:
    """The (framework family, sector) pairs the rows of ``edition`` cover."""
    table = with_editions(standards)
    rows = table[table["edition"] == edition]
    return set(zip(rows["framework"].map(family_of), rows["sector"]))


def select_edition(standards: pd.DataFrame, edition: str | None) -> pd.DataFrame:
    """The rows the apps and reports use for ``edition`` (see the module docstring).

    ``None`` keeps every row (both editions side by side, e.g. for a crosswalk);
    ``adopted`` drops draft rows; an edition id replaces the rows of the (family,
    sector) pairs it covers and drops other drafts. Row order is kept; the index is
    renumbered. Raises ValueError naming the loaded editions when ``edition`` is not
    loaded.
    """
    if edition is None:
        return standards
    table = with_editions(standards)
    edition = str(edition).strip()
    if edition == ADOPTED_SELECTION:
        mask = table["edition_status"] != DRAFT
    else:
        if edition not in set(table["edition"]):
            raise ValueError(f"edition {edition!r} is not loaded; loaded editions: "
                             f"{', '.join(loaded_editions(table)) or 'none'} (or 'adopted')")
        pairs = covered_pairs(table, edition)
        elsewhere = pd.Series([(family_of(f), s) not in pairs for f, s in zip(table["framework"], table["sector"])],
                              index=table.index, dtype=bool)
        mask = (table["edition"] == edition) | (elsewhere & (table["edition_status"] != DRAFT))
    if bool(mask.all()):
        out = table.reset_index(drop=True)
    else:
        out = table[mask].reset_index(drop=True)
    out.attrs = dict(standards.attrs)
    out.attrs["edition"] = edition
    return out


def is_draft(standards: pd.DataFrame) -> bool:
    """Whether any row of the table is from a draft edition."""
    return "edition_status" in standards.columns and bool((standards["edition_status"] == DRAFT).any())


def draft_label(standards: pd.DataFrame) -> str:
    """``DRAFT standards: <label>, ...`` for a table holding draft rows, else "" (report headers)."""
    if not is_draft(standards):
        return ""
    drafts = list(dict.fromkeys(standards.loc[standards["edition_status"] == DRAFT, "edition"]))
    return "DRAFT standards: " + "; ".join(edition_label(e) for e in drafts) + " (not adopted by the State Board)"
