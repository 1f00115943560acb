"""The bundled standards table, its loader, filters, search, coverage and the CSV importer.

Real data: ``standards_data/standards.csv`` as committed. The comparisons of its texts with
the raw files in ``../shared`` are the import script's tests (tests/test_import_shared.py).
"""

from __future__ import annotations


import pandas as pd
import pytest

from alignment.data.editions import select_edition
from alignment.io.errors import InputError
from alignment.data.standards import (
    ALL_SECTORS,
    FRAMEWORKS,
    SECTORS,
    TIDY_COLUMNS,
    abbreviate,
    filter_standards,
    grade_band,
    load_standards,
    search_standards,
    sector_coverage,
    sectors_with_pathway_standards,
    standards_from_csv,
)

BF = "Business and Finance"
ICT = "Information and Communication Technologies"
HSMT = "Health Science and Medical Technology"
AME = "Arts, Media, and Entertainment"


@pytest.fixture(scope="module")
def std() -> pd.DataFrame:
    """The adopted editions (what every command uses by default); the 2023 draft rows
    appended to the same file are tested in tests/test_editions.py."""
    return select_edition(load_standards(), "adopted")


def row(df: pd.DataFrame, standard_id: str) -> pd.Series:
    match = df[df["standard_id"] == standard_id]
    assert len(match) == 1, standard_id
    return match.iloc[0]


# ------------------------------------------------------------------ shape and counts

def test_columns_and_dtypes(std):
    assert list(std.columns) == TIDY_COLUMNS
    assert std["depth"].dtype == "int64"
    assert std["is_leaf"].dtype == bool
    assert str(std["source_row"].dtype) == "Int64"
    assert std["standard_id"].is_unique
    for col in ["parent_id", "title", "sector", "pathway", "grade"]:
        assert not std[col].isna().any(), col
    assert set(std["framework"]) == set(FRAMEWORKS)
    assert all(std["framework_title"] == std["framework"].map(FRAMEWORKS))
    assert std["standard_id"].str.fullmatch(r"[A-Za-z0-9._~\-]+").all()


def test_source_row_counts_match_sources_md(std):
    from_source = std[std["source_row"].notna()]
    assert from_source.groupby("framework").size().to_dict() == {
        "ccss_math": 517, "ccss_ela": 1019, "cte_anchor": 208, "cte_crp": 12, "cte_pathway": 410}
    # derived rows are exactly the CCSS domain/cluster headings
    derived = std[std["source_row"].isna()]
    assert set(derived["framework"]) == {"ccss_math", "ccss_ela"}
    assert set(derived["kind"]) == {"heading"}


def test_kind_counts_match_sources_md(std):
    counts = std.groupby(["framework", "kind"]).size().to_dict()
    # math: 8 practices + 385 standards, 124 lettered sub-standards; ELA: 574 + 445
    assert counts[("ccss_math", "standard")] == 393
    assert counts[("ccss_math", "sub-standard")] == 124
    assert counts[("ccss_ela", "standard")] == 574
    assert counts[("ccss_ela", "sub-standard")] == 445
    assert counts[("ccss_math", "heading")] == 213
    assert counts[("ccss_ela", "heading")] == 321
    assert counts[("cte_pathway", "standard")] == 67
    assert counts[("cte_pathway", "indicator")] == 343
    assert counts[("cte_crp", "standard")] == 12


def test_grade_bands_match_sources_md(std):
    src = std[std["source_row"].notna()]
    math = src[src["framework"] == "ccss_math"]["grade_band"].value_counts().to_dict()
    assert math == {"K-5": 191, "6-8": 126, "9-12": 192, "K-12": 8}
    assert (src[(src["framework"] == "ccss_math") & (src["grade"] == "HS")]["grade_band"] == "9-12").all()
    ela = src[src["framework"] == "ccss_ela"]["grade_band"].value_counts().to_dict()
    assert ela == {"K-5": 486, "6-8": 273, "9-12": 228, "K-12": 32}
    cte = std[std["framework"].str.startswith("cte_")]
    assert (cte["grade"] == "").all() and (cte["grade_band"] == "9-12").all()


def test_cte_counts_per_sector_match_sources_md(std):
    anchor = std[std["framework"] == "cte_anchor"]
    x0 = anchor[anchor["code"].str.endswith(".0")].groupby("sector").size().to_dict()
    assert x0 == {ALL_SECTORS: 11, BF: 10, HSMT: 3, ICT: 11}
    with_text = anchor[anchor["code"].str.endswith(".0") & (anchor["text"] != "")].groupby("sector").size()
    assert with_text.to_dict() == {BF: 1, HSMT: 3, ICT: 11}
    indicators = anchor[anchor["kind"] == "indicator"].groupby("sector").size().to_dict()
    assert indicators == {AME: 3, BF: 71, HSMT: 11, ICT: 88}

    pathway = std[std["framework"] == "cte_pathway"]
    table = pathway.groupby(["sector", "pathway", "kind"]).size().unstack(fill_value=0)
    expected = {
        (AME, "Design, Visual, and Media Arts"): (1, 4), (AME, "Performing Arts"): (1, 0),
        (AME, "Production and Managerial Arts"): (1, 0), (BF, "Business Management"): (9, 46),
        (BF, "Financial Services"): (9, 53), (BF, "International Business"): (8, 39),
        (HSMT, "Patient Care"): (4, 12), (ICT, "Games and Simulation"): (8, 49),
        (ICT, "Information Support and Services"): (8, 40), (ICT, "Networking"): (8, 39),
        (ICT, "Software and Systems Development"): (10, 61),
    }
    got = {key: (int(r["standard"]), int(r["indicator"])) for key, r in table.iterrows()}
    assert got == expected


# ------------------------------------------------------------------ texts are the official ones

def test_only_titled_headings_have_no_text(std):
    empty = std[std["text"] == ""]
    assert set(empty["kind"]) == {"heading"}
    assert (empty["title"] != "").all()
    assert set(empty["framework"]) == {"cte_anchor"}
    assert len(empty) == 11 + 9  # the ALL titles and the BF anchors without statement


# ------------------------------------------------------------------ hierarchy

def test_ccss_math_hierarchy(std):
    sub = row(std, "CCSS.Math.Content.HSA.SSE.A.1a")
    assert (sub["kind"], sub["depth"], sub["is_leaf"]) == ("sub-standard", 3, True)
    assert sub["display_code"] == "HSA.SSE.A.1a"
    parent = row(std, sub["parent_id"])
    assert parent["standard_id"] == "CCSS.Math.Content.HSA.SSE.A.1"
    assert (parent["kind"], parent["depth"], parent["is_leaf"]) == ("standard", 2, False)
    cluster = row(std, parent["parent_id"])
    assert cluster["standard_id"] == "CCSS.Math.Content.HSA.SSE.A"
    assert (cluster["kind"], cluster["depth"], cluster["text"]) == ("heading", 1, sub["cluster"])
    domain = row(std, cluster["parent_id"])
    assert domain["standard_id"] == "CCSS.Math.Content.HSA.SSE"
    assert (domain["kind"], domain["depth"], domain["text"], domain["parent_id"]) == ("heading", 0, sub["domain"], "")
    assert domain["grade"] == "HS" and domain["grade_band"] == "9-12"
    practice = row(std, "CCSS.Math.Practice.MP1")
    assert (practice["parent_id"], practice["depth"], practice["display_code"]) == ("CCSS.Math.Practice", 1, "MP1")


def test_ccss_ela_hierarchy(std):
    rst = row(std, "CCSS.ELA-Literacy.RST.11-12.3")
    assert rst["display_code"] == "RST.11-12.3"
    assert (rst["kind"], rst["depth"], rst["grade"], rst["grade_band"]) == ("standard", 2, "11-12", "9-12")
    cluster = row(std, rst["parent_id"])
    assert cluster["standard_id"] == "CCSS.ELA-Literacy.RST.11-12.key-ideas-and-details"
    assert cluster["text"] == rst["cluster"]
    assert row(std, cluster["parent_id"])["standard_id"] == "CCSS.ELA-Literacy.RST.11-12"
    sub = row(std, "CCSS.ELA-Literacy.W.9-10.1a")
    assert (sub["parent_id"], sub["depth"], sub["kind"]) == ("CCSS.ELA-Literacy.W.9-10.1", 3, "sub-standard")


def test_cte_hierarchy(std):
    indicator = row(std, "CA-CTE.ANCHOR.BF.2.1")
    assert (indicator["kind"], indicator["depth"], indicator["code"], indicator["display_code"]) == \
        ("indicator", 2, "2.1", "BF 2.1")
    sector_anchor = row(std, indicator["parent_id"])
    assert sector_anchor["standard_id"] == "CA-CTE.ANCHOR.BF.2.0"
    assert (sector_anchor["kind"], sector_anchor["text"]) == ("heading", "")  # BF statement missing
    top = row(std, sector_anchor["parent_id"])
    assert (top["standard_id"], top["sector"], top["depth"]) == ("CA-CTE.ANCHOR.2.0", ALL_SECTORS, 0)
    assert top["title"] == sector_anchor["title"] == indicator["domain"]
    assert row(std, "CA-CTE.ANCHOR.BF.9.0")["kind"] == "standard"  # the one BF statement
    # AME has indicators but no X.0 rows: they hang from the ALL title
    ame = row(std, "CA-CTE.ANCHOR.AME.4.1")
    assert (ame["parent_id"], ame["depth"]) == ("CA-CTE.ANCHOR.4.0", 1)
    # ICT indicators carry their sector statement as cluster
    ict = row(std, "CA-CTE.ANCHOR.ICT.2.1")
    assert ict["cluster"] == row(std, "CA-CTE.ANCHOR.ICT.2.0")["text"] != ""
    # pathways
    standard = row(std, "CA-CTE.PATHWAY.BF.BM.A1.0")
    assert (standard["kind"], standard["depth"], standard["is_leaf"], standard["domain"]) == \
        ("standard", 0, False, "Business Management")
    first, second = row(std, "CA-CTE.PATHWAY.BF.BM.A9.4"), row(std, "CA-CTE.PATHWAY.BF.BM.A9.4~2")
    assert first["code"] == second["code"] == "A9.4"
    assert first["text"] != second["text"]
    assert first["parent_id"] == second["parent_id"] == "CA-CTE.PATHWAY.BF.BM.A9.0"
    assert second["cluster"] == row(std, "CA-CTE.PATHWAY.BF.BM.A9.0")["text"]
    assert row(std, "CA-CTE.PATHWAY.ICT.NET.B1.0")["pathway"] == "Networking"
    crp = row(std, "CA-CTE.CRP.CRP1")
    assert (crp["kind"], crp["depth"], crp["sector"], crp["title"]) == ("standard", 0, ALL_SECTORS, "")


def test_parents_stay_in_framework_and_leaves_are_true(std):
    framework = dict(zip(std["standard_id"], std["framework"]))
    children = std[std["parent_id"] != ""]
    assert (children["parent_id"].map(framework) == children["framework"]).all()
    parents = set(children["parent_id"])
    assert (std["is_leaf"] == ~std["standard_id"].isin(parents)).all()
    assert (std.loc[std["kind"] == "heading", "is_leaf"] == False).all()  # noqa: E712
    depth = dict(zip(std["standard_id"], std["depth"]))
    assert (children["depth"] == children["parent_id"].map(depth) + 1).all()


def test_match_text_is_only_real_texts(std):
    label = {sid: (text or title) for sid, text, title in zip(std["standard_id"], std["text"], std["title"])}
    parent = dict(zip(std["standard_id"], std["parent_id"]))
    for r in std.itertuples():
        chain, p = [], r.parent_id
        while p:
            chain.insert(0, label[p])
            p = parent[p]
        context = [r.subject, f"grade {r.grade}" if r.grade else "", "" if r.sector == ALL_SECTORS else r.sector,
                   r.pathway]
        parts = [x for x in context + chain + [label[r.standard_id]] if x]
        parts = [x for i, x in enumerate(parts) if i == 0 or parts[i - 1] != x]
        assert r.match_text == " > ".join(parts), r.standard_id
        assert r.match_text.endswith(label[r.standard_id])
    example = row(std, "CCSS.Math.Content.7.RP.A.2a")
    parent_row = row(std, "CCSS.Math.Content.7.RP.A.2")
    assert example["match_text"] == " > ".join(
        ["Mathematics", "grade 7", example["domain"], example["cluster"], parent_row["text"], example["text"]])
    pathway = row(std, "CA-CTE.PATHWAY.BF.BM.A1.1")
    assert pathway["match_text"] == " > ".join(
        [BF, "Business Management", row(std, "CA-CTE.PATHWAY.BF.BM.A1.0")["text"], pathway["text"]])


# ------------------------------------------------------------------ completeness

def test_completeness_flags(std):
    flags = std.groupby(["framework", "sector"])["completeness"].unique().apply(list).to_dict()
    assert flags == {
        ("ccss_math", ""): ["complete"], ("ccss_ela", ""): ["complete"],
        ("cte_anchor", ALL_SECTORS): ["partial"], ("cte_anchor", AME): ["partial"],
        ("cte_anchor", BF): ["partial"], ("cte_anchor", HSMT): ["partial"], ("cte_anchor", ICT): ["complete"],
        ("cte_crp", ALL_SECTORS): ["partial"],
        ("cte_pathway", AME): ["partial"], ("cte_pathway", BF): ["complete"],
        ("cte_pathway", HSMT): ["partial"], ("cte_pathway", ICT): ["complete"],
    }
    assert (std["completeness_note"] != "").all()
    bf_note = row(std, "CA-CTE.ANCHOR.BF.2.1")["completeness_note"]
    assert "statement" in bf_note and "1.0" in bf_note


def test_sector_coverage_shows_partial_and_missing(std):
    cov = sector_coverage(std)
    pathway = cov[cov["framework"] == "cte_pathway"]
    assert set(pathway["sector"]) == set(SECTORS)
    missing = pathway[pathway["completeness"] == "missing"]
    assert set(missing["sector"]) == set(SECTORS) - {AME, BF, HSMT, ICT}
    assert (missing[["standards", "indicators"]] == 0).all().all()
    bm = pathway[pathway["pathway"] == "Business Management"].iloc[0]
    assert (bm["standards"], bm["indicators"], bm["completeness"], bm["sector_abbreviation"]) == \
        (9, 46, "complete", "BF")
    crp = cov[cov["framework"] == "cte_crp"].iloc[0]
    assert (crp["standards"], crp["completeness"]) == (12, "partial")
    math = cov[cov["framework"] == "ccss_math"].iloc[0]
    assert (math["standards"], math["headings"]) == (517, 213)
    assert len(sector_coverage(std, include_missing=False)) == len(cov) - 2 * 11


def test_sectors():
    assert len(SECTORS) == 15
    assert {SECTORS[s] for s in (AME, BF, HSMT, ICT)} == {"AME", "BF", "HSMT", "ICT"}
    assert all(abbreviate(name) == abbr for name, abbr in SECTORS.items())
    assert len(set(SECTORS.values())) == 15
    assert abbreviate("Networking") == "NET"
    assert abbreviate("Design, Visual, and Media Arts") == "DVMA"


def test_sectors_with_pathway_standards(std):
    assert sectors_with_pathway_standards(std) == [AME, BF, HSMT, ICT]


# ------------------------------------------------------------------ filter and search

def test_filter_by_framework_and_errors(std):
    math = filter_standards(std, frameworks="ccss_math")
    assert set(math["framework"]) == {"ccss_math"} and len(math) == 517 + 213
    both = filter_standards(std, frameworks=["cte_anchor", "cte_crp"])
    assert len(both) == 208 + 12
    with pytest.raises(ValueError, match="valid frameworks: .*ccss_ela.*cte_pathway"):
        filter_standards(std, frameworks=["ccss_mth"])
    with pytest.raises(ValueError, match="unknown sector"):
        filter_standards(std, sectors="Business")
    with pytest.raises(ValueError, match="grade"):
        filter_standards(std, grades="13")


def test_filter_by_sector_pathway_grade_leaves(std):
    bf = filter_standards(std, frameworks="cte_pathway", sectors="BF")
    assert len(bf) == 55 + 62 + 47 and set(bf["sector"]) == {BF}
    assert len(filter_standards(std, sectors=["business and finance"], frameworks="cte_pathway")) == len(bf)
    assert len(filter_standards(std, sectors=ALL_SECTORS)) == 11 + 12
    net = filter_standards(std, pathways="networking")
    assert len(net) == 47
    seventh = filter_standards(std, frameworks="ccss_math", grades="7")
    assert set(seventh["grade"]) == {"7", "K-12"}
    assert "CCSS.Math.Content.7.RP.A.2a" in set(seventh["standard_id"])
    high = filter_standards(std, grades="9-12")
    assert not (high["grade_band"].isin(["K-5", "6-8"])).any()
    assert {"HS", "9-10", "11-12", "", "K-12"} <= set(high["grade"])
    assert len(filter_standards(std, grades="HS", frameworks="ccss_ela")) == \
        len(filter_standards(std, grades="9-12", frameworks="ccss_ela"))
    leaves = filter_standards(std, leaves_only=True)
    assert leaves["is_leaf"].all() and "CCSS.Math.Content.HSA.SSE.A.1" not in set(leaves["standard_id"])
    assert filter_standards(std).equals(std)


def test_search(std):
    hits = search_standards(std, "hsa.sse.a.1")
    assert set(hits["standard_id"]) >= {"CCSS.Math.Content.HSA.SSE.A.1", "CCSS.Math.Content.HSA.SSE.A.1a"}
    words = search_standards(std, "SUPPLY chain")
    assert "CA-CTE.PATHWAY.BF.BM.A9.0" in set(words["standard_id"])
    assert all("supply" in t.lower() and "chain" in t.lower() for t in words["text"] + words["title"])
    assert "CA-CTE.ANCHOR.2.0" in set(search_standards(std, "communications")["standard_id"])  # title
    assert len(search_standards(std, "")) == len(std)
    assert search_standards(std, "zzzz-not-there").empty


def test_grade_band():
    assert [grade_band(g) for g in ["K", "5", "6-8", "HS", "9-10", "11-12", "K-12", "5-7", "x"]] == \
        ["K-5", "K-5", "6-8", "9-12", "9-12", "9-12", "K-12", "", ""]


# ------------------------------------------------------------------ loader validation

def test_load_standards_rejects_broken_tables(std, tmp_path):
    broken = std.copy()
    broken.loc[5, "standard_id"] = broken.loc[4, "standard_id"]
    broken.loc[10, "parent_id"] = "NOPE"
    path = tmp_path / "tidy.csv"
    broken.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_standards(path)
    text = str(err.value)
    assert "tidy.csv row 7: standard_id" in text and "duplicate of row 6" in text
    assert "tidy.csv row 12: parent_id 'NOPE'" in text


def test_load_standards_round_trips_its_own_csv(std, tmp_path):
    path = tmp_path / "again.csv"
    std.to_csv(path, index=False)
    pd.testing.assert_frame_equal(load_standards(path), std)


# ------------------------------------------------------------------ plain CSV importer

def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_csv_importer_valid_file(tmp_path):
    path = write(tmp_path, "local.csv", (
        "code,text,sector,pathway,grade,parent_code,subject\n"
        "A1.0,Plan a small business.,Business and Finance,Local Pathway,9-12,,\n"
        "A1.1,Write a budget.,Business and Finance,Local Pathway,10,A1.0,\n"
        "A1.0,Same code in another pathway is fine.,Business and Finance,Other Pathway,,,\n"
        "\n"
        "R1,\"Read closely, with commas.\",,,K,,ELA\n"))
    df = standards_from_csv(path, framework="district")
    assert list(df.columns) == TIDY_COLUMNS
    assert df["standard_id"].tolist() == [
        "custom.district.BF.local-pathway.A1.0", "custom.district.BF.local-pathway.A1.1",
        "custom.district.BF.other-pathway.A1.0", "custom.district.R1"]
    first, second = df.iloc[0], df.iloc[1]
    assert (first["depth"], first["is_leaf"], first["kind"]) == (0, False, "standard")
    assert (second["parent_id"], second["depth"], second["kind"], second["grade_band"]) == \
        (first["standard_id"], 1, "sub-standard", "9-12")
    assert second["match_text"] == "grade 10 > Business and Finance > Local Pathway > Plan a small business. > " \
                                   "Write a budget."
    assert df["completeness"].eq("unknown").all() and df["framework"].eq("district").all()
    assert df["source_row"].tolist() == [1, 2, 3, 5]
    assert df.iloc[3]["text"] == "Read closely, with commas."
    # framework column wins over the argument; default "custom"
    path2 = write(tmp_path, "fw.csv", "framework,code,text\nmine,X1,Do X.\n,X2,Do Y.\n")
    assert standards_from_csv(path2)["framework"].tolist() == ["mine", "custom"]


@pytest.mark.parametrize("content,expected", [
    ("code,description\nA,x\n", "bad.csv row 1: missing required column(s) text"),
    ("code,text\nA,   \n", "bad.csv row 2: text is empty"),
    ("code,text\n  ,Some text\n", "bad.csv row 2: code is empty"),
    ("code,text\nA,one\nB,two\nA,three\n", "bad.csv row 4: code 'A' is a duplicate of row 2"),
    ("code,text,parent_code\nA,one,\nB,two,Z\n", "bad.csv row 3: parent_code 'Z' is not a code"),
    ("code,text,parent_code\nA,one,C\nB,two,A\nC,three,B\n", "bad.csv row 2: parent_code cycle A -> C -> B -> A"),
    ("code,text,parent_code\nA,one,A\n", "bad.csv row 2: parent_code cycle A -> A"),
    (b"code,text\nA,caf\xe9 au lait\n", "bad.csv row 2: not valid UTF-8: byte 0xe9 at byte offset 15"),
    ("code,text\nA,one,two\n", "bad.csv row 2: has 3 cells but the header has 2"),
    ("code,text,grade\nA,one,13\n", "bad.csv row 2: grade '13'"),
    ("", "bad.csv: file is empty"),
])
def test_csv_importer_bad_input(tmp_path, content, expected):
    path = write(tmp_path, "bad.csv", content)
    with pytest.raises(InputError) as err:
        standards_from_csv(path)
    assert expected in str(err.value)
    assert err.value.source == "bad.csv"


def test_csv_importer_collects_all_problems(tmp_path):
    path = write(tmp_path, "many.csv", b"code,text,parent_code\nA,,\nA,two,Q\n,three,\nB,\xff,\n")
    with pytest.raises(InputError) as err:
        standards_from_csv(path)
    problems = err.value.problems
    assert any("row 2: text is empty" in p for p in problems)
    assert any("row 3: code 'A' is a duplicate of row 2" in p for p in problems)
    assert any("row 3: parent_code 'Q'" in p for p in problems)
    assert any("row 4: code is empty" in p for p in problems)
    assert any("row 5: not valid UTF-8" in p for p in problems)
    assert len(problems) == 5


def test_csv_importer_refuses_big_files_before_parsing(tmp_path, use_settings):
    path = write(tmp_path, "big.csv", "code,text\n" + "A,x\n" * 50)
    use_settings(max_input_bytes=100)
    with pytest.raises(InputError, match=r"big.csv: file is 0.2 KB \(210 bytes\), larger than the 0.1 KB \(100 bytes\) limit"):
        standards_from_csv(path)


def test_csv_importer_duplicate_codes_only_within_group(tmp_path):
    path = write(tmp_path, "grp.csv", "code,text,sector,pathway\nA,one,Business and Finance,P1\nA,two,Business "
                                      "and Finance,P2\nA,three,Business and Finance,P2\n")
    with pytest.raises(InputError) as err:
        standards_from_csv(path)
    assert err.value.problems == ["grp.csv row 4: code 'A' is a duplicate of row 3 (in custom / Business and "
                                  "Finance / P2)"]


def test_load_standards_refuses_non_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(",".join(TIDY_COLUMNS).encode() + b"\nx\xe9\n")
    with pytest.raises(InputError, match=r"latin.csv row 2: not valid UTF-8: byte 0xe9"):
        load_standards(path)
