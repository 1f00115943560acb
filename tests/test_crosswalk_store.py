"""Crosswalk decisions in the review store: schema version 5 (an older store migrates
without loss), one audited transaction per decision, append-only audit, undo, refusals,
progress and status; and the CASE export of a reviewed crosswalk, validated against the
CASE 1.0 CFPackage schema. Real ids from the bundled standards (the 2013 AME rows)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from alignment.io.errors import InputError
from alignment.review import store as review_store
from alignment.review.crosswalk_store import CARRIED_COLUMNS, CROSSWALK_DECISION_COLUMNS, CrosswalkReviews
from alignment.review.store import SCHEMA_VERSION, ReviewStore
from alignment.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
CATALOG = "westview_2025_26"
A, B = "2013", "2023-draft"


def ame_2013_ids() -> list[str]:
    df = pd.read_csv(get_settings().standards_data_dir / "standards.csv", dtype=str, keep_default_na=False)
    ids = df.loc[df["sector"] == "Arts, Media, and Entertainment", "standard_id"].tolist()
    assert len(ids) >= 4
    return ids


@pytest.fixture()
def reviews(tmp_path):
    store = ReviewStore(tmp_path / "reviews.sqlite3", create=True)
    yield CrosswalkReviews(store)
    store.close()


def suggestions(pairs: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame([{"from_edition": A, "to_edition": B, "from_id": f, "to_id": t, "rank": r, "score": 0.6 - r / 10,
                          "band": "strong", "evidence": "shared terms: safety"} for f, t, r in pairs])


def make_v3_store(path: Path, course: str, standard: str) -> None:
    """A review store as release 3 wrote it, with one decision and its audit row."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    for migrate in review_store.MIGRATIONS[:3]:
        migrate(con)
    con.execute("PRAGMA user_version = 3")
    new = {"decision": "accepted", "association_type": "exactMatchOf", "origin": "suggestion", "reviewer": "ana",
           "note": "v3", "decided_at": "2025-09-01T10:00:00.000000Z"}
    con.execute("INSERT INTO decisions (catalog, course_id, standard_id, decision, association_type, origin, reviewer, "
                "note, decided_at) VALUES (?, ?, ?, 'accepted', 'exactMatchOf', 'suggestion', 'ana', 'v3', ?)",
                (CATALOG, course, standard, new["decided_at"]))
    con.execute("INSERT INTO audit (at, reviewer, catalog, course_id, standard_id, action, previous, new) "
                "VALUES (?, 'ana', ?, ?, ?, 'record', NULL, ?)", (new["decided_at"], CATALOG, course, standard,
                                                                   json.dumps(new)))
    con.execute("COMMIT")
    con.close()


def test_a_version_3_store_migrates_without_loss(tmp_path):
    ids = ame_2013_ids()
    path = tmp_path / "v3.sqlite3"
    make_v3_store(path, "000217-000218", ids[0])
    with ReviewStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 5
        decisions = store.decisions()
        assert decisions[["course_id", "standard_id", "decision", "reviewer", "note"]].values.tolist() == [
            ["000217-000218", ids[0], "accepted", "ana", "v3"]]
        assert store.audit()["action"].tolist() == ["record"]
        assert store.undo(CATALOG, "ana")["restored"] is None  # the old audit row still undoes
        reviews = CrosswalkReviews(store)
        reviews.record(A, B, ids[0], ids[1], "exact", "bo")
        assert len(reviews.decisions()) == 1 and len(reviews.audit()) == 1
    with ReviewStore(path) as store:  # reopening changes nothing
        assert store.schema_version == 5 and len(CrosswalkReviews(store).decisions()) == 1


def test_decisions_are_audited_and_the_audit_is_append_only(reviews):
    a1, a2, b1, b2 = ame_2013_ids()[:4]
    saved = reviews.record(A, B, a1, b1, "exact", "ana", note="renumbered")
    assert list(saved) == CROSSWALK_DECISION_COLUMNS and saved["decision"] == "exact"
    reviews.record(A, B, a1, b1, "related", "bo")
    reviews.record(A, B, a2, b2, "none", "ana")
    current = reviews.decisions(A, B)
    assert sorted(current[["from_id", "to_id", "decision", "reviewer"]].values.tolist()) == sorted([
        [a1, b1, "related", "bo"], [a2, b2, "none", "ana"]])
    trail = reviews.audit(A, B)
    assert trail["action"].tolist() == ["record"] * 3
    assert json.loads(trail["new"][1])["decision"] == "related"
    assert json.loads(trail["previous"][1])["decision"] == "exact"
    for statement in ("DELETE FROM crosswalk_audit", "UPDATE crosswalk_audit SET reviewer = 'x'"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            reviews.store._con.execute(statement)
    assert len(reviews.audit()) == 3


def test_undo_restores_and_refuses_after_someone_else(reviews):
    a1, _, b1, _ = ame_2013_ids()[:4]
    reviews.record(A, B, a1, b1, "exact", "ana")
    reviews.record(A, B, a1, b1, "none", "ana")
    undone = reviews.undo("ana", A, B)
    assert undone["restored"]["decision"] == "exact"
    assert reviews.decisions(A, B)["decision"].tolist() == ["exact"]
    reviews.record(A, B, a1, b1, "related", "bo")
    with pytest.raises(ValueError, match="bo changed it after ana"):
        reviews.undo("ana", A, B)
    assert reviews.decisions(A, B)["decision"].tolist() == ["related"]
    assert reviews.audit()["action"].tolist() == ["record", "record", "undo", "record"]
    assert reviews.undo("bo", A, B)["restored"]["decision"] == "exact"
    assert reviews.undo("nobody", A, B) is None


@pytest.mark.parametrize("change, message", [
    ({"decision": "maybe"}, "decision 'maybe' is not one of exact, related, none"),
    ({"reviewer": " "}, "reviewer is empty"),
    ({"to_id": ""}, "to_id is empty"),
    ({"note": "x" * 3000}, "note is 3000 characters long"),
])
def test_bad_decisions_are_refused_before_writing(reviews, change, message):
    a1, _, b1, _ = ame_2013_ids()[:4]
    args = {"from_edition": A, "to_edition": B, "from_id": a1, "to_id": b1, "decision": "exact", "reviewer": "ana",
            **change}
    note = args.pop("note", "")
    with pytest.raises(InputError, match=message):
        reviews.record(**args, note=note)
    assert reviews.decisions().empty and reviews.audit().empty


def test_progress_and_status_per_standard(reviews):
    a1, a2, b1, b2 = ame_2013_ids()[:4]
    assert reviews.register(suggestions([(a1, b1, 1), (a1, b2, 2), (a2, b1, 1), (a2, b2, 2)])) == 4
    assert reviews.crosswalks() == [(A, B)]
    assert reviews.progress(A, B) == {"standards": 2, "standards_decided": 0, "pairs": 4, "pairs_decided": 0}
    reviews.record(A, B, a1, b2, "exact", "ana")
    reviews.record(A, B, a2, b1, "none", "ana")
    reviews.record(A, B, a2, b2, "none", "ana")
    status = reviews.status(A, B).set_index("from_id")
    assert status.loc[a1, ["status", "exact", "undecided"]].tolist() == ["exact", b2, 1]
    assert status.loc[a2, ["status", "undecided"]].tolist() == ["no counterpart", 0]
    assert reviews.progress(A, B) == {"standards": 2, "standards_decided": 2, "pairs": 4, "pairs_decided": 3}
    # registering again keeps the pairs (no duplicates)
    reviews.register(suggestions([(a1, b1, 1)]))
    assert len(reviews.suggestions(A, B)) == 4
    assert list(reviews.carried().columns) == CARRIED_COLUMNS


# ------------------------------------------------------------------ CASE export

@pytest.fixture(scope="module")
def case_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "tests" / "data" / "case-v1p0-cfpackage-schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_crosswalk_case_export_is_valid_case_1_0(reviews, case_validator, tmp_path):
    from alignment.data.standards import load_standards
    from alignment.present.crosswalk_exports import crosswalk_to_case, write_crosswalk
    from alignment.present.exports import standard_identifier

    a1, a2, b1, b2 = ame_2013_ids()[:4]
    reviews.record(A, B, a1, b1, "exact", "ana", note="same wording")
    reviews.record(A, B, a1, b2, "related", "ana")
    reviews.record(A, B, a2, b1, "none", "ana")
    reviews.record(A, "other", a2, b1, "exact", "ana")  # another crosswalk: not in this package
    decisions = reviews.decisions()
    package = crosswalk_to_case(decisions, from_edition=A, to_edition=B, standards=load_standards())
    errors = list(case_validator.iter_errors(package))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    links = [(a["originNodeURI"]["identifier"], a["associationType"], a["destinationNodeURI"]["identifier"])
             for a in package["CFAssociations"]]
    assert links == [(standard_identifier(a1), "exactMatchOf", standard_identifier(b1)),
                     (standard_identifier(a1), "isRelatedTo", standard_identifier(b2))]
    assert package["CFAssociations"][0]["notes"] == "same wording"
    assert all(a["CFDocumentURI"]["identifier"] == package["CFDocument"]["identifier"]
               for a in package["CFAssociations"])
    notes = json.loads(package["CFDocument"]["notes"])["pathway_align"]["crosswalk"]
    assert notes["no_counterpart"] == [a2] and (notes["from_edition"], notes["to_edition"]) == (A, B)
    # the validator refuses a broken one, so the check above can fail
    package["CFAssociations"][0]["associationType"] = "sameAs"
    assert list(case_validator.iter_errors(package))
    # the file writer: the same package, deterministic
    out = write_crosswalk(decisions, tmp_path / "x.json", from_edition=A, to_edition=B)
    again = write_crosswalk(decisions, tmp_path / "y.json", from_edition=A, to_edition=B)
    assert out.read_bytes() == again.read_bytes()
    assert len(json.loads(out.read_text())["CFAssociations"]) == 2
    with pytest.raises(InputError, match="cannot be written as .pdf"):
        write_crosswalk(decisions, tmp_path / "x.pdf", from_edition=A, to_edition=B)
