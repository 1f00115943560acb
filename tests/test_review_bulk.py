"""Bulk decisions ("accept all strong", "reject the rest"): one transaction, one audited
row per decision sharing a batch id, undone as one unit; and a store of schema version 2
migrates to the batch column. Real Westview course ids and bundled standard ids; the
session tests use the stub aligner of ``test_ui`` (no models)."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest
from test_review import CATALOG, real_course_ids, real_standard_ids
from test_ui import StubAligner

from alignment.io.errors import InputError
from alignment.review import store as review
from alignment.review.store import SCHEMA_VERSION, ReviewStore
from alignment.ui.review_session import ReviewSession

FINANCE = "000217-000218"


@pytest.fixture()
def store(tmp_path):
    with ReviewStore(tmp_path / "review.db", create=True) as s:
        yield s


def snapshot(store):
    return store.decisions().to_dict("records"), store.audit().to_dict("records")


def test_bulk_accept_then_undo_restores_the_store_exactly(store):
    (c1, c2), stds = real_course_ids(2), real_standard_ids(4)
    store.record(CATALOG, c1, stds[0], "rejected", "ana", note="before")
    store.record(CATALOG, c2, stds[1], "accepted", "ana")
    before_decisions, before_audit = snapshot(store)

    items = [{"course_id": c1, "standard_id": s, "decision": "accepted"} for s in stds]
    result = store.record_many(CATALOG, items, "ana")
    assert result["recorded"] == 4 and result["skipped"] == 0 and len(result["batch"]) == 32
    after = store.decisions()
    assert set(after.loc[after["course_id"] == c1, "decision"]) == {"accepted"}
    audit = store.audit()
    bulk_rows = audit.iloc[len(before_audit):]
    assert bulk_rows["action"].tolist() == ["record"] * 4 and set(bulk_rows["batch"]) == {result["batch"]}
    # the overwritten decision is kept in the audit row's previous value
    assert json.loads(bulk_rows.iloc[0]["previous"])["note"] == "before"

    undone = store.undo(CATALOG, "ana")
    assert undone["batch"] == result["batch"] and sorted(undone["pairs"]) == sorted((c1, s) for s in stds)
    decisions, audit = snapshot(store)
    assert decisions == before_decisions  # the store is exactly as before
    assert audit[:len(before_audit)] == before_audit  # the trail before the bulk action is untouched
    undo_rows = audit[len(before_audit) + 4:]
    assert [r["action"] for r in undo_rows] == ["undo"] * 4
    assert sorted(r["reverts"] for r in undo_rows) == sorted(bulk_rows["id"].tolist())
    assert {r["batch"] for r in undo_rows} == {result["batch"]}
    # the next undo goes to the decision before the bulk action
    assert store.undo(CATALOG, "ana")["pairs"] == [(c2, stds[1])]


def test_a_bad_item_writes_nothing(store):
    (c1,), stds = real_course_ids(1), real_standard_ids(2)
    with pytest.raises(InputError, match="item 2: decision 'maybe'"):
        store.record_many(CATALOG, [{"course_id": c1, "standard_id": stds[0], "decision": "accepted"},
                                    {"course_id": c1, "standard_id": stds[1], "decision": "maybe"}], "ana")
    assert store.decisions().empty and store.audit().empty


def test_unchanged_pairs_are_skipped_and_an_empty_bulk_has_no_batch(store):
    (c1,), stds = real_course_ids(1), real_standard_ids(2)
    store.record(CATALOG, c1, stds[0], "accepted", "bo")
    result = store.record_many(CATALOG, [{"course_id": c1, "standard_id": stds[0], "decision": "accepted"}], "ana")
    assert result == {"batch": None, "recorded": 0, "skipped": 1}
    assert len(store.audit()) == 1


def test_undo_of_a_batch_is_refused_whole_when_someone_changed_one_pair(store):
    (c1,), stds = real_course_ids(1), real_standard_ids(3)
    store.record_many(CATALOG, [{"course_id": c1, "standard_id": s, "decision": "accepted"} for s in stds], "ana")
    store.record(CATALOG, c1, stds[1], "rejected", "bo")
    before = snapshot(store)
    with pytest.raises(ValueError, match="bo changed it after ana"):
        store.undo(CATALOG, "ana")
    assert snapshot(store) == before


def make_v2_db(path, course, standard):
    """A store as release 2 wrote it (no batch column), with one decision."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    review._migrate_to_1(con)
    review._migrate_to_2(con)
    con.execute("PRAGMA user_version = 2")
    new = {"decision": "accepted", "association_type": "exactMatchOf", "origin": "suggestion", "reviewer": "ana",
           "note": "v2", "decided_at": "2026-01-01T10:00:00.000000Z"}
    con.execute("INSERT INTO decisions VALUES (?, ?, ?, 'accepted', 'ana', 'v2', ?, 'exactMatchOf', 'suggestion')",
                (CATALOG, course, standard, new["decided_at"]))
    con.execute("INSERT INTO audit (at, reviewer, catalog, course_id, standard_id, action, previous, new) "
                "VALUES (?, 'ana', ?, ?, ?, 'record', NULL, ?)",
                (new["decided_at"], CATALOG, course, standard, json.dumps(new)))
    con.execute("COMMIT")
    con.close()


def test_a_version_2_store_migrates_and_takes_bulk_decisions(tmp_path):
    (c1, c2), stds = real_course_ids(2), real_standard_ids(3)
    path = tmp_path / "v2.db"
    make_v2_db(path, c1, stds[0])
    with ReviewStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION >= 3
        audit = store.audit()
        assert len(audit) == 1 and audit.iloc[0]["batch"] == ""
        result = store.record_many(CATALOG, [{"course_id": c2, "standard_id": s, "decision": "rejected"}
                                             for s in stds[1:]], "bo")
        assert result["recorded"] == 2
        assert store.undo(CATALOG, "bo")["batch"] == result["batch"]
        assert store.decisions()["note"].tolist() == ["v2"]
        assert store.undo(CATALOG, "ana")["restored"] is None  # a v2 audit row still undoes


# ------------------------------------------------------------------ through the session


@pytest.fixture()
def session(standards, catalog, store):
    s = ReviewSession(StubAligner(standards), standards, store, catalog, reviewer="Ana")
    s.select_catalog(s.catalog_key)
    return s


def test_session_accept_strong_then_reject_rest_then_undo_as_units(session, store):
    session.open_course(FINANCE)
    shown = session.view().suggestions
    math = shown[shown["framework"] == "ccss_math"]
    strong = math.loc[math["band"] == "strong", "standard_id"].tolist()
    rest = math.loc[math["band"] != "strong", "standard_id"].tolist()
    assert strong and rest
    first = session.bulk("ccss_math", "accept_strong")
    assert first["standard_ids"] == strong and first["recorded"] == len(strong)
    second = session.bulk("ccss_math", "reject_rest")
    assert second["standard_ids"] == rest
    decided = session.view().decisions
    assert {sid: decided[sid]["decision"] for sid in strong + rest} == {
        **{s: "accepted" for s in strong}, **{s: "rejected" for s in rest}}
    assert session.bulk("ccss_math", "reject_rest")["recorded"] == 0  # nothing left undecided
    assert session.undo_last()["batch"] == second["batch"]
    assert set(session.view().decisions) == set(strong)
    assert session.undo_last()["batch"] == first["batch"]
    assert session.view().decisions == {}
