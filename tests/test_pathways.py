"""Pathway files: the real Westview pathways load; every validation error names file, row, problem."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alignment.io.errors import InputError
from alignment.data.pathways import (
    LEVELS,
    default_pathways_path,
    load_pathway,
    load_pathways,
    make_pathway,
    select_pathway,
)

HEADER = "pathway_name,sector,cte_pathway,sequence_position,course_id,course_title,level,sequence\n"


@pytest.fixture(scope="module")
def real_standards():
    from alignment.data.standards import load_standards

    return load_standards()


@pytest.fixture(scope="module")
def westview_catalog():
    from alignment.data.catalog import default_catalog

    return default_catalog()


@pytest.fixture(scope="module")
def westview(real_standards, westview_catalog):
    return {p.name: p for p in load_pathways(standards=real_standards, catalog=westview_catalog)}


@pytest.fixture()
def small_catalog():
    return pd.DataFrame({
        "course_id": ["C1", "C2", "C3", "C4", "M1"],
        "title": ["INTRO TO CODE", "WEB DESIGN", "APP DEV", "DATA STRUCTURES", "MATH 1"],
        "description": ["Intro.", "Web.", "Apps.", "Data.", "Math."],
        "grades": ["9-10", "10-11", "11-12", "11-12", "9"],
    })


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(path, small_catalog, real_standards, **kw):
    return load_pathways(path, catalog=small_catalog, standards=real_standards, **kw)


def problems(excinfo) -> list[str]:
    return excinfo.value.problems


# --------------------------------------------------------------------------- real data


def test_westview_pathways_all_load(westview):
    assert default_pathways_path().name == "westview_2025_26_pathways.csv"
    assert len(westview) == 7
    counts = {name: len(p.course_ids) for name, p in westview.items()}
    assert counts == {
        "Business & Finance Pathway": 5,
        "Biotechnology Pathway": 3,
        "Design, Visual, and Media Arts Pathway": 9,
        "Engineering & Architecture Pathway": 7,
        "Information & Communication Technology Pathway": 8,  # 9 rows: AP CS A is in two linked rows
        "Performing Arts Pathway": 4,
        "Production & Managerial Arts Pathway": 8,
    }
    for p in westview.values():
        assert set(p.courses["level"]) <= set(LEVELS)
        assert (p.courses["description"] != "").all()  # joined to the catalog
        assert p.sequence == "choice"


def test_westview_sector_only_and_unloaded_pathways(westview):
    assert westview["Business & Finance Pathway"].cte_pathway == ""
    assert westview["Information & Communication Technology Pathway"].sector == "Information and Communication Technologies"
    # Biotechnology has no standards loaded and is not close to a loaded name: accepted, not an error
    assert westview["Biotechnology Pathway"].cte_pathway == "Biotechnology"
    ea = westview["Engineering & Architecture Pathway"]
    assert ea.course_levels["001012-001013"] == "academic"


def test_westview_several_capstones_are_a_warning(westview):
    bf = westview["Business & Finance Pathway"]
    assert len(bf.capstones) == 4
    assert any("4 capstone courses" in w and "choose" in w for w in bf.warnings)
    assert not westview["Biotechnology Pathway"].warnings  # one capstone


def test_westview_shared_course_ids_and_grades(westview):
    dvma = westview["Design, Visual, and Media Arts Pathway"]
    # the printed code 000150 is shared by four Studio Art courses; the vendored file uses unique ids
    studio = dvma.courses[dvma.courses["title"].str.startswith("Studio Art")]
    assert studio["course_id"].tolist() == ["000150 STUDIO ART 1-2: DIGITAL PHOTOGRAPHY",
                                            "000150 STUDIO ART 1-2: GRAPHIC DESIGN"]
    bf = westview["Business & Finance Pathway"]
    assert bf.courses.set_index("course_id").at["000217-000218", "grades"] == "10-11"  # from the notes
    ict = westview["Information & Communication Technology Pathway"]
    # linked courses sharing one table title get their catalog titles
    assert ict.course_titles["001072-001073"] == "DATA STRUCTURES 1-2"


def test_printed_ids_are_told_apart_by_title(real_standards, westview_catalog, printed_catalogs):
    p = load_pathway(printed_catalogs["pathways"], "Design, Visual, and Media Arts", standards=real_standards,
                     catalog=westview_catalog)
    assert "000150 STUDIO ART 1-2: GRAPHIC DESIGN" in p.course_ids


def test_westview_strict_rejects_several_capstones(real_standards, westview_catalog):
    with pytest.raises(InputError) as excinfo:
        load_pathways(standards=real_standards, catalog=westview_catalog, strict=True)
    text = str(excinfo.value)
    assert "westview_2025_26_pathways.csv row 4: two capstones in the strict sequence 'Business & Finance Pathway'" in text


def test_select_pathway_by_name_or_ca_pathway(westview):
    pathways = list(westview.values())
    assert select_pathway(pathways, "performing arts").name == "Performing Arts Pathway"
    assert select_pathway(pathways, "Design, Visual, and Media Arts").name == "Design, Visual, and Media Arts Pathway"
    assert select_pathway(pathways, "Business & Finance").name == "Business & Finance Pathway"
    with pytest.raises(InputError, match="choose one"):
        select_pathway(pathways, None, "w.csv")
    with pytest.raises(InputError, match="did you mean 'Performing Arts Pathway'"):
        select_pathway(pathways, "Performing Art Pathwey", "w.csv")


# --------------------------------------------------------------------------- formats


def test_one_pathway_csv_with_sector_argument(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "ssd.csv", "course_id,level,grades\nC1,introductory,9\nC2,concentrator,10\nC3,capstone,11\n")
    (p,) = load(path, small_catalog, real_standards, sector="ICT")
    assert p.name == "ssd" and p.sector == "Information and Communication Technologies"
    assert p.course_ids == ["C1", "C2", "C3"]
    assert p.courses["sequence_position"].tolist() == [1, 2, 3]
    assert p.courses["grades"].tolist() == ["9", "10", "11"]
    assert p.courses["title"].tolist() == ["INTRO TO CODE", "WEB DESIGN", "APP DEV"]


def test_yaml_one_and_many_pathways(tmp_path, small_catalog, real_standards):
    one = write(tmp_path, "one.yaml", """
pathway_name: Software
sector: Information and Communication Technologies
cte_pathway: software and systems development
sequence: strict
courses:
  - {course_id: C1, level: introductory, grades: "9"}
  - {course_id: C2, level: concentrator}
  - {course_id: C3, level: capstone}
""")
    (p,) = load(one, small_catalog, real_standards)
    assert p.cte_pathway == "Software and Systems Development"  # resolved to the official spelling
    assert p.sequence == "strict" and p.course_ids == ["C1", "C2", "C3"]
    many = write(tmp_path, "many.yml", """
pathways:
  - name: A
    sector: BF
    courses: [{course_id: C1, level: concentrator}, {course_id: C2, level: capstone}]
  - name: B
    sector: Business and Finance
    cte_pathway: Financial Services
    courses: [{course_id: C3, level: capstone}, {course_id: M1, level: academic}]
""")
    ps = load(many, small_catalog, real_standards)
    assert [p.name for p in ps] == ["A", "B"]
    assert ps[0].sector == "Business and Finance" and ps[0].cte_pathway == ""
    assert ps[1].course_levels == {"C3": "capstone", "M1": "academic"}


def test_make_pathway(small_catalog, real_standards):
    p = make_pathway("P", "Information and Communication Technologies",
                     [{"course_id": "C1", "level": "concentrator"}, {"course_id": "C3", "level": "capstone"}],
                     cte_pathway="Networking", catalog=small_catalog, standards=real_standards)
    assert p.courses_for_aligner()["sector"].tolist() == [p.sector] * 2
    assert "Networking" in p.describe()


# --------------------------------------------------------------------------- validation


def test_unknown_sector_suggests_nearest(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "bad.csv", HEADER + "P,Busines and Finanse,,1,C1,,concentrator,\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    assert problems(excinfo) == ["bad.csv row 2: unknown sector 'Busines and Finanse'; did you mean "
                                 "'Business and Finance'?"]


def test_unknown_pathway_suggests_nearest(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "bad.csv", HEADER + "P,Information and Communication Technologies,Networkng,1,C1,,capstone,\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    (problem,) = problems(excinfo)
    assert problem.startswith("bad.csv row 2: unknown CTE pathway 'Networkng' for sector "
                              "'Information and Communication Technologies'; did you mean 'Networking'")


def test_course_missing_from_catalog(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "bad.csv", HEADER + "P,BF,,1,C1,,concentrator,\nP,BF,,2,C9,App Dev,capstone,\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    (problem,) = problems(excinfo)
    assert problem.startswith("bad.csv row 3: course 'C9' is missing from the catalog")
    assert "'App Dev' looks like catalog course 'C3'" in problem


def test_two_capstones_in_strict_sequence(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "bad.csv", HEADER + "P,BF,,1,C1,,concentrator,strict\nP,BF,,2,C2,,capstone,strict\n"
                                               "P,BF,,3,C3,,capstone,strict\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    (problem,) = problems(excinfo)
    assert problem.startswith("bad.csv row 4: two capstones in the strict sequence 'P': 2 capstone courses "
                              "(rows 3, 4: C2, C3)")
    # the same rows as a choice sequence load, with a warning
    path = write(tmp_path, "ok.csv", HEADER + "P,BF,,1,C1,,concentrator,\nP,BF,,2,C2,,capstone,\nP,BF,,3,C3,,capstone,\n")
    (p,) = load(path, small_catalog, real_standards)
    assert p.capstones == ["C2", "C3"] and "2 capstone courses" in p.warnings[0]


def test_strict_sequence_order_and_repeats(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "bad.csv", HEADER + "P,BF,,1,C3,,capstone,strict\nP,BF,,2,C1,,concentrator,strict\n"
                                               "P,BF,,3,C1,,concentrator,strict\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    text = str(excinfo.value)
    assert "bad.csv row 4: course 'C1' is listed twice in the strict sequence 'P' (rows 3 and 4)" in text
    assert "bad.csv row 3: out of level order in the strict sequence 'P'" in text


def test_empty_sequence(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "empty.csv", HEADER)
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    assert problems(excinfo) == ["empty.csv row 2: empty sequence: no course rows below the header"]
    path = write(tmp_path, "empty.yaml", "pathways:\n  - name: Nothing\n    sector: BF\n    courses: []\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    assert problems(excinfo) == ["empty.yaml: pathway 'Nothing' (line 2): empty sequence, it has no courses"]


def test_bad_level(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "bad.csv", HEADER + "P,BF,,1,C1,,capstne,\nP,BF,,2,C2,,,\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    assert problems(excinfo) == [
        "bad.csv row 2: bad level 'capstne'; did you mean 'capstone'?; use one of introductory, concentrator, "
        "capstone, academic",
        "bad.csv row 3: level is empty; use one of introductory, concentrator, capstone, academic",
    ]


def test_all_problems_are_collected(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "bad.csv", HEADER + "P,Nowhere,,1,C1,,concentrator,\nP,BF,,x,C8,,capstone,\n"
                                               "P,BF,,3,C2,,introductry,\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    rows = [p.split(":")[0] for p in problems(excinfo)]
    assert rows[:4] == ["bad.csv row 2", "bad.csv row 3", "bad.csv row 3", "bad.csv row 4"]
    assert any("sequence_position 'x' is not a whole number" in p for p in problems(excinfo))


def test_yaml_problems_name_the_line(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "bad.yaml", "name: P\nsector: BF\ncourses:\n  - course_id: C1\n    level: concentrator\n"
                                       "  - course_id: C2\n    level: capstonee\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    assert problems(excinfo) == ["bad.yaml row 2: (line 6) bad level 'capstonee'; did you mean 'capstone'?; use one "
                                 "of introductory, concentrator, capstone, academic"]


def test_missing_columns_and_files(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "cols.csv", "course_id,title\nC1,X\n")
    with pytest.raises(InputError) as excinfo:
        load(path, small_catalog, real_standards)
    assert problems(excinfo)[0].startswith("cols.csv row 1: missing column(s) level, sector")
    with pytest.raises(InputError, match="nope.csv: file not found"):
        load(tmp_path / "nope.csv", small_catalog, real_standards)
    with pytest.raises(InputError, match="unsupported file type"):
        load(write(tmp_path, "p.json", "{}"), small_catalog, real_standards)


def test_only_academic_courses_is_not_a_pathway(tmp_path, small_catalog, real_standards):
    path = write(tmp_path, "acad.csv", HEADER + "P,BF,,1,M1,,academic,\n")
    with pytest.raises(InputError, match="acad.csv row 2: pathway 'P' has only academic courses"):
        load(path, small_catalog, real_standards)
