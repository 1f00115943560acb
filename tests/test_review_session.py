"""The review session without widgets or a browser: the real bundled catalog and
standards (``standards_data/``), a real review store in a temp folder, and the stub
aligner of ``test_ui`` (first standards of each framework, sector-filtered like the
real one; no models) except in the one ``slow`` test that fits the real Aligner."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from test_review_store_open import read_only
from test_ui import StubAligner

from alignment.io.errors import InputError
from alignment.review.store import MissingStoreError, ReadOnlyStoreError, ReviewStore
from alignment.ui.review_session import ReviewRefused, ReviewSession, open_review_store

CATALOG = "westview_2025_26_courses.csv"
FINANCE = "000217-000218"  # INTRODUCTION TO FINANCE 1-2


@pytest.fixture(scope="module")
def stub(standards):
    return StubAligner(standards)


@pytest.fixture
def store(tmp_path):
    with ReviewStore(tmp_path / "reviews.sqlite3", create=True) as s:
        yield s


def make(stub, standards, catalog, store, reviewer=""):
    session = ReviewSession(stub, standards, store, catalog, reviewer=reviewer)
    session.select_catalog(CATALOG)
    return session


def test_the_session_reviews_the_bundled_catalog_by_its_file_name(stub, standards, catalog, store):
    session = make(stub, standards, catalog, store)
    assert session.catalog_key == CATALOG and len(session.course_ids) == len(catalog) == 197
    first = catalog["course_id"].iloc[0]
    assert session.course_id == first
    view = session.view()
    shown = view.suggestions[view.suggestions["standard_id"] != ""]
    # what was shown is registered: the denominator of progress
    assert store.progress(CATALOG)["suggestions"].tolist() == [len(shown)]
    assert view.decisions == {} and view.added == []
    assert all(session.code(s) for s in shown["standard_id"])


def test_a_decision_needs_a_reviewer_then_is_one_audited_write(stub, standards, catalog, store):
    session = make(stub, standards, catalog, store)
    session.open_course(FINANCE)
    first, second = session.view().suggestions.query("standard_id != ''")["standard_id"].iloc[:2]
    with pytest.raises(ReviewRefused, match="Type your name"):
        session.decide(first, "accepted")
    assert store.decisions().empty and store.audit().empty
    session.reviewer = "Ana"
    stored = session.decide(first, "accepted", association_type="isRelatedTo", note="<b>unit 3</b>")
    session.decide(second, "rejected")
    assert (stored["course_id"], stored["catalog"], stored["reviewer"]) == (FINANCE, CATALOG, "Ana")
    decided = session.view().decisions
    assert decided[first]["association_type"] == "isRelatedTo" and decided[first]["note"] == "<b>unit 3</b>"
    assert decided[second]["decision"] == "rejected" and len(store.audit()) == 2
    summary, course = session.progress()
    assert summary["reviewed"] == 2 and course["reviewed"] == 2 and course["course_id"] == FINANCE
    assert session.undo(second) and not session.undo(second)
    assert list(session.view().decisions) == [first]
    assert store.audit()["action"].tolist() == ["record", "record", "clear"]


def test_a_decision_lands_on_the_course_it_names_not_where_the_reviewer_is(stub, standards, catalog, store):
    session = make(stub, standards, catalog, store, reviewer="Ana")
    session.open_course(FINANCE)
    sid = session.view().suggestions.query("standard_id != ''")["standard_id"].iloc[0]
    session.step(+1)
    assert session.course_id != FINANCE
    session.decide(sid, "accepted", course_id=FINANCE)
    row = store.decisions(CATALOG).iloc[0]
    assert (row["course_id"], row["standard_id"]) == (FINANCE, sid)
    assert session.view().decisions == {}  # nothing on the course the reviewer is on


def test_a_refused_decision_changes_nothing_and_says_why(stub, standards, catalog, store):
    session = make(stub, standards, catalog, store, reviewer="Ana")
    first, second = session.view().suggestions.query("standard_id != ''")["standard_id"].iloc[:2]
    session.decide(first, "accepted")
    with pytest.raises(InputError, match="note is 2001 characters"):
        session.decide(second, "accepted", note="x" * 2_001)
    with pytest.raises(InputError, match="decision 'maybe'"):
        session.decide(second, "maybe")
    assert store.decisions()["standard_id"].tolist() == [first] and store.integrity_check() == "ok"
    with pytest.raises(ReviewRefused, match="not in westview"):
        session.open_course("NO-SUCH-COURSE")


def test_reopening_resumes_at_the_reviewers_last_course(stub, standards, catalog, store):
    session = make(stub, standards, catalog, store, reviewer="Ana")
    session.step(+3)
    fourth = catalog["course_id"].iloc[3]
    assert session.course_id == fourth and store.position("Ana", CATALOG) == fourth
    session.step(-4)  # wraps around to the last course
    assert session.course_id == catalog["course_id"].iloc[-1]
    session.open_course(fourth)

    again = ReviewSession(stub, standards, store, catalog)  # a new page: nobody typed a name yet
    assert again.select_catalog(CATALOG) is False and again.course_id == catalog["course_id"].iloc[0]
    again.reviewer = "Ana"
    assert again.resume() and again.course_id == fourth
    other = ReviewSession(stub, standards, store, catalog, reviewer="Bo")  # a reviewer new to the catalog
    assert other.select_catalog(CATALOG) is False and store.position("Bo", CATALOG) == catalog["course_id"].iloc[0]


def test_search_and_add_a_standard_the_machine_missed(stub, standards, catalog, store):
    session = make(stub, standards, catalog, store, reviewer="Ana")
    session.open_course(FINANCE)
    found = session.search("HSA.SSE.A.1")
    assert found["display_code"].iloc[0] == "HSA.SSE.A.1" and (found["kind"] != "heading").all()
    both = session.search("budget financial")
    assert len(both) and all("budget" in t.lower() and "financial" in t.lower()
                             for t in both["code"] + both["display_code"] + both["text"] + both["title"])
    assert session.search("   ").empty and len(session.search("the")) == 40
    with pytest.raises(ReviewRefused, match="select it in the list"):
        session.add_missed(None)
    with pytest.raises(ReviewRefused, match="not one of the loaded standards"):
        session.add_missed("CCSS.NOT.A.STANDARD")
    sid = found["standard_id"].iloc[0]
    stored = session.add_missed(sid, association_type="isRelatedTo", note="unit 4")
    assert (stored["origin"], stored["decision"], stored["association_type"]) == ("reviewer", "accepted",
                                                                                    "isRelatedTo")
    added = session.view().added
    assert [d["standard_id"] for d in added] == [sid]
    assert session.text(sid) == standards.set_index("standard_id").at[sid, "text"]  # verbatim
    assert session.progress()[1]["added"] == 1


def test_exports_are_bytes_of_this_catalogs_decisions(stub, standards, catalog, store):
    session = make(stub, standards, catalog, store, reviewer="Ana")
    assert session.export("csv") is None  # nothing decided yet
    session.open_course(FINANCE)
    sid = session.view().suggestions.query("standard_id != ''")["standard_id"].iloc[0]
    session.decide(sid, "accepted")
    store.record("other.csv", "X1", sid, "accepted", "Bo")  # another catalog's decision: not exported
    made = session.export("csv")
    assert made.filename == "westview_2025_26_courses-decisions.csv" and made.decisions == 1
    table = pd.read_csv(io.BytesIO(made.data), dtype=str)
    assert table[["course_id", "standard_id", "reviewer"]].values.tolist() == [[FINANCE, sid, "Ana"]]
    book = openpyxl.load_workbook(io.BytesIO(session.export("excel").data))
    assert book.sheetnames == ["CF Association", "Decisions", "Agreement", "Disagreements"]
    package = json.loads(session.export("case").data)
    exact = [a for a in package["CFAssociations"] if a["associationType"] == "exactMatchOf"]
    assert len(exact) == 1 and session.export("case").filename.endswith("-decisions-case.json")
    with pytest.raises(ReviewRefused, match="unknown export"):
        session.export("pdf")


def test_uploaded_catalogs_are_validated_and_kept_apart(stub, standards, catalog, store):
    session = make(stub, standards, catalog, store, reviewer="Ana")
    with pytest.raises(InputError, match="bad.csv.*missing required column description"):
        session.load_catalog(b"course_id,title\nX1,Something\n", "bad.csv")
    assert list(session.catalogs) == [CATALOG]
    key = session.load_catalog(b"course_id,title,description\nM1,Money Skills,Students make budgets.\n",
                               "C:\\fakepath\\mine.csv")
    assert key == "mine.csv"
    session.select_catalog(key)
    assert session.course_ids == ["M1"] and session.course_id == "M1"
    sid = session.view().suggestions.query("standard_id != ''")["standard_id"].iloc[0]
    session.decide(sid, "rejected")
    assert store.decisions("mine.csv")["course_id"].tolist() == ["M1"] and store.decisions(CATALOG).empty
    session.select_catalog(CATALOG)
    assert session.course_id == catalog["course_id"].iloc[0]  # Ana's position there: none yet


def test_a_read_only_store_can_be_browsed_and_exported_not_changed(stub, standards, catalog, tmp_path):
    path = tmp_path / "reviews" / "reviews.sqlite3"
    with ReviewStore(path, create=True) as writer:
        writer.record(CATALOG, FINANCE, "CCSS.Math.Content.HSA.SSE.A.1", "accepted", "Ana", origin="reviewer")
    before = path.read_bytes()
    with ReviewStore(path, read_only=True) as store:
        session = make(stub, standards, catalog, store, reviewer="Bo")
        assert session.read_only
        session.open_course(FINANCE)  # not registered, position not stored: nothing written
        assert [d["standard_id"] for d in session.view().added] == ["CCSS.Math.Content.HSA.SSE.A.1"]
        with pytest.raises(ReadOnlyStoreError, match="read-only"):
            session.decide("CCSS.Math.Content.HSA.SSE.A.1", "rejected")
        assert session.export("csv").decisions == 1
    assert path.read_bytes() == before


def test_which_store_the_app_opens_and_when_it_may_create_one(tmp_path):
    default = tmp_path / "reviews" / "reviews.sqlite3"
    store, note = open_review_store(default, default=default)  # the bundled default location: created
    store.close()
    assert default.exists() and note == ""
    typo = tmp_path / "reveiws" / "reviews.sqlite3"
    with pytest.raises(MissingStoreError, match="no review store"):
        open_review_store(typo, default=default)  # a configured path: never created in silence
    assert not typo.parent.exists()
    store, _ = open_review_store(typo, default=default, create=True)  # the reviewer asked for it
    store.close()
    with read_only(default.parent):
        store, note = open_review_store(default, default=default)
        try:
            assert store.read_only and "read-only" in note and str(default) in note
        finally:
            store.close()


def test_the_session_needs_no_widgets():
    code = "import sys, alignment.ui.review_session; print('ipywidgets' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "False"


@pytest.mark.slow
def test_real_suggestions_reviewed_and_exported_as_case(aligner, standards, catalog, store):
    session = make(aligner, standards, catalog, store, reviewer="Ana")
    session.open_course(FINANCE)
    view = session.view()
    pathway = view.suggestions[(view.suggestions["framework"] == "cte_pathway") & (view.suggestions["rank"] == 1)]
    sid = pathway["standard_id"].iloc[0]
    assert sid.startswith("CA-CTE.PATHWAY.BF.")  # a Business and Finance pathway standard comes first
    session.decide(sid, "accepted")
    assert store.progress(CATALOG).set_index("course_id").at[FINANCE, "suggestions"] == len(
        view.suggestions[view.suggestions["standard_id"] != ""])
    package = json.loads(session.export("case").data)
    assert any(a["associationType"] == "exactMatchOf" for a in package["CFAssociations"])


# ------------------------------------------------------------------ the next course, computed ahead

class _Counting:
    """An aligner that records the course of each call and fails for those in ``fail``."""

    def __init__(self, inner):
        self.inner, self.fail, self.calls = inner, set(), []

    def suggest(self, courses, **kwargs):
        cid = courses["course_id"].iloc[0]
        self.calls.append(cid)
        if cid in self.fail:
            raise RuntimeError(f"no suggestions for {cid}")
        return self.inner.suggest(courses, **kwargs)


def test_prefetch_computes_the_next_course_once_and_registers_nothing(stub, standards, catalog, store):
    aligner = _Counting(stub)
    session = make(aligner, standards, catalog, store, reviewer="Ana")
    session.open_course(FINANCE)
    aligner.calls.clear()
    following = session.course_after(+1)
    registered = store.progress(CATALOG)["course_id"].tolist()
    assert session.prefetch(+1) == (CATALOG, following) and aligner.calls == [following]
    assert following not in registered and store.progress(CATALOG)["course_id"].tolist() == registered
    view = session.step(+1)
    assert view.course["course_id"] == following and aligner.calls == [following]  # read, not recomputed


def test_a_failed_prefetch_is_not_remembered(stub, standards, catalog, store):
    session = make(_Counting(stub), standards, catalog, store, reviewer="Ana")
    session.open_course(FINANCE)
    following = session.course_after(+1)
    session.aligner.fail.add(following)
    with pytest.raises(RuntimeError, match="no suggestions"):
        session.prefetch(+1)
    session.aligner.fail.clear()  # e.g. the model service is back
    assert session.step(+1).course["course_id"] == following
    assert session.aligner.calls.count(following) == 2
