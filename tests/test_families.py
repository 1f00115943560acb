"""Common Core for whole courses: families apart, hub demotion, grade fit, course-level bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alignment.align import bands
from alignment.align.families import CONTENT, PRACTICE, families, family_of
from alignment.align.grades import grade_levels, other_grades
from alignment.align.hubs import HubDemotion
from alignment.analysis.clusters import cluster_code, course_clusters


# ------------------------------------------------------------------ families

def test_practice_families_are_the_practices_anchors_and_career_ready_practices(standards):
    fam = families(standards)
    practice = standards[fam == PRACTICE]
    assert set(practice["framework"]) == {"ccss_math", "ccss_ela", "cte_crp"}
    math = practice[practice["framework"] == "ccss_math"]
    assert sorted(math.loc[math["kind"] != "heading", "display_code"]) == [f"MP{i}" for i in range(1, 9)]
    ela = practice[(practice["framework"] == "ccss_ela") & (practice["kind"] != "heading")]
    assert len(ela) == 32 and ela["display_code"].str.startswith("CCRA.").all()
    assert (fam[standards["framework"] == "cte_crp"] == PRACTICE).all()
    content = standards[fam == CONTENT]
    assert content["display_code"].isin(["HSA.CED.A.1", "RL.9-10.1", "RST.11-12.3"]).sum() == 3
    assert not content["framework"].eq("cte_crp").any()
    assert family_of("cte_anchor", "1.0") == CONTENT


# ------------------------------------------------------------------ hubs (pure)

def test_hub_demotion_lowers_a_standard_close_to_every_background_course():
    # 3 content standards; column 2 is "generic": high against every background course
    background = np.array([[0.30, 0.10, 0.40], [0.10, 0.30, 0.40], [0.20, 0.20, 0.40]])
    fws = np.array(["ccss_math"] * 3)
    fams = np.array([CONTENT] * 3)
    hubs = HubDemotion(strength=1.0).fit(background, fws, fams)
    course = np.array([[0.35, 0.12, 0.38]])
    assert np.argsort(-course[0]).tolist() == [2, 0, 1]  # the generic standard first
    demoted = hubs.transform(course)
    assert np.argsort(-demoted[0]).tolist() == [0, 2, 1]  # the course's own standard first
    assert demoted[0, 2] == pytest.approx(0.38 - (0.40 - 0.80 / 3))
    # centred per framework: the mean offset is zero, so scores keep their level
    assert abs(float(hubs.offset_.mean())) < 1e-6
    # practices and other frameworks are never moved
    other = HubDemotion(strength=1.0).fit(background, np.array(["ccss_math", "cte_pathway", "ccss_math"]),
                                          np.array([CONTENT, CONTENT, PRACTICE]))
    assert other.offset_[1] == 0 and other.offset_[2] == 0
    assert HubDemotion(strength=0.0).fit(background, fws, fams).offset_.tolist() == [0, 0, 0]


def test_hub_demotion_validates_its_input():
    with pytest.raises(ValueError, match="courses x standards"):
        HubDemotion().fit(np.zeros((3, 2)), ["ccss_math"] * 3, [CONTENT] * 3)
    with pytest.raises(ValueError, match="at least 2"):
        HubDemotion().fit(np.zeros((1, 3)), ["ccss_math"] * 3, [CONTENT] * 3)
    with pytest.raises(RuntimeError, match="not fitted"):
        HubDemotion().transform(np.zeros((1, 3)))


# ------------------------------------------------------------------ grades

def test_grade_fit_keeps_the_course_grades_twin():
    assert grade_levels("9") == {9} and grade_levels("11-12") == {11, 12} and grade_levels("") is None
    grades = ["9-10", "11-12", "HS", "K-12", ""]
    assert other_grades(grades, grade_levels("9")).tolist() == [False, True, False, False, False]
    assert other_grades(grades, grade_levels("12")).tolist() == [True, False, False, False, False]
    assert not other_grades(grades, grade_levels("9-12")).any()  # spans both levels: keeps all
    assert not other_grades(grades, None).any()


# ------------------------------------------------------------------ clusters

def test_course_clusters_fold_content_suggestions_into_domains(standards):
    ids = ["CCSS.Math.Content.HSA.CED.A.1", "CCSS.Math.Content.HSA.CED.A.2", "CCSS.Math.Content.HSA.CED.A.3",
           "CCSS.Math.Content.HSF.LE.A.1", "CCSS.Math.Practice.MP4"]
    rows = standards.set_index("standard_id").loc[ids].reset_index()
    sugg = pd.DataFrame({
        "course_id": "c1", "standard_id": ids, "framework": "ccss_math", "display_code": rows["display_code"],
        "code": rows["code"], "score": [0.40, 0.38, 0.31, 0.45, 0.60], "band": "possible",
        "family": [CONTENT] * 4 + [PRACTICE],
    })
    table = course_clusters(sugg, standards)
    assert table["cluster"].tolist() == ["HSA.CED", "HSF.LE"]
    first = table.iloc[0]
    assert first["label"] == "HSA.CED Creating Equations★: 3 standards"  # the source's own title
    assert first["standards"] == "HSA.CED.A.1; HSA.CED.A.2; HSA.CED.A.3"
    assert "MP4" not in " ".join(table["standards"])  # practices are never folded in
    assert cluster_code("RL.9-10.1") == "RL.9-10" and cluster_code("WHST.11-12.2a") == "WHST.11-12"


# ------------------------------------------------------------------ bands from calibration

def test_framework_bands_come_from_the_course_level_calibration_file():
    from benchmarks.course_quality import CALIBRATION_PATH, thresholds_from_pairs

    pairs = pd.read_csv(CALIBRATION_PATH)
    assert set(pairs["framework"]) == {"ccss_math", "ccss_ela"} and pairs["right"].any() and not pairs["right"].all()
    derived = thresholds_from_pairs(pairs)
    for fw, thresholds in derived.items():
        assert bands.FRAMEWORK_BAND_THRESHOLDS[fw] == pytest.approx(thresholds), fw
    assert bands.band_for(bands.FRAMEWORK_BAND_THRESHOLDS["ccss_math"]["possible"], "ccss_math") == "possible"
    assert bands.thresholds_for("cte_pathway") == bands.BAND_THRESHOLDS  # CTE keeps the shared bands
    assert bands.thresholds_for("ccss_math", "practice") == bands.BAND_THRESHOLDS  # so do the practices


def test_thresholds_from_pairs_reads_local_precision():
    from benchmarks.course_quality import thresholds_from_pairs

    scores = np.round(np.arange(0.10, 0.60, 0.005), 3)
    pairs = pd.DataFrame({"framework": "x", "score": scores, "right": scores >= 0.40})
    got = thresholds_from_pairs(pairs)["x"]
    assert 0.36 <= got["possible"] <= 0.40 and got["possible"] <= got["strong"] <= 0.41


# ------------------------------------------------------------------ the aligner (slow)

@pytest.mark.slow
def test_practices_never_displace_content_in_a_course_top_k(aligner, catalog_suggestions, catalog):
    s = catalog_suggestions[catalog_suggestions["standard_id"] != ""]
    assert set(s["family"]) == {CONTENT, PRACTICE}
    for (course, fw), group in s[s["framework"].isin(["ccss_math", "ccss_ela"])].groupby(["course_id", "framework"]):
        content = group[group["family"] == CONTENT]
        practice = group[group["family"] == PRACTICE]
        assert content["rank"].tolist() == list(range(1, len(content) + 1)), (course, fw)
        assert len(content) == aligner.top_k, (course, fw)  # a practice never takes a content place
        assert practice["rank"].tolist() == list(range(1, len(practice) + 1)), (course, fw)
    # a real case: College Algebra's best Mathematical Practice scores above its best content standard
    algebra = s[(s["course_id"] == "001054") & (s["framework"] == "ccss_math")]
    top_practice = algebra[algebra["family"] == PRACTICE]["score"].max()
    top_content = algebra[algebra["family"] == CONTENT]["score"].max()
    assert top_practice > top_content
    first = algebra[(algebra["family"] == CONTENT) & (algebra["rank"] == 1)]
    assert first["code"].str.contains(".Content.HS", regex=False).all()


@pytest.mark.slow
def test_grade_nine_course_gets_nine_ten_ela(catalog_suggestions, catalog):
    grade9 = catalog.loc[catalog["grades"].astype(str).str.strip() == "9", "course_id"]
    ela = catalog_suggestions[catalog_suggestions["course_id"].isin(grade9)
                              & (catalog_suggestions["framework"] == "ccss_ela")
                              & (catalog_suggestions["family"] == CONTENT)]
    assert len(ela) and not ela["display_code"].str.contains("11-12").any()
    assert ela["display_code"].str.contains("9-10").all()


@pytest.mark.slow
def test_hub_demotion_lowers_a_synthetic_generic_standard(standards, catalog, tmp_path):
    from alignment.align.aligner import Aligner

    math = standards[standards["framework"] == "ccss_math"]
    generic = math[math["display_code"] == "HSA.CED.A.1"].copy()
    generic["standard_id"] = generic["code"] = generic["display_code"] = "TEST.GENERIC.1"
    generic["text"] = generic["match_text"] = (
        "Students learn about the topics of the course, apply their skills and knowledge, "
        "work on projects and assignments, and prepare for college and careers.")
    table = pd.concat([math, generic], ignore_index=True)
    background = catalog.sample(60, random_state=0)
    courses = catalog[catalog["title"].str.contains("STATISTICS|PRE-CALCULUS|COLLEGE ALGEBRA")]

    def rank_of_generic(strength):
        aligner = Aligner(hub_strength=strength, background=background, cache_dir=tmp_path).fit(table)
        scores = aligner.score(aligner.analyse(courses["description"].tolist()))
        column = int(np.flatnonzero(aligner.standards_["standard_id"] == "TEST.GENERIC.1")[0])
        content = np.flatnonzero(aligner.families_ == CONTENT)
        return [int((scores[i, content] > scores[i, column]).sum()) + 1 for i in range(len(courses))]

    off, on = rank_of_generic(0), rank_of_generic(1.0)
    assert all(b > a for a, b in zip(off, on)), (off, on)


@pytest.mark.slow
def test_the_business_and_finance_report_counts_the_finance_course_common_core(catalog_suggestions, standards):
    """Issue 18's finance criterion on the bundled data: part (f) of the Business & Finance
    gap report lists a Common Core content standard that Introduction to Finance reinforces
    (a possible-or-better suggestion under the course-level bands), with the course named."""
    from alignment.analysis.gaps import gap_report
    from alignment.data.pathways import load_pathways

    bf = next(p for p in load_pathways(standards=standards) if p.name.startswith("Business & Finance"))
    finance = "000217-000218"  # Intro to Finance 1-2
    sugg = catalog_suggestions[catalog_suggestions["course_id"].isin(bf.course_ids)]
    f = gap_report(bf, standards, sugg).common_core
    counted = f[f["counted"] & (f["family"] == CONTENT) & f["courses"].str.contains(finance, regex=False)]
    assert len(counted), f[["display_code", "counted", "best_score", "courses"]]
    assert set(counted["framework"]) <= {"ccss_math", "ccss_ela"}
    for row in counted.itertuples():
        assert bands.band_for(row.best_score, row.framework, CONTENT) in ("strong", "possible")
