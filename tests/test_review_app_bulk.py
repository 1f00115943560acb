"""The review app's widgets for a whole catalog: bulk buttons per framework, "Undo last"
as one unit, the queue's counts and "Next in queue", the upload's column-mapping step
and the agreement table. Stub aligner and tiny catalog of ``test_ui`` (no models)."""

from __future__ import annotations

import asyncio

import pytest
from test_ui import StubAligner, tiny_catalog  # noqa: F401  (fixture)

from alignment.review.store import ReviewStore
from alignment.ui.review import ReviewApp


@pytest.fixture(scope="module")
def stub(standards):
    return StubAligner(standards)


@pytest.fixture
def store(tmp_path):
    with ReviewStore(tmp_path / "reviews.sqlite3", create=True) as s:
        yield s


@pytest.fixture
def app(standards, stub, tiny_catalog, store):  # noqa: F811
    app = ReviewApp(aligner=stub, standards=standards, catalog=tiny_catalog, store=store)
    app.name.value = "Ana"
    return app


def bulk_button(app, framework, kind):
    for box in app.suggestion_box.children:
        if "pa-bulk" in box._dom_classes:
            for button in box.children:
                if f"pa-bulk-{kind}-{framework}" in button._dom_classes:
                    return button
    raise AssertionError(f"no {kind} button for {framework}")


def test_bulk_buttons_decide_a_framework_and_undo_last_takes_them_back(app, store):
    bulk_button(app, "ccss_math", "accept").click()
    table = store.decisions("tiny.csv")
    math = app.session.view().suggestions.query("framework == 'ccss_math'")
    strong = math.loc[math["band"] == "strong", "standard_id"].tolist()
    assert table["standard_id"].tolist() == sorted(strong) and set(table["decision"]) == {"accepted"}
    assert "accepted" in app.rows[strong[0]]["status"].value
    bulk_button(app, "ccss_math", "reject").click()
    assert len(store.decisions("tiny.csv")) == len(math)
    app.undo_last_button.click()
    assert store.decisions("tiny.csv")["standard_id"].tolist() == sorted(strong)
    assert "Undone: " in app.message.value
    app.undo_last_button.click()
    assert store.decisions("tiny.csv").empty and "not reviewed yet" in app.rows[strong[0]]["status"].value


def test_queue_counts_and_next(app):
    counts = app.show_queue()
    assert counts == {"not reviewed": 3, "partly": 0, "done": 0, "disputed": 0}
    assert "not reviewed: 3" in app.queue_counts.value
    for fw in ("cte_pathway", "cte_anchor", "cte_crp", "ccss_ela", "ccss_math"):
        app.bulk(fw, "accept_strong")
        app.bulk(fw, "reject_rest")
    assert app.show_queue()["done"] == 1
    app.queue_next.click()
    assert app.course_id == "C2"


def test_upload_mapping_step(app):
    content = b"Crs Nbr,Long Descr\nM1,Students budget money.\n"
    app._on_upload({"new": ({"name": "sis.csv", "content": memoryview(content)},)})
    assert "was not loaded" in app.message.value and "Crs Nbr=course_id" in app.message.value
    assert app.mapping_box.layout.display is None  # the mapping step is shown
    app.mapping.value = "Crs Nbr=course_id, Long Descr=description"
    app.mapping_button.click()
    assert app.catalog_key == "sis.csv" and app.course_id == "M1"
    assert app.mapping_box.layout.display == "none"


def test_agreement_table_after_a_second_review(app, store):
    sid = list(app.rows)[0]
    app.decide(sid, "accepted")
    app.agreement_button.click()  # computed when asked, not on every click
    assert "No pair has two reviews yet" in app.agreement_box.value
    store.record("tiny.csv", "C1", sid, "rejected", "Bo")
    app.show_agreement()
    assert "1 disagreement to settle" in app.agreement_box.value and "0%" in app.agreement_box.value


def test_keys_move_the_focus_decide_and_undo(app, store):
    ids = list(app.rows)
    assert app.focused == ids[0] and "pa-focus" in app.rows[ids[0]]["box"]._dom_classes
    app.keys.press("ArrowDown")
    assert app.focused == ids[1] and "pa-focus" not in app.rows[ids[0]]["box"]._dom_classes
    app.keys.press("a")
    app.keys.press("j")
    app.keys.press("r")
    decided = store.decisions("tiny.csv").set_index("standard_id")["decision"].to_dict()
    assert decided == {ids[1]: "accepted", ids[2]: "rejected"}
    app.keys.press("u")
    assert store.decisions("tiny.csv")["standard_id"].tolist() == [ids[1]]
    app.keys.press("A")  # accept all strong of the focused suggestion's framework
    framework = app.rows[app.focused]["framework"]
    assert any(r["framework"] == framework for r in app.rows.values())
    app.keys.press("n")
    assert app.course_id == "C2" and app.focused == list(app.rows)[0]
    app.keys.press("p")
    assert app.course_id == "C1"
    app.keys.press("x")  # not a shortcut: nothing happens
    assert "<kbd>A</kbd>" in app.legend.value


def test_opening_courses_makes_no_new_layouts_or_styles(app):
    """Every row shares one Layout and one style per kind of control (a Layout or a style
    is a widget the page must create too): opening courses adds none of them."""
    from ipywidgets.widgets.widget import _instances

    def layouts_and_styles():
        return sum(1 for widget in list(_instances.values())
                   if type(widget).__name__ == "Layout" or type(widget).__name__.endswith("Style"))

    app.step(+1)
    before = layouts_and_styles()
    app.step(+1)
    app.step(+1)
    assert app.rows and layouts_and_styles() == before


def test_the_next_course_is_computed_while_this_one_is_read(standards, tiny_catalog, store):  # noqa: F811
    counting = StubAligner(standards)
    app = ReviewApp(aligner=counting, standards=standards, catalog=tiny_catalog, store=store)
    app.name.value = "Ana"
    following = app.session.course_after(+1)
    assert ("tiny.csv", following) in app.session._suggestions  # no event loop here: computed with the draw
    assert any(key[:2] == ("tiny.csv", following) for key in app._groups)

    async def in_a_kernel():
        """As in a kernel: the draw is handled first; the loop computes the next course after it."""
        calls = counting.calls
        app.step(+1)
        assert app.course_id == following and counting.calls == calls  # drawn from what was computed ahead
        after = app.session.course_after(+1)
        assert ("tiny.csv", after) not in app.session._suggestions  # not computed inside the draw...
        await asyncio.sleep(0)
        assert ("tiny.csv", after) in app.session._suggestions and counting.calls == calls + 1  # ...but right after

    asyncio.run(in_a_kernel())
