"""The review app's Crosswalk mode without a browser: the session (logic) and the panel
(widgets) over a review store holding registered crosswalk suggestions between the 2013
AME rows and the 2023 draft (real rows; stub aligner of ``test_ui``, no models)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_ui import StubAligner, tiny_catalog  # noqa: F401  (fixture)

from alignment.review.crosswalk_store import CrosswalkReviews
from alignment.review.store import ReviewStore
from alignment.ui.crosswalk_session import CrosswalkRefused, CrosswalkSession
from alignment.ui.review import ReviewApp

A, B = "2013", "2023-draft"
SAFETY, SAFETY_NEW = "CA-CTE.PATHWAY.AME.PMA.C1.0", "CA-CTE.2023-DRAFT.AME.ANCHOR.6.2"
SAFETY_OTHER = "CA-CTE.2023-DRAFT.AME.INTERDISCIPLINARY.16.1"
EXPERTS, EXPERTS_NEW = "CA-CTE.ANCHOR.AME.10.4", "CA-CTE.2023-DRAFT.AME.INTERDISCIPLINARY.16.6"


def registered(store) -> None:
    rows = [(SAFETY, SAFETY_NEW, 1, 0.52, "possible"), (SAFETY, SAFETY_OTHER, 2, 0.47, "possible"),
            (EXPERTS, EXPERTS_NEW, 1, 0.51, "possible")]
    CrosswalkReviews(store).register(pd.DataFrame(
        [{"from_edition": A, "to_edition": B, "from_id": f, "to_id": t, "rank": r, "score": s, "band": band,
          "evidence": "shared terms: safety, industry", "from_code": "", "to_code": ""} for f, t, r, s, band in rows]))


@pytest.fixture(scope="module")
def standards():
    """Every edition side by side (the 2013 rows and the 2023 draft's)."""
    from alignment.data.standards import load_standards

    return load_standards()


@pytest.fixture
def store(tmp_path):
    with ReviewStore(tmp_path / "reviews.sqlite3", create=True) as s:
        registered(s)
        yield s


def test_session_lists_decides_undoes_and_exports(store, standards):
    session = CrosswalkSession(store, standards, reviewer="")
    assert session.crosswalks() == [(A, B)]
    assert session.crosswalk_label((A, B)) == "2013 (adopted) -> 2023-draft (draft)"
    with pytest.raises(CrosswalkRefused, match="choose a crosswalk"):
        session.items()
    session.select(A, B)
    items = session.items()
    assert [i.from_id for i in items] == [EXPERTS, SAFETY]
    safety = items[1]
    assert safety.text.startswith("Demonstrate knowledge of industry safety standards")
    assert [c["to_id"] for c in safety.candidates] == [SAFETY_NEW, SAFETY_OTHER]
    assert safety.candidates[0]["to_text"].startswith("Practice workplace safety as defined by industry standards")
    with pytest.raises(CrosswalkRefused, match="type your name"):
        session.decide(SAFETY, SAFETY_NEW, "exact")
    session._reviewer = "Ana"
    session.decide(SAFETY, SAFETY_NEW, "exact")
    session.decide(SAFETY, SAFETY_OTHER, "none")
    assert session.progress() == {"standards": 2, "standards_decided": 1, "pairs": 3, "pairs_decided": 2}
    assert session.undo()["restored"] is None
    assert session.decision(SAFETY, SAFETY_OTHER) is None
    name, data, n = session.export_case()
    package = json.loads(data)
    assert n == 1 and name == "crosswalk-2013-to-2023-draft-case.json"
    assert [a["associationType"] for a in package["CFAssociations"]] == ["exactMatchOf"]
    assert package["CFAssociations"][0]["destinationNodeURI"]["title"] == "AME 6.2"


def button(row: dict, kind: str):
    return row["buttons"][kind]


def test_review_app_has_a_crosswalk_mode(store, standards, tiny_catalog):  # noqa: F811
    app = ReviewApp(aligner=StubAligner(standards), standards=standards, catalog=tiny_catalog, store=store)
    app.name.value = "Ana"
    assert app.crosswalk.widget.layout.display == "none" and not app.course_mode.layout.display
    app.mode.value = "crosswalk"
    assert app.course_mode.layout.display == "none" and not app.crosswalk.widget.layout.display
    panel = app.crosswalk
    app.keys.press("a")  # the course review's "accept" key does nothing while its rows are hidden
    assert app.session.store.decisions().empty
    app.mode.value = "courses"
    app.keys.press("a")  # ... and accepts again in the course mode
    assert len(app.session.store.decisions()) == 1
    app.mode.value = "crosswalk"
    panel_first = panel.choice.options[0][0]
    assert panel_first == "2013 (adopted) -> 2023-draft (draft)"
    assert len(panel.items.children) == 2 and set(panel.rows) == {(SAFETY, SAFETY_NEW), (SAFETY, SAFETY_OTHER),
                                                                   (EXPERTS, EXPERTS_NEW)}
    assert "0 of 3 suggested pairs reviewed" in panel.progress.value
    button(panel.rows[(SAFETY, SAFETY_NEW)], "exact").click()
    button(panel.rows[(EXPERTS, EXPERTS_NEW)], "related").click()
    decided = CrosswalkReviews(store).decisions(A, B)
    assert decided[["from_id", "to_id", "decision", "reviewer"]].values.tolist() == [
        [EXPERTS, EXPERTS_NEW, "related", "Ana"], [SAFETY, SAFETY_NEW, "exact", "Ana"]]
    assert "exact match" in panel.rows[(SAFETY, SAFETY_NEW)]["status"].value
    assert button(panel.rows[(SAFETY, SAFETY_NEW)], "exact").button_style == "success"
    assert "2 of 3 suggested pairs reviewed" in panel.progress.value
    panel.undo_last_button.click()
    assert "not reviewed yet" in panel.rows[(EXPERTS, EXPERTS_NEW)]["status"].value
    assert len(CrosswalkReviews(store).decisions(A, B)) == 1
    assert panel.export() is not None and "Download crosswalk CASE JSON" in panel.export_links.value
    # a hostile note is shown as text
    panel.decide(SAFETY, SAFETY_OTHER, "none", note="<script>alert(1)</script>")
    assert "<script>" not in panel.rows[(SAFETY, SAFETY_OTHER)]["status"].value
    assert "&lt;script&gt;" in panel.rows[(SAFETY, SAFETY_OTHER)]["status"].value
    app.name.value = ""
    button(panel.rows[(EXPERTS, EXPERTS_NEW)], "none").click()
    assert "type your name first" in panel.message.value
