"""Pathway gap analysis: what a course sequence covers, misses, repeats and teaches out of order.

``gap_report(pathway, standards, suggestions, decisions=None, aligner=None, catalog=None)``
builds a :class:`GapReport`: :func:`pathway_coverage` first works out, for every
standard of the pathway's scope (``alignment.analysis.coverage``: cell status, scope), the
courses that cover it; then one function per part computes it from that. Pure functions
over tables (no files, no models unless a fitted ``Aligner`` or ``FixFinder``,
``alignment.analysis.fixes``, is passed for part (g)). Two or more reports side by side:
``alignment.analysis.comparison.compare_pathways``.

**Coverage of one standard** (the ``courses`` of a row): the courses whose cell covers
it; for a row with children in scope (a pathway standard ``X.0``, an anchor statement)
also the courses that cover any of its indicators. Indicators count only their own cells.
Common Core standards are not a fixed target: the report lists those the courses
reinforce, and measures literacy in technical subjects (RST/WHST 9-12) and high-school
mathematics (with the practices) as families.

Parts of the report (:class:`GapReport`), each one function:

(a) ``pathway_gaps``: pathway standards with no coverage at all, and indicators no
    course covers (with whether their standard is otherwise covered).
(b) ``anchor_gaps``: anchor families (anchor numbers 1-11 of the sector) with no
    coverage, anchor rows no course covers, and Career Ready Practices not covered.
(c) ``suggested_only``: standards covered, but only by unreviewed suggestions.
(d) ``reinforcement``: every covered standard: covered ``once`` (one course),
    ``repeated in one level`` (several courses, all at one level) or ``reinforced
    across levels`` (courses at two or more levels).
(e) ``sequencing`` (CTE levels introductory < concentrator < capstone; academic
    courses run alongside and are never "earlier"). An indicator is *foundational* when
    its first word is a Bloom remember/understand verb (``FOUNDATIONAL_VERBS``: know,
    understand, identify, describe, explain, ...); others are *applied*.
    ``first met in capstone``: a pathway or anchor standard whose covering courses are
    all capstones while the pathway has earlier-level courses - a ``problem`` when the
    standard has foundational indicators (listed), else a ``note``.
    ``relies on unintroduced standard``: a concentrator course covers an applied
    indicator of a standard that has foundational indicators, and neither that course
    nor any course at an earlier level *introduces* the standard (covers the standard
    itself or one of its foundational indicators).
(f) ``common_core``: CCSS standards the courses cover (``counted``), content first, grouped
    as literacy in technical subjects (RST/WHST), mathematics, other ELA, then the
    practice families (Mathematical Practices, CCR anchors: ``alignment.align.families``)
    as their own groups; then, not counted, the best weak Common Core suggestions of each
    group, for a reviewer to confirm or drop. ``common_core_domains``: the counted
    content standards folded into their domains ("HSA.SSE Seeing Structure in
    Expressions: 2 standards", ``alignment.analysis.clusters``); the summary's
    "Common Core content reinforced" row quotes them.
(g) ``fixes_for_gaps``: for each gap of (a) and (b), the catalog courses (any pathway)
    with the highest aligner score for it (``FixFinder``; needs a fitted Aligner and a
    catalog).

Summary tables: ``coverage_by_family`` (framework, anchor number, pathway standard),
``coverage_by_level``, ``coverage_by_course``, ``pathway_fit`` (sector-only files: which
CA pathway of the sector fits best) and ``summary`` (metric, value, note). Where the
data holds no pathway standards for the sector or the pathway, percentages are NaN and
the report says "no pathway standards loaded for this sector/pathway" instead of 0%;
partial data is labelled with the standards' ``completeness_note``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from alignment.align.families import PRACTICE, family_of
from alignment.analysis.clusters import cluster_code
from alignment.analysis.coverage import (
    COUNT_BANDS, STATUSES, coverage_matrix, coverage_table, pathway_scope, sector_pathways,
)
from alignment.analysis.fixes import FixFinder
from alignment.data.editions import draft_label, edition_label, is_draft
from alignment.data.frameworks import CTE_FRAMEWORKS
from alignment.data.pathways import LEVEL_ORDER, LEVELS, Pathway
from alignment.data.sectors import import_hint

#: Bloom's "remember" and "understand" verbs: an indicator starting with one is foundational.
FOUNDATIONAL_VERBS = frozenset({
    "know", "understand", "identify", "recognize", "recognise", "describe", "define", "list",
    "explain", "name", "state", "recall", "outline", "summarize", "summarise", "discuss",
    "classify", "distinguish", "differentiate", "interpret", "illustrate", "locate", "label",
    "explore", "compare", "contrast", "be",
})
REINFORCEMENT = ("once", "repeated in one level", "reinforced across levels")
#: Part (f)'s domain view: one row per Common Core domain the courses reinforce.
DOMAIN_COLUMNS = ["framework", "domain", "domain_title", "n_standards", "standards", "n_courses", "courses", "label"]
#: Part (f)'s groups, content first, then the practice families.
CCSS_GROUP_ORDER = {"literacy in technical subjects (RST/WHST)": 0, "mathematics": 1, "other ELA/literacy": 2,
                    "mathematical practice": 3, "ELA anchor standards (CCR)": 4}


# =========================================================================== the report


@dataclass
class GapReport:
    """A pathway's gap report: one DataFrame per part (a)-(g) plus summaries.

    See the module docstring for how each part is defined. ``notes`` holds the
    honesty statements (data not loaded, partial data, warnings of the pathway file).
    """

    pathway: Pathway
    scope: pd.DataFrame
    coverage: pd.DataFrame
    matrix: pd.DataFrame
    standards_coverage: pd.DataFrame
    pathway_gaps: pd.DataFrame
    anchor_gaps: pd.DataFrame
    suggested_only: pd.DataFrame
    reinforcement: pd.DataFrame
    sequencing: pd.DataFrame
    common_core: pd.DataFrame
    fixes: pd.DataFrame
    coverage_by_family: pd.DataFrame
    coverage_by_level: pd.DataFrame
    coverage_by_course: pd.DataFrame
    pathway_fit: pd.DataFrame
    summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    common_core_domains: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DOMAIN_COLUMNS))
    pathway_standards_loaded: bool = True
    best_pathway: str = ""
    #: the focus area of the best fit, for an edition with focus areas (the 2023 drafts)
    best_focus_area: str = ""
    #: ``DRAFT standards: ...`` when the report is made on a draft edition (report headers, tiles)
    edition_label: str = ""

    #: (sheet title, attribute) in report order; presenters use it.
    PARTS = (
        ("Summary", "summary"),
        ("Courses", "courses"),
        ("(a) Pathway gaps", "pathway_gaps"),
        ("(b) Anchor & CRP gaps", "anchor_gaps"),
        ("(c) Suggested only", "suggested_only"),
        ("(d) Reinforcement", "reinforcement"),
        ("(e) Sequencing", "sequencing"),
        ("(f) Common Core", "common_core"),
        ("(f) Common Core domains", "common_core_domains"),
        ("(g) Suggested fixes", "fixes"),
        ("Coverage by family", "coverage_by_family"),
        ("Coverage by level", "coverage_by_level"),
        ("Coverage by course", "coverage_by_course"),
        ("Pathway fit", "pathway_fit"),
        ("All standards", "standards_coverage"),
    )

    @property
    def courses(self) -> pd.DataFrame:
        """The pathway's courses in sequence order (with their descriptions)."""
        cols = ["sequence_position", "course_id", "title", "level", "grades", "department", "description", "notes"]
        return self.pathway.courses[cols].reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Sheet title -> table, in report order (the coverage matrix last)."""
        out = {title: getattr(self, attr) for title, attr in self.PARTS}
        out["Coverage matrix"] = matrix_for_display(self)
        return out

    def headline(self) -> str:
        s = dict(zip(self.summary["metric"], self.summary["value"]))
        text = "; ".join(f"{k}: {s[k]}" for k in ("pathway standards covered", "indicators covered",
                                                   "anchor families covered", "career ready practices covered")
                         if k in s)
        return f"[{self.edition_label}] {text}" if self.edition_label else text


def _join(items) -> str:
    return "; ".join(items)


def _pct(covered: int, total: int) -> float:
    return round(100.0 * covered / total, 1) if total else float("nan")


def _first_verb(text: str) -> str:
    m = re.match(r"[^A-Za-z]*([A-Za-z]+)", str(text or ""))
    return m.group(1).lower() if m else ""


def is_foundational(text: str) -> bool:
    """Whether an indicator's text starts with a Bloom remember/understand verb."""
    return _first_verb(text) in FOUNDATIONAL_VERBS


@dataclass
class PathwayCoverage:
    """What every part of the report is computed from (:func:`pathway_coverage`).

    ``coverage``: the cells (``coverage_table``) without standard ids the standards
    table lacks (``unknown``); ``direct``: standard -> the courses whose own cell covers
    it, in sequence order; ``children``: in-scope parent -> its in-scope children;
    ``standards_coverage``: one row per scope standard and covered Common Core standard
    (its coverage counts its children's courses); ``loaded``/``reason``: whether the
    pathway's standards are in the data, and why not; ``notes``: the report's notes so far.
    """

    pathway: Pathway
    standards: pd.DataFrame
    meta: pd.DataFrame
    scope: pd.DataFrame
    coverage: pd.DataFrame
    unknown: list[str]
    direct: dict[str, list[str]]
    children: dict[str, list[str]]
    standards_coverage: pd.DataFrame
    loaded: bool
    reason: str
    notes: list[str]

    @property
    def cte(self) -> pd.DataFrame:
        """``standards_coverage`` of the CTE scope (pathway, anchor, CRP)."""
        return self.standards_coverage[self.standards_coverage["framework"].isin(CTE_FRAMEWORKS)]

    @property
    def code_of(self) -> dict[str, str]:
        return dict(zip(self.standards_coverage["standard_id"], self.standards_coverage["display_code"]))

    @property
    def rank_of(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.pathway.course_ids)}


def pathway_coverage(
    pathway: Pathway,
    standards: pd.DataFrame,
    suggestions: pd.DataFrame,
    decisions: pd.DataFrame | None = None,
    count_bands: tuple[str, ...] | list[str] = COUNT_BANDS,
) -> PathwayCoverage:
    """The coverage of each standard of the pathway's scope (and each covered Common
    Core standard) by its courses, with the notes on what the data holds."""
    std = standards
    scope = pathway_scope(pathway, std)
    cov = coverage_table(suggestions, decisions, pathway, count_bands=count_bands)
    notes: list[str] = list(pathway.warnings)
    unknown = sorted(set(cov["standard_id"]) - set(std["standard_id"]))
    if unknown:
        notes.append(f"{len(unknown)} suggested or decided standard ids are not in the standards table and are "
                     f"ignored: {', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}")
        cov = cov[~cov["standard_id"].isin(unknown)]
    loaded, reason = _loaded(pathway, std, scope, notes)
    rank_of = {c: i for i, c in enumerate(pathway.course_ids)}
    direct: dict[str, list[str]] = {}
    for sid, group in cov[cov["covers"]].groupby("standard_id", sort=False):
        direct[sid] = sorted(set(group["course_id"]), key=rank_of.get)
    in_scope = set(scope["standard_id"])
    children: dict[str, list[str]] = {}
    for sid, parent in zip(scope["standard_id"], scope["parent_id"]):
        if parent in in_scope:
            children.setdefault(parent, []).append(sid)
    meta = std.set_index("standard_id")
    sc = _standards_coverage(pathway, meta, scope, cov, direct, children)
    return PathwayCoverage(pathway=pathway, standards=std, meta=meta, scope=scope, coverage=cov, unknown=unknown,
                           direct=direct, children=children, standards_coverage=sc, loaded=loaded, reason=reason,
                           notes=notes)


def _loaded(pathway: Pathway, std: pd.DataFrame, scope: pd.DataFrame, notes: list[str]) -> tuple[bool, str]:
    """Whether the pathway's standards are loaded (and why not); adds the notes on
    missing and partial data to ``notes``."""
    sector_pw = sector_pathways(std, pathway.sector)
    loaded = bool((scope["framework"] == "cte_pathway").any())
    if not sector_pw:
        reason = f"no pathway standards loaded for this sector ({pathway.sector})"
        notes.insert(0, f"{reason}: pathway coverage is not measured (shown as n/a, not 0%); to fix it, "
                        f"{import_hint(pathway.sector)}.")
    elif not loaded:
        reason = (f"no pathway standards loaded for this pathway ({pathway.cte_pathway}); the data holds only "
                  f"{', '.join(sector_pw)} for {pathway.sector}")
        notes.insert(0, f"{reason}: pathway coverage is not measured (shown as n/a, not 0%); to fix it, "
                        f"{import_hint(pathway.sector)}.")
    else:
        reason = ""
    if not (scope["framework"] == "cte_anchor").any():
        notes.append(f"no anchor standards (statements or indicators) loaded for this sector ({pathway.sector}): "
                     "anchor coverage is not measured.")
    for fw, group in scope.groupby(["framework", "pathway"], sort=False):
        part = group[group["completeness"] == "partial"]
        if len(part):
            what = {"cte_pathway": f"pathway standards ({fw[1]})", "cte_anchor": "anchor standards",
                    "cte_crp": "Career Ready Practices"}[fw[0]]
            notes.append(f"partial data: {what}: {part['completeness_note'].iloc[0]} A complete import replaces "
                         f"the fragment: {import_hint(pathway.sector, fw[0])}.")
    return loaded, reason


_SC_COLUMNS = ["framework", "family_type", "family", "family_title", "pathway", "standard_id", "display_code", "kind",
               "parent_id", "text", "covered", "n_courses", "courses", "course_titles", "direct_courses", "levels",
               "n_levels", "first_level", "accepted_by", "suggested_by", "rejected_by", "best_score", "best_band",
               "completeness"]


def _standards_coverage(pathway, meta, scope, cov, direct, children) -> pd.DataFrame:
    """One row per scope standard, then per covered Common Core standard: the courses
    that cover it (its own cells, plus its children's for a parent), their levels, who
    accepted, suggested or rejected it, its best suggestion."""
    levels, titles = pathway.course_levels, pathway.course_titles
    rank_of = {c: i for i, c in enumerate(pathway.course_ids)}
    covering = cov[cov["covers"]]
    accepted = {sid: set(g["course_id"]) for sid, g in covering[covering["status"] == "accepted"].groupby("standard_id")}
    rejected = {sid: set(g["course_id"]) for sid, g in cov[cov["status"] == "rejected"].groupby("standard_id")}
    best = {}
    for sid, score, band in zip(cov["standard_id"], cov["score"], cov["band"]):
        if score == score and (sid not in best or score > best[sid][0]):
            best[sid] = (float(score), band)
    ccss_ids = [s for s in direct if s in meta.index and meta.at[s, "framework"] in ("ccss_ela", "ccss_math")]
    ccss_ids = sorted(ccss_ids, key=lambda s: meta.index.get_loc(s))
    fam = dict(zip(scope["standard_id"], zip(scope["family_type"], scope["family"], scope["family_title"])))
    rows = []
    for sid in scope["standard_id"].tolist() + ccss_ids:
        m = meta.loc[sid]
        own = direct.get(sid, [])
        eff = set(own)
        for child in children.get(sid, []):
            eff |= set(direct.get(child, []))
        eff_sorted = sorted(eff, key=rank_of.get)
        lv = [levels[c] for c in eff_sorted]
        distinct = list(dict.fromkeys(lv))
        family_type, family, family_title = fam.get(sid, ("common core", m["framework"], ""))
        acc = [c for c in eff_sorted if c in accepted.get(sid, set()) or any(
            c in accepted.get(ch, set()) for ch in children.get(sid, []))]
        rows.append({
            "framework": m["framework"], "family_type": family_type, "family": family, "family_title": family_title,
            "pathway": m["pathway"], "standard_id": sid, "display_code": m["display_code"] or m["code"],
            "kind": m["kind"], "parent_id": m["parent_id"], "text": m["text"] or m["title"],
            "covered": bool(eff_sorted), "n_courses": len(eff_sorted), "courses": _join(eff_sorted),
            "course_titles": _join(titles.get(c, "") for c in eff_sorted),
            "direct_courses": _join(own), "levels": _join(distinct), "n_levels": len(distinct),
            "first_level": _first_level(lv), "accepted_by": _join(acc),
            "suggested_by": _join(c for c in eff_sorted if c not in acc),
            "rejected_by": _join(sorted(rejected.get(sid, set()), key=rank_of.get)),
            "best_score": best.get(sid, (np.nan, ""))[0], "best_band": best.get(sid, (np.nan, ""))[1],
            "completeness": m["completeness"],
        })
    sc = pd.DataFrame(rows, columns=_SC_COLUMNS)
    sc["covered"] = sc["covered"].astype(bool)
    return sc


# ----------------------------------------------------------------------- the parts (a)-(g)
def pathway_gaps(facts: PathwayCoverage) -> pd.DataFrame:
    """(a) Pathway standards with no coverage at all, and indicators no course covers
    (with whether their standard is otherwise covered); one "nothing to measure" row
    when the pathway's standards are not loaded."""
    sc_scope, children, cov = facts.cte, facts.children, facts.coverage
    in_scope = set(facts.scope["standard_id"])
    covered_ids = set(facts.standards_coverage.loc[facts.standards_coverage["covered"], "standard_id"])
    code_of = facts.code_of
    rows = []
    for r in sc_scope[(sc_scope["framework"] == "cte_pathway") & ~sc_scope["covered"]].itertuples():
        if r.kind == "indicator" and r.parent_id in in_scope:
            parent_cov = r.parent_id in covered_ids
            gap = ("indicator not covered (its standard is covered through other indicators or itself)"
                   if parent_cov else "indicator not covered (its standard is not covered either)")
        else:
            n_ind = len(children.get(r.standard_id, []))
            gap = f"standard not covered, nor any of its {n_ind} indicators" if n_ind else "standard not covered"
        rows.append({"pathway": r.pathway, "standard_id": r.standard_id, "display_code": r.display_code,
                     "kind": r.kind, "standard": code_of.get(r.parent_id, r.display_code), "text": r.text,
                     "gap": gap, "weak_or_rejected": _near_miss(r.standard_id, cov)})
    columns = ["pathway", "standard_id", "display_code", "kind", "standard", "text", "gap", "weak_or_rejected"]
    if not facts.loaded:
        rows = [{"pathway": facts.pathway.cte_pathway, "standard_id": "", "display_code": "", "kind": "",
                 "standard": "", "text": "", "gap": facts.reason + " - nothing to measure, not a gap of the pathway",
                 "weak_or_rejected": ""}]
    return pd.DataFrame(rows, columns=columns)


def anchor_gaps(facts: PathwayCoverage) -> pd.DataFrame:
    """(b) Anchor families (anchor numbers of the sector) with no coverage, anchor rows
    no course covers, and Career Ready Practices not covered."""
    sc_scope = facts.cte
    rows = []
    anchors = sc_scope[sc_scope["framework"] == "cte_anchor"]
    for family, group in anchors.groupby("family", sort=False):
        if not group["covered"].any():
            rows.append({"framework": "cte_anchor", "family": family, "title": group["family_title"].iloc[0],
                         "standard_id": "", "display_code": family, "kind": "anchor family",
                         "text": f"no course covers any of the {len(group)} loaded rows of this anchor",
                         "gap": "anchor family not covered"})
    for r in sc_scope[sc_scope["framework"].isin(["cte_anchor", "cte_crp"]) & ~sc_scope["covered"]].itertuples():
        rows.append({"framework": r.framework, "family": r.family, "title": r.family_title,
                     "standard_id": r.standard_id, "display_code": r.display_code, "kind": r.kind, "text": r.text,
                     "gap": "Career Ready Practice not covered" if r.framework == "cte_crp" else f"anchor {r.kind} not covered"})
    return pd.DataFrame(rows, columns=["framework", "family", "title", "standard_id", "display_code", "kind", "text", "gap"])


def suggested_only(facts: PathwayCoverage) -> pd.DataFrame:
    """(c) Standards covered, but only by unreviewed suggestions."""
    sc = facts.standards_coverage
    c = sc[sc["covered"] & (sc["accepted_by"] == "")]
    return c[["framework", "family", "standard_id", "display_code", "kind", "text", "courses", "best_band",
              "best_score"]].reset_index(drop=True)


def reinforcement(facts: PathwayCoverage) -> pd.DataFrame:
    """(d) Every covered standard: covered once, repeated in one level, or reinforced
    across levels (``REINFORCEMENT``)."""
    sc = facts.standards_coverage
    d = sc[sc["covered"]].copy()
    d["reinforcement"] = np.where(d["n_courses"] == 1, REINFORCEMENT[0],
                                  np.where(d["n_levels"] > 1, REINFORCEMENT[2], REINFORCEMENT[1]))
    return d[["framework", "family", "standard_id", "display_code", "kind", "text", "reinforcement",
              "n_courses", "courses", "levels", "first_level"]].reset_index(drop=True)


def sequencing(facts: PathwayCoverage) -> pd.DataFrame:
    """(e) Standards first met in a capstone, and concentrators relying on a standard no
    earlier course introduces (module docstring)."""
    return _sequencing(facts.pathway, facts.cte, facts.children, facts.direct, facts.pathway.course_levels,
                       facts.rank_of, facts.code_of)


_CC_COLUMNS = ["group", "framework", "family", "domain", "standard_id", "display_code", "grade", "text", "counted",
               "status", "best_score", "n_courses", "courses", "levels"]


def common_core(facts: PathwayCoverage, n_weak: int = 5) -> pd.DataFrame:
    """(f) The Common Core standards the courses cover (``counted``), by group (content
    first, then the practice families: ``CCSS_GROUP_ORDER``), with each standard's family
    and domain; then, not counted, the ``n_weak`` best weak Common Core suggestions of
    each group."""
    sc, cov, meta, std = facts.standards_coverage, facts.coverage, facts.meta, facts.standards
    levels, rank_of = facts.pathway.course_levels, facts.rank_of
    f = sc[sc["framework"].isin(["ccss_ela", "ccss_math"]) & sc["covered"]]
    f_rows = [{"group": _ccss_group(r.framework, r.display_code), "framework": r.framework,
               "family": family_of(r.framework, meta.at[r.standard_id, "code"]),
               "domain": cluster_code(r.display_code),
               "standard_id": r.standard_id, "display_code": r.display_code, "grade": meta.at[r.standard_id, "grade"],
               "text": r.text, "counted": True, "status": "accepted" if r.accepted_by else "suggested only",
               "best_score": r.best_score, "n_courses": r.n_courses, "courses": r.courses, "levels": r.levels}
              for r in f.itertuples()]
    weak = cov[(cov["status"] == "suggested:weak") & ~cov["standard_id"].isin(set(f["standard_id"]))]
    weak = weak[weak["standard_id"].isin(set(std.loc[std["framework"].isin(["ccss_ela", "ccss_math"]), "standard_id"]))]
    weak_rows = []
    for sid, group in weak.groupby("standard_id"):
        courses = sorted(set(group["course_id"]), key=rank_of.get)
        code = meta.at[sid, "display_code"] or meta.at[sid, "code"]
        weak_rows.append({"group": _ccss_group(meta.at[sid, "framework"], code), "framework": meta.at[sid, "framework"],
                          "family": family_of(meta.at[sid, "framework"], meta.at[sid, "code"]),
                          "domain": cluster_code(code), "standard_id": sid, "display_code": code, "grade": meta.at[sid, "grade"],
                          "text": meta.at[sid, "text"], "counted": False,
                          "status": "weak suggestion (not counted)", "best_score": float(group["score"].max()),
                          "n_courses": len(courses), "courses": _join(courses),
                          "levels": _join(dict.fromkeys(levels[c] for c in courses))})
    weak_table = pd.DataFrame(weak_rows, columns=list(f_rows[0]) if f_rows else None)
    if len(weak_table):  # the n_weak best per group, for a reviewer to look at
        weak_table = (weak_table.sort_values("best_score", ascending=False, kind="stable")
                      .groupby("group", sort=False).head(n_weak))
    parts = [t for t in (pd.DataFrame(f_rows, columns=_CC_COLUMNS), weak_table.reindex(columns=_CC_COLUMNS)) if len(t)]
    # concat of empty frames is deprecated (and would lose dtypes): join only non-empty ones
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_CC_COLUMNS)
    table["counted"] = table["counted"].astype(bool)
    table = table.sort_values(["counted", "group"], ascending=[False, True], kind="stable",
                              key=lambda c: c.map(CCSS_GROUP_ORDER) if c.name == "group" else c)
    return table.reset_index(drop=True)


def common_core_domains(facts: PathwayCoverage, common_core_table: pd.DataFrame) -> pd.DataFrame:
    """(f) The counted Common Core content standards of ``common_core_table`` (what
    :func:`common_core` returned) folded into their domains, most standards first; the
    domain title is the standards table's own ``domain`` text."""
    std, rank_of = facts.standards, facts.rank_of
    counted = common_core_table[common_core_table["counted"].astype(bool) & (common_core_table["family"] != PRACTICE)]
    if counted.empty:
        return pd.DataFrame(columns=DOMAIN_COLUMNS)
    titles = dict(zip(std["standard_id"], std["domain"].fillna("").astype(str))) if "domain" in std.columns else {}
    rows = []
    for (fw, domain), group in counted.groupby(["framework", "domain"], sort=False):
        courses = sorted({c for cs in group["courses"] for c in str(cs).split("; ") if c}, key=lambda c: rank_of.get(c, 0))
        title = next((titles.get(s, "") for s in group["standard_id"] if titles.get(s)), "")
        n = len(group)
        rows.append({"framework": fw, "domain": domain, "domain_title": title, "n_standards": n,
                     "standards": _join(group["display_code"]), "n_courses": len(courses), "courses": _join(courses),
                     "label": f"{domain} {title}: {n} standard{'s' if n != 1 else ''}".replace("  ", " ")})
    out = pd.DataFrame(rows, columns=DOMAIN_COLUMNS)
    return out.sort_values(["n_standards", "n_courses"], ascending=False, kind="stable").reset_index(drop=True)


FIX_COLUMNS = ["gap_standard_id", "display_code", "framework", "gap_text", "rank", "course_id", "title",
               "department", "catalog_pathway", "in_pathway", "score", "band"]


def fixes_for_gaps(facts: PathwayCoverage, gap_ids: list[str], fixes: FixFinder | None, n_fixes: int = 3) -> pd.DataFrame:
    """(g) For each gap standard, the ``n_fixes`` catalog courses ``fixes`` (a fitted
    :class:`~alignment.analysis.fixes.FixFinder`) scores highest; empty without one."""
    if fixes is None or not gap_ids:
        return pd.DataFrame(columns=FIX_COLUMNS)
    meta, code_of = facts.meta, facts.code_of
    fx = fixes.best_courses(gap_ids, n_fixes).rename(columns={"standard_id": "gap_standard_id"})
    fx["display_code"] = fx["gap_standard_id"].map(code_of)
    fx["framework"] = fx["gap_standard_id"].map(lambda s: meta.at[s, "framework"])
    fx["gap_text"] = fx["gap_standard_id"].map(lambda s: meta.at[s, "text"])
    fx["in_pathway"] = fx["course_id"].isin(set(facts.pathway.course_ids))
    return fx[FIX_COLUMNS].reset_index(drop=True)


def gap_report(
    pathway: Pathway,
    standards: pd.DataFrame,
    suggestions: pd.DataFrame,
    decisions: pd.DataFrame | None = None,
    aligner=None,
    catalog: pd.DataFrame | None = None,
    *,
    count_bands: tuple[str, ...] | list[str] = COUNT_BANDS,
    fixes: FixFinder | None = None,
    n_fixes: int = 3,
    n_weak_ccss: int = 5,
) -> GapReport:
    """The gap report of one pathway (see the module docstring for every part).

    suggestions: ``Aligner.suggest`` output for (at least) the pathway's courses; only
        course_id, standard_id, band and score are used, so a CSV written by
        ``pathway-align align`` works too.
    decisions: reviewed decisions (``DECISION_COLUMNS``); they override suggestions.
    aligner, catalog: a fitted Aligner and a catalog for part (g); or pass a fitted
        ``fixes`` (:class:`FixFinder`) to reuse one catalog analysis across reports.
        Without them part (g) is empty.
    count_bands: suggestion bands that count as coverage.
    n_weak_ccss: part (f) also lists this many best weak Common Core suggestions per
        group (``counted`` False), since weak ones do not count as reinforcement.
    """
    pathway, edition_note = pathway_in_edition(pathway, standards)
    facts = pathway_coverage(pathway, standards, suggestions, decisions, count_bands)
    notes = facts.notes
    if edition_note:
        notes.insert(0, edition_note)
    a, b = pathway_gaps(facts), anchor_gaps(facts)
    c, d, e = suggested_only(facts), reinforcement(facts), sequencing(facts)
    f = common_core(facts, n_weak_ccss)
    f_domains = common_core_domains(facts, f)
    by_family = _coverage_by_family(facts.cte, standards, facts.standards_coverage, pathway, facts.loaded, facts.reason)
    by_level = _coverage_by_level(facts.cte, pathway, pathway.course_levels)
    by_course = _coverage_by_course(facts.standards_coverage, facts.coverage, pathway)
    fit, best_pw, best_focus = _pathway_fit(pathway, standards, facts.cte, facts.direct)
    gap_ids = [s for s in a["standard_id"].tolist() + b["standard_id"].tolist() if s]
    if fixes is None and aligner is not None and catalog is not None:
        fixes = FixFinder(aligner, n_courses=n_fixes).fit(catalog)
    g = fixes_for_gaps(facts, gap_ids, fixes, n_fixes)
    if fixes is None and gap_ids:
        notes.append("suggested fixes (g) not computed: they need a fitted Aligner and the catalog.")
    label = draft_label(facts.scope) if len(facts.scope) else ""
    summary = _summary(pathway, facts.cte, facts.standards_coverage, facts.loaded, facts.reason, best_pw, e, c, f,
                       b, notes, pathway.course_titles, best_focus=best_focus, edition=_scope_editions(facts.scope))
    matrix = coverage_matrix(suggestions, decisions, pathway, standards=standards, count_bands=count_bands) \
        if len(facts.coverage) or len(facts.scope) else pd.DataFrame()
    if facts.unknown:
        matrix = matrix.drop(index=[u for u in facts.unknown if u in matrix.index])
    return GapReport(
        pathway=pathway, scope=facts.scope, coverage=facts.coverage.reset_index(drop=True), matrix=matrix,
        standards_coverage=facts.standards_coverage, pathway_gaps=a, anchor_gaps=b, suggested_only=c,
        reinforcement=d, sequencing=e, common_core=f, fixes=g, coverage_by_family=by_family,
        coverage_by_level=by_level, coverage_by_course=by_course, pathway_fit=fit, summary=summary, notes=notes,
        pathway_standards_loaded=facts.loaded, best_pathway=best_pw, common_core_domains=f_domains,
        best_focus_area=best_focus, edition_label=label,
    )


def pathway_in_edition(pathway: Pathway, standards: pd.DataFrame) -> tuple[Pathway, str]:
    """The pathway to analyse in the loaded edition, and a note when it changed.

    A pathway file names the CA pathway of the adopted (2013) standards (``Design,
    Visual, and Media Arts``). When the sector's pathway standards loaded are from a
    draft edition that has no pathway of that name (the 2023 AME draft has Media
    Production; Performance, Music, and Live Events; Design, Visual, and Graphic Arts),
    the pathway is analysed as sector-only: against every pathway and focus area of
    that edition, whose best fit the report names. Nothing is mapped by name.
    """
    if not pathway.cte_pathway:
        return pathway, ""
    rows = standards[(standards["framework"] == "cte_pathway") & (standards["sector"] == pathway.sector)]
    if rows.empty or pathway.cte_pathway in set(rows["pathway"]) or not is_draft(rows):
        return pathway, ""
    editions = ", ".join(edition_label(e) for e in dict.fromkeys(rows["edition"]))
    note = (f"the CA pathway {pathway.cte_pathway!r} named in the pathway file is not a pathway of the {editions} "
            f"(its pathways: {', '.join(dict.fromkeys(rows['pathway']))}); the pathway is analysed against every "
            "pathway and focus area of that edition, and the best fit is named (see Pathway fit).")
    return replace(pathway, cte_pathway=""), note


def _scope_editions(scope: pd.DataFrame) -> str:
    """The editions of a report's CTE scope, labelled (``DRAFT`` for a draft), when not all adopted."""
    if "edition_status" not in scope.columns or not len(scope):
        return ""
    cte = scope[scope["framework"].isin(["cte_pathway", "cte_anchor"])]
    if not is_draft(cte):
        return ""
    parts = []
    for edition, group in cte.groupby("edition", sort=False):
        status = "DRAFT" if (group["edition_status"] == "draft").any() else "adopted"
        parts.append(f"{edition_label(edition)} ({status}): {', '.join(dict.fromkeys(group['framework']))}")
    return "; ".join(parts)


def _first_level(levels: list[str]) -> str:
    ordered = [lv for lv in levels if lv in LEVEL_ORDER]
    if ordered:
        return min(ordered, key=LEVEL_ORDER.get)
    return levels[0] if levels else ""


def _near_miss(sid: str, cov: pd.DataFrame) -> str:
    rows = cov[(cov["standard_id"] == sid) & ~cov["covers"]]
    return _join(f"{c} ({s})" for c, s in zip(rows["course_id"], rows["status"]))


def _ccss_group(framework: str, code: str) -> str:
    if framework == "ccss_math":
        return "mathematical practice" if code.startswith("MP") else "mathematics"
    if code.startswith("CCRA"):
        return "ELA anchor standards (CCR)"
    if code.startswith(("RST", "WHST")):
        return "literacy in technical subjects (RST/WHST)"
    return "other ELA/literacy"


def _sequencing(pathway, sc_scope, children, direct, levels, rank_of, code_of) -> pd.DataFrame:
    cols = ["issue", "severity", "standard_id", "display_code", "framework", "course_id", "level", "detail"]
    rows = []
    text_of = dict(zip(sc_scope["standard_id"], sc_scope["text"]))
    cte_levels = {c: lv for c, lv in levels.items() if lv in LEVEL_ORDER}
    if not cte_levels:
        return pd.DataFrame(columns=cols)
    lowest = min(LEVEL_ORDER[lv] for lv in cte_levels.values())
    parents = sc_scope[(sc_scope["kind"] == "standard") & sc_scope["framework"].isin(["cte_pathway", "cte_anchor"])]
    for r in parents.itertuples():
        kids = children.get(r.standard_id, [])
        foundational = [k for k in kids if is_foundational(text_of.get(k, ""))]
        if not kids and is_foundational(r.text):
            foundational = [r.standard_id]
        applied = [k for k in kids if k not in foundational]
        # rule 1: first met in capstone
        eff = [c for c in r.courses.split("; ") if c]
        cte_eff = [c for c in eff if c in cte_levels]
        if cte_eff and all(cte_levels[c] == "capstone" for c in cte_eff) and lowest < LEVEL_ORDER["capstone"]:
            early = [c for c in eff if levels.get(c) == "academic"]
            detail = f"first met in capstone course(s) {', '.join(cte_eff)}"
            if foundational:
                detail += ("; foundational indicators covered by no earlier course: "
                           + ", ".join(f"{code_of.get(k, k)} ({_clip(text_of.get(k, ''))})" for k in foundational))
            if early:
                detail += f"; academic course(s) alongside: {', '.join(early)}"
            rows.append({"issue": "first met in capstone", "severity": "problem" if foundational else "note",
                         "standard_id": r.standard_id, "display_code": r.display_code, "framework": r.framework,
                         "course_id": cte_eff[0], "level": "capstone", "detail": detail})
        # rule 2: a concentrator relies on a standard no earlier course introduces
        if not foundational or not applied:
            continue
        introducers = set(direct.get(r.standard_id, []))
        for k in foundational:
            introducers |= set(direct.get(k, []))
        for course in sorted(cte_levels, key=rank_of.get):
            if cte_levels[course] != "concentrator":
                continue
            used = [k for k in applied if course in direct.get(k, [])]
            if not used:
                continue
            earlier = [c for c in introducers if c in cte_levels
                       and (LEVEL_ORDER[cte_levels[c]] < LEVEL_ORDER["concentrator"] or c == course)]
            if earlier:
                continue
            later = sorted((c for c in introducers if c != course), key=rank_of.get)
            detail = (f"{course} covers applied indicator(s) {', '.join(code_of.get(k, k) for k in used)} but no "
                      f"earlier course (nor {course} itself) introduces {r.display_code} through its foundational "
                      f"indicators {', '.join(code_of.get(k, k) for k in foundational)}")
            if later:
                detail += f"; introduced only later/alongside by {', '.join(later)}"
            rows.append({"issue": "relies on unintroduced standard", "severity": "problem",
                         "standard_id": r.standard_id, "display_code": r.display_code, "framework": r.framework,
                         "course_id": course, "level": "concentrator", "detail": detail})
    return pd.DataFrame(rows, columns=cols)


def _clip(text: str, n: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


FAMILY_COLUMNS = ["family_type", "family", "title", "pathway", "items", "covered", "pct_covered",
                  "standards", "standards_covered", "pct_standards_covered", "completeness", "note"]


def _coverage_by_family(sc_scope, std, sc, pathway, loaded, reason) -> pd.DataFrame:
    rows = []

    def add(family_type, family, title, group, pathway_name="", note=""):
        std_rows = group[group["kind"] == "standard"]
        comp = "; ".join(sorted(set(group["completeness"]))) if len(group) else ""
        rows.append({"family_type": family_type, "family": family, "title": title, "pathway": pathway_name,
                     "items": len(group), "covered": int(group["covered"].sum()),
                     "pct_covered": _pct(int(group["covered"].sum()), len(group)),
                     "standards": len(std_rows), "standards_covered": int(std_rows["covered"].sum()),
                     "pct_standards_covered": _pct(int(std_rows["covered"].sum()), len(std_rows)),
                     "completeness": comp, "note": note})

    titles = {"cte_pathway": "CA CTE pathway standards and indicators", "cte_anchor": "CA CTE anchor standards",
              "cte_crp": "Standards for Career Ready Practice"}
    for fw in CTE_FRAMEWORKS:
        group = sc_scope[sc_scope["framework"] == fw]
        note = ""
        if fw == "cte_pathway" and not loaded:
            note = reason
        elif fw == "cte_anchor" and not len(group):
            note = f"no anchor standards loaded for this sector ({pathway.sector})"
        elif len(group) and (group["completeness"] == "partial").any():
            note = "partial: " + std.loc[std["standard_id"].isin(group["standard_id"]), "completeness_note"].iloc[0]
        add("framework", fw, titles[fw], group, note=note)
    # CCSS families with a fixed target: literacy in technical subjects and HS math (+ practices)
    hs = std[(std["kind"] != "heading") & (std["text"] != "")]
    lit = hs[(hs["framework"] == "ccss_ela") & hs["display_code"].str.match(r"(RST|WHST)\.(9-10|11-12)")]
    math = hs[(hs["framework"] == "ccss_math") & ((hs["grade_band"] == "9-12") | hs["display_code"].str.startswith("MP"))]
    covered = set(sc.loc[sc["covered"], "standard_id"])
    for family, title, table in (("ccss_ela RST/WHST 9-12", "Literacy in science and technical subjects, grades 9-12", lit),
                                 ("ccss_math HS + MP", "High-school mathematics and the mathematical practices", math)):
        group = pd.DataFrame({"kind": table["kind"].to_numpy(), "covered": table["standard_id"].isin(covered).to_numpy(),
                              "completeness": table["completeness"].to_numpy()})
        add("framework", family, title, group, note="reinforced by the courses (not a required target)")
    for family, group in sc_scope[sc_scope["framework"] == "cte_anchor"].groupby("family", sort=False):
        add("anchor", family, group["family_title"].iloc[0], group)
    for family, group in sc_scope[sc_scope["framework"] == "cte_pathway"].groupby("family", sort=False):
        head = group[group["kind"] == "standard"]
        add("pathway standard", family, _clip(head["text"].iloc[0] if len(head) else "", 90), group,
            pathway_name=group["pathway"].iloc[0])
    return pd.DataFrame(rows, columns=FAMILY_COLUMNS)


def _coverage_by_level(sc_scope, pathway, levels) -> pd.DataFrame:
    cols = ["level", "courses", "pathway_items_covered", "pct_pathway_items", "anchor_items_covered",
            "pct_anchor_items", "crp_covered", "pct_crp", "cumulative_pct_cte_items"]
    present = [lv for lv in LEVELS if lv in set(levels.values())]
    course_sets = [set(c for c in s.split("; ") if c) for s in sc_scope["courses"]]
    fw = sc_scope["framework"].to_numpy()
    totals = {f: int((fw == f).sum()) for f in CTE_FRAMEWORKS}
    rows, so_far = [], set()
    for lv in present:
        at = {c for c, l_ in levels.items() if l_ == lv}
        so_far |= at
        hit = np.array([bool(s & at) for s in course_sets], dtype=bool)
        cum = np.array([bool(s & so_far) for s in course_sets], dtype=bool)
        counts = {f: int((hit & (fw == f)).sum()) for f in CTE_FRAMEWORKS}
        rows.append({
            "level": lv, "courses": len(at),
            "pathway_items_covered": counts["cte_pathway"], "pct_pathway_items": _pct(counts["cte_pathway"], totals["cte_pathway"]),
            "anchor_items_covered": counts["cte_anchor"], "pct_anchor_items": _pct(counts["cte_anchor"], totals["cte_anchor"]),
            "crp_covered": counts["cte_crp"], "pct_crp": _pct(counts["cte_crp"], totals["cte_crp"]),
            "cumulative_pct_cte_items": _pct(int(cum.sum()), len(course_sets)),
        })
    return pd.DataFrame(rows, columns=cols)


def _coverage_by_course(sc, cov, pathway) -> pd.DataFrame:
    cols = ["sequence_position", "course_id", "title", "level", "pathway_items", "anchor_items", "crp", "ccss",
            "pct_cte_items", "accepted", "suggested_counted", "rejected"]
    scope = sc[sc["framework"].isin(CTE_FRAMEWORKS)]
    direct_sets = [set(c for c in s.split("; ") if c) for s in scope["courses"]]
    fw = scope["framework"].to_numpy()
    ccss = sc[~sc["framework"].isin(CTE_FRAMEWORKS)]
    ccss_sets = [set(c for c in s.split("; ") if c) for s in ccss["courses"]]
    rows = []
    positions = pathway.course_positions
    for cid in pathway.course_ids:
        hit = np.array([cid in s for s in direct_sets], dtype=bool)
        mine = cov[cov["course_id"] == cid]
        rows.append({
            "sequence_position": positions[cid], "course_id": cid, "title": pathway.course_titles[cid],
            "level": pathway.course_levels[cid],
            "pathway_items": int((hit & (fw == "cte_pathway")).sum()),
            "anchor_items": int((hit & (fw == "cte_anchor")).sum()),
            "crp": int((hit & (fw == "cte_crp")).sum()),
            "ccss": sum(cid in s for s in ccss_sets),
            "pct_cte_items": _pct(int(hit.sum()), len(direct_sets)),
            "accepted": int((mine["status"] == "accepted").sum()),
            "suggested_counted": int((mine["covers"] & (mine["source"] == "suggestion")).sum()),
            "rejected": int((mine["status"] == "rejected").sum()),
        })
    return pd.DataFrame(rows, columns=cols)


def _pathway_fit(pathway, std, sc_scope, direct) -> tuple[pd.DataFrame, str]:
    """Coverage of each CA pathway of the sector (all of them, even for a named pathway)."""
    cols = ["pathway", "focus_area", "standards", "standards_covered", "pct_standards", "indicators",
            "indicators_covered", "pct_indicators", "best_fit", "analysed", "completeness"]
    rows = []
    pw_rows = std[(std["framework"] == "cte_pathway") & (std["sector"] == pathway.sector) & (std["kind"] != "heading")]
    if "focus_area" not in pw_rows.columns:
        pw_rows = pw_rows.assign(focus_area="")
    ids = set(pathway.course_ids)
    for (name, focus), group in pw_rows.groupby(["pathway", "focus_area"], sort=False):
        kids: dict[str, list[str]] = {}
        for sid, parent in zip(group["standard_id"], group["parent_id"]):
            kids.setdefault(parent, []).append(sid)
        heads = group[group["kind"] == "standard"]["standard_id"].tolist()
        inds = group[group["kind"] != "standard"]["standard_id"].tolist()
        cov_head = sum(1 for h in heads if set(direct.get(h, [])) & ids
                       or any(set(direct.get(k, [])) & ids for k in kids.get(h, [])))
        cov_ind = sum(1 for i in inds if set(direct.get(i, [])) & ids)
        rows.append({"pathway": name, "focus_area": focus, "standards": len(heads), "standards_covered": cov_head,
                     "pct_standards": _pct(cov_head, len(heads)), "indicators": len(inds),
                     "indicators_covered": cov_ind, "pct_indicators": _pct(cov_ind, len(inds)), "best_fit": False,
                     "analysed": (not pathway.cte_pathway) or name == pathway.cte_pathway,
                     "completeness": "; ".join(sorted(set(group["completeness"])))})
    fit = pd.DataFrame(rows, columns=cols)
    best = best_focus = ""
    if len(fit):
        order = fit.assign(_s=fit["pct_standards"].fillna(-1), _i=fit["pct_indicators"].fillna(-1))
        order = order.sort_values(["_s", "_i"], ascending=False, kind="stable")
        if order["_s"].iloc[0] > 0 or order["_i"].iloc[0] > 0:
            best, best_focus = order["pathway"].iloc[0], order["focus_area"].iloc[0]
            fit.loc[order.index[0], "best_fit"] = True
        fit = fit.loc[order.index].reset_index(drop=True)
    if not fit["focus_area"].astype(bool).any():
        fit = fit.drop(columns="focus_area")  # an edition without focus areas: the table as before
    return fit, best, best_focus


def _summary(pathway, sc_scope, sc, loaded, reason, best_pw, sequencing, suggested_only, common_core, anchor_gaps,
             notes, titles=None, best_focus="", edition="") -> pd.DataFrame:
    rows = []

    def add(metric, value, note=""):
        rows.append({"metric": metric, "value": value, "note": note})

    if edition:
        add("standards edition", "DRAFT" if "DRAFT" in edition else "adopted", edition)
    add("pathway", pathway.name, pathway.source)
    add("sector", pathway.sector)
    add("CA CTE pathway", pathway.cte_pathway or "(sector only: analysed against every pathway of the sector)")
    levels = pathway.courses.drop_duplicates("course_id")["level"].value_counts()
    add("courses", len(pathway.course_ids), ", ".join(f"{levels[lv]} {lv}" for lv in LEVELS if lv in levels))
    add("sequence", pathway.sequence, "choice: several capstones are alternatives; strict: one designated sequence")
    pw = sc_scope[sc_scope["framework"] == "cte_pathway"]
    heads, inds = pw[pw["kind"] == "standard"], pw[pw["kind"] != "standard"]
    partial = "partial data (see notes)" if loaded and pw["completeness"].eq("partial").any() else ""
    if loaded:
        add("pathway standards covered", f"{_pct(int(heads['covered'].sum()), len(heads))}%",
            f"{int(heads['covered'].sum())} of {len(heads)} (a standard counts when it or one of its indicators is "
            f"covered){'; ' + partial if partial else ''}")
        if len(inds):
            add("indicators covered", f"{_pct(int(inds['covered'].sum()), len(inds))}%",
                f"{int(inds['covered'].sum())} of {len(inds)}")
        else:
            add("indicators covered", "n/a", "no performance indicators loaded for this pathway (partial data)")
    else:
        add("pathway standards covered", "n/a", reason)
        add("indicators covered", "n/a", reason)
    if not pathway.cte_pathway and best_pw and best_focus:
        add("best-fitting CA pathway", f"{best_pw} (focus area: {best_focus})",
            "highest share of pathway standards covered, across the pathways and focus areas (see Pathway fit)")
    elif not pathway.cte_pathway and best_pw:
        add("best-fitting CA pathway", best_pw, "highest share of pathway standards covered (see Pathway fit)")
    elif not pathway.cte_pathway and loaded:
        add("best-fitting CA pathway", "none", "no pathway standard of the sector is covered")
    anchors = sc_scope[sc_scope["framework"] == "cte_anchor"]
    if len(anchors):
        fams = anchors.groupby("family")["covered"].any()
        add("anchor families covered", f"{_pct(int(fams.sum()), len(fams))}%",
            f"{int(fams.sum())} of {len(fams)} anchor numbers loaded for the sector")
        add("anchor items covered", f"{_pct(int(anchors['covered'].sum()), len(anchors))}%",
            f"{int(anchors['covered'].sum())} of {len(anchors)}")
    else:
        add("anchor families covered", "n/a", f"no anchor standards loaded for this sector ({pathway.sector})")
    crp = sc_scope[sc_scope["framework"] == "cte_crp"]
    add("career ready practices covered", f"{_pct(int(crp['covered'].sum()), len(crp))}%",
        f"{int(crp['covered'].sum())} of {len(crp)}")
    add("covered only by unreviewed suggestions", len(suggested_only), "part (c)")
    add("sequencing problems", int((sequencing["severity"] == "problem").sum()) if len(sequencing) else 0,
        f"{len(sequencing)} findings in part (e)")
    groups = common_core["group"].astype(str)
    counted = common_core["counted"].astype(bool)
    lit = common_core[groups.str.startswith("literacy") & counted]
    math = common_core[(groups == "mathematics") & counted]
    practices = common_core[(common_core["family"] == PRACTICE) & counted] if "family" in common_core else lit[:0]
    add("Common Core reinforced", int(counted.sum()), f"{len(lit)} RST/WHST, {len(math)} mathematics, "
        f"{len(practices)} practice standards (part (f) also lists the best weak suggestions, not counted)")
    is_content = common_core["family"] != PRACTICE if "family" in common_core else pd.Series(True, index=common_core.index)
    content = common_core[counted & is_content]
    closest = common_core[~counted & is_content].sort_values("best_score", ascending=False, kind="stable")
    add("Common Core content reinforced", len(content), _quote_standards(content, closest, titles or {}))
    for i, note in enumerate(notes, start=1):
        add(f"note {i}", note)
    out = pd.DataFrame(rows, columns=["metric", "value", "note"])
    out["value"] = out["value"].astype(str)
    return out


# =========================================================================== display helpers


def _quote_standards(rows: pd.DataFrame, closest: pd.DataFrame, titles: dict, limit: int = 5) -> str:
    """The standards' codes and their own text, verbatim, with the courses that reinforce
    them; when none counts, the closest weak ones, said to be weak and not counted."""
    def quote(table, n):
        out = []
        for r in table.head(n).itertuples():
            courses = ", ".join(titles.get(c, c) for c in str(r.courses).split("; ") if c)
            out.append(f'{r.display_code} "{r.text}" ({courses})')
        return "; ".join(out)

    if rows.empty:
        text = "no Common Core content standard is covered by a strong or possible suggestion or an acceptance"
        if len(closest):
            text += f"; closest, weak and not counted (a reviewer may accept them): {quote(closest, 3)}"
        return text
    more = f"; and {len(rows) - limit} more (part (f))" if len(rows) > limit else ""
    return quote(rows, limit) + more


def _rollup_status(statuses: list[str]) -> str:
    for s in STATUSES:
        if s in statuses:
            return s
    return "none"


def matrix_for_display(report: GapReport, rollup: bool = False, pathways: list[str] | None = None) -> pd.DataFrame:
    """The coverage matrix with readable labels (``display_code`` and short text) and,
    with ``rollup``, one row per pathway standard / anchor family / CRP (the strongest
    status of its rows). ``pathways`` restricts pathway standards to those CA pathways."""
    m = report.matrix
    if m.empty:
        return pd.DataFrame()
    sc = report.standards_coverage.set_index("standard_id")
    keep = [s for s in m.index if s in sc.index]
    if pathways is not None:
        keep = [s for s in keep if sc.at[s, "framework"] != "cte_pathway" or sc.at[s, "pathway"] in pathways]
    m = m.loc[keep]
    if not rollup:
        labels = pd.DataFrame({"display_code": [sc.at[s, "display_code"] for s in m.index],
                               "framework": [sc.at[s, "framework"] for s in m.index],
                               "text": [_clip(sc.at[s, "text"], 80) for s in m.index]}, index=m.index)
        return pd.concat([labels, m], axis=1).reset_index()
    groups: dict[str, list[str]] = {}
    label: dict[str, tuple[str, str]] = {}
    kind: dict[str, str] = {}
    for s in m.index:
        fw = sc.at[s, "framework"]
        if fw in CTE_FRAMEWORKS:
            kind[sc.at[s, "family"] if fw != "cte_crp" else s] = sc.at[s, "family_type"]
        if fw == "cte_pathway":
            key = sc.at[s, "family"]
            label[key] = (f"{key}", sc.at[s, "text"] if sc.at[s, "kind"] == "standard" else label.get(key, ("", ""))[1])
        elif fw == "cte_anchor":
            key = sc.at[s, "family"]
            label.setdefault(key, (key.replace("anchor", "Anchor"), sc.at[s, "family_title"]))
        elif fw == "cte_crp":
            key = s
            label[key] = (sc.at[s, "display_code"], sc.at[s, "text"])
        else:
            continue
        groups.setdefault(key, []).append(s)
    rows = {k: [_rollup_status(m.loc[ids, c].tolist()) for c in m.columns] for k, ids in groups.items()}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(m.columns))
    out.insert(0, "text", [_clip(label[k][1], 70) for k in out.index])
    out.insert(0, "display_code", [label[k][0] for k in out.index])
    out.insert(0, "group", [kind[k] for k in out.index])
    out.index.name = "family"
    return out.reset_index()
