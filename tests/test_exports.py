"""Exports of reviewed decisions: CSV, Excel (OpenSALT association columns), CASE 1.0 JSON.

Decisions are recorded in a real review store on real Westview courses and bundled
standards; only accepted store decisions may ever become associations.
"""

from __future__ import annotations

import io
import json
import re
import uuid

import pandas as pd
import pytest
from openpyxl import load_workbook

from alignment.data import case
from alignment.settings import get_settings
from alignment.present import exports
from alignment.data.decisions import DECISION_COLUMNS, read_decisions_csv
from alignment.io.errors import InputError
from alignment.io.writers import safe_text
from alignment.review.store import ReviewStore

CATALOG = "westview_2025_26"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def standards_table():
    path = get_settings().standards_data_dir / "standards.csv"
    if not path.exists():
        pytest.skip("bundled standards table not built (make standards)")
    from alignment.data.standards import load_standards

    return load_standards()


@pytest.fixture(scope="module")
def courses():
    return pd.read_csv(get_settings().standards_data_dir / "catalogs" / "westview_2025_26_courses.csv", dtype=str,
                       keep_default_na=False)


@pytest.fixture(scope="module")
def picks(standards_table, courses):
    """Real ids: two courses, three CCSS math standards and one CTE pathway standard."""
    math = standards_table[(standards_table["framework"] == "ccss_math") & (standards_table["kind"] != "heading")]
    cte = standards_table[(standards_table["framework"] == "cte_pathway") & (standards_table["kind"] == "standard")]
    hs = math[math["standard_id"].str.startswith("CCSS.Math.Content.HSA")]
    return {
        "courses": list(courses["course_id"][:2]),
        "math": list(hs["standard_id"][:3]),
        "cte": cte["standard_id"].iloc[0],
    }


@pytest.fixture()
def decisions(tmp_path, picks):
    (c1, c2), (m1, m2, m3), cte = picks["courses"], picks["math"], picks["cte"]
    with ReviewStore(tmp_path / "review.db", create=True) as store:
        store.record(CATALOG, c1, m1, "accepted", "ana")
        store.record(CATALOG, c1, m2, "accepted", "ana")
        store.record(CATALOG, c1, m2, "rejected", "bo", note="=HYPERLINK(\"http://x\")")  # overridden: not exported
        store.record(CATALOG, c1, m3, "rejected", "ana")
        store.record(CATALOG, c2, cte, "accepted", "ana", association_type="isRelatedTo", origin="reviewer",
                     note="covers the lab safety part")
        store.record("other_catalog", c1, m3, "accepted", "ana")
        return store.decisions()


def accepted_pairs(table: pd.DataFrame, catalog: str = CATALOG) -> set[tuple[str, str]]:
    keep = (table["catalog"] == catalog) & (table["decision"] == "accepted")
    return set(zip(table.loc[keep, "course_id"], table.loc[keep, "standard_id"]))


# ------------------------------------------------------------------ CSV

def test_csv_round_trips_through_the_decisions_contract(decisions, tmp_path):
    data = exports.to_csv_bytes(decisions)
    header = data.decode("utf-8").splitlines()[0].split(",")
    assert header == DECISION_COLUMNS + ["catalog"]
    path = exports.write_csv(decisions, tmp_path / "out" / "decisions.csv")
    assert path.read_bytes() == data
    back = read_decisions_csv(path)
    expected = decisions.sort_values(["catalog", "course_id", "standard_id"]).reset_index(drop=True)
    # the file guards a note that starts like a formula with an apostrophe; reading it back
    # removes the apostrophe again, so the round trip gives the reviewer's note unchanged
    assert safe_text('=HYPERLINK("http://x")') in set(pd.read_csv(path, dtype=str, keep_default_na=False)["note"])
    assert '=HYPERLINK("http://x")' in set(back["note"])
    pd.testing.assert_frame_equal(back, expected[DECISION_COLUMNS])
    assert list(tmp_path.joinpath("out").iterdir()) == [path]  # no temporary files left


def test_notes_that_start_like_formulas_survive_a_csv_round_trip(tmp_path, picks):
    (c1, _), maths, _ = picks["courses"], picks["math"], picks["cte"]
    notes = ["-- ask the maths department", "+1, same as last year", "@ana please check", "-3"]
    with ReviewStore(tmp_path / "review.db", create=True) as store:
        for standard, note in zip(maths + [picks["cte"]], notes):
            store.record(CATALOG, c1, standard, "accepted", "ana", note=note)
        decisions = store.decisions()
    path = exports.write_csv(decisions, tmp_path / "d.csv")
    raw = set(pd.read_csv(path, dtype=str, keep_default_na=False)["note"])
    assert raw == {"'-- ask the maths department", "'+1, same as last year", "'@ana please check", "-3"}
    assert set(read_decisions_csv(path)["note"]) == set(notes)


def test_csv_of_one_catalog_and_of_a_plain_decisions_file(decisions, tmp_path):
    one = pd.read_csv(io.BytesIO(exports.to_csv_bytes(decisions, catalog=CATALOG)), dtype=str, keep_default_na=False)
    assert set(one["catalog"]) == {CATALOG} and len(one) == 4
    plain = decisions[decisions["catalog"] == CATALOG][DECISION_COLUMNS]  # a decisions CSV has no catalog column
    with pytest.raises(InputError, match="pass catalog="):
        exports.to_csv_bytes(plain)
    assert exports.to_csv_bytes(plain, catalog=CATALOG) == exports.to_csv_bytes(decisions, catalog=CATALOG)


# ------------------------------------------------------------------ Excel

def test_excel_has_opensalt_association_sheet_and_all_decisions(decisions, standards_table, courses, tmp_path):
    data = exports.to_excel_bytes(decisions, catalog=CATALOG, standards=standards_table, courses=courses)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["CF Association", "Decisions"]

    sheet = book["CF Association"]
    header = [c.value for c in sheet[1]]
    assert header == exports.ASSOCIATION_COLUMNS
    assert header[2:5] + header[6:8] == [
        "originNodeIdentifier", "originNodeHumanCodingScheme", "associationType",
        "destinationNodeIdentifier", "destinationNodeHumanCodingScheme",
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:J{sheet.max_row}"
    rows = [dict(zip(header, (c.value or "" for c in row))) for row in sheet.iter_rows(min_row=2)]
    display = standards_table.set_index("standard_id")["display_code"]
    got = {(r["originNodeHumanCodingScheme"], r["destinationNodeHumanCodingScheme"]) for r in rows}
    assert got == {(c, display[s]) for c, s in accepted_pairs(decisions)}
    chosen = decisions[decisions["catalog"] == CATALOG].set_index(["course_id", "standard_id"])["association_type"]
    types = {(c, display[s]): t for (c, s), t in chosen.items()}
    assert all(r["associationType"] == types[(r["originNodeHumanCodingScheme"], r["destinationNodeHumanCodingScheme"])]
               for r in rows)
    for r in rows:
        assert UUID.match(r["identifier"]) and UUID.match(r["originNodeIdentifier"])
        assert r["originNodeURI"] == f"urn:uuid:{r['originNodeIdentifier']}"
        assert r["destinationNodeURI"] == f"urn:uuid:{r['destinationNodeIdentifier']}"
        assert r["originNodeIdentifier"] == exports.course_identifier(CATALOG, r["originNodeHumanCodingScheme"])

    sheet = book["Decisions"]
    header = [c.value for c in sheet[1]]
    assert header == DECISION_COLUMNS + ["catalog", "course_title", "display_code", "standard_text"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:L{sheet.max_row}"
    table = pd.DataFrame([[c.value or "" for c in row] for row in sheet.iter_rows(min_row=2)], columns=header)
    assert sorted(table["decision"]) == ["accepted", "accepted", "rejected", "rejected"]
    titles = courses.set_index("course_id")["title"]
    assert all(table["course_title"] == [titles[c] for c in table["course_id"]])
    # a note that looks like a formula stays text (with the writer's leading apostrophe)
    cell = next(c for c in sheet["G"][1:] if c.value and c.value.startswith("'=HYPERLINK"))
    assert cell.data_type == "s"

    path = exports.write_excel(decisions, tmp_path / "decisions.xlsx", catalog=CATALOG)
    assert load_workbook(path).sheetnames == ["CF Association", "Decisions"]


# ------------------------------------------------------------------ CASE

def test_case_package_has_only_accepted_decisions_as_associations(decisions, standards_table, courses, picks):
    package = exports.to_case(decisions, catalog=CATALOG, standards=standards_table, courses=courses)
    assert set(package) == {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions"}
    document = package["CFDocument"]
    for key in ("identifier", "uri", "creator", "title", "lastChangeDateTime"):
        assert document[key]
    alignments = [a for a in package["CFAssociations"] if a["associationType"] != "isChildOf"]
    assert len(alignments) == len(accepted_pairs(decisions))
    items = {item["identifier"]: item for item in package["CFItems"]}
    by_course = {item["humanCodingScheme"]: item for item in package["CFItems"]}
    chosen = decisions[decisions["catalog"] == CATALOG].set_index(["course_id", "standard_id"])
    seen = set()
    for a in alignments:
        assert UUID.match(a["identifier"]) and a["uri"] == f"urn:uuid:{a['identifier']}"
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", a["lastChangeDateTime"])
        for end in ("originNodeURI", "destinationNodeURI"):
            assert set(a[end]) == {"title", "identifier", "uri"}
            assert UUID.match(a[end]["identifier"]) and a[end]["uri"].endswith(a[end]["identifier"])
        course = items[a["originNodeURI"]["identifier"]]  # origin: a course item in the package
        assert course["CFItemType"] == "Course"
        standard_id = next(s for s in standards_table["standard_id"]
                           if exports.standard_identifier(s) == a["destinationNodeURI"]["identifier"])
        row = chosen.loc[(course["humanCodingScheme"], standard_id)]
        assert row["decision"] == "accepted"
        assert a["associationType"] == row["association_type"]
        seen.add((course["humanCodingScheme"], standard_id))
    assert seen == accepted_pairs(decisions)
    assert {a["associationType"] for a in alignments} == {"exactMatchOf", "isRelatedTo"}
    c1 = picks["courses"][0]
    assert by_course[c1]["fullStatement"] == courses.set_index("course_id").loc[c1, "title"]
    assert by_course[c1]["identifier"] == str(uuid.uuid5(case.NAMESPACE, f"course:{CATALOG}\x1f{c1}"))
    # every course item hangs off the document (a well-formed CASE tree)
    child_of = [a for a in package["CFAssociations"] if a["associationType"] == "isChildOf"]
    assert {a["originNodeURI"]["identifier"] for a in child_of} == set(items)
    assert {a["destinationNodeURI"]["identifier"] for a in child_of} == {document["identifier"]}


def test_case_destinations_are_the_standards_framework_items(decisions, standards_table):
    """Exported associations point at the very CFItems alignment.data.case exports for the frameworks."""
    package = exports.to_case(decisions, catalog=CATALOG, standards=standards_table)
    wanted = {a["destinationNodeURI"]["identifier"]: a["destinationNodeURI"]["title"]
              for a in package["CFAssociations"] if a["associationType"] != "isChildOf"}
    framework_items = {}
    for framework in ("ccss_math", "cte_pathway"):
        framework_package = case.to_case(standards_table[standards_table["framework"] == framework])
        framework_items.update({i["identifier"]: i.get("humanCodingScheme") for i in framework_package["CFItems"]})
    assert set(wanted) <= set(framework_items)
    assert all(wanted[i] == framework_items[i] for i in wanted)  # titled by display code, as there


def test_case_bytes_are_deterministic_json(decisions):
    first = exports.to_case_bytes(decisions, catalog=CATALOG, base_uri="https://example.org/case")
    assert first == exports.to_case_bytes(decisions, catalog=CATALOG, base_uri="https://example.org/case")
    package = json.loads(first.decode("utf-8"))
    association = next(a for a in package["CFAssociations"] if a["associationType"] != "isChildOf")
    assert association["uri"] == f"https://example.org/case/CFAssociations/{association['identifier']}"
    assert association["destinationNodeURI"]["uri"].startswith("https://example.org/case/CFItems/")


def test_case_refuses_suggestions_and_ambiguous_catalogs(decisions, picks):
    suggestions = pd.DataFrame({
        "course_id": picks["courses"][:1], "standard_id": picks["math"][:1], "framework": ["ccss_math"],
        "code": picks["math"][:1], "score": [0.9], "rank": [1], "band": ["high"], "evidence": [""],
    })
    with pytest.raises(InputError, match="suggestions table"):
        exports.to_case(suggestions, catalog=CATALOG)
    with pytest.raises(InputError, match="suggestions table"):
        exports.to_excel_bytes(suggestions, catalog=CATALOG)
    with pytest.raises(ValueError, match="2 catalogs"):
        exports.to_case(decisions)
    only_rejected = decisions[decisions["decision"] == "rejected"]
    package = exports.to_case(only_rejected, catalog=CATALOG)
    assert package["CFAssociations"] == [] and package["CFItems"] == []


def test_injected_identifier_function(decisions):
    package = exports.to_case(decisions, catalog=CATALOG, standard_identifier=lambda s: str(uuid.uuid5(uuid.NAMESPACE_URL, s)))
    ids = {a["destinationNodeURI"]["identifier"] for a in package["CFAssociations"] if a["associationType"] != "isChildOf"}
    assert ids == {str(uuid.uuid5(uuid.NAMESPACE_URL, s)) for _, s in accepted_pairs(decisions)}
