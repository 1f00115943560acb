"""Gap analysis on REAL standards with hand-written courses, suggestions and decisions.

No language model is loaded here: suggestions and decisions are DataFrames written by
hand, so every part of the report has a known answer.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from alignment.analysis.comparison import compare_pathways
from alignment.analysis.coverage import coverage_matrix, coverage_table, pathway_scope
from alignment.analysis.fixes import FixFinder
from alignment.analysis import gaps
from alignment.analysis.gaps import gap_report, is_foundational, matrix_for_display
from alignment.data.pathways import make_pathway

SSD = "CA-CTE.PATHWAY.ICT.SSD."
ICT = "Information and Communication Technologies"
MATH = "CCSS.Math.Content.HSF.IF.B.4"
RST = "CCSS.ELA-Literacy.RST.11-12.3"
RL = "CCSS.ELA-Literacy.RL.9-10.1"
WHST = "CCSS.ELA-Literacy.WHST.11-12.2"


@pytest.fixture(scope="module")
def real_standards():
    from alignment.data.standards import load_standards

    return load_standards()


@pytest.fixture(scope="module")
def catalog():
    return pd.DataFrame({
        "course_id": ["INTRO", "CONC", "CONC2", "CAP", "MATH", "OTHER"],
        "title": ["Intro to Programming", "Web Apps", "Databases", "Capstone Project", "Math 3", "Robotics"],
        "description": ["Programming basics.", "Build web apps.", "SQL.", "A project.", "Functions.",
                        "Program a micro-controller for a robot."],
        "grades": ["9", "10", "10", "11-12", "11", "9-12"],
        "pathway": ["", "", "", "", "", "Engineering & Architecture Pathway"],
    })


@pytest.fixture(scope="module")
def ssd(catalog, real_standards):
    return make_pathway("Software pathway", ICT, [
        {"course_id": "INTRO", "level": "introductory"},
        {"course_id": "CONC", "level": "concentrator"},
        {"course_id": "CONC2", "level": "concentrator"},
        {"course_id": "CAP", "level": "capstone"},
        {"course_id": "MATH", "level": "academic"},
    ], cte_pathway="Software and Systems Development", catalog=catalog, standards=real_standards)


def sugg(rows):
    return pd.DataFrame(rows, columns=["course_id", "standard_id", "band", "score"])


@pytest.fixture(scope="module")
def suggestions():
    return sugg([
        ("INTRO", SSD + "C4.1", "strong", 0.61),     # foundational indicator of C4.0
        ("INTRO", SSD + "C4.0", "possible", 0.45),
        ("INTRO", "CA-CTE.CRP.CRP2", "strong", 0.58),
        ("INTRO", RL, "strong", 0.57),
        ("CONC", SSD + "C4.6", "strong", 0.60),      # applied; C4.0 introduced earlier by INTRO
        ("CONC", SSD + "C8.5", "strong", 0.59),      # applied; C8.0 introduced by no earlier course
        ("CONC", SSD + "C6.1", "weak", 0.30),        # weak: does not count
        ("CONC", "CA-CTE.CRP.CRP1", "possible", 0.42),
        ("CONC", "CA-CTE.CRP.CRP2", "possible", 0.41),
        ("CONC", "CA-CTE.ANCHOR.ICT.5.1", "strong", 0.56),
        ("CONC2", SSD + "C4.6", "possible", 0.44),
        ("CAP", SSD + "C5.4", "strong", 0.62),       # C5.0 first met in the capstone
        ("CAP", SSD + "C8.1", "possible", 0.43),     # introduces C8.0, but only in the capstone
        ("CAP", SSD + "C7.0", "strong", 0.70),       # ... rejected by a reviewer
        ("CAP", RST, "possible", 0.41),
        ("MATH", MATH, "strong", 0.66),
        ("CONC", WHST, "weak", 0.33),                # weak Common Core: listed in (f), not counted
        ("MATH", "", "none", np.nan),                # an aligner note row: ignored
    ])


@pytest.fixture(scope="module")
def decisions():
    return pd.DataFrame([
        {"course_id": "CAP", "standard_id": SSD + "C7.0", "decision": "rejected"},
        {"course_id": "CAP", "standard_id": SSD + "C9.3", "decision": "accepted", "origin": "reviewer"},
        {"course_id": "CAP", "standard_id": "CA-CTE.CRP.CRP1", "decision": "accepted"},
        {"course_id": "OTHER", "standard_id": SSD + "C1.0", "decision": "accepted"},  # not in the pathway
    ])


@pytest.fixture(scope="module")
def report(ssd, real_standards, suggestions, decisions):
    return gap_report(ssd, real_standards, suggestions, decisions)



def test_each_part_is_one_function_over_the_pathways_coverage(ssd, real_standards, suggestions, decisions, report):
    facts = gaps.pathway_coverage(ssd, real_standards, suggestions, decisions)
    assert facts.standards_coverage.equals(report.standards_coverage)
    assert report.notes == facts.notes + ["suggested fixes (g) not computed: they need a fitted Aligner and the catalog."]
    for part, attribute in [(gaps.pathway_gaps, "pathway_gaps"), (gaps.anchor_gaps, "anchor_gaps"),
                            (gaps.suggested_only, "suggested_only"), (gaps.reinforcement, "reinforcement"),
                            (gaps.sequencing, "sequencing"), (gaps.common_core, "common_core")]:
        pd.testing.assert_frame_equal(part(facts), getattr(report, attribute))
    assert list(gaps.fixes_for_gaps(facts, [SSD + "C1.0"], None).columns) == list(report.fixes.columns)


def by_id(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("standard_id")


# --------------------------------------------------------------------------- coverage and overrides


def test_coverage_cells_and_override_rule(ssd, suggestions, decisions):
    cov = coverage_table(suggestions, decisions, ssd).set_index(["course_id", "standard_id"])
    # 17 suggestions + 2 decisions without a suggestion (C9.3, CRP1 on CAP); the note row and OTHER dropped
    assert len(cov) == 19
    # a rejected decision removes a strong suggestion
    assert cov.loc[("CAP", SSD + "C7.0"), "status"] == "rejected"
    assert not cov.loc[("CAP", SSD + "C7.0"), "covers"]
    # an accepted decision adds coverage with no suggestion
    assert cov.loc[("CAP", SSD + "C9.3"), "status"] == "accepted"
    assert cov.loc[("CAP", SSD + "C9.3"), "covers"]
    assert math.isnan(cov.loc[("CAP", SSD + "C9.3"), "score"])
    # a decision also overrides a weaker suggestion of the same pair
    assert cov.loc[("CAP", "CA-CTE.CRP.CRP1"), "status"] == "accepted"
    assert cov.loc[("CONC", SSD + "C6.1"), "status"] == "suggested:weak"
    assert not cov.loc[("CONC", SSD + "C6.1"), "covers"]
    assert cov.loc[("CONC", SSD + "C4.6"), "status"] == "suggested:strong"
    assert cov.loc[("CONC2", SSD + "C4.6"), "status"] == "suggested:possible"


def test_count_bands_is_configurable(ssd, suggestions):
    cov = coverage_table(suggestions, None, ssd, count_bands=("strong", "possible", "weak"))
    assert cov.set_index(["course_id", "standard_id"]).loc[("CONC", SSD + "C6.1"), "covers"]
    strict = coverage_table(suggestions, None, ssd, count_bands=("strong",))
    assert not strict.set_index(["course_id", "standard_id"]).loc[("CONC2", SSD + "C4.6"), "covers"]


def test_coverage_matrix(ssd, suggestions, decisions, real_standards):
    m = coverage_matrix(suggestions, decisions, ssd, standards=real_standards)
    assert list(m.columns) == ["INTRO", "CONC", "CONC2", "CAP", "MATH"]
    assert m.loc[SSD + "C7.0", "CAP"] == "rejected"
    assert m.loc[SSD + "C9.3", "CAP"] == "accepted"
    assert m.loc[SSD + "C4.1", "INTRO"] == "suggested:strong"
    assert m.loc[SSD + "C4.1", "CAP"] == "none"
    assert m.loc[MATH, "MATH"] == "suggested:strong"  # CCSS rows follow the scope
    scope = pathway_scope(ssd, real_standards)
    assert list(m.index[: len(scope)]) == scope["standard_id"].tolist()
    assert set(m.to_numpy().ravel()) <= {"accepted", "suggested:strong", "suggested:possible", "suggested:weak",
                                         "rejected", "none"}
    # without standards or a pathway: whatever appears
    loose = coverage_matrix(suggestions)
    assert "OTHER" not in loose.columns and SSD + "C9.3" not in loose.index


def test_scope_is_pathway_anchor_and_crp(ssd, real_standards):
    scope = pathway_scope(ssd, real_standards)
    counts = scope.groupby("framework").size().to_dict()
    assert counts == {"cte_pathway": 71, "cte_anchor": 99, "cte_crp": 12}
    assert (scope.loc[scope["framework"] == "cte_pathway", "pathway"] == "Software and Systems Development").all()
    assert "heading" not in set(scope["kind"])
    fam = by_id(scope)
    assert fam.at[SSD + "C4.6", "family"] == "ICT C4.0"
    assert fam.at["CA-CTE.ANCHOR.ICT.5.1", "family"] == "anchor 5"
    assert fam.at["CA-CTE.ANCHOR.ICT.5.1", "family_title"] == "Problem Solving and Critical Thinking"


# --------------------------------------------------------------------------- parts (a) - (g)


def test_a_pathway_gaps(report):
    gaps = by_id(report.pathway_gaps)
    standards = gaps[gaps["kind"] == "standard"].index.tolist()
    # C6.1 is only weak, C7.0 was rejected: both stay gaps
    assert standards == [SSD + f"C{n}.0" for n in (1, 2, 3, 6, 7, 10)]
    assert gaps.at[SSD + "C1.0", "gap"] == "standard not covered, nor any of its 6 indicators"
    assert gaps.at[SSD + "C4.2", "gap"].startswith("indicator not covered (its standard is covered")
    assert gaps.at[SSD + "C6.1", "gap"] == "indicator not covered (its standard is not covered either)"
    assert gaps.at[SSD + "C6.1", "weak_or_rejected"] == "CONC (suggested:weak)"
    assert gaps.at[SSD + "C7.0", "weak_or_rejected"] == "CAP (rejected)"
    covered = {SSD + c for c in ("C4.0", "C4.1", "C4.6", "C5.0", "C5.4", "C8.0", "C8.1", "C8.5", "C9.0", "C9.3")}
    assert not covered & set(gaps.index)
    assert len(gaps) == 71 - len(covered)


def test_b_anchor_and_crp_gaps(report):
    b = report.anchor_gaps
    families = b[b["kind"] == "anchor family"]["family"].tolist()
    assert families == [f"anchor {n}" for n in range(1, 12) if n != 5]
    assert "CA-CTE.ANCHOR.ICT.5.1" not in set(b["standard_id"])
    assert "CA-CTE.ANCHOR.ICT.5.2" in set(b["standard_id"])
    crp = b[b["framework"] == "cte_crp"]["display_code"].tolist()
    assert crp == [f"CRP{n}" for n in range(3, 13)]


def test_c_covered_only_by_unreviewed_suggestions(report):
    c = set(report.suggested_only["standard_id"])
    assert {SSD + "C4.1", SSD + "C4.6", SSD + "C5.4", "CA-CTE.CRP.CRP2", MATH, RST, RL} <= c
    # accepted somewhere (directly or through an indicator): not "suggested only"
    assert not {"CA-CTE.CRP.CRP1", SSD + "C9.3", SSD + "C9.0"} & c


def test_d_reinforcement(report):
    d = by_id(report.reinforcement)
    assert d.at[SSD + "C4.6", "reinforcement"] == "repeated in one level"
    assert d.at[SSD + "C4.6", "courses"] == "CONC; CONC2"
    assert d.at["CA-CTE.CRP.CRP1", "reinforcement"] == "reinforced across levels"
    assert d.at["CA-CTE.CRP.CRP1", "levels"] == "concentrator; capstone"
    assert d.at[SSD + "C5.4", "reinforcement"] == "once"
    # a standard counts its indicators' courses
    assert d.at[SSD + "C4.0", "courses"] == "INTRO; CONC; CONC2"
    assert d.at[SSD + "C4.0", "first_level"] == "introductory"
    assert set(d["reinforcement"]) == {"once", "repeated in one level", "reinforced across levels"}


def test_e_sequencing(report):
    e = report.sequencing.set_index(["issue", "standard_id"])
    c5 = e.loc[("first met in capstone", SSD + "C5.0")]
    assert c5["severity"] == "problem" and c5["course_id"] == "CAP"
    assert "ICT C5.1" in c5["detail"] and "ICT C5.2" in c5["detail"]
    # C9.0 is first met in the capstone but has no foundational indicator: a note
    assert e.loc[("first met in capstone", SSD + "C9.0"), "severity"] == "note"
    c8 = e.loc[("relies on unintroduced standard", SSD + "C8.0")]
    assert c8["course_id"] == "CONC" and c8["level"] == "concentrator"
    assert "ICT C8.5" in c8["detail"] and "introduced only later/alongside by CAP" in c8["detail"]
    # C4.0 is introduced by INTRO before CONC/CONC2 use it: no issue
    assert SSD + "C4.0" not in set(report.sequencing["standard_id"])
    assert len(report.sequencing) == 3


def test_foundational_verbs():
    assert is_foundational("Identify the phases of the systems development life cycle")
    assert is_foundational("Know artificial intelligence methods")
    assert not is_foundational("Use proper programming language syntax.")
    assert not is_foundational("Program a micro-controller for a device or robot.")


def test_f_common_core(report):
    f = by_id(report.common_core)
    assert f.at[RST, "group"] == "literacy in technical subjects (RST/WHST)"
    assert f.at[MATH, "group"] == "mathematics"
    assert f.at[RL, "group"] == "other ELA/literacy"
    assert f.at[MATH, "courses"] == "MATH" and f.at[MATH, "levels"] == "academic"
    counted = f[f["counted"]]
    assert set(counted.index) == {RST, MATH, RL} and set(counted["status"]) == {"suggested only"}
    assert report.common_core["group"].tolist()[0].startswith("literacy")
    # a weak suggestion is listed for review but does not count as reinforcement
    assert not f.at[WHST, "counted"] and f.at[WHST, "status"] == "weak suggestion (not counted)"
    assert report.common_core["counted"].tolist() == [True, True, True, False]
    summary = report.summary.set_index("metric")
    assert summary.at["Common Core reinforced", "value"] == "3"
    assert summary.at["Common Core reinforced", "note"].startswith("1 RST/WHST, 1 mathematics")


def test_f_common_core_domains_and_the_quoted_standards(report, real_standards):
    f = by_id(report.common_core)
    assert set(f["family"]) == {"content"} and f.at[MATH, "domain"] == MATH.split(".Content.")[1].rsplit(".", 2)[0]
    domains = report.common_core_domains
    assert len(domains) == 3 and domains["n_standards"].sum() == 3  # the three counted content standards
    math = domains[domains["framework"] == "ccss_math"].iloc[0]
    title = real_standards.set_index("standard_id").at[MATH, "domain"]
    assert math["label"] == f"{math['domain']} {title}: 1 standard" and math["courses"] == "MATH"
    note = report.summary.set_index("metric").at["Common Core content reinforced", "note"]
    text = real_standards.set_index("standard_id").at[MATH, "text"]
    assert f'"{text}"' in note  # quoted verbatim, never paraphrased


def test_f_practices_are_their_own_groups_after_content(ssd, real_standards):
    anchor, practice = "CCSS.ELA-Literacy.CCRA.W.4", "CCSS.Math.Practice.MP4"
    rows = sugg([("MATH", MATH, "strong", 0.66), ("MATH", practice, "strong", 0.70),
                 ("INTRO", anchor, "strong", 0.60), ("INTRO", RL, "possible", 0.35)])
    cc = gap_report(ssd, real_standards, rows).common_core
    assert cc["group"].tolist() == ["mathematics", "other ELA/literacy", "mathematical practice",
                                    "ELA anchor standards (CCR)"]
    assert cc["family"].tolist() == ["content", "content", "practice", "practice"]


def test_f_quotes_the_closest_weak_content_when_none_counts(ssd, real_standards):
    rows = sugg([("MATH", MATH, "weak", 0.27)])
    report = gap_report(ssd, real_standards, rows)
    row = report.summary.set_index("metric").loc["Common Core content reinforced"]
    text = real_standards.set_index("standard_id").at[MATH, "text"]
    assert row["value"] == "0" and "closest, weak and not counted" in row["note"] and f'"{text}"' in row["note"]
    assert report.common_core_domains.empty


class StubAligner:
    """Stands in for a fitted Aligner: scores a course 0.9 for a standard when the
    standard's text shares a long word with the description, else 0.1."""

    def __init__(self, standards):
        self.standards_ = standards[(standards["kind"] != "heading") & (standards["text"] != "")].reset_index(drop=True)

    def _check_fitted(self):
        return None

    def analyse(self, texts):
        return [set(w.strip(".,").lower() for w in t.split() if len(w) > 6) for t in texts]

    def score(self, analysed, columns):
        texts = self.standards_["text"].to_numpy()[columns]
        words = [set(w.strip(".,").lower() for w in t.split()) for t in texts]
        return np.array([[0.9 if a & w else 0.1 for w in words] for a in analysed], dtype=np.float32)


def test_g_fixes_from_the_whole_catalog(ssd, real_standards, suggestions, decisions, catalog):
    aligner = StubAligner(real_standards)
    finder = FixFinder(aligner, n_courses=2, cache_dir=None).fit(catalog)
    report = gap_report(ssd, real_standards, suggestions, decisions, fixes=finder, n_fixes=2)
    fixes = report.fixes
    gap_ids = set(report.pathway_gaps["standard_id"]) | (set(report.anchor_gaps["standard_id"]) - {""})
    assert set(fixes["gap_standard_id"]) == gap_ids
    assert (fixes.groupby("gap_standard_id").size() == 2).all()
    # "Program a micro-controller for a device or robot." is best covered by OTHER, from another pathway
    best = fixes[(fixes["gap_standard_id"] == SSD + "C9.5") & (fixes["rank"] == 1)].iloc[0]
    assert best["course_id"] == "OTHER" and not best["in_pathway"]
    assert best["catalog_pathway"] == "Engineering & Architecture Pathway" and best["band"] == "strong"
    # aligner + catalog build the finder themselves
    again = gap_report(ssd, real_standards, suggestions, decisions, aligner=aligner, catalog=catalog, n_fixes=2,
                       fixes=FixFinder(aligner, cache_dir=None).fit(catalog))
    pd.testing.assert_frame_equal(again.fixes, fixes)
    assert report.fixes.columns[0] == "gap_standard_id"
    assert len(gap_report(ssd, real_standards, suggestions, decisions).fixes) == 0


# --------------------------------------------------------------------------- summaries


def test_percentages(report):
    s = dict(zip(report.summary["metric"], report.summary["value"]))
    assert s["pathway standards covered"] == "40.0%"  # C4.0, C5.0, C8.0, C9.0 of 10
    assert s["indicators covered"] == f"{round(100 * 6 / 61, 1)}%"
    assert s["anchor families covered"] == f"{round(100 / 11, 1)}%"
    assert s["career ready practices covered"] == f"{round(100 * 2 / 12, 1)}%"
    fam = report.coverage_by_family.set_index(["family_type", "family"])
    assert fam.loc[("pathway standard", "ICT C4.0"), "covered"] == 3  # C4.0, C4.1, C4.6
    assert fam.loc[("pathway standard", "ICT C4.0"), "items"] == 12
    assert fam.loc[("anchor", "anchor 5"), "pct_covered"] > 0
    assert fam.loc[("framework", "cte_pathway"), "items"] == 71
    level = report.coverage_by_level.set_index("level")
    assert list(level.index) == ["introductory", "concentrator", "capstone", "academic"]
    assert level.at["introductory", "pathway_items_covered"] == 2  # C4.0 (own + C4.1) and C4.1
    assert level.at["capstone", "crp_covered"] == 1
    assert level["cumulative_pct_cte_items"].is_monotonic_increasing
    course = report.coverage_by_course.set_index("course_id")
    assert course.at["CAP", "accepted"] == 2 and course.at["CAP", "rejected"] == 1
    assert course.at["MATH", "ccss"] == 1 and course.at["MATH", "pathway_items"] == 0


def test_named_pathway_fit_lists_the_sector(report):
    fit = report.pathway_fit.set_index("pathway")
    assert set(fit.index) == {"Software and Systems Development", "Games and Simulation", "Networking",
                              "Information Support and Services"}
    assert fit.at["Software and Systems Development", "analysed"]
    assert not fit.at["Networking", "analysed"]


def test_sector_only_pathway_says_which_pathway_fits_best(catalog, real_standards):
    p = make_pathway("ICT (sector only)", ICT, [{"course_id": "CONC", "level": "concentrator"},
                                                {"course_id": "CAP", "level": "capstone"}],
                     catalog=catalog, standards=real_standards)
    s = sugg([("CONC", "CA-CTE.PATHWAY.ICT.NET.B1.0", "strong", 0.6),
              ("CAP", "CA-CTE.PATHWAY.ICT.NET.B2.1", "strong", 0.6),
              ("CAP", SSD + "C4.6", "strong", 0.6)])
    r = gap_report(p, real_standards, s)
    scope = r.scope[r.scope["framework"] == "cte_pathway"]
    assert scope["pathway"].nunique() == 4  # analysed against every pathway of the sector
    assert r.best_pathway == "Networking"
    summary = dict(zip(r.summary["metric"], r.summary["value"]))
    assert summary["best-fitting CA pathway"] == "Networking"
    assert r.pathway_fit["best_fit"].sum() == 1 and r.pathway_fit.iloc[0]["pathway"] == "Networking"
    rolled = matrix_for_display(r, rollup=True, pathways=[r.best_pathway])
    assert "ICT B1.0" in set(rolled["display_code"]) and "ICT C4.0" not in set(rolled["display_code"])


# --------------------------------------------------------------------------- honesty about missing data


def test_sector_without_pathway_standards_is_not_0_percent(catalog, real_standards):
    p = make_pathway("Engineering", "Engineering and Architecture",
                     [{"course_id": "CONC", "level": "concentrator"}, {"course_id": "CAP", "level": "capstone"}],
                     catalog=catalog, standards=real_standards)
    r = gap_report(p, real_standards, sugg([("CAP", "CA-CTE.CRP.CRP4", "strong", 0.6)]))
    assert not r.pathway_standards_loaded
    s = r.summary.set_index("metric")
    assert s.at["pathway standards covered", "value"] == "n/a"
    assert "no pathway standards loaded for this sector (Engineering and Architecture)" in \
        s.at["pathway standards covered", "note"]
    assert s.at["anchor families covered", "value"] == "n/a"
    assert r.notes[0].startswith("no pathway standards loaded for this sector")
    fam = r.coverage_by_family.set_index("family")
    assert math.isnan(fam.at["cte_pathway", "pct_covered"])
    assert "no pathway standards loaded" in fam.at["cte_pathway", "note"]
    assert r.pathway_gaps["gap"].tolist() == [
        "no pathway standards loaded for this sector (Engineering and Architecture) - nothing to measure, not a gap "
        "of the pathway"]
    assert s.at["career ready practices covered", "value"] == f"{round(100 / 12, 1)}%"  # CRP still measured
    assert r.sequencing.empty and len(r.pathway_fit) == 0


def test_pathway_not_loaded_in_a_loaded_sector(catalog, real_standards):
    p = make_pathway("Biotech", "Health Science and Medical Technology",
                     [{"course_id": "CONC", "level": "concentrator"}, {"course_id": "CAP", "level": "capstone"}],
                     cte_pathway="Biotechnology", catalog=catalog, standards=real_standards)
    r = gap_report(p, real_standards, sugg([("CAP", "CA-CTE.PATHWAY.HSMT.PC.B2.1", "strong", 0.6)]))
    s = r.summary.set_index("metric")
    assert s.at["pathway standards covered", "value"] == "n/a"
    assert s.at["pathway standards covered", "note"].startswith(
        "no pathway standards loaded for this pathway (Biotechnology); the data holds only Patient Care")
    assert "partial data: anchor standards: Only anchors 1.0-3.0" in " ".join(r.notes)


def test_partial_pathway_is_labelled(catalog, real_standards):
    p = make_pathway("Arts", "Arts, Media, and Entertainment",
                     [{"course_id": "CONC", "level": "concentrator"}, {"course_id": "CAP", "level": "capstone"}],
                     cte_pathway="Performing Arts", catalog=catalog, standards=real_standards)
    r = gap_report(p, real_standards, sugg([("CONC", "CA-CTE.PATHWAY.AME.PA.B1.0", "strong", 0.6)]))
    s = r.summary.set_index("metric")
    assert s.at["pathway standards covered", "value"] == "100.0%"
    assert "partial data" in s.at["pathway standards covered", "note"]
    assert s.at["indicators covered", "value"] == "n/a"
    assert any(n.startswith("partial data: pathway standards (Performing Arts): Fragments only") for n in r.notes)
    fam = r.coverage_by_family.set_index("family")
    assert fam.at["cte_pathway", "note"].startswith("partial: Fragments only")


def test_unknown_standard_ids_are_reported_not_crashing(ssd, real_standards):
    r = gap_report(ssd, real_standards, sugg([("CAP", "NOT.A.STANDARD", "strong", 0.9)]))
    assert any("not in the standards table" in n for n in r.notes)
    assert "NOT.A.STANDARD" not in r.matrix.index


# --------------------------------------------------------------------------- comparison


def test_compare_pathways(ssd, catalog, real_standards, suggestions, decisions, report):
    other = make_pathway("Software pathway", ICT, [{"course_id": "CONC", "level": "concentrator"},
                                                   {"course_id": "CAP", "level": "capstone"}],
                         cte_pathway="Software and Systems Development", catalog=catalog, standards=real_standards)
    other.source = "school_b.csv"
    ssd.source = "school_a.csv"
    r2 = gap_report(other, real_standards, sugg([("CAP", SSD + "C1.1", "strong", 0.6),
                                                 ("CONC", SSD + "C4.6", "strong", 0.6)]))
    table = compare_pathways([report, r2]).set_index("standard_id")
    a, b = "Software pathway (school_a.csv)", "Software pathway (school_b.csv)"
    assert table.at[SSD + "C1.1", a] == "not covered" and table.at[SSD + "C1.1", b] == "suggested"
    assert table.at[SSD + "C1.1", "difference"] == f"only {b}"
    assert table.at[SSD + "C9.3", a] == "accepted" and table.at[SSD + "C9.3", "difference"] == f"only {a}"
    assert table.at[SSD + "C4.6", "difference"] == "all"
    assert table.at[SSD + "C10.0", "difference"] == "none"
    assert table.at[MATH, b] == "not in scope"
    with pytest.raises(ValueError):
        compare_pathways([report])
