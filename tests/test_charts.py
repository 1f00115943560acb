"""Charts and the tables behind them, on the real standards and real suggestions.

The suggestions are the session's ``catalog_suggestions`` (the whole Westview catalog,
shared with the aligner tests), so these tests load the language models.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

from alignment.present import charts
from alignment.align.bands import BAND_THRESHOLDS
from alignment.data.standards import SECTORS

pytestmark = pytest.mark.slow

FINANCE = "000217-000218"  # Intro to Finance 1-2 (Business and Finance)
ENGINEERING = "000854-000855"  # Introduction to Engineering Design (no CTE standards loaded for its sector)


def _texts(fig: Figure) -> str:
    parts = [fig._suptitle.get_text() if fig._suptitle else ""]
    for ax in fig.axes:
        parts += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
        parts += [t.get_text() for t in ax.texts]
        parts += [t.get_text() for t in ax.get_yticklabels()]
        legend = ax.get_legend()
        if legend:
            parts += [t.get_text() for t in legend.get_texts()]
    return "\n".join(parts)


def _check_figure(fig) -> None:
    """A titled Figure, not registered with pyplot, that renders to PNG."""
    assert isinstance(fig, Figure)
    assert fig._suptitle is not None and fig._suptitle.get_text()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    assert buffer.getvalue().startswith(b"\x89PNG")


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "charts must not register figures with pyplot (Jupyter would show them twice)"


# --------------------------------------------------------------------------- standards


def test_count_standards_by_framework(standards):
    table = charts.count_standards(standards, "framework")
    assert list(table.index) == ["cte_pathway", "cte_anchor", "cte_crp", "ccss_ela", "ccss_math"]
    assert table["total"].sum() == len(standards)
    assert table.loc["cte_crp", "standard"] == 12
    assert table.loc["ccss_math", "total"] == (standards["framework"] == "ccss_math").sum()
    assert list(table.columns) == ["heading", "standard", "sub-standard", "indicator", "total"]


def test_count_standards_orders_sectors_bands_and_pathways(standards):
    sectors = charts.count_standards(standards, "sector")
    assert list(sectors.index) == [s for s in SECTORS if s in set(standards["sector"])] + ["ALL"]
    bands = charts.count_standards(standards, "grade_band")
    assert list(bands.index) == ["K-5", "6-8", "9-12", "K-12"]
    pathways = charts.count_standards(standards, "pathway")
    assert "" not in pathways.index
    sector_of = dict(zip(standards["pathway"], standards["sector"]))
    order = [list(SECTORS).index(sector_of[p]) for p in pathways.index]
    assert order == sorted(order), "pathways are grouped by sector"


def test_count_standards_names_a_missing_column(standards):
    with pytest.raises(ValueError, match="missing column.*colour"):
        charts.count_standards(standards, "colour")


def test_coverage_grid_is_honest_about_every_sector(standards):
    grid = charts.coverage_grid(standards).set_index(["sector_abbreviation", "framework"])
    assert len(grid) == 2 * len(SECTORS)
    assert grid.loc[("ICT", "cte_anchor"), "status"] == "complete"
    assert grid.loc[("ICT", "cte_pathway"), "status"] == "complete"
    assert "Networking" in grid.loc[("ICT", "cte_pathway"), "pathways"]
    assert grid.loc[("BF", "cte_anchor"), "status"] == "partial"
    assert grid.loc[("AME", "cte_pathway"), "status"] == "partial"
    assert grid.loc[("HSMT", "cte_pathway"), "status"] == "partial"
    missing = grid[grid["status"] == "missing"]
    assert (missing["items"] == 0).all()
    assert ("ANR", "cte_pathway") in missing.index and ("TRA", "cte_anchor") in missing.index
    assert len(missing.xs("cte_pathway", level="framework")) == len(SECTORS) - 4


def test_standards_charts(standards):
    fig = charts.plot_standards_counts(standards, "framework")
    _check_figure(fig)
    text = _texts(fig)
    assert "CCSS Mathematics" in text and "rows of the standards table" in text and "indicator" in text
    fig = charts.plot_standards_counts(standards, "pathway")
    assert "Networking (ICT)" in _texts(fig)
    fig = charts.plot_sector_coverage(standards)
    _check_figure(fig)
    text = _texts(fig)
    assert "pathway standards for 4 of 15 sectors" in text
    assert text.count("missing") >= 22  # 11 sectors x 2 frameworks, plus the legend
    assert "Transportation (TRA)" in text


# --------------------------------------------------------------------------- suggestions


def test_evidence_table(catalog_suggestions):
    table = charts.evidence_table(catalog_suggestions, FINANCE)
    assert list(table["framework"].drop_duplicates()) == ["cte_pathway", "cte_anchor", "cte_crp", "ccss_ela",
                                                          "ccss_math"]
    assert table["matched_terms"].map(type).eq(str).all()
    first = table.iloc[0]
    assert first["rank"] == 1 and first["display_code"].startswith("BF ")
    only = charts.evidence_table(catalog_suggestions, FINANCE, framework="ccss_math")
    assert set(only["framework"]) == {"ccss_math"}
    with pytest.raises(ValueError, match="no suggestions for course 'nope'"):
        charts.evidence_table(catalog_suggestions, "nope")


def test_plot_course_suggestions(catalog_suggestions):
    fig = charts.plot_course_suggestions(catalog_suggestions, FINANCE)
    _check_figure(fig)
    ax = fig.axes[0]
    assert len(ax.patches) == 3 * 5  # best 3 of each framework
    assert "CCSS Mathematics" in _texts(fig) and "strong ≥ 0.55" in _texts(fig)
    fig = charts.plot_course_suggestions(catalog_suggestions, FINANCE, framework="cte_pathway", top=8)
    mine = catalog_suggestions[(catalog_suggestions["course_id"] == FINANCE)
                               & (catalog_suggestions["framework"] == "cte_pathway")]
    assert len(fig.axes[0].patches) == min(8, len(mine))
    fig = charts.plot_course_suggestions(catalog_suggestions, ENGINEERING, framework="cte_pathway")
    assert len(fig.axes[0].patches) == 0
    assert "no pathway standards loaded for this sector" in _texts(fig)


def test_band_counts(catalog_suggestions):
    courses = catalog_suggestions["course_id"].nunique()
    every = charts.band_counts(catalog_suggestions)
    assert every["total"].sum() == len(catalog_suggestions)
    assert list(every.columns) == ["strong", "possible", "weak", "none", "total"]
    best = charts.band_counts(catalog_suggestions, top=1)
    assert (best["total"] == courses).all(), "one best suggestion (or note) per course and framework"
    assert best.loc["cte_pathway", "none"] > 0  # Engineering and Architecture has nothing loaded


def test_score_and_band_charts(catalog_suggestions):
    fig = charts.plot_band_counts(catalog_suggestions, top=1)
    _check_figure(fig)
    assert "each course's best suggestion per framework" in _texts(fig)
    fig = charts.plot_score_distribution(catalog_suggestions)
    _check_figure(fig)
    assert len(fig.axes) == 5
    assert all(ax.patches for ax in fig.axes)


def test_best_scores_and_framework_comparison(catalog_suggestions):
    table = charts.best_scores(catalog_suggestions)
    assert len(table) == catalog_suggestions["course_id"].nunique()
    expected = pd.to_numeric(catalog_suggestions[catalog_suggestions["framework"] == "ccss_ela"]
                             .groupby("course_id")["score"].max())
    assert table["ccss_ela"].sort_index().round(6).equals(expected.sort_index().round(6).rename("ccss_ela"))
    assert table.loc[ENGINEERING, "cte_pathway"] != table.loc[ENGINEERING, "cte_pathway"]  # NaN: nothing loaded
    fig = charts.plot_framework_comparison(catalog_suggestions)
    _check_figure(fig)
    assert "strong or possible" in _texts(fig)


def test_threshold_summary_is_monotone(catalog_suggestions):
    low = charts.threshold_summary(catalog_suggestions, 0.0)
    mid = charts.threshold_summary(catalog_suggestions, BAND_THRESHOLDS["possible"])
    high = charts.threshold_summary(catalog_suggestions, 0.99)
    assert (low["pct_courses"] == 100.0).all()
    assert (mid["suggestions"] <= low["suggestions"]).all() and (high["courses"] == 0).all()
    possible = catalog_suggestions[pd.to_numeric(catalog_suggestions["score"]) >= BAND_THRESHOLDS["possible"]]
    assert mid["suggestions"].sum() == len(possible)
    fig = charts.plot_threshold(catalog_suggestions, 0.5)
    _check_figure(fig)
    assert "score ≥ 0.50" in _texts(fig)


# --------------------------------------------------------------------------- review and pathways


def test_review_progress(tmp_path, catalog_suggestions):
    from alignment.review.store import ReviewStore

    shown = catalog_suggestions[catalog_suggestions["course_id"].isin([FINANCE, ENGINEERING])]
    with ReviewStore(tmp_path / "review.sqlite3", create=True) as store:
        store.register_suggestions("westview", shown)
        rows = shown[shown["standard_id"] != ""].head(3)
        for decision, row in zip(["accepted", "accepted", "rejected"], rows.itertuples()):
            store.record("westview", row.course_id, row.standard_id, decision, "tester")
        store.record("westview", FINANCE, "CCSS.Math.Content.HSS.ID.A.1", "accepted", "tester", origin="reviewer")
        progress = store.progress("westview")
    outcomes = charts.review_outcomes(progress).set_index("course_id")
    assert outcomes.loc[FINANCE, ["accepted", "rejected", "added"]].tolist() == [2, 1, 1]
    total = (shown["course_id"] == FINANCE).sum()
    assert outcomes.loc[FINANCE, "not reviewed"] == total - 3
    fig = charts.plot_review_progress(progress, titles={FINANCE: "Intro to Finance"})
    _check_figure(fig)
    assert "3 of" in _texts(fig) and "Intro to Finance" in _texts(fig)


def test_pathway_comparison(standards, catalog, catalog_suggestions):
    from alignment.analysis.comparison import compare_pathways
    from alignment.analysis.gaps import gap_report
    from alignment.data.pathways import load_pathways, select_pathway

    pathways = load_pathways(standards=standards, catalog=catalog)
    reports = [gap_report(select_pathway(pathways, name), standards, catalog_suggestions)
               for name in ("Information & Communication Technology", "Business & Finance")]
    comparison = compare_pathways(reports, labels=["ICT", "BF"])
    counts = charts.comparison_counts(comparison)
    assert set(counts["pathway"]) == {"ICT", "BF"}
    for row in counts.to_dict("records"):
        status = comparison.loc[comparison["framework"] == row["framework"], row["pathway"]]
        assert row["in_scope"] == (status != "not in scope").sum()
        assert row["accepted"] + row["suggested"] + row["not covered"] == row["in_scope"]
        assert row["suggested"] == (status == "suggested").sum()
    crp = counts[counts["framework"] == "cte_crp"]
    assert crp["in_scope"].tolist() == [12, 12]
    fig = charts.plot_pathway_comparison(comparison)
    _check_figure(fig)
    assert "ICT vs BF" in _texts(fig)


def test_band_colours_match_the_heatmap():
    from alignment.present.reports import STATUS_COLORS

    for band in ("strong", "possible", "weak"):
        assert charts.BAND_COLORS[band] == STATUS_COLORS[f"suggested:{band}"]
    assert charts.REVIEW_COLORS["accepted"] == STATUS_COLORS["accepted"]
    assert charts.REVIEW_COLORS["rejected"] == STATUS_COLORS["rejected"]
