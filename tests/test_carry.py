"""Carrying reviewed course alignments from the 2013 AME standards to the 2023 draft
(``alignment.analysis.carry``), recording them in the review store and the report, and
the ``pathway-align crosswalk export|carry`` commands. Real rows: the bundled 2013 AME
fragments and the 2023 draft imported from CDE's document; real Westview courses. The
crosswalk decisions are a reviewer's (the test's), on pairs whose texts make them plain:
2013 PMA C1.0 "Demonstrate knowledge of industry safety standards and practices in all
areas of technical production" is exactly 2023 anchor 6.2 "Practice workplace safety as
defined by industry standards, ..."."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alignment.analysis.carry import CARRY_COLUMNS, REPORT_PARTS, carry_decisions, carry_report, write_carry_report
from alignment.data.standards import load_standards
from alignment.review.crosswalk_store import CrosswalkReviews
from alignment.review.store import ReviewStore

ROOT = Path(__file__).resolve().parents[1]
CATALOG = "westview_2025_26"
A, B = "2013", "2023-draft"
TECH_THEATER, STUDIO_ART = "000340-000341", "000157-000158"
OLD = "CA-CTE.PATHWAY.AME."
NEW = "CA-CTE.2023-DRAFT.AME."
SAFETY, SAFETY_NEW = OLD + "PMA.C1.0", NEW + "ANCHOR.6.2"
EXPERTS, EXPERTS_NEW = "CA-CTE.ANCHOR.AME.10.4", NEW + "INTERDISCIPLINARY.16.6"
MATERIAL, MATERIAL_NEW = OLD + "DVMA.A1.9", NEW + "PATHWAY.SA.17.5"
DISTORTION, DISTORTION_CANDIDATE = OLD + "DVMA.A1.8", NEW + "PATHWAY.DC.18.7"
REORGANIZE, MOOD, MEDIUMS = OLD + "DVMA.A1.0", OLD + "DVMA.A1.3", NEW + "PATHWAY.SA.17.7"
INTENT = OLD + "DVMA.A1.4"
ART_PRINCIPLES = NEW + "ANCHOR.1.4"


@pytest.fixture(scope="module")
def standards() -> pd.DataFrame:
    return load_standards()


@pytest.fixture(scope="module")
def edition_b(standards) -> pd.DataFrame:
    ame = standards[(standards["sector"] == "Arts, Media, and Entertainment") & (standards["edition"] == B)]
    used = [SAFETY_NEW, EXPERTS_NEW, MATERIAL_NEW, DISTORTION_CANDIDATE, MEDIUMS, ART_PRINCIPLES]
    assert set(used) <= set(ame["standard_id"]), "the 2023 draft rows are in standards.csv"
    return ame


@pytest.fixture()
def store(tmp_path, standards):
    old = set(standards.loc[standards["edition"] == A, "standard_id"])
    assert {SAFETY, EXPERTS, MATERIAL, DISTORTION, REORGANIZE, MOOD, INTENT} <= old
    store = ReviewStore(tmp_path / "reviews.sqlite3", create=True)
    # the county's reviewed 2013 alignments
    store.record(CATALOG, TECH_THEATER, SAFETY, "accepted", "ana")
    store.record(CATALOG, TECH_THEATER, EXPERTS, "accepted", "ana", association_type="isRelatedTo")
    store.record(CATALOG, TECH_THEATER, MATERIAL, "rejected", "ana")
    store.record(CATALOG, TECH_THEATER, DISTORTION, "accepted", "ana")
    store.record(CATALOG, STUDIO_ART, REORGANIZE, "accepted", "bo")
    store.record(CATALOG, STUDIO_ART, MOOD, "rejected", "bo")
    store.record(CATALOG, STUDIO_ART, INTENT, "accepted", "bo")
    store.record(CATALOG, STUDIO_ART, ART_PRINCIPLES, "accepted", "bo")  # already reviewed against the draft
    # the reviewed crosswalk
    xw = CrosswalkReviews(store)
    xw.record(A, B, SAFETY, SAFETY_NEW, "exact", "cy")
    xw.record(A, B, EXPERTS, EXPERTS_NEW, "related", "cy")
    xw.record(A, B, MATERIAL, MATERIAL_NEW, "exact", "cy")
    xw.record(A, B, DISTORTION, DISTORTION_CANDIDATE, "none", "cy")
    xw.record(A, B, REORGANIZE, MEDIUMS, "exact", "cy")
    xw.record(A, B, MOOD, MEDIUMS, "exact", "cy")
    yield store
    store.close()


def carried_of(store, edition_b):
    xw = CrosswalkReviews(store).decisions(A, B)
    return carry_decisions(store.decisions(CATALOG), xw, audit=store.audit(CATALOG), standards_b=edition_b)


def test_reviewed_alignments_carry_through_the_reviewed_crosswalk(store, edition_b):
    carried = carried_of(store, edition_b)
    assert list(carried.columns) == CARRY_COLUMNS
    got = carried[["course_id", "standard_id", "status", "decision", "association_type", "source_standard_id"]]
    assert got.values.tolist() == [
        [STUDIO_ART, MEDIUMS, "needs review", "", "", REORGANIZE],  # accepted and rejected lead here: no guess
        [STUDIO_ART, MEDIUMS, "needs review", "", "", MOOD],
        [TECH_THEATER, SAFETY_NEW, "carried", "accepted", "exactMatchOf", SAFETY],
        [TECH_THEATER, EXPERTS_NEW, "needs review", "", "", EXPERTS],  # related: a new review
        [TECH_THEATER, MATERIAL_NEW, "carried", "rejected", "exactMatchOf", MATERIAL],
    ]
    safety = carried[carried["standard_id"] == SAFETY_NEW].iloc[0]
    audit = store.audit(CATALOG, course_id=TECH_THEATER, standard_id=SAFETY)
    assert safety["source_audit_id"] == audit["id"].iloc[-1]
    assert (safety["source_reviewer"], safety["crosswalk_decision"], safety["crosswalk_reviewer"]) == ("ana", "exact", "cy")
    assert (safety["to_code"], safety["to_framework"], safety["from_edition"], safety["to_edition"]) == (
        "AME 6.2", "cte_anchor", A, B)
    assert DISTORTION not in set(carried["source_standard_id"])  # none: nothing carries
    assert "conflicting" in carried.loc[0, "reason"]


def test_carried_decisions_are_recorded_audited_and_undone_as_one(store, edition_b):
    carried = carried_of(store, edition_b)
    reviews = CrosswalkReviews(store)
    before = len(store.audit(CATALOG))
    result = reviews.record_carried(CATALOG, carried, "dee")
    assert (result["recorded"], result["to_review"], result["skipped"]) == (2, 2, 0)
    now = store.decisions(CATALOG).set_index(["course_id", "standard_id"])
    assert now.loc[(TECH_THEATER, SAFETY_NEW), ["decision", "association_type", "reviewer"]].tolist() == [
        "accepted", "exactMatchOf", "dee"]
    assert now.loc[(TECH_THEATER, SAFETY_NEW), "note"].startswith(f"carried from {SAFETY} (2013): accepted by ana")
    assert now.loc[(TECH_THEATER, MATERIAL_NEW), "decision"] == "rejected"
    assert (TECH_THEATER, EXPERTS_NEW) not in now.index  # needs review: shown, not decided
    shown = store._con.execute("SELECT course_id, standard_id, band FROM suggestions ORDER BY 1, 2").fetchall()
    assert shown == [(STUDIO_ART, MEDIUMS, "carried"), (TECH_THEATER, EXPERTS_NEW, "carried")]
    rows = reviews.carried(CATALOG)
    assert len(rows) == 5 and set(rows["status"]) == {"carried", "needs review"}
    source = store.audit(CATALOG, course_id=TECH_THEATER, standard_id=SAFETY)["id"].iloc[-1]
    assert rows.set_index("standard_id").loc[SAFETY_NEW, "source_audit_id"] == source
    trail = store.audit(CATALOG).iloc[before:]
    assert len(trail) == 2 and trail["batch"].nunique() == 1 and set(trail["reviewer"]) == {"dee"}
    # carrying again overwrites nothing
    assert reviews.record_carried(CATALOG, carried, "dee")["recorded"] == 0
    # the bulk undo of the review store reverts the carried decisions as one unit
    undone = store.undo(CATALOG, "dee")
    assert sorted(undone["pairs"]) == sorted([(TECH_THEATER, SAFETY_NEW), (TECH_THEATER, MATERIAL_NEW)])
    assert SAFETY_NEW not in set(store.decisions(CATALOG)["standard_id"])


def test_carry_over_report(store, edition_b, tmp_path):
    carried = carried_of(store, edition_b)
    decisions = store.decisions(CATALOG)
    xw = CrosswalkReviews(store).decisions(A, B)
    old_ids = [s for s in load_standards().query("edition == @A")["standard_id"] if s.startswith(("CA-CTE.PATHWAY.AME",
                                                                                                    "CA-CTE.ANCHOR.AME"))]
    report = carry_report(carried, decisions, xw, edition_b, from_ids=old_ids, decisions_b=decisions)
    assert list(report) == REPORT_PARTS
    summary = dict(zip(report["summary"]["measure"], report["summary"]["count"]))
    assert summary["course decisions on edition-A standards"] == 7
    assert summary["carried (exact counterpart)"] == 2 and summary["  of which accepted"] == 1
    assert summary["need a new review (related or conflicting)"] == 3
    not_carried = report["not carried"].set_index("source_standard_id")["reason"].to_dict()
    assert not_carried == {DISTORTION: "no counterpart in the new edition (crosswalk: none)",
                           INTENT: "crosswalk not reviewed for this standard yet"}
    uncovered = report["uncovered"]
    draft = edition_b[edition_b["kind"] != "heading"]
    # covered: 6.2 (carried, accepted) and 1.4 (reviewed against the draft already)
    assert len(uncovered) == len(draft) - 2 == summary["edition-B standards no course covers yet"]
    assert not {SAFETY_NEW, ART_PRINCIPLES} & set(uncovered["standard_id"])
    assert uncovered.set_index("standard_id").loc[MEDIUMS, "pending_review"] == 2
    # written through the one writer
    from openpyxl import load_workbook

    book = load_workbook(write_carry_report(report, tmp_path / "carry.xlsx"))
    assert book.sheetnames == REPORT_PARTS and book["carried"].max_row == 3
    table = pd.read_csv(write_carry_report(report, tmp_path / "carry.csv"), dtype=str, keep_default_na=False)
    assert table["part"].value_counts().to_dict() == {"needs review": 3, "carried": 2, "not carried": 2}


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "alignment.present.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)


def test_crosswalk_export_and_carry_commands(store, tmp_path):
    path = str(store.path)
    sector = ["--sector", "Arts, Media, and Entertainment"]
    result = _cli("crosswalk", "export", "--from", A, "--to", B, "--review-db", path, "-o", str(tmp_path / "x.json"))
    assert result.returncode == 0, result.stderr
    package = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    assert [a["associationType"] for a in package["CFAssociations"]] == ["isRelatedTo", "exactMatchOf", "exactMatchOf",
                                                                         "exactMatchOf", "exactMatchOf"]
    result = _cli("crosswalk", "carry", "--from", A, "--to", B, *sector, "--review-db", path, "--write",
                  "--reviewer", "dee", "-o", str(tmp_path / "carry.xlsx"))
    assert result.returncode == 0, result.stderr
    assert "recorded 2 carried decisions, 2 to review" in result.stderr
    assert "course decisions on edition-A standards: 7" in result.stderr
    assert (tmp_path / "carry.xlsx").exists()
    with ReviewStore(path, read_only=True) as again:
        assert SAFETY_NEW in set(again.decisions(CATALOG)["standard_id"])
    for args, message in [
        (["carry", "--from", A, "--to", "2031", "-o", str(tmp_path / "c.csv")],
         "no standards of edition '2031' are loaded; loaded editions: 2010, 2013, 2023-draft"),
        (["carry", "--from", A, "--to", B, "--write", "-o", str(tmp_path / "c.csv")], "--reviewer NAME"),
        (["export", "--from", A, "--to", B, "-o", str(tmp_path / "x.pdf")], "cannot be written as .pdf"),
    ]:
        result = _cli("crosswalk", *args, "--review-db", path)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
