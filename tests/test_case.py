"""CASE 1.0 export/import: lossless round trip of every bundled framework, foreign packages, errors."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from alignment.data.case import (
    NOTES_KEY,
    read_case,
    to_case,
    to_case_packages,
    write_case,
    write_case_packages,
)
from alignment.io.errors import InputError
from alignment.data.standards import FRAMEWORKS, TIDY_COLUMNS, load_standards, standards_from_csv

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def std() -> pd.DataFrame:
    return load_standards()


def one(std: pd.DataFrame, framework: str) -> pd.DataFrame:
    return std[std["framework"] == framework].reset_index(drop=True)


# ------------------------------------------------------------------ round trip

@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_round_trip_loses_nothing(std, framework):
    df = one(std, framework)
    back = read_case(to_case(df))
    pd.testing.assert_frame_equal(back, df)


def test_round_trip_through_files(std, tmp_path):
    paths = write_case_packages(std, tmp_path)
    # one package per framework, and one per framework of the 2023 draft (another edition: another document)
    assert sorted(p.name for p in paths) == sorted([f"{fw}.case.json" for fw in FRAMEWORKS]
                                                   + ["cte_anchor@2023-draft.case.json",
                                                      "cte_pathway@2023-draft.case.json"])
    back = pd.concat([read_case(p) for p in paths], ignore_index=True)
    order = {fw: n for n, fw in enumerate(std["framework"].unique())}
    rank = back["framework"].map(order) + 100 * (back["edition_status"] == "draft")
    back = back.iloc[rank.argsort(kind="stable")].reset_index(drop=True)
    pd.testing.assert_frame_equal(back, std)


def test_round_trip_of_a_custom_import(tmp_path):
    csv = tmp_path / "local.csv"
    csv.write_text("code,text,parent_code,grade,sector\nA1,Plan it.,,9-10,Business and Finance\n"
                   "A1.1,Budget it.,A1,10,Business and Finance\n", encoding="utf-8")
    df = standards_from_csv(csv, framework="district")
    pd.testing.assert_frame_equal(read_case(write_case(df, tmp_path / "d.json")), df)


def test_export_shape_follows_case_1_0(std):
    df = one(std, "ccss_math")
    pkg = to_case(df, title="CCSS Math (test)", creator="Tester")
    assert set(pkg) == {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions"}
    doc = pkg["CFDocument"]
    for field in ["identifier", "uri", "creator", "title", "lastChangeDateTime"]:
        assert doc[field], field
    assert (doc["title"], doc["creator"], doc["subject"]) == ("CCSS Math (test)", "Tester", ["Mathematics"])
    assert len(pkg["CFItems"]) == len(df) == len(pkg["CFAssociations"])
    for item in pkg["CFItems"]:
        assert UUID.fullmatch(item["identifier"])
        for field in ["uri", "fullStatement", "lastChangeDateTime", "CFItemType"]:
            assert item[field], field
        assert item["CFDocumentURI"]["identifier"] == doc["identifier"]
        assert set(json.loads(item["notes"])) == {NOTES_KEY}
    by_code = {it.get("humanCodingScheme"): it for it in pkg["CFItems"]}
    sub = by_code["HSA.SSE.A.1a"]
    assert sub["fullStatement"] == df.loc[df["display_code"] == "HSA.SSE.A.1a", "text"].iloc[0]
    assert (sub["CFItemType"], sub["educationLevel"]) == ("Sub-standard", ["09", "10", "11", "12"])
    assert by_code["K.CC.A.1"]["educationLevel"] == ["KG"]
    item_ids = {it["identifier"] for it in pkg["CFItems"]}
    for assoc in pkg["CFAssociations"]:
        assert assoc["associationType"] == "isChildOf"
        assert set(assoc["originNodeURI"]) == set(assoc["destinationNodeURI"]) == {"title", "identifier", "uri"}
        assert assoc["originNodeURI"]["identifier"] in item_ids
        assert assoc["destinationNodeURI"]["identifier"] in item_ids | {doc["identifier"]}
        assert isinstance(assoc["sequenceNumber"], int)
    parent_link = next(a for a in pkg["CFAssociations"] if a["originNodeURI"]["identifier"] == sub["identifier"])
    assert parent_link["destinationNodeURI"]["title"] == "HSA.SSE.A.1"
    titles = {t["title"] for t in pkg["CFDefinitions"]["CFItemTypes"]}
    assert titles == {"Heading", "Standard", "Sub-standard"}


def test_export_is_deterministic(std):
    df = one(std, "cte_pathway")
    assert json.dumps(to_case(df)) == json.dumps(to_case(df.copy()))
    item = to_case(df, base_uri="https://case.example.org/ims/case/v1p0")["CFItems"][0]
    assert item["uri"] == f"https://case.example.org/ims/case/v1p0/CFItems/{item['identifier']}"
    assert to_case(df)["CFItems"][0]["uri"] == f"urn:uuid:{item['identifier']}"


def test_heading_without_text_keeps_empty_text(std):
    df = one(std, "cte_anchor")
    pkg = to_case(df)
    heading = next(it for it in pkg["CFItems"] if it.get("humanCodingScheme") == "BF 2.0")
    assert heading["fullStatement"] == heading["abbreviatedStatement"] == "Communications"
    back = read_case(pkg).set_index("standard_id")
    assert back.loc["CA-CTE.ANCHOR.BF.2.0", "text"] == ""


def test_export_refuses_mixed_or_partial_tables(std):
    with pytest.raises(ValueError, match="one framework"):
        to_case(std)
    leaves = one(std, "ccss_math").query("is_leaf")
    with pytest.raises(ValueError, match="not in the table"):
        to_case(leaves)
    assert set(to_case_packages(std)) == set(FRAMEWORKS) | {"cte_anchor@2023-draft", "cte_pathway@2023-draft"}


# ------------------------------------------------------------------ a package we did not make

def foreign_package() -> dict:
    doc = "a0000000-0000-4000-8000-000000000000"

    def link(title, identifier):
        return {"title": title, "identifier": identifier, "uri": f"https://example.org/uri/{identifier}"}

    def item(identifier, code, statement, **extra):
        return {"identifier": identifier, "uri": f"https://example.org/uri/{identifier}",
                "lastChangeDateTime": "2020-01-01T00:00:00+00:00", "fullStatement": statement,
                **({"humanCodingScheme": code} if code else {}), **extra}

    def child(n, origin, destination, seq=None):
        assoc = {"identifier": f"c0000000-0000-4000-8000-00000000000{n}", "associationType": "isChildOf",
                 "uri": f"https://example.org/uri/c{n}", "lastChangeDateTime": "2020-01-01T00:00:00+00:00",
                 "originNodeURI": link("o", origin), "destinationNodeURI": link("d", destination)}
        if seq is not None:
            assoc["sequenceNumber"] = seq
        return assoc

    d, s1, s2, s2a, extra = (f"b0000000-0000-4000-8000-00000000000{n}" for n in range(1, 6))
    return {
        "CFDocument": {"identifier": doc, "uri": "https://example.org/uri/doc", "creator": "Someone",
                       "title": "Sample Science Framework", "lastChangeDateTime": "2020-01-01T00:00:00+00:00",
                       "subject": ["Science"]},
        "CFItems": [
            item(s2a, "SCI.1.2a", "Sub point.", educationLevel=["09", "10"]),
            item(s1, "SCI.1.1", "First standard.", CFItemType="Standard", educationLevel=["KG"]),
            item(d, "SCI.1", "Life Science", CFItemType="Domain"),
            item(s2, "SCI.1.2", "Second standard.", educationLevel="06,07,08"),
            item(extra, "", "An uncoded top-level statement."),
        ],
        "CFAssociations": [
            child(1, s1, d, seq=2),
            child(2, s2, d, seq=1),
            child(3, s2a, s2),
            child(4, d, doc, seq=1),
            child(5, extra, doc, seq=2),
            {"identifier": "c0000000-0000-4000-8000-000000000009", "associationType": "exactMatchOf",
             "uri": "https://example.org/uri/c9", "lastChangeDateTime": "2020-01-01T00:00:00+00:00",
             "originNodeURI": link("o", s1), "destinationNodeURI": link("elsewhere", "ffffffff-0000-4000-8000-0")},
        ],
    }


def test_foreign_package_imports():
    df = read_case(foreign_package())
    assert list(df.columns) == TIDY_COLUMNS
    assert df["standard_id"].tolist() == [
        "case.sample_science_framework.SCI.1", "case.sample_science_framework.SCI.1.2",
        "case.sample_science_framework.SCI.1.2a", "case.sample_science_framework.SCI.1.1",
        "case.sample_science_framework.b0000000-0000-4000-8000-000000000005"]  # pre-order, by sequenceNumber
    rows = df.set_index("display_code")
    assert set(df["framework"]) == {"sample_science_framework"}
    assert set(df["framework_title"]) == {"Sample Science Framework"}
    assert (rows.loc["SCI.1", "kind"], rows.loc["SCI.1", "depth"], rows.loc["SCI.1", "is_leaf"]) == \
        ("heading", 0, False)
    assert (rows.loc["SCI.1.2", "kind"], rows.loc["SCI.1.2", "grade"], rows.loc["SCI.1.2", "grade_band"]) == \
        ("standard", "6-8", "6-8")
    sub = rows.loc["SCI.1.2a"]
    assert (sub["kind"], sub["depth"], sub["parent_id"], sub["grade"], sub["grade_band"]) == \
        ("sub-standard", 2, "case.sample_science_framework.SCI.1.2", "9-10", "9-12")
    assert sub["match_text"] == "Science > grade 9-10 > Life Science > Second standard. > Sub point."
    assert rows.loc["SCI.1.1", "grade"] == "K"
    assert (df["completeness"] == "unknown").all() and (df["source_file"] == "").all()
    assert df.set_index("display_code").loc["SCI.1.2a", "source_row"] == 1


def test_foreign_package_from_file(tmp_path):
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(foreign_package()), encoding="utf-8")
    df = read_case(path)
    assert (df["source_file"] == "sample.json").all() and len(df) == 5


# ------------------------------------------------------------------ malformed packages

def broken(mutate) -> dict:
    pkg = foreign_package()
    mutate(pkg)
    return pkg


@pytest.mark.parametrize("mutate,expected", [
    (lambda p: p.pop("CFItems"), "missing CFItems"),
    (lambda p: p.update(CFItems=[]), "CFItems is empty"),
    (lambda p: p.pop("CFDocument"), "missing CFDocument"),
    (lambda p: p["CFItems"][1].pop("identifier"), "CFItems[1] has no identifier"),
    (lambda p: p["CFItems"][2].update(fullStatement="  "),
     "CFItems[2] (b0000000-0000-4000-8000-000000000001) has no fullStatement"),
    (lambda p: p["CFAssociations"][2]["destinationNodeURI"].update(identifier="nope"),
     "CFAssociations[2] (isChildOf) points to nope, which is neither an item in CFItems nor the CFDocument"),
    (lambda p: p["CFAssociations"][0]["originNodeURI"].update(identifier="gone"),
     "CFAssociations[0] (isChildOf) points from gone"),
    (lambda p: p["CFItems"].append(dict(p["CFItems"][0])), "CFItems[5] repeats identifier"),
    (lambda p: p["CFAssociations"][3]["destinationNodeURI"].update(identifier=p["CFItems"][0]["identifier"]),
     "isChildOf cycle"),
])
def test_malformed_packages_are_refused(mutate, expected):
    with pytest.raises(InputError) as err:
        read_case(broken(mutate))
    assert expected in str(err.value)
    assert str(err.value).startswith("<CASE package>: ")


def test_all_problems_are_reported_together():
    def mutate(p):
        p["CFItems"][0].pop("identifier")
        p["CFItems"][1].pop("fullStatement")
        p["CFAssociations"][4]["destinationNodeURI"]["identifier"] = "x"
    with pytest.raises(InputError) as err:
        read_case(broken(mutate))
    assert len(err.value.problems) >= 3


def test_not_json_and_not_a_package(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"CFDocument": {', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.json: not valid JSON \(line 1, column 17"):
        read_case(bad)
    listing = tmp_path / "list.json"
    listing.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="list.json: is not a CASE CFPackage"):
        read_case(listing)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"title": "caf\xe9"}')
    with pytest.raises(InputError, match="latin.json: not valid UTF-8: byte 0xe9 at byte offset 14"):
        read_case(latin)
    with pytest.raises(InputError, match="file not found"):
        read_case(tmp_path / "missing.json")


def test_big_files_are_refused(tmp_path, use_settings):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(foreign_package()), encoding="utf-8")
    use_settings(max_input_bytes=100)
    with pytest.raises(InputError, match=r"big.json: file is .* bytes\), larger than the 0.1 KB \(100 bytes\) limit"):
        read_case(path)
