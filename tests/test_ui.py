"""alignment.ui without a browser: escaping, highlighting (hostile input too), grouping,
download payloads, and both apps' widgets driven in plain Python (a stub aligner over
the real standards and catalog, a real review store in a temp folder)."""

from __future__ import annotations

import base64
import inspect
import io
import json
import os
import re
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from alignment.data.catalog import validate_catalog
from alignment.io.errors import InputError
from alignment.review.store import ReviewStore
from alignment.settings import SettingsError
from alignment.ui import html as h
from alignment.ui import session
from alignment.ui.coverage import (
    CoverageApp, download_table, csv_bytes, excel_bytes, group_suggestions, pasted_course, render_card,
    render_result, sector_choices, sector_status,
)
from alignment.ui.review import ReviewApp

HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>',
           "<a href='javascript:alert(1)'>x</a>"]


def no_markup_from(text: str, rendered: str) -> None:
    """``rendered`` shows ``text`` escaped: none of its tags survives as markup."""
    for tag in re.findall(r"<\s*([a-zA-Z]+)", text):
        assert not re.search(rf"<\s*{tag}\b", rendered, re.IGNORECASE), (tag, rendered[:500])


# --------------------------------------------------------------------------- escaping, highlighting

def test_esc_escapes_markup_and_quotes():
    assert h.esc('<b a="1">\'&') == "&lt;b a=&quot;1&quot;&gt;&#x27;&amp;"
    assert h.esc(None) == "" and h.esc(float("nan")) == ""


@pytest.mark.parametrize("text", HOSTILE)
def test_highlight_escapes_hostile_text(text):
    out = h.highlight(f"Students apply budgets. {text} More budgets.", ["budget", "apply", "alert", "script", "img"])
    no_markup_from(text, out)
    assert '<mark class="pa-term">budgets</mark>' in out
    assert re.sub(r"</?mark[^>]*>", "", out).count("&lt;") == text.count("<")


def test_highlight_never_inserts_the_terms_themselves():
    out = h.highlight("plain words here", ["<script>alert(1)</script>", "words"], ['<img src=x onerror=alert(1)>'])
    assert out == 'plain <mark class="pa-term">words</mark> here'


def test_inflections_and_phrases():
    text = "Students applied financial planning and analyses to the use of tools; budgeting studies."
    out = h.highlight(text, ["apply", "analysis", "budget", "study"], ["financial planning", "use tool"])
    assert '<mark class="pa-term">applied</mark>' in out
    assert '<mark class="pa-term">analyses</mark>' in out
    assert '<mark class="pa-term">budgeting</mark>' in out and '<mark class="pa-term">studies</mark>' in out
    assert '<mark class="pa-phrase">financial planning</mark>' in out
    assert '<mark class="pa-phrase">use of tools</mark>' in out  # one function word inside a phrase


def test_marks_do_not_overlap_and_phrases_win():
    spans = h.find_marks("financial markets move financial markets", ["financial", "market"], ["financial market"])
    assert [k for *_, k in spans] == ["phrase", "phrase"]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert h.find_marks("", ["x"], ["y z"]) == [] and h.highlight(None, ["x"]) == ""


def test_notice_download_and_table_escape():
    assert "&lt;script&gt;" in h.notice("<script>alert(1)</script>", "error")
    link = h.download_link(b"a,b\n1,2\n", 'x"><script>.csv', "text/csv", "<CSV>")
    assert "<script>" not in link and "&lt;CSV&gt;" in link
    payload = re.search(r'base64,([^"]+)"', link).group(1)
    assert base64.b64decode(payload) == b"a,b\n1,2\n"
    table = h.table([{"a": "<b>x</b>", "b": "<i>ok</i>"}], [("a", "A"), ("b", "B")], raw_columns=["b"])
    assert "&lt;b&gt;x&lt;/b&gt;" in table and "<i>ok</i>" in table


def test_error_text_shows_input_errors_without_traceback():
    exc = InputError("catalog.csv", ["catalog.csv row 3: description is empty", "catalog.csv row 4: x"])
    assert h.error_text(exc) == "catalog.csv row 3: description is empty\ncatalog.csv row 4: x"
    assert h.error_text(KeyError("k")).startswith("KeyError")


# --------------------------------------------------------------------------- a stub aligner over real standards

class StubAligner:
    """Suggests the first standards of each framework (sector-filtered like the real one),
    with evidence words taken from the course text: no models needed."""

    def __init__(self, standards: pd.DataFrame, top_k: int = 2):
        self.standards_ = standards[(standards["kind"] != "heading") & (standards["text"] != "")]
        self.top_k = top_k
        self.calls = 0

    def suggest(self, courses: pd.DataFrame, top_k=None, frameworks=None) -> pd.DataFrame:
        self.calls += 1
        rows = []
        for course in courses.to_dict("records"):
            sector = course.get("sector", "")
            words = set(re.findall(r"[a-z]+", course["description"].lower()))
            for fw in ("cte_pathway", "cte_anchor", "cte_crp", "ccss_ela", "ccss_math"):
                pool = self.standards_[self.standards_["framework"] == fw]
                if fw in ("cte_pathway", "cte_anchor") and sector:
                    pool = pool[pool["sector"] == sector]
                    if pool.empty:
                        what = "pathway" if fw == "cte_pathway" else "anchor"
                        note = f"no {what} standards loaded for this sector ({sector})"
                        rows.append({"course_id": course["course_id"], "standard_id": "", "framework": fw,
                                     "code": "", "score": float("nan"), "rank": pd.NA, "band": "none",
                                     "evidence": note, "display_code": "", "sector": "", "pathway": "",
                                     "standard_text": "", "matched_terms": [], "matched_phrases": [],
                                     "best_sentence": "", "note": note})
                        continue
                for rank, std in enumerate(pool.head(top_k or self.top_k).to_dict("records"), start=1):
                    shared = sorted(words & set(re.findall(r"[a-z]+", std["text"].lower())) - {"the", "and", "of"})
                    rows.append({"course_id": course["course_id"], "standard_id": std["standard_id"], "framework": fw,
                                 "code": std["code"], "score": 0.6 - 0.1 * rank, "rank": rank,
                                 "band": "strong" if rank == 1 else "possible", "evidence": "stub",
                                 "display_code": std["display_code"], "sector": std["sector"],
                                 "pathway": std["pathway"], "standard_text": std["text"], "matched_terms": shared[:4],
                                 "matched_phrases": [], "best_sentence": course["description"].split(".")[0],
                                 "note": ""})
        out = pd.DataFrame(rows)
        out["rank"] = out["rank"].astype("Int64")
        return out


@pytest.fixture(scope="module")
def stub(standards):
    return StubAligner(standards)


@pytest.fixture(scope="module")
def tiny_catalog():
    table = pd.DataFrame([
        {"course_id": "C1", "title": "Intro to Finance", "sector": "Business and Finance", "grades": "9-12",
         "description": "Students create budgets and make financial decisions. They study banking."},
        {"course_id": "C2", "title": "Engineering Design", "sector": "Engineering and Architecture",
         "grades": "9-12", "description": "Students design and build prototypes."},
        {"course_id": "C3", "title": "Medical Interventions", "sector": "Health Science and Medical Technology",
         "grades": "10-12", "description": "Students explore diagnosis and treatment <script>alert(1)</script>."},
    ])
    out = validate_catalog(table, "tiny.csv")
    out.attrs["source"] = "tiny.csv"
    return out


@pytest.fixture(autouse=True)
def _no_identity():
    session.set_identity("")
    yield
    session.set_identity("")


# --------------------------------------------------------------------------- grouping and rendering

def test_sector_status_labels_missing_partial_complete(standards):
    assert sector_status(standards, "cte_pathway", "Business and Finance")[0] == "complete"
    status, note = sector_status(standards, "cte_pathway", "Health Science and Medical Technology")
    assert status == "partial" and "Patient Care" in note
    status, note = sector_status(standards, "cte_pathway", "Engineering and Architecture")
    assert status == "missing" and note == "no pathway standards loaded for this sector (Engineering and Architecture)"
    labels = dict((v, k) for k, v in sector_choices(standards))
    assert labels["Engineering and Architecture"].endswith("(no pathway standards loaded)")
    assert labels["Health Science and Medical Technology"].endswith("(partial data)")


def test_groups_in_framework_order_with_notes_and_partial(standards, stub, tiny_catalog):
    sugg = stub.suggest(tiny_catalog[tiny_catalog["course_id"] == "C2"])
    groups = group_suggestions(sugg, standards, ["Engineering and Architecture"])
    assert [g.framework for g in groups] == ["cte_pathway", "cte_anchor", "cte_crp", "ccss_ela", "ccss_math"]
    assert groups[0].rows.empty
    assert groups[0].notes == ["no pathway standards loaded for this sector (Engineering and Architecture)"]
    assert groups[2].partial  # Career Ready Practices: titles only
    hs = group_suggestions(stub.suggest(tiny_catalog[tiny_catalog["course_id"] == "C3"]), standards,
                           ["Health Science and Medical Technology"])
    assert hs[0].partial and "Health Science and Medical Technology" in hs[0].partial[0]
    assert list(hs[0].rows["rank"]) == [1, 2]


def test_render_result_escapes_and_shows_notes(standards, stub, tiny_catalog):
    course = tiny_catalog[tiny_catalog["course_id"] == "C3"].iloc[0].to_dict()
    sugg = stub.suggest(tiny_catalog[tiny_catalog["course_id"] == "C3"])
    out = render_result(course, sugg, standards)
    no_markup_from("<script>alert(1)</script>", out)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "partial data" in out
    out2 = render_result(tiny_catalog.iloc[1].to_dict(), stub.suggest(tiny_catalog.iloc[[1]]), standards)
    assert "No pathway standards loaded for this sector (Engineering and Architecture)." in out2


def test_card_escapes_hostile_standard_text():
    row = {"standard_id": "X<1>", "display_code": "<b>X</b>", "band": "strong", "score": 0.7,
           "standard_text": HOSTILE[1] + " budgets", "matched_terms": ["budget"], "matched_phrases": [],
           "best_sentence": HOSTILE[0], "sector": "<i>S</i>", "pathway": ""}
    out = render_card(row)
    for text in HOSTILE[:2] + ["<b>X</b>", "<i>S</i>"]:
        no_markup_from(text, out)
    assert '<mark class="pa-term">budgets</mark>' in out


def test_download_payloads_round_trip(standards, stub, tiny_catalog):
    course = tiny_catalog.iloc[0].to_dict()
    sugg = stub.suggest(tiny_catalog.iloc[[0]])
    table = download_table(sugg, course, standards)
    table.loc[0, "best_sentence"] = "=HYPERLINK(\"http://x\")"
    back = pd.read_csv(io.BytesIO(csv_bytes(table)), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(back.columns) == list(table.columns)
    assert back.loc[0, "course_title"] == "Intro to Finance" and back.loc[0, "matched_terms"] != "[]"
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(table)))
    sheet = book["Suggestions"]
    assert [c.value for c in sheet[1]] == list(table.columns)
    cell = sheet.cell(row=2, column=list(table.columns).index("best_sentence") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")  # text, never a formula


def test_pasted_description_is_validated_like_a_catalog():
    assert pasted_course("Students budget.", sector="Business and Finance").loc[0, "sector"] == "Business and Finance"
    with pytest.raises(InputError, match="description is empty"):
        pasted_course("   ")
    with pytest.raises(InputError, match="longer than"):
        pasted_course("x" * 20_001)
    with pytest.raises(InputError, match="control character"):
        pasted_course("bad \x07 bell")


# --------------------------------------------------------------------------- the coverage app's widgets

def test_coverage_app_runs_a_hostile_paste_as_text(standards, stub, tiny_catalog):
    app = CoverageApp(aligner=stub, standards=standards, catalog=tiny_catalog, pathways=[])
    assert "Ready" in app.status.value and not app.run_button.disabled
    app.mode.value = "paste"
    app.text.value = " ".join(HOSTILE) + " Students create budgets."
    app.sector.value = "Business and Finance"
    sugg = app.run()
    assert sugg is not None and app.message.value == ""
    for text in HOSTILE:
        no_markup_from(text, app.results.value)
    assert "&lt;img src=x onerror=alert(1)&gt;" in app.results.value
    # the files are made when asked, not for every answer
    assert app.downloads.value == "" and app.download_box.layout.display is None
    app.download_button.click()
    assert 'download="standards-pasted-description.csv"' in app.downloads.value
    assert app.download_button.layout.display == "none"


def _links(value: str) -> dict[str, bytes]:
    return {name: base64.b64decode(data)
            for name, data in re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', value)}


def test_coverage_app_builds_downloads_only_when_asked(standards, stub, tiny_catalog, monkeypatch):
    from alignment.ui import coverage

    built = []
    real = coverage.excel_bytes
    monkeypatch.setattr(coverage, "excel_bytes", lambda table, *a, **k: built.append(len(table)) or real(table, *a, **k))
    app = CoverageApp(aligner=stub, standards=standards, catalog=tiny_catalog, pathways=[])
    assert app.prepare_downloads() == "" and app.download_box.layout.display == "none"  # nothing to download yet
    app.course.value = "Intro to Finance (C1)"
    app.course.value = "Engineering Design (C2)"
    assert built == [] and app.downloads.value == ""  # two answers, no file made
    app.download_button.click()
    assert len(built) == 1
    links = _links(app.downloads.value)
    assert set(links) == {"standards-C2.csv", "standards-C2.xlsx"}
    table = pd.read_csv(io.BytesIO(links["standards-C2.csv"]), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    expected = stub.suggest(tiny_catalog[tiny_catalog["course_id"] == "C2"])
    real_rows = expected[expected["standard_id"] != ""]
    assert set(table["course_id"]) == {"C2"} and set(table["course_title"]) == {"Engineering Design"}
    assert table.loc[table["standard_id"] != "", "standard_id"].tolist() == real_rows["standard_id"].tolist()
    sheet = openpyxl.load_workbook(io.BytesIO(links["standards-C2.xlsx"]))["Suggestions"]
    assert [c.value for c in sheet[1]] == list(table.columns) and sheet.max_row == len(table) + 1
    # the next answer takes the old links away and offers the button again
    app.course.value = "Intro to Finance (C1)"
    assert app.downloads.value == "" and app.download_button.layout.display is None
    assert set(_links(app.prepare_downloads())) == {"standards-C1.csv", "standards-C1.xlsx"}


def test_coverage_app_picks_catalog_course_and_reports_bad_input(standards, stub, tiny_catalog):
    app = CoverageApp(aligner=stub, standards=standards, catalog=tiny_catalog, pathways=[])
    assert app.run() is None and "Pick a course" in app.message.value
    app.course.value = "Engineering Design (C2)"  # picking runs it
    assert "Engineering Design" in app.results.value and app.last["course"]["course_id"] == "C2"
    app.mode.value = "paste"
    app.text.value = ""
    assert app.run() is None and "description is empty" in app.message.value


def test_coverage_app_never_touches_the_review_store(tmp_path):
    """The teacher app's code path does not even import the review store."""
    code = (
        "import re, sys\nimport pandas as pd\n"
        + inspect.getsource(StubAligner)
        + "from alignment.data.standards import load_standards\n"
        "from alignment.data.catalog import default_catalog\n"
        "from alignment.ui.coverage import CoverageApp\n"
        "std = load_standards(); cat = default_catalog()\n"
        "app = CoverageApp(aligner=StubAligner(std), standards=std, catalog=cat, pathways=[])\n"
        "app.course.value = app.course.options[0]\n"
        "assert app.last, app.message.value\n"
        "print('alignment.review.store' in sys.modules)\n"
    )
    env = {**os.environ, "PATHWAY_ALIGN_REVIEW_DB": str(tmp_path / "r.sqlite3")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("False")
    assert not (tmp_path / "r.sqlite3").exists()


# --------------------------------------------------------------------------- the review app's widgets

@pytest.fixture
def store(tmp_path):
    with ReviewStore(tmp_path / "reviews.sqlite3", create=True) as s:
        yield s


def make_review(standards, stub, tiny_catalog, store):
    return ReviewApp(aligner=stub, standards=standards, catalog=tiny_catalog, store=store)


def test_review_needs_a_name_then_records_one_decision_per_click(standards, stub, tiny_catalog, store):
    app = make_review(standards, stub, tiny_catalog, store)
    assert app.course_id == "C1" and len(app.rows) == 10
    first, second = list(app.rows)[:2]
    assert app.decide(first, "accepted") is None and "Type your name" in app.message.value
    assert store.decisions().empty
    app.name.value = "Ana"
    app.rows[first]["assoc"].value = "isRelatedTo"
    app.rows[first]["note"].value = "<b>sure</b>"
    assert app.decide(first, "accepted")["association_type"] == "isRelatedTo"
    app.decide(second, "rejected")
    table = store.decisions("tiny.csv").set_index("standard_id")
    assert table.loc[first, "decision"] == "accepted" and table.loc[first, "reviewer"] == "Ana"
    assert table.loc[second, "decision"] == "rejected" and len(store.audit()) == 2
    assert "&lt;b&gt;sure&lt;/b&gt;" in app.rows[first]["status"].value
    assert store.progress_summary("tiny.csv")["reviewed"] == 2
    assert "2 of 10 suggestions" in app.progress.value
    assert app.undo(second) and "rejected" not in store.decisions("tiny.csv")["decision"].tolist()


def test_a_click_on_a_row_lands_on_its_own_course(standards, stub, tiny_catalog, store):
    """A click that reaches the kernel after the reviewer switched course is recorded for
    the course whose row was clicked, with that row's association type and note."""
    app = make_review(standards, stub, tiny_catalog, store)
    app.name.value = "Ana"
    sid = list(app.rows)[0]
    row = app.rows[sid]
    row["assoc"].value, row["note"].value = "isRelatedTo", "unit 2"
    app.step(+1)
    assert app.course_id == "C2"
    row["accept"].click()
    stored = store.decisions("tiny.csv").iloc[0]
    assert (stored["course_id"], stored["standard_id"]) == ("C1", sid)
    assert (stored["association_type"], stored["note"]) == ("isRelatedTo", "unit 2")
    assert "for course C1" in app.message.value


def test_review_surfaces_a_refused_decision_and_keeps_earlier_ones(standards, stub, tiny_catalog, store):
    app = make_review(standards, stub, tiny_catalog, store)
    app.name.value = "Ana"
    first, second = list(app.rows)[:2]
    app.decide(first, "accepted")
    app.rows[second]["note"].value = "x" * 2_001  # longer than the store accepts
    assert app.decide(second, "accepted") is None
    assert "Not saved" in app.message.value and "note is 2001 characters" in app.message.value
    assert store.decisions("tiny.csv")["standard_id"].tolist() == [first]
    assert store.integrity_check() == "ok"


def test_review_resumes_where_the_reviewer_left_off(standards, stub, tiny_catalog, store):
    app = make_review(standards, stub, tiny_catalog, store)
    app.name.value = "Ana"
    app.step(+1)
    assert app.course_id == "C2" and store.position("Ana", "tiny.csv") == "C2"
    again = make_review(standards, stub, tiny_catalog, store)
    assert again.course_id == "C1"
    again.name.value = "Ana"
    assert again.course_id == "C2" and "resuming at Engineering Design" in again.message.value
    assert "No pathway standards loaded for this sector" in "".join(
        c.value for c in again.suggestion_box.children if hasattr(c, "value"))


def test_review_adds_a_missed_standard_and_exports(standards, stub, tiny_catalog, store):
    app = make_review(standards, stub, tiny_catalog, store)
    assert app.export("csv") is None and "nothing to export" in app.export_links.value
    app.name.value = "Ana"
    app.search.value = "budgets financial"
    assert app.results.options
    app.results.value = app.results.options[0][1]
    stored = app.add_missed()
    assert stored["origin"] == "reviewer" and stored["decision"] == "accepted"
    assert app.added_box.children  # listed under "Added by reviewers"
    # a standards import that drops the standard keeps the decision and says so
    reopened = make_review(standards[standards["standard_id"] != stored["standard_id"]], stub, tiny_catalog, store)
    reopened.name.value = "Ana"
    reopened.open_course(app.course_id)
    shown = "".join(c.children[0].value for c in reopened.added_box.children[1:])
    assert "standard no longer loaded (a standards import removed it); the decision is kept" in shown
    csv = app.export("csv").decode()
    assert stored["standard_id"] in csv and "reviewer" in csv
    book = openpyxl.load_workbook(io.BytesIO(app.export("excel")))
    assert book.sheetnames == ["CF Association", "Decisions", "Agreement", "Disagreements"]
    package = json.loads(app.export("case"))
    types = [a["associationType"] for a in package["CFAssociations"]]
    assert types.count("exactMatchOf") == 1 and set(types) <= {"exactMatchOf", "isChildOf"}
    assert 'download="tiny-decisions-case.json"' in app.export_links.value


def test_review_upload_errors_are_text_and_good_uploads_load(standards, stub, tiny_catalog, store):
    app = make_review(standards, stub, tiny_catalog, store)
    bad = {"name": "bad<script>.csv", "content": memoryview(b"course_id,title\nX1,<img src=x onerror=alert(1)>\n")}
    app._on_upload({"new": (bad,)})
    assert "was not loaded" in app.message.value and "missing required column description" in app.message.value
    no_markup_from("<script><img src=x onerror=alert(1)>", app.message.value)
    app._on_upload({"new": ({"name": "big.xlsx", "content": memoryview(b"not a zip")},)})
    assert "not a readable Excel workbook" in app.message.value
    good = {"name": "mine.csv", "content": memoryview(b"course_id,description\nM1,Students budget money.\n")}
    app._on_upload({"new": (good,)})
    assert app.catalog_key == "mine.csv" and app.course_id == "M1" and "Loaded mine.csv" in app.message.value


def test_team_identity_is_read_only_and_wins_over_the_widget(standards, stub, tiny_catalog, store):
    session.set_identity("Maria Lopez", verified=True)
    app = make_review(standards, stub, tiny_catalog, store)
    assert app.name.disabled and app.name.value == "Maria Lopez" and "Signed in as" in app.who.value
    app.name.value = "Mallory"  # a browser can change a widget's value even when it is disabled
    stored = app.decide(list(app.rows)[0], "accepted")
    assert stored["reviewer"] == "Maria Lopez"


def test_review_app_signals_ready_once_the_first_course_is_drawn(standards, stub, tiny_catalog, store):
    app = make_review(standards, stub, tiny_catalog, store)
    assert 'class="pa-ready"' in app.ready_marker.value and app.rows
    assert app.session.course_id == "C1" and "pa-status-ready" in app.status.value


def test_review_app_creates_a_configured_store_only_when_asked(standards, stub, tiny_catalog, tmp_path, monkeypatch):
    path = tmp_path / "reveiws" / "reviews.sqlite3"  # a typo in a configured path
    monkeypatch.setenv("PATHWAY_ALIGN_REVIEW_DB", str(path))
    app = ReviewApp(aligner=stub, standards=standards, catalog=tiny_catalog, background=False)
    assert app.session is None and not path.parent.exists()
    assert str(path) in app.message.value and "no review store there" in app.message.value
    assert app.create_button.layout.display is None and app.ready_marker.value == ""
    app.create_button.click()
    try:
        assert path.exists() and app.course_id == "C1" and "Created a new, empty review store" in app.message.value
        assert 'class="pa-ready"' in app.ready_marker.value and app.create_button.layout.display == "none"
    finally:
        app.session.store.close()


def test_review_app_opens_a_read_only_store_for_reading(standards, stub, tiny_catalog, tmp_path, monkeypatch):
    from test_review_store_open import read_only

    path = tmp_path / "reviews" / "reviews.sqlite3"
    with ReviewStore(path, create=True) as writer:
        writer.record("tiny.csv", "C1", "CCSS.Math.Content.HSA.SSE.A.1", "accepted", "Ana", origin="reviewer")
    monkeypatch.setenv("PATHWAY_ALIGN_REVIEW_DB", str(path))
    with read_only(path.parent):
        app = ReviewApp(aligner=stub, standards=standards, catalog=tiny_catalog, background=False)
        try:
            assert "(read-only)" in app.status.value and "Opened read-only" in app.message.value
            row = next(iter(app.rows.values()))
            assert row["accept"].disabled and row["reject"].disabled and app.add_button.disabled
            app.name.value = "Bo"
            assert app.decide(next(iter(app.rows)), "rejected") is None and "read-only" in app.message.value
            assert "HSA.SSE.A.1" in "".join(c.children[0].value for c in app.added_box.children[1:])
            assert app.export("csv") and "1 decision of tiny.csv" in app.export_links.value
        finally:
            app.session.store.close()


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PATHWAY_ALIGN_REVIEW_DB", str(tmp_path / "x.sqlite3"))
    monkeypatch.setenv("PATHWAY_ALIGN_TOP_K", "3")
    monkeypatch.setenv("PATHWAY_ALIGN_TEAM", "1")
    s = session.settings()
    assert s.review_db == tmp_path / "x.sqlite3" and s.top_k == 3 and s.team
    monkeypatch.delenv("PATHWAY_ALIGN_REVIEW_DB")
    monkeypatch.delenv("PATHWAY_ALIGN_TOP_K")
    assert session.settings().review_db == session.DEFAULT_REVIEW_DB and session.settings().top_k == 5
    monkeypatch.setenv("PATHWAY_ALIGN_TOP_K", "zero")  # a bad value is an error naming the variable
    with pytest.raises(SettingsError, match="PATHWAY_ALIGN_TOP_K: 'zero' is not a whole number"):
        session.settings()


def test_practice_standards_are_their_own_group_and_domains_are_listed(standards):
    ids = ["CCSS.Math.Content.HSA.CED.A.1", "CCSS.Math.Content.HSA.CED.A.2", "CCSS.Math.Content.HSF.LE.A.1",
           "CCSS.Math.Practice.MP4", "CCSS.Math.Practice.MP1"]
    rows = standards.set_index("standard_id").loc[ids].reset_index()
    sugg = pd.DataFrame({
        "course_id": "C1", "standard_id": ids, "framework": "ccss_math", "code": rows["code"],
        "display_code": rows["display_code"], "score": [0.40, 0.38, 0.30, 0.50, 0.45], "rank": [1, 2, 3, 1, 2],
        "band": ["strong", "strong", "possible", "strong", "strong"], "evidence": "", "family":
        ["content"] * 3 + ["practice"] * 2, "sector": "", "pathway": "", "standard_text": rows["text"],
        "matched_terms": [[]] * 5, "matched_phrases": [[]] * 5, "best_sentence": "", "note": "",
    })
    sugg["rank"] = sugg["rank"].astype("Int64")
    groups = group_suggestions(sugg, standards, [])
    assert [(g.title, g.family) for g in groups] == [("Common Core Mathematics", "content"),
                                                     ("Standards for Mathematical Practice", "practice")]
    assert groups[0].rows["display_code"].tolist() == ["HSA.CED.A.1", "HSA.CED.A.2", "HSF.LE.A.1"]
    assert groups[1].rows["display_code"].tolist() == ["MP4", "MP1"]
    assert groups[0].domains[0] == "HSA.CED Creating Equations★: 2 standards (HSA.CED.A.1, HSA.CED.A.2)"
    out = render_result({"course_id": "C1", "title": "Algebra <b>", "description": "x"}, sugg, standards)
    assert "Standards for Mathematical Practice" in out and "Domains:" in out and "Algebra &lt;b&gt;" in out
    assert out.index("Common Core Mathematics") < out.index("Standards for Mathematical Practice")


def test_coverage_app_edition_chooser_shows_draft_standards():
    """The teacher app's Standards chooser: an AME course on the adopted standards, then on
    the 2023 draft (its cards say DRAFT), then back. The stub aligner suggests from the
    table of the chosen edition, so what the cards show follows the choice."""
    from alignment.data.editions import select_edition
    from alignment.data.standards import load_standards

    standards = load_standards()  # every edition (the shared fixture holds the adopted ones)
    catalog = validate_catalog(pd.DataFrame([{
        "course_id": "A1", "title": "Digital Photography", "sector": "Arts, Media, and Entertainment",
        "grades": "9-12", "description": "Students compose, shoot and edit photographs for an exhibit."}]), "a.csv")
    tables = {e: select_edition(standards, e) for e in ("adopted", "2023-draft")}
    app = CoverageApp(aligner=StubAligner(tables["adopted"]), standards=tables["adopted"], catalog=catalog,
                      pathways=[], editions=["adopted", "2023-draft"],
                      models_for=lambda e: (StubAligner(tables[e]), tables[e]))
    assert app.edition.layout.display is None and app.edition.value == "adopted"
    app.course.value = "Digital Photography (A1)"
    assert "pa-draft" not in app.results.value and "CA-CTE.ANCHOR.AME." in app.results.value
    app.edition.value = "2023-draft"  # as a user picks it: the course is aligned again
    assert app.edition_value == "2023-draft" and "Includes DRAFT standards (2023-draft)" in app.status.value
    cards = re.findall(r'data-standard-id="(CA-CTE[^"]*AME[^"]*)"', app.results.value)
    assert cards and all(c.startswith("CA-CTE.2023-DRAFT.AME.") for c in cards)
    assert app.results.value.count('<span class="pa-draft"') == len(cards)
    app.edition.value = "adopted"
    assert "pa-draft" not in app.results.value and app.edition_value == "adopted"
