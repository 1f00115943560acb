"""Charts, and the small tables behind them, for the notebooks and the workshop slides.

Every function is pure: it takes one of the package's tables and returns a pandas
DataFrame (``count_*``, ``*_table``, ``*_summary``) or a matplotlib ``Figure``
(``plot_*``). The inputs are

* the standards table (:func:`alignment.data.standards.load_standards`),
* a suggestions table (:meth:`alignment.align.aligner.Aligner.suggest`),
* review progress (:meth:`alignment.review.store.ReviewStore.progress`),
* a pathway comparison (:func:`alignment.analysis.comparison.compare_pathways`).

Figures are built with ``matplotlib.figure.Figure``, never pyplot: nothing is
registered globally, so Jupyter shows a returned figure exactly once and nothing is
left open; ``fig.savefig(path)`` writes one. They are made to be projected: large
fonts, a title, labelled axes and a legend for every colour. Band colours are the
blues of the gap-report heatmap (:data:`alignment.present.reports.STATUS_COLORS`). The
gap-report charts themselves (coverage heatmap, coverage by family) are in
:mod:`alignment.present.reports`.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from alignment.align.families import PRACTICE
from alignment.align.bands import BAND_THRESHOLDS
from alignment.data.standards import FRAMEWORKS, KINDS, SECTORS, sector_coverage

#: Base font size (points); titles are larger, tick labels a little smaller.
FONT = 15
#: One colour per confidence band (the heatmap's blues; ``none``: no standards loaded).
BAND_COLORS = {"strong": "#3182bd", "possible": "#9ecae1", "weak": "#deebf7", "none": "#bdbdbd"}
BANDS = ("strong", "possible", "weak", "none")
#: Short framework names for axes and legends, in the aligner's order.
FRAMEWORK_LABELS = {
    "cte_pathway": "CTE pathway standards",
    "cte_anchor": "CTE anchor standards",
    "cte_crp": "Career Ready Practice",
    "ccss_ela": "CCSS ELA/Literacy",
    "ccss_math": "CCSS Mathematics",
}
#: One colour per kind of row of the standards table.
KIND_COLORS = {"heading": "#bdbdbd", "standard": "#08519c", "sub-standard": "#6baed6", "indicator": "#31a354"}
#: One colour per completeness value of :func:`alignment.data.standards.sector_coverage`.
COMPLETENESS_COLORS = {"complete": "#31a354", "partial": "#fd8d3c", "missing": "#f0f0f0"}
#: Review outcome colours (accepted/rejected as in the heatmap).
REVIEW_COLORS = {"accepted": "#08519c", "added": "#756bb1", "rejected": "#e6550d", "not reviewed": "#f0f0f0"}
#: Pathway comparison colours.
COMPARISON_COLORS = {"accepted": "#08519c", "suggested": "#9ecae1", "not covered": "#f0f0f0"}

_GRADE_BAND_ORDER = ["K-5", "6-8", "9-12", "K-12"]
_EDGE = "#777777"


def _wrap(text: object, width: int, lines: int = 2) -> str:
    text = " ".join(str(text or "").split())
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder=" …")) if text else ""


def _label(framework: str) -> str:
    return FRAMEWORK_LABELS.get(framework, FRAMEWORKS.get(framework, framework))


def _ordered(values, order: list[str]) -> list[str]:
    present = list(dict.fromkeys(v for v in values if v))
    return [v for v in order if v in present] + sorted(v for v in present if v not in order)


def _frameworks(values) -> list[str]:
    return _ordered(values, list(FRAMEWORK_LABELS))


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _title(fig: Figure, title: str, subtitle: str = "") -> None:
    fig.suptitle(title + (f"\n{subtitle}" if subtitle else ""), fontsize=FONT + 4, fontweight="bold")


def _legend(ax, colors: dict[str, str], labels: list[str] | None = None, **kwargs) -> None:
    labels = labels or list(colors)
    handles = [Patch(facecolor=colors[k], edgecolor=_EDGE, label=k) for k in labels]
    ax.legend(handles=handles, fontsize=FONT - 2, frameon=False, **kwargs)


def _check_columns(table: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {', '.join(missing)}; found: {', '.join(map(str, table.columns))}")


def _band_lines(ax, vertical: bool = True) -> None:
    """Dashed lines at the band thresholds, labelled."""
    for band, value in BAND_THRESHOLDS.items():
        if vertical:  # the highest threshold labelled to its right, the others to their left
            right = value == max(BAND_THRESHOLDS.values())
            ax.axvline(value, color="#333333", linestyle="--", linewidth=1.5)
            ax.text(value, 1.0, f" {band} ≥ {value:.2f} ", transform=ax.get_xaxis_transform(),
                    ha="left" if right else "right", va="bottom", fontsize=FONT - 3, color="#333333")
        else:
            ax.axhline(value, color="#333333", linestyle="--", linewidth=1.5)
            ax.text(1.0, value, f" {band}\n ≥ {value:.2f}", transform=ax.get_yaxis_transform(), ha="left",
                    va="center", fontsize=FONT - 3, color="#333333")


# =========================================================================== the standards


def count_standards(standards: pd.DataFrame, by: str = "framework") -> pd.DataFrame:
    """Rows of the standards table per value of ``by``, split by kind.

    ``by``: ``framework``, ``sector``, ``pathway``, ``grade_band`` (or any column).
    Index: the values of ``by`` in a natural order (frameworks as the aligner lists
    them, sectors as :data:`alignment.data.standards.SECTORS`, grade bands K-5 to K-12);
    rows where ``by`` is empty are left out. Columns: one per kind present
    (``heading``, ``standard``, ``sub-standard``, ``indicator``) and ``total``.
    """
    _check_columns(standards, [by, "kind"], "the standards table")
    rows = standards[standards[by].astype(str) != ""]
    order = {"framework": list(FRAMEWORK_LABELS), "sector": list(SECTORS) + ["ALL"],
             "grade_band": _GRADE_BAND_ORDER, "pathway": _pathways_by_sector(rows)}.get(by, [])
    index = _ordered(rows[by].astype(str), order)
    table = pd.crosstab(rows[by].astype(str), rows["kind"]).reindex(index=index, fill_value=0)
    kinds = [k for k in KINDS if k in table.columns] + [k for k in table.columns if k not in KINDS]
    table = table[kinds].astype("int64")
    table["total"] = table.sum(axis=1)
    table.index.name = by
    table.columns.name = None
    return table


def _pathways_by_sector(standards: pd.DataFrame) -> list[str]:
    """Pathway names grouped by sector (in :data:`SECTORS` order), in table order within one."""
    if "sector" not in standards.columns or "pathway" not in standards.columns:
        return []
    sector_rank = {name: i for i, name in enumerate(SECTORS)}
    pairs = list(dict.fromkeys(zip(standards["sector"].astype(str), standards["pathway"].astype(str))))
    pairs = sorted((pair for pair in pairs if pair[1]), key=lambda pair: sector_rank.get(pair[0], len(SECTORS)))
    return list(dict.fromkeys(pathway for _, pathway in pairs))


def _pathway_label(standards: pd.DataFrame, pathway: str) -> str:
    sectors = standards.loc[standards["pathway"] == pathway, "sector"] if "sector" in standards.columns else []
    abbreviation = SECTORS.get(next(iter(sectors), ""), "")
    return f"{pathway} ({abbreviation})" if abbreviation else pathway


def plot_standards_counts(standards: pd.DataFrame, by: str = "framework", title: str | None = None) -> Figure:
    """Horizontal bars: rows of the standards table per ``by`` value, stacked by kind,
    with the total at the end of each bar."""
    table = count_standards(standards, by)
    kinds = [k for k in table.columns if k != "total"]
    labels = [_label(v) if by == "framework" else _pathway_label(standards, v) if by == "pathway" else str(v)
              for v in table.index]
    n = max(len(table), 1)
    fig = _figure(14, max(4.0, 1.6 + 0.62 * n))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    left = np.zeros(n)
    for kind in kinds:
        values = table[kind].to_numpy(dtype=float)
        ax.barh(y, values, left=left, color=KIND_COLORS.get(kind, "#888888"), edgecolor="white", height=0.7,
                label=kind)
        left += values
    for yi, total in zip(y, table["total"]):
        ax.text(total, yi, f" {total:,}", va="center", fontsize=FONT - 2)
    ax.set_yticks(y, [_wrap(v, 34) for v in labels], fontsize=FONT - 2)
    ax.set_xlim(0, max(1, table["total"].max()) * 1.15)
    ax.set_xlabel("rows of the standards table", fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT - 3)
    ax.grid(axis="x", color="#e0e0e0")
    ax.set_axisbelow(True)
    _legend(ax, KIND_COLORS, kinds, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(kinds),
            title="kind of row", title_fontsize=FONT - 2)
    names = {"framework": "framework", "sector": "CTE sector", "pathway": "CTE pathway", "grade_band": "grade band"}
    _title(fig, title or f"Bundled standards by {names.get(by, by)}")
    return fig


def coverage_grid(standards: pd.DataFrame) -> pd.DataFrame:
    """Per CA CTE sector and CTE framework: how complete the bundled data is.

    One row per (sector, framework) for the 15 sectors of
    :data:`alignment.data.standards.SECTORS` (plus any other sector loaded) and the
    frameworks ``cte_anchor`` and ``cte_pathway``. Columns: ``sector,
    sector_abbreviation, framework, status`` (``complete``, ``partial`` or
    ``missing``: partial when any of its rows is partial), ``items`` (standards plus
    indicators), ``pathways`` (the CA pathways loaded, ``"; "``-joined) and ``note``
    (the completeness notes). Built on :func:`alignment.data.standards.sector_coverage`.
    """
    cov = sector_coverage(standards, include_missing=True)
    cov = cov[cov["framework"].isin(["cte_anchor", "cte_pathway"]) & (cov["sector"] != "ALL")]
    rows = []
    for sector in _ordered(cov["sector"], list(SECTORS)):
        for framework in ("cte_anchor", "cte_pathway"):
            part = cov[(cov["sector"] == sector) & (cov["framework"] == framework)]
            values = set("; ".join(part["completeness"]).split("; ")) - {""}
            if not len(part) or values == {"missing"}:
                status = "missing"
            elif values & {"partial", "unknown"}:
                status = "partial"
            else:
                status = "complete"
            rows.append({
                "sector": sector,
                "sector_abbreviation": SECTORS.get(sector, ""),
                "framework": framework,
                "status": status,
                "items": int(part["standards"].sum() + part["indicators"].sum()),
                "pathways": "; ".join(p for p in part["pathway"] if p),
                "note": " ".join(dict.fromkeys(n for n in part["completeness_note"] if n)),
            })
    return pd.DataFrame(rows, columns=["sector", "sector_abbreviation", "framework", "status", "items", "pathways",
                                       "note"])


def plot_sector_coverage(standards: pd.DataFrame, title: str | None = None) -> Figure:
    """A grid, one row per CA CTE sector: are its anchor and pathway standards in the
    bundled data (complete, partial, missing), with item counts and the pathways loaded."""
    grid = coverage_grid(standards)
    sectors = list(dict.fromkeys(grid["sector"]))
    frameworks = ["cte_anchor", "cte_pathway"]
    n = max(len(sectors), 1)
    fig = _figure(16, max(5.0, 2.2 + 0.55 * n))
    ax = fig.add_subplot()
    for i, sector in enumerate(sectors):
        y = n - 1 - i
        for j, framework in enumerate(frameworks):
            cell = grid[(grid["sector"] == sector) & (grid["framework"] == framework)].iloc[0]
            ax.add_patch(_rect(j, y, COMPLETENESS_COLORS[cell["status"]]))
            text = "missing" if cell["status"] == "missing" else f"{cell['status']}: {cell['items']}"
            ax.text(j + 0.5, y + 0.5, text, ha="center", va="center", fontsize=FONT - 3,
                    color="white" if cell["status"] == "complete" else "black")
        pathways = grid[(grid["sector"] == sector) & (grid["framework"] == "cte_pathway")]["pathways"].iloc[0]
        ax.text(2.08, y + 0.5, _wrap(pathways, 64), va="center", fontsize=FONT - 4, color="#333333")
    ax.set_xlim(0, 5.2)
    ax.set_ylim(0, n)
    ax.set_xticks([0.5, 1.5, 2.9], ["anchor standards", "pathway standards", "CA pathways loaded"], fontsize=FONT - 1)
    ax.xaxis.tick_top()
    ax.set_yticks([n - 1 - i + 0.5 for i in range(n)],
                  [f"{s} ({SECTORS.get(s, '')})" if s in SECTORS else s for s in sectors], fontsize=FONT - 3)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    loaded = grid[(grid["framework"] == "cte_pathway") & (grid["status"] != "missing")]
    _legend(ax, COMPLETENESS_COLORS, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3,
            title="bundled data (items = standards + indicators)", title_fontsize=FONT - 2)
    _title(fig, title or "Which CA CTE sectors the bundled standards cover",
           f"pathway standards for {len(loaded)} of {len(sectors)} sectors; the rest are not loaded, not 0% covered")
    return fig


def _rect(x: float, y: float, color: str) -> Rectangle:
    return Rectangle((x + 0.03, y + 0.06), 0.94, 0.88, facecolor=color, edgecolor=_EDGE, linewidth=1)


# =========================================================================== suggestions

_SUGGESTION_COLUMNS = ["course_id", "framework", "score", "rank", "band"]


def evidence_table(suggestions: pd.DataFrame, course_id: str, framework: str | None = None) -> pd.DataFrame:
    """One course's suggestions with their evidence, for reading: ``framework, rank,
    display_code, score, band, standard_text, matched_terms, matched_phrases,
    best_sentence, note`` (lists joined with ``", "``), frameworks in the aligner's order."""
    _check_columns(suggestions, _SUGGESTION_COLUMNS, "the suggestions table")
    rows = suggestions[suggestions["course_id"].astype(str) == str(course_id)]
    if framework is not None:
        rows = rows[rows["framework"] == framework]
    if rows.empty:
        known = ", ".join(list(dict.fromkeys(suggestions["course_id"].astype(str)))[:10])
        raise ValueError(f"no suggestions for course {course_id!r}"
                         + (f" in framework {framework!r}" if framework else "") + f"; courses: {known} ...")
    order = {f: i for i, f in enumerate(_frameworks(rows["framework"]))}
    rows = rows.assign(_order=rows["framework"].map(order)).sort_values(["_order", "rank"], kind="stable")
    columns = ["framework", "rank", "display_code", "score", "band", "standard_text", "matched_terms",
               "matched_phrases", "best_sentence", "note"]
    out = pd.DataFrame({c: rows[c] if c in rows.columns else "" for c in columns})
    for c in ("matched_terms", "matched_phrases"):
        out[c] = [", ".join(v) if isinstance(v, (list, tuple, np.ndarray)) else ("" if v is None else str(v))
                  for v in out[c]]
    return out.reset_index(drop=True)


def plot_course_suggestions(suggestions: pd.DataFrame, course_id: str, framework: str | None = None,
                            title: str | None = None, top: int | None = None) -> Figure:
    """One course's suggestions as bars: score per standard (code and text), coloured
    by band, thresholds marked. ``framework``: only that one (default: all, in the
    aligner's order, separated by lines). ``top``: best suggestions per framework
    (default: 3 when showing every framework, all when showing one). A framework with
    nothing loaded for the course's sector shows its note instead of bars."""
    table = evidence_table(suggestions, course_id, framework)
    top = top if top is not None else (3 if framework is None else len(table))
    notes = [f"{_label(f)}: {n}" for f, n in dict.fromkeys(zip(table["framework"], table["note"].astype(str))) if n]
    table = table[table["display_code"].astype(str) != ""].groupby("framework", sort=False).head(top)
    n = max(len(table), 1)
    fig = _figure(16, max(4.5, 2.2 + 0.72 * n + 0.4 * len(notes)))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    scores = table["score"].astype(float).to_numpy()
    ax.barh(y[:len(table)], scores, color=[BAND_COLORS.get(b, "#888888") for b in table["band"]],
            edgecolor=_EDGE, height=0.72)
    for yi, score in zip(y, scores):
        ax.text(score + 0.005, yi, f"{score:.2f}", va="center", fontsize=FONT - 3)
    labels = [f"{code}  {_wrap(text, 60)}" for code, text in zip(table["display_code"], table["standard_text"])]
    ax.set_yticks(y[:len(table)], labels, fontsize=FONT - 4)
    frameworks = table["framework"].tolist()
    for i, fw in enumerate(frameworks):
        if i == 0 or fw != frameworks[i - 1]:
            if i:
                ax.axhline(y[i] + 0.5, color="black", linewidth=1.5)
            ax.text(0.995, y[i] + 0.45, _label(fw), transform=ax.get_yaxis_transform(), ha="right", va="top",
                    fontsize=FONT - 3, style="italic", color="#333333")
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, max(0.8, float(np.nanmax(scores)) + 0.08) if len(scores) else 0.8)
    ax.set_xlabel("score (cosine similarity of meaning, mixed with shared words for CCSS)", fontsize=FONT - 1)
    ax.tick_params(axis="x", labelsize=FONT - 3)
    if notes and len(table):
        ax.text(0.0, -0.08, _wrap("; ".join(notes), 110, 4), transform=ax.transAxes, ha="left", va="top",
                fontsize=FONT - 3, style="italic")
    elif notes:
        ax.text(0.5, 0.5, _wrap("; ".join(notes), 80, 4), transform=ax.transAxes, ha="center", va="center",
                fontsize=FONT, style="italic")
    _band_lines(ax)
    _legend(ax, BAND_COLORS, [b for b in BANDS if b != "none"], loc="lower right", title="band",
            title_fontsize=FONT - 2)
    what = _label(framework) if framework else "every framework"
    subtitle = (f"{what}: nothing to suggest" if table.empty else f"{what}: best {top} per framework"
                if framework is None else f"{what}: best {len(table)}")
    _title(fig, title or f"Suggested standards for course {course_id}", subtitle)
    return fig


def band_counts(suggestions: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Suggestions per framework (rows, the aligner's order) and band (columns
    strong, possible, weak, none; then ``total``). ``top=1`` counts only each course's
    best suggestion per framework (``none`` rows: no standards loaded for the course's sector):
    its best content standard where the framework has content for the course (practices are
    ranked apart, so they have their own first place), else its best practice (the Career
    Ready Practices are practices only)."""
    _check_columns(suggestions, _SUGGESTION_COLUMNS, "the suggestions table")
    rows = suggestions
    if top is not None:
        rank = pd.to_numeric(rows["rank"], errors="coerce")
        rows = rows[(rank <= top) | (rows["band"] == "none")]
        if "family" in rows.columns:
            content = rows["family"].ne(PRACTICE)
            has_content = content.groupby([rows["course_id"], rows["framework"]]).transform("any")
            rows = rows[content | ~has_content]
    table = pd.crosstab(rows["framework"], rows["band"])
    table = table.reindex(index=_frameworks(rows["framework"]), columns=list(BANDS), fill_value=0).astype("int64")
    table["total"] = table.sum(axis=1)
    table.index.name = "framework"
    table.columns.name = None
    return table


def plot_band_counts(suggestions: pd.DataFrame, top: int | None = None, title: str | None = None) -> Figure:
    """Stacked bars: the share of suggestions in each band, per framework (``top=1``:
    each course's best suggestion only), with counts on the bars."""
    table = band_counts(suggestions, top)
    bands = [b for b in BANDS if table[b].sum() > 0] or ["weak"]
    n = max(len(table), 1)
    fig = _figure(15, max(4.5, 2.2 + 0.8 * n))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    left = np.zeros(n)
    totals = table["total"].replace(0, 1).to_numpy(dtype=float)
    for band in bands:
        share = 100 * table[band].to_numpy(dtype=float) / totals
        ax.barh(y, share, left=left, color=BAND_COLORS[band], edgecolor=_EDGE, height=0.7, label=band)
        for yi, x0, width, count in zip(y, left, share, table[band]):
            if width >= 6:
                ax.text(x0 + width / 2, yi, f"{count}", ha="center", va="center", fontsize=FONT - 3,
                        color="white" if band == "strong" else "black")
        left += share
    ax.set_yticks(y, [_label(f) for f in table.index], fontsize=FONT - 1)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of suggestions (numbers on the bars: how many)", fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT - 3)
    _legend(ax, BAND_COLORS, bands, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=len(bands),
            title="confidence band", title_fontsize=FONT - 2)
    what = "each course's best suggestion per framework" if top == 1 else (
        f"each course's top {top} per framework" if top else "all suggestions")
    courses = suggestions["course_id"].nunique()
    _title(fig, title or "How confident are the suggestions?", f"{what}, {courses} courses")
    return fig


def plot_score_distribution(suggestions: pd.DataFrame, bins: int = 30, title: str | None = None) -> Figure:
    """Histograms of the scores, one panel per framework, on one score axis, with the
    band thresholds marked (``strong`` and ``possible`` at or right of their line)."""
    _check_columns(suggestions, _SUGGESTION_COLUMNS, "the suggestions table")
    scored = suggestions[pd.to_numeric(suggestions["score"], errors="coerce").notna()]
    frameworks = _frameworks(scored["framework"]) or ["(none)"]
    fig = _figure(15, 1.6 + 1.9 * len(frameworks))
    axes = fig.subplots(len(frameworks), 1, sharex=True, squeeze=False)[:, 0]
    values = pd.to_numeric(scored["score"]).astype(float)
    low = math.floor(min(values.min(), 0.2) * 20) / 20 if len(values) else 0.0
    high = math.ceil(max(values.max(), 0.7) * 20) / 20 if len(values) else 1.0
    edges = np.linspace(low, high, bins + 1)
    for ax, framework in zip(axes, frameworks):
        mine = values[scored["framework"] == framework]
        counts, _ = np.histogram(mine, bins=edges)
        centers = (edges[:-1] + edges[1:]) / 2
        colors = [BAND_COLORS["strong"] if c >= BAND_THRESHOLDS["strong"] else BAND_COLORS["possible"]
                  if c >= BAND_THRESHOLDS["possible"] else BAND_COLORS["weak"] for c in centers]
        ax.bar(centers, counts, width=np.diff(edges), color=colors, edgecolor=_EDGE, linewidth=0.6)
        ax.text(0.01, 0.92, f"{_label(framework)}  (n = {len(mine)}, median {mine.median():.2f})"
                if len(mine) else _label(framework), transform=ax.transAxes, va="top", fontsize=FONT - 1,
                fontweight="bold")
        ax.set_ylabel("count", fontsize=FONT - 2)
        ax.tick_params(labelsize=FONT - 3)
        for value in BAND_THRESHOLDS.values():
            ax.axvline(value, color="#333333", linestyle="--", linewidth=1.5)
    for band, value in BAND_THRESHOLDS.items():
        axes[0].text(value, 1.02, f"{band} ≥ {value:.2f}", transform=axes[0].get_xaxis_transform(), ha="center",
                     va="bottom", fontsize=FONT - 3)
    axes[-1].set_xlabel("score of a suggestion", fontsize=FONT)
    _legend(axes[-1], BAND_COLORS, ["strong", "possible", "weak"], loc="upper center", bbox_to_anchor=(0.5, -0.45),
            ncol=3, title="band", title_fontsize=FONT - 2)
    _title(fig, title or "Score distribution by framework",
           f"{len(scored)} suggestions for {scored['course_id'].nunique()} courses")
    return fig


def best_scores(suggestions: pd.DataFrame) -> pd.DataFrame:
    """Each course's best score per framework: index ``course_id``, one column per
    framework (the aligner's order); NaN where the course has no scored suggestion
    (e.g. no pathway standards loaded for its sector)."""
    _check_columns(suggestions, _SUGGESTION_COLUMNS, "the suggestions table")
    scored = suggestions.assign(score=pd.to_numeric(suggestions["score"], errors="coerce"))
    table = scored.pivot_table(index="course_id", columns="framework", values="score", aggfunc="max")
    courses = list(dict.fromkeys(suggestions["course_id"]))
    table = table.reindex(index=courses, columns=_frameworks(suggestions["framework"]))
    table.columns.name = None
    return table.astype(float)


def plot_framework_comparison(suggestions: pd.DataFrame, title: str | None = None) -> Figure:
    """Frameworks side by side: each course's best score (a dot per course; a box for
    the middle half, a thick line at the median, a thin one from lowest to highest), the
    band thresholds, and the share of courses whose best suggestion is strong or possible."""
    table = best_scores(suggestions)
    frameworks = list(table.columns)
    n = max(len(frameworks), 1)
    fig = _figure(15, max(5.0, 2.4 + 0.95 * n))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    rng = np.random.default_rng(0)  # fixed jitter: the same picture every run
    for yi, framework in zip(y, frameworks):
        values = table[framework].dropna().to_numpy()
        if len(values):
            q1, median, q3 = np.percentile(values, [25, 50, 75])  # the box: middle half, and the median
            ax.hlines(yi, values.min(), values.max(), color="#555555", linewidth=1.2)
            ax.add_patch(Rectangle((q1, yi - 0.27), q3 - q1, 0.54, fill=False, edgecolor="black", linewidth=1.5))
            ax.vlines(median, yi - 0.27, yi + 0.27, color="black", linewidth=2.5)
            colors = [BAND_COLORS["strong"] if v >= BAND_THRESHOLDS["strong"] else BAND_COLORS["possible"]
                      if v >= BAND_THRESHOLDS["possible"] else BAND_COLORS["weak"] for v in values]
            ax.scatter(values, yi + rng.uniform(-0.22, 0.22, len(values)), c=colors, edgecolors=_EDGE, s=60,
                       zorder=3)
            share = 100 * (values >= BAND_THRESHOLDS["possible"]).mean()
            ax.text(1.0, yi, f" {share:.0f}% of {len(values)} courses\n strong or possible",
                    transform=ax.get_yaxis_transform(), va="center", fontsize=FONT - 3)
        else:
            ax.text(0.5, yi, "no scored suggestions", transform=ax.get_yaxis_transform(), ha="center", va="center",
                    fontsize=FONT - 3, style="italic")
    ax.set_yticks(y, [_label(f) for f in frameworks], fontsize=FONT - 1)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel("each course's best score in the framework", fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT - 3)
    ax.grid(axis="x", color="#e0e0e0")
    ax.set_axisbelow(True)
    _band_lines(ax)
    _legend(ax, BAND_COLORS, ["strong", "possible", "weak"], loc="upper center", bbox_to_anchor=(0.5, -0.14),
            ncol=3, title="band of the course's best suggestion", title_fontsize=FONT - 2)
    _title(fig, title or "Which frameworks do the courses match?", f"{len(table)} courses")
    return fig


def threshold_summary(suggestions: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per framework, what a score threshold keeps: ``suggestions`` (at or above it),
    ``courses`` (with at least one), ``of_courses`` (courses with any suggestion in the
    framework) and ``pct_courses``."""
    _check_columns(suggestions, _SUGGESTION_COLUMNS, "the suggestions table")
    scored = suggestions.assign(score=pd.to_numeric(suggestions["score"], errors="coerce"))
    scored = scored[scored["score"].notna()]
    rows = []
    for framework in _frameworks(scored["framework"]):
        mine = scored[scored["framework"] == framework]
        kept = mine[mine["score"] >= threshold]
        of = mine["course_id"].nunique()
        courses = kept["course_id"].nunique()
        rows.append({"framework": framework, "suggestions": len(kept), "courses": courses, "of_courses": of,
                     "pct_courses": round(100.0 * courses / of, 1) if of else float("nan")})
    return pd.DataFrame(rows, columns=["framework", "suggestions", "courses", "of_courses", "pct_courses"])


def plot_threshold(suggestions: pd.DataFrame, threshold: float, title: str | None = None) -> Figure:
    """Bars: the share of courses that keep at least one suggestion at or above
    ``threshold``, per framework (for a threshold slider)."""
    table = threshold_summary(suggestions, threshold)
    n = max(len(table), 1)
    fig = _figure(14, max(4.0, 2.0 + 0.8 * n))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    ax.barh(y[:len(table)], table["pct_courses"].fillna(0), color=BAND_COLORS["strong"], edgecolor=_EDGE, height=0.7)
    for yi, r in zip(y, table.itertuples()):
        ax.text(min(r.pct_courses, 100) + 1, yi, f"{r.courses} of {r.of_courses} courses ({r.suggestions} suggestions)",
                va="center", fontsize=FONT - 3)
    ax.set_yticks(y[:len(table)], [_label(f) for f in table["framework"]], fontsize=FONT - 1)
    ax.set_xlim(0, 145)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("% of courses with at least one suggestion at or above the threshold", fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT - 3)
    ax.grid(axis="x", color="#e0e0e0")
    ax.set_axisbelow(True)
    bands = ", ".join(f"{b} ≥ {v:.2f}" for b, v in BAND_THRESHOLDS.items())
    _title(fig, title or f"Keeping suggestions with score ≥ {threshold:.2f}", f"(the bands: {bands})")
    return fig


# =========================================================================== review


def review_outcomes(progress: pd.DataFrame) -> pd.DataFrame:
    """Review progress per course as outcome counts: ``course_id, accepted, rejected,
    added, not reviewed`` (``progress``: :meth:`alignment.review.store.ReviewStore.progress`)."""
    _check_columns(progress, ["course_id", "suggestions", "reviewed", "accepted", "rejected", "added"],
                   "the progress table")
    return pd.DataFrame({
        "course_id": progress["course_id"].astype(str).to_numpy(),
        "accepted": progress["accepted"].astype("int64").to_numpy(),
        "rejected": progress["rejected"].astype("int64").to_numpy(),
        "added": progress["added"].astype("int64").to_numpy(),
        "not reviewed": (progress["suggestions"] - progress["reviewed"]).astype("int64").to_numpy(),
    })


def plot_review_progress(progress: pd.DataFrame, titles: dict[str, str] | None = None,
                         title: str | None = None) -> Figure:
    """Stacked bars per course: suggestions accepted, rejected, not yet reviewed, and
    standards a reviewer added. ``titles``: course_id -> title for the labels."""
    table = review_outcomes(progress)
    outcomes = ["accepted", "rejected", "not reviewed", "added"]
    n = max(len(table), 1)
    fig = _figure(14, max(4.0, 2.2 + 0.7 * n))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    left = np.zeros(n)
    for outcome in outcomes:
        values = table[outcome].to_numpy(dtype=float)
        ax.barh(y[:len(table)], values, left=left[:len(table)], color=REVIEW_COLORS[outcome], edgecolor=_EDGE,
                height=0.7, label=outcome)
        for yi, x0, v in zip(y, left, values):
            if v:
                ax.text(x0 + v / 2, yi, f"{int(v)}", ha="center", va="center", fontsize=FONT - 3,
                        color="white" if outcome in ("accepted", "rejected", "added") else "black")
        left[:len(table)] += values
    titles = titles or {}
    labels = [_wrap(f"{titles[c]} ({c})" if c in titles else c, 40) for c in table["course_id"]]
    ax.set_yticks(y[:len(table)], labels, fontsize=FONT - 3)
    ax.set_xlabel("suggestions (and standards added by a reviewer)", fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT - 3)
    _legend(ax, REVIEW_COLORS, outcomes, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4)
    done = int(table[["accepted", "rejected"]].to_numpy().sum())
    shown = done + int(table["not reviewed"].sum())
    _title(fig, title or "Review progress", f"{done} of {shown} suggestions reviewed")
    return fig


# =========================================================================== pathways


def comparison_counts(comparison: pd.DataFrame) -> pd.DataFrame:
    """A :func:`alignment.analysis.comparison.compare_pathways` table counted: one row per (pathway,
    framework) with ``accepted, suggested, not covered`` (standards in that pathway's
    scope; ``not in scope`` rows are left out), ``in_scope`` and ``pct_covered``."""
    _check_columns(comparison, ["framework", "standard_id", "text", "covered_by"], "the comparison table")
    columns = list(comparison.columns)
    labels = columns[columns.index("text") + 1:columns.index("covered_by")]
    rows = []
    for framework in _frameworks(comparison["framework"]):
        for label in labels:
            status = comparison.loc[comparison["framework"] == framework, label]
            counts = {s: int((status == s).sum()) for s in ("accepted", "suggested", "not covered")}
            in_scope = sum(counts.values())
            if not in_scope:
                continue
            covered = counts["accepted"] + counts["suggested"]
            rows.append({"pathway": label, "framework": framework, **counts, "in_scope": in_scope,
                         "pct_covered": round(100.0 * covered / in_scope, 1)})
    return pd.DataFrame(rows, columns=["pathway", "framework", "accepted", "suggested", "not covered", "in_scope",
                                       "pct_covered"])


def plot_pathway_comparison(comparison: pd.DataFrame, title: str | None = None) -> Figure:
    """Pathways side by side: per framework, one bar per pathway with the share of the
    standards in its scope that are accepted, suggested (strong/possible) or not covered."""
    table = comparison_counts(comparison)
    pathways = list(dict.fromkeys(table["pathway"]))
    rows = table.to_dict("records")
    n = max(len(rows), 1)
    fig = _figure(16, max(4.5, 2.4 + 0.62 * n))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    parts = ["accepted", "suggested", "not covered"]
    for yi, r in zip(y, rows):
        left = 0.0
        for part in parts:
            share = 100.0 * r[part] / r["in_scope"]
            ax.barh(yi, share, left=left, color=COMPARISON_COLORS[part], edgecolor=_EDGE, height=0.72)
            left += share
        covered = r["accepted"] + r["suggested"]
        ax.text(101, yi, f"{r['pct_covered']:.0f}% ({covered} of {r['in_scope']})", va="center", fontsize=FONT - 3)
    labels = [f"{_wrap(r['pathway'], 48, 1)}\n{_label(r['framework'])}" for r in rows]
    ax.set_yticks(y[:len(rows)], labels, fontsize=FONT - 4)
    for i in range(1, len(rows)):
        if rows[i]["framework"] != rows[i - 1]["framework"]:
            ax.axhline(y[i] + 0.5, color="black", linewidth=2)
    ax.set_xlim(0, 130)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("% of the standards in the pathway's scope", fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT - 3)
    _legend(ax, COMPARISON_COLORS, parts, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3,
            title="coverage (suggested = strong or possible, not yet reviewed)", title_fontsize=FONT - 2)
    _title(fig, title or "Pathways compared", " vs ".join(pathways))
    return fig
