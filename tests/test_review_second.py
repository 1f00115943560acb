"""Second review (issue 15, part 4) and the keys acting on the row the page showed.

A catalog that requires two reviewers (stored with the catalog in the review store):
a pair is done only when two different reviewers decided it; the second reviewer does
not see the first's decision until they decided (blind by default, in the session's
view model and in the rendered widgets), or sees it when the catalog is "open"; a
third reviewer settles a disagreement and is recorded as the one who settled it; the
exports carry the agreement (Excel sheets and CSV files). Real bundled standards, the
tiny catalog and stub aligner of ``test_ui`` (no models), a real store in a temp folder.
"""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from test_ui import StubAligner, tiny_catalog  # noqa: F401  (fixture)

from alignment.review.agreement import review_pairs
from alignment.review.store import ReviewStore
from alignment.ui.review import BLIND_HTML, ReviewApp
from alignment.ui.review_session import ReviewRefused, ReviewSession

CATALOG = "tiny.csv"
SECRET = "first reviewer's private note"


@pytest.fixture(scope="module")
def stub(standards):
    return StubAligner(standards)


@pytest.fixture
def store(tmp_path):
    with ReviewStore(tmp_path / "reviews.sqlite3", create=True) as s:
        yield s


def session_of(who, stub, standards, catalog, store):
    session = ReviewSession(stub, standards, store, catalog, reviewer=who)
    session.select_catalog(CATALOG)
    return session


def app_of(who, stub, standards, catalog, store):
    app = ReviewApp(aligner=stub, standards=standards, catalog=catalog, store=store)
    app.name.value = who
    return app


def page_html(widget) -> str:
    """Every HTML and value a widget tree sends to the page (what the browser can show)."""
    parts = []
    for child in getattr(widget, "children", ()):
        parts.append(page_html(child))
    for attr in ("value", "description", "placeholder", "tooltip"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            parts.append(value)
    return "\n".join(parts)


def test_two_reviewer_setting_is_stored_with_the_catalog_and_validated(store, stub, standards, tiny_catalog):
    ana = session_of("Ana", stub, standards, tiny_catalog, store)
    assert ana.review_settings()["required_reviews"] == 1  # default: one reviewer
    ana.set_review_settings(2)
    again = ReviewStore(store.path)  # a new connection reads it from the file
    assert again.review_settings(CATALOG) == {**again.review_settings(CATALOG), "required_reviews": 2,
                                              "second_review_visible": False, "updated_by": "Ana"}
    assert again.review_settings("other.csv")["required_reviews"] == 1
    with pytest.raises(ReviewRefused, match="1 or 2"):
        ana.set_review_settings(3)
    with pytest.raises(ValueError, match="required_reviews must be 1 or 2"):
        store.set_review_settings(CATALOG, required_reviews=0, by="Ana")


def test_blind_second_review_hides_the_first_decision_in_the_view_and_the_page(store, stub, standards,
                                                                            tiny_catalog):  # noqa: F811
    ana = session_of("Ana", stub, standards, tiny_catalog, store)
    ana.set_review_settings(2)
    sid = ana.view().suggestions["standard_id"].iloc[0]
    ana.decide(sid, "accepted", association_type="isRelatedTo", note=SECRET)
    assert sid not in ana.view().hidden and ana.view().decisions[sid]["note"] == SECRET  # her own: visible

    bo = session_of("Bo", stub, standards, tiny_catalog, store)
    view = bo.view()
    assert sid in view.hidden and sid not in view.decisions and sid not in view.reviews
    assert bo.visible_review(sid) is None
    app = app_of("Bo", stub, standards, tiny_catalog, store)
    row = app.rows[sid]
    assert row["status"].value == BLIND_HTML
    assert row["note"].value == "" and row["assoc"].value == "exactMatchOf"
    assert row["accept"].button_style == "" and row["reject"].button_style == ""
    html = page_html(app.widget)
    assert SECRET not in html and "first review:" not in html
    assert 'class="pa-decision pa-decision-accepted"' not in html and "(related)" not in html

    app.decide(sid, "rejected")  # Bo decides: now he sees both reviews
    assert "first review: Ana accepted" in row["status"].value and "they disagree" in row["status"].value
    assert bo.view().reviews[sid]["status"] == "disputed"


def test_open_second_review_shows_the_first_decision_before_deciding(store, stub, standards, tiny_catalog):  # noqa: F811
    ana = session_of("Ana", stub, standards, tiny_catalog, store)
    ana.set_review_settings(2, second_review_visible=True)
    sid = ana.view().suggestions["standard_id"].iloc[0]
    ana.decide(sid, "accepted", note=SECRET)
    bo = session_of("Bo", stub, standards, tiny_catalog, store)
    assert not bo.view().hidden and bo.view().decisions[sid]["note"] == SECRET
    assert bo.view().reviews[sid]["first_reviewer"] == "Ana"
    app = app_of("Bo", stub, standards, tiny_catalog, store)
    assert "first review: Ana accepted" in app.rows[sid]["status"].value


def test_a_pair_is_done_only_with_two_reviewers_and_a_third_settles_disputes(store, stub, standards,
                                                                           tiny_catalog):  # noqa: F811
    ana = session_of("Ana", stub, standards, tiny_catalog, store)
    ana.set_review_settings(2)
    ana.bulk(None, "accept_strong_reject_rest")  # every suggestion of C1, one batch
    assert ana.queue().set_index("course_id").at["C1", "status"] == "partly"  # one reviewer is not enough
    bo = session_of("Bo", stub, standards, tiny_catalog, store)
    ids = list(bo.view().suggestions["standard_id"])
    result = bo.bulk(None, "accept_strong_reject_rest")
    assert result["recorded"] == len(ids)  # recorded though they agree with Ana: it is Bo's review
    assert bo.queue().set_index("course_id").at["C1", "status"] == "done"
    # Bo changes his mind on one: disputed, listed by the "disputed" filter
    bo.decide(ids[0], "rejected" if result["decisions"][ids[0]] == "accepted" else "accepted")
    assert list(bo.queue(status="disputed")["course_id"]) == ["C1"]
    assert list(bo.disagreements()["standard_id"]) == [ids[0]]
    with pytest.raises(ReviewRefused, match="third reviewer"):
        bo.settle(ids[0], "accepted", course_id="C1")
    with pytest.raises(ReviewRefused, match="not disputed"):
        bo.settle(ids[1], "accepted", course_id="C1")

    cy = app_of("Cy", stub, standards, tiny_catalog, store)
    cy.show_agreement()
    assert "1 disagreement to settle" in cy.agreement_box.value
    settle = [b for box in cy.disputes_box.children for b in box.children if "pa-settle-accepted" in b._dom_classes]
    assert len(settle) == 1
    settle[0].click()
    pair = review_pairs(store.audit(CATALOG)).set_index("standard_id").loc[ids[0]]
    assert (pair["status"], pair["settled_by"], pair["settled_decision"]) == ("settled", "Cy", "accepted")
    assert store.decisions(CATALOG).set_index("standard_id").at[ids[0], "reviewer"] == "Cy"
    assert "settled by Cy: accepted" in cy.disputes_box.children[0].children[0].value
    assert cy.session.queue(status="disputed").empty
    assert cy.session.queue().set_index("course_id").at["C1", "status"] == "done"


def test_whole_course_bulk_is_one_batch_and_its_undo_restores_the_store(store, stub, standards, tiny_catalog):  # noqa: F811
    ana = session_of("Ana", stub, standards, tiny_catalog, store)
    first = ana.view().suggestions["standard_id"].iloc[0]
    ana.decide(first, "accepted")
    before = store.decisions(CATALOG)
    result = ana.bulk(None, "accept_strong_reject_rest")
    shown = ana.view().suggestions
    shown = shown[shown["standard_id"] != ""]
    assert set(result["standard_ids"]) == set(shown["standard_id"]) - {first}
    strong = set(shown.loc[shown["band"] == "strong", "standard_id"])
    assert {s for s, d in result["decisions"].items() if d == "accepted"} == strong - {first}
    batch = store.audit(CATALOG)
    assert set(batch.loc[batch["action"] == "record", "batch"]) == {"", result["batch"]}
    assert len(shown["framework"].unique()) > 1  # over every framework, in one batch
    undone = ana.undo_last()
    assert len(undone["pairs"]) == len(result["standard_ids"])
    pd.testing.assert_frame_equal(store.decisions(CATALOG), before)


def test_exports_carry_agreement_and_kappa_matches_a_hand_computation(store, stub, standards,
                                                                      tiny_catalog):  # noqa: F811
    ana = session_of("Ana", stub, standards, tiny_catalog, store)
    ids = list(ana.view().suggestions.query("framework == 'ccss_math' or framework == 'ccss_ela'")["standard_id"])[:4]
    assert len(ids) == 4
    for sid, decision in zip(ids, ["accepted", "accepted", "rejected", "rejected"]):
        ana.decide(sid, decision)
    bo = session_of("Bo", stub, standards, tiny_catalog, store)
    for sid, decision in zip(ids, ["accepted", "rejected", "rejected", "rejected"]):
        bo.decide(sid, decision)
    # by hand: p_o = 3/4; p_e = (2/4)(1/4) + (2/4)(3/4) = 1/2; kappa = (3/4 - 1/2) / (1 - 1/2) = 0.5
    agreement = pd.read_csv(io.BytesIO(bo.export("agreement").data)).set_index("framework")
    assert agreement.at["all", "pairs"] == 4 and agreement.at["all", "percent_agreement"] == 75.0
    assert agreement.at["all", "kappa"] == pytest.approx(0.5)
    disagreements = pd.read_csv(io.BytesIO(bo.export("disagreements").data))
    assert list(disagreements["standard_id"]) == [ids[1]] and disagreements.at[0, "status"] == "disputed"
    assert disagreements.at[0, "first_reviewer"] == "Ana" and disagreements.at[0, "second_decision"] == "rejected"

    book = openpyxl.load_workbook(io.BytesIO(bo.export("excel").data))
    assert {"Agreement", "Disagreements", "Decisions", "CF Association"} <= set(book.sheetnames)
    rows = list(book["Agreement"].values)
    header, last = rows[0], dict(zip(rows[0], rows[-1]))
    assert header[:5] == ("framework", "pairs", "agreed", "percent_agreement", "kappa")
    assert last["framework"] == "all" and last["pairs"] == 4 and last["kappa"] == pytest.approx(0.5)
    sheet = list(book["Disagreements"].values)
    assert dict(zip(sheet[0], sheet[1]))["standard_id"] == ids[1]


def test_a_key_acts_on_the_row_the_page_showed_focused(store, stub, standards, tiny_catalog):  # noqa: F811
    app = app_of("Ana", stub, standards, tiny_catalog, store)
    ids = list(app.rows)
    old_item = app.rows[ids[2]]["item"]  # the page focused row 3 of C1 ...
    app.keys.press("n")  # ... but the kernel has already moved on to C2
    assert app.course_id == "C2"
    app.keys.press("a", item=old_item)  # the "a" pressed on C1's row 3 lands there
    stored = store.decisions(CATALOG)
    assert list(zip(stored["course_id"], stored["standard_id"])) == [("C1", ids[2])]
    focus = app.focus_index
    app.keys.press("j", item=old_item)  # a focus move from a row no longer drawn: ignored
    assert app.focus_index == focus
    c2 = list(app.rows)
    app.keys.press("j", item=app.rows[c2[3]]["item"])  # the page moved its focus to row 4: the kernel follows
    assert app.focused == c2[3] and "pa-focus" in app.rows[c2[3]]["box"]._dom_classes
    app.keys.press("a", item="999999")  # a row this kernel never drew: nothing happens, and it says so
    assert len(store.decisions(CATALOG)) == 1 and "no longer shown" in app.message.value
    app.keys.press("B")  # whole course: accept strong, reject the rest, one action
    assert set(store.decisions(CATALOG, course_id="C2")["standard_id"]) == set(c2)

