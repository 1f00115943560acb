"""The review store: decisions, undo, audit trail, migrations, validation, progress, resume.

Real ids: standards from the bundled table (``standards_data/standards.csv``; the raw
CCSS math codes when it is absent) and Westview 2025-26 course ids.
"""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from alignment.settings import get_settings
from alignment.data.decisions import DECISION_COLUMNS, validate_decisions
from alignment.io.errors import InputError
from alignment.review.store import (
    AUDIT_COLUMNS, MAX_NOTE_CHARS, PROGRESS_COLUMNS, SCHEMA_VERSION, ReviewStore, SchemaVersionError,
)

CATALOG = "westview_2025_26"


def real_standard_ids(n: int) -> list[str]:
    df = pd.read_csv(get_settings().standards_data_dir / "standards.csv", dtype=str, keep_default_na=False)
    ids = df.loc[(df["framework"] == "ccss_math") & (df["kind"] != "heading"), "standard_id"]
    ids = [i for i in ids if i.startswith("CCSS.Math.Content.HS")]
    assert len(ids) >= n
    return ids[:n]


def real_course_ids(n: int) -> list[str]:
    df = pd.read_csv(get_settings().standards_data_dir / "catalogs" / "westview_2025_26_courses.csv", dtype=str)
    ids = list(dict.fromkeys(df["course_id"]))
    assert len(ids) >= n
    return ids[:n]


@pytest.fixture()
def ids():
    return real_course_ids(3), real_standard_ids(4)


@pytest.fixture()
def store(tmp_path):
    with ReviewStore(tmp_path / "review.db", create=True) as s:
        yield s


def test_new_store_is_wal_with_current_schema(store):
    con = sqlite3.connect(store.path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        con.close()
    assert store._con.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store._con.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_record_override_and_decisions_table_contract(store, ids):
    (course, _, _), (s1, s2, _, _) = ids
    store.record(CATALOG, course, s1, "accepted", "ana")
    store.record(CATALOG, course, s2, "Rejected ", "ana", note="too advanced")
    store.record(CATALOG, course, s1, "accepted", "bo", association_type="isRelatedTo", note="partly")

    df = store.decisions(CATALOG)
    assert list(df.columns) == DECISION_COLUMNS + ["catalog"]
    validate_decisions(df)  # the shared contract holds
    assert len(df) == 2
    row = df.set_index("standard_id").loc[s1]
    assert (row["decision"], row["association_type"], row["reviewer"], row["note"]) == \
        ("accepted", "isRelatedTo", "bo", "partly")
    assert df.set_index("standard_id").loc[s2, "decision"] == "rejected"
    assert row["decided_at"].endswith("Z")
    assert store.decisions("another_catalog").empty
    assert list(store.decisions("another_catalog").columns) == DECISION_COLUMNS + ["catalog"]


def test_reviewer_added_standard(store, ids):
    (course, _, _), (_, _, _, s4) = ids
    store.record(CATALOG, course, s4, "accepted", "ana", origin="reviewer")
    assert store.decisions().loc[0, "origin"] == "reviewer"


def test_audit_records_previous_and_new_values(store, ids):
    (course, _, _), (s1, _, _, _) = ids
    store.record(CATALOG, course, s1, "accepted", "ana")
    store.record(CATALOG, course, s1, "rejected", "bo", note="not taught")
    assert store.clear(CATALOG, course, s1, "bo") is True
    assert store.clear(CATALOG, course, s1, "bo") is False  # nothing to clear: no audit row

    audit = store.audit(CATALOG)
    assert list(audit.columns) == AUDIT_COLUMNS
    assert list(audit["action"]) == ["record", "record", "clear"]
    assert list(audit["reviewer"]) == ["ana", "bo", "bo"]
    first, second, third = (audit.loc[i, ["previous", "new"]] for i in range(3))
    assert first["previous"] == ""
    assert json.loads(first["new"])["decision"] == "accepted"
    assert json.loads(second["previous"]) == json.loads(first["new"])
    assert json.loads(second["new"])["note"] == "not taught"
    assert json.loads(third["previous"]) == json.loads(second["new"])
    assert third["new"] == ""
    assert store.decisions().empty
    assert (audit["course_id"] == course).all() and (audit["standard_id"] == s1).all()
    assert audit["at"].is_monotonic_increasing


def test_audit_is_append_only(store, ids):
    (course, _, _), (s1, _, _, _) = ids
    store.record(CATALOG, course, s1, "accepted", "ana")
    con = sqlite3.connect(store.path)  # even a raw connection cannot rewrite history
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("UPDATE audit SET reviewer = 'mallory'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute("DELETE FROM audit")
    finally:
        con.close()
    assert list(store.audit()["reviewer"]) == ["ana"]


def test_undo_walks_back_and_is_audited(store, ids):
    (course, _, _), (s1, s2, _, _) = ids
    store.record(CATALOG, course, s1, "accepted", "ana")
    store.record(CATALOG, course, s1, "rejected", "ana", note="changed my mind")
    store.record(CATALOG, course, s2, "accepted", "ana")

    undone = store.undo(CATALOG, "ana")  # the last change: s2 accepted -> undecided
    assert undone["standard_id"] == s2 and undone["restored"] is None
    assert list(store.decisions()["standard_id"]) == [s1]

    undone = store.undo(CATALOG, "ana")  # s1 rejected -> accepted again
    assert undone["standard_id"] == s1 and undone["restored"]["decision"] == "accepted"
    row = store.decisions().iloc[0]
    assert (row["decision"], row["note"]) == ("accepted", "")

    assert store.undo(CATALOG, "ana")["restored"] is None  # s1 accepted -> undecided
    assert store.decisions().empty
    assert store.undo(CATALOG, "ana") is None  # nothing left
    audit = store.audit()
    assert list(audit["action"]) == ["record"] * 3 + ["undo"] * 3
    assert list(audit["reverts"].iloc[3:]) == [3, 2, 1]


def test_undo_refuses_when_someone_else_changed_the_pair(store, ids):
    (course, _, _), (s1, _, _, _) = ids
    store.record(CATALOG, course, s1, "accepted", "ana")
    store.record(CATALOG, course, s1, "rejected", "bo")
    before = (store.decisions(), store.audit())
    with pytest.raises(ValueError, match="bo changed it"):
        store.undo(CATALOG, "ana")
    pd.testing.assert_frame_equal(store.decisions(), before[0])
    pd.testing.assert_frame_equal(store.audit(), before[1])
    assert store.undo(CATALOG, "bo", course_id=course, standard_id=s1)["restored"]["reviewer"] == "ana"


@pytest.mark.parametrize("change, message", [
    ({"decision": "maybe"}, "decision 'maybe' is not one of"),
    ({"decision": None}, "decision None"),
    ({"association_type": "exactMatch"}, "association_type"),
    ({"origin": "machine"}, "origin"),
    ({"course_id": "  "}, "course_id is empty"),
    ({"course_id": None}, "course_id must be text"),
    ({"standard_id": "CCSS.Math\nDROP"}, "line break"),
    ({"reviewer": ""}, "reviewer is empty"),
    ({"catalog": "x" * 500}, "catalog is 500 characters"),
    ({"note": "n" * (MAX_NOTE_CHARS + 1)}, "note is"),
])
def test_malformed_decision_is_refused_before_touching_the_db(store, ids, monkeypatch, change, message):
    (course, c2, _), (s1, s2, _, _) = ids
    store.record(CATALOG, course, s1, "accepted", "ana")
    store.record(CATALOG, c2, s2, "rejected", "ana", note="earlier")
    before = (store.decisions(), store.audit())

    def no_write(*args, **kwargs):
        raise AssertionError("the database was touched")

    monkeypatch.setattr(store, "_write", no_write)
    call = {"catalog": CATALOG, "course_id": course, "standard_id": s1, "decision": "rejected", "reviewer": "bo"}
    call.update(change)
    kwargs = {k: call.pop(k) for k in ("association_type", "origin", "note") if k in call}
    with pytest.raises(InputError, match=message):
        store.record(call["catalog"], call["course_id"], call["standard_id"], call["decision"], call["reviewer"],
                     **kwargs)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(store.decisions(), before[0])
    pd.testing.assert_frame_equal(store.audit(), before[1])
    assert store.integrity_check() == "ok"


def test_all_problems_reported_at_once(store):
    with pytest.raises(InputError) as err:
        store.record("", "", "", "yes", "")
    assert len(err.value.problems) == 5


def test_resume_position_survives_reopening(tmp_path, ids):
    (c1, c2, c3), _ = ids
    path = tmp_path / "review.db"
    with ReviewStore(path, create=True) as store:
        assert store.position("ana", CATALOG) is None
        store.set_position("ana", CATALOG, c1)
        store.set_position("ana", CATALOG, c2)
        store.set_position("bo", CATALOG, c3)
        store.set_position("ana", "other_catalog", c3)
    with ReviewStore(path) as store:
        assert store.position("ana", CATALOG) == c2
        assert store.position("bo", CATALOG) == c3
        assert store.position("ana", "other_catalog") == c3
        assert store.audit().empty  # navigation is not a decision


def suggestions_for(courses: list[str], standards: list[str]) -> pd.DataFrame:
    """A suggestions table shaped like Aligner.suggest's (plus its 'no pathway standards' note row)."""
    rows = [
        {"course_id": c, "standard_id": s, "framework": "ccss_math", "code": s, "score": 0.5 - 0.1 * r,
         "rank": r + 1, "band": "medium", "evidence": "", "display_code": s.removeprefix("CCSS.Math.Content.")}
        for c in courses for r, s in enumerate(standards)
    ]
    rows.append({"course_id": courses[0], "standard_id": "", "framework": "cte_pathway", "code": "", "score": float("nan"),
                 "rank": 0, "band": "none", "evidence": "", "display_code": ""})
    return pd.DataFrame(rows)


def test_progress_per_course_and_catalog(store, ids):
    (c1, c2, c3), (s1, s2, s3, s4) = ids
    suggestions = suggestions_for([c1, c2], [s1, s2, s3])
    assert store.register_suggestions(CATALOG, suggestions) == 6  # the note row is skipped
    assert store.register_suggestions(CATALOG, suggestions) == 6  # idempotent
    for s in (s1, s2, s3):
        store.record(CATALOG, c1, s, "accepted" if s != s2 else "rejected", "ana")
    store.record(CATALOG, c1, s4, "accepted", "ana", origin="reviewer")
    store.record(CATALOG, c2, s1, "rejected", "ana")
    store.record(CATALOG, c3, s1, "accepted", "ana", origin="reviewer")  # a course with nothing shown

    progress = store.progress(CATALOG).set_index("course_id")
    assert list(store.progress(CATALOG).columns) == PROGRESS_COLUMNS
    assert progress.loc[c1, ["suggestions", "reviewed", "accepted", "rejected", "added"]].tolist() == [3, 3, 2, 1, 1]
    assert bool(progress.loc[c1, "complete"]) is True
    assert progress.loc[c2, ["suggestions", "reviewed", "complete"]].tolist() == [3, 1, False]
    assert progress.loc[c3, ["suggestions", "added", "complete"]].tolist() == [0, 1, False]
    summary = store.progress_summary(CATALOG)
    assert summary == {"catalog": CATALOG, "courses": 2, "courses_complete": 1, "suggestions": 6, "reviewed": 4,
                       "fraction_reviewed": pytest.approx(4 / 6)}
    assert store.progress("empty_catalog").empty


def test_register_suggestions_needs_ids(store):
    with pytest.raises(InputError, match="missing column"):
        store.register_suggestions(CATALOG, pd.DataFrame({"course_id": ["x"]}))


# ------------------------------------------------------------------ migrations

V1_SCHEMA = """
CREATE TABLE decisions (
    catalog TEXT NOT NULL, course_id TEXT NOT NULL, standard_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    reviewer TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', decided_at TEXT NOT NULL,
    PRIMARY KEY (catalog, course_id, standard_id));
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, reviewer TEXT NOT NULL, catalog TEXT NOT NULL,
    course_id TEXT NOT NULL, standard_id TEXT NOT NULL, action TEXT NOT NULL, previous TEXT, new TEXT);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only: rows cannot be changed'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only: rows cannot be deleted'); END;
PRAGMA user_version = 1;
"""


def make_v1_db(path, course, standard):
    """A review store as release 1 wrote it (rollback journal, no association type or origin)."""
    con = sqlite3.connect(path)
    con.executescript(V1_SCHEMA)
    new = {"decision": "accepted", "reviewer": "ana", "note": "v1", "decided_at": "2025-09-01T10:00:00.000000Z"}
    con.execute("INSERT INTO decisions VALUES ('westview_2025_26', ?, ?, 'accepted', 'ana', 'v1', ?)",
                (course, standard, new["decided_at"]))
    con.execute("INSERT INTO audit (at, reviewer, catalog, course_id, standard_id, action, previous, new) "
                "VALUES (?, 'ana', 'westview_2025_26', ?, ?, 'record', NULL, ?)",
                (new["decided_at"], course, standard, json.dumps(new)))
    con.commit()
    con.close()


def test_v1_database_is_migrated_on_open(tmp_path, ids):
    (course, c2, _), (s1, s2, _, _) = ids
    path = tmp_path / "old.db"
    make_v1_db(path, course, s1)
    with ReviewStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        row = store.decisions().iloc[0]
        assert (row["course_id"], row["standard_id"], row["note"]) == (course, s1, "v1")
        assert (row["association_type"], row["origin"]) == ("exactMatchOf", "suggestion")
        assert len(store.audit()) == 1
        # the new features work on the migrated file
        store.record(CATALOG, c2, s2, "accepted", "bo", association_type="isRelatedTo")
        store.register_suggestions(CATALOG, suggestions_for([c2], [s2]))
        store.set_position("bo", CATALOG, c2)
        assert store.progress_summary(CATALOG)["reviewed"] == 1
        # a v1 audit row (without association_type/origin) can still be undone
        assert store.undo(CATALOG, "ana")["restored"] is None
        with pytest.raises(sqlite3.IntegrityError):
            store._con.execute("DELETE FROM audit")
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()
    with ReviewStore(path) as store:  # reopening an up-to-date file changes nothing
        assert store.schema_version == SCHEMA_VERSION and len(store.decisions()) == 1


def test_failed_migration_leaves_the_old_file_untouched(tmp_path, ids, monkeypatch):
    (course, _, _), (s1, _, _, _) = ids
    path = tmp_path / "old.db"
    make_v1_db(path, course, s1)

    def broken(con):
        con.execute("ALTER TABLE decisions ADD COLUMN half_done TEXT")
        raise RuntimeError("migration bug")

    from alignment.review import store as review
    monkeypatch.setattr(review, "MIGRATIONS", [review.MIGRATIONS[0], broken])
    with pytest.raises(RuntimeError, match="migration bug"):
        ReviewStore(path)
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
        assert "half_done" not in [r[1] for r in con.execute("PRAGMA table_info(decisions)")]
    finally:
        con.close()


def test_database_from_a_newer_release_is_refused_unchanged(tmp_path):
    path = tmp_path / "future.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE decisions (x)")
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(SchemaVersionError, match=f"version {SCHEMA_VERSION + 1}.*newer release"):
        ReviewStore(path)
    assert path.read_bytes() == before


def test_other_files_are_refused(tmp_path):
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE courses (id)")
    con.commit()
    con.close()
    with pytest.raises(SchemaVersionError, match="not a review store"):
        ReviewStore(foreign)
    junk = tmp_path / "notes.db"
    junk.write_text("not a database at all, just some text long enough to have a header......" * 3)
    with pytest.raises(SchemaVersionError, match="not a review store"):
        ReviewStore(junk)
    with pytest.raises(ValueError, match="file path"):
        ReviewStore(":memory:")


def test_closed_store_says_so(tmp_path):
    store = ReviewStore(tmp_path / "r.db", create=True)
    store.close()
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.decisions()
