"""The pathway gap dashboard (``apps/pathway_gaps.ipynb``): pick a pathway, see its gaps.

A curriculum lead picks one pathway of the school's pathways file (the bundled Westview
file unless ``PATHWAY_ALIGN_PATHWAYS`` says otherwise) and sees, from
:func:`alignment.analysis.gaps.gap_report` and :mod:`alignment.present.reports`:

* headline percentages (pathway standards, indicators, anchor families, Career Ready
  Practices) labelled **not loaded** or **partial** where the standards data is;
* the coverage heatmap and the coverage-by-family bar chart (PNG, in the page), with
  the coverage by level and by course;
* the gap list: (a) pathway gaps, (b) anchor and Career Ready Practice gaps,
  (e) sequencing findings; and (g) the catalog courses that could fill each gap;
* the whole report as Excel and HTML downloads (``data:`` links: Voila serves no files).

Reviewed decisions from the review store override the machine's suggestions. The
dashboard only *reads* the store, from a consistent snapshot taken through a read-only
SQLite connection (:func:`read_review_decisions`, ``ReviewStore.open_snapshot``), so it can never change a reviewer's
work, even while the review app is writing.

Suggestions are computed once per pathway and kept for the kernel's life; decisions are
read again on every pick (and with the "Reload reviewed decisions" button).

The dashboard is ready (the hidden ``pa-ready`` marker, :data:`alignment.ui.html.READY_MARKER`)
as soon as its pathways are listed: that needs the standards, the catalog and the
pathways file, not the models, which load in the background (the aligner, then the
catalog's analysis for part g, both from the disk cache when it has them); a pathway
picked meanwhile waits for them. A pathway's heatmap tab is drawn first, then the
coverage-by-family chart, then the downloads.

:class:`GapDashboard` takes its data and its two expensive steps (``suggest``, ``fixes``)
as arguments, so tests drive it with hand-made suggestions and no models;
:func:`gap_dashboard` wires it to the kernel's shared models and settings
(:mod:`alignment.ui.session`).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from alignment.io import writers
from alignment.ui import html as h
from alignment.ui import session

#: Suggestions per course and framework for gap analysis (as ``pathway-align gaps``).
GAP_TOP_K = 10
#: Catalog courses suggested per gap (part g).
N_FIXES = 3
#: Value of the CA-pathway filter that shows every pathway of the sector.
ALL_PATHWAYS = "__all__"

HEADLINES = (
    # (summary metric, tile label, framework whose completeness labels the tile)
    ("pathway standards covered", "Pathway standards covered", "cte_pathway"),
    ("indicators covered", "Performance indicators covered", "cte_pathway"),
    ("anchor families covered", "Anchor standards covered", "cte_anchor"),
    ("career ready practices covered", "Career Ready Practices covered", "cte_crp"),
)

STYLE = """
<style>
.pa-gd-controls { align-items: center; gap: 8px; flex-wrap: wrap; }
.pa-tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 6px 0; }
.pa-tile { border: 1px solid #d9e2ec; border-radius: 8px; padding: 8px 14px; min-width: 150px; max-width: 230px;
           background: #fbfcfe; }
.pa-tile-value { font-size: 1.75em; font-weight: 700; color: #102a43; line-height: 1.15; }
.pa-tile-label { color: #334e68; font-size: 0.9em; font-weight: 600; }
.pa-tile-note { color: #627d98; font-size: 0.8em; margin-top: 2px; line-height: 1.3; }
.pa-tile-na .pa-tile-value { color: #8a1c1c; font-size: 1.3em; }
.pa-tile-warn .pa-tile-value { color: #8d3c06; }
.pa-notloaded { font-size: 0.78em; padding: 1px 8px; border-radius: 10px; background: #ffeeee; color: #8a1c1c;
                font-weight: 600; }
.pa-tile .pa-notloaded, .pa-tile .pa-partial { white-space: nowrap; display: inline-block; margin-top: 2px; }
.pa-chart { max-width: 100%; height: auto; border: 1px solid #e4e7eb; border-radius: 6px; background: #fff; }
.pa-scrollbox { max-height: 560px; overflow: auto; border: 1px solid #e4e7eb; border-radius: 6px; }
.pa-scrollbox .pa-table { margin: 0; }
.pa-scrollbox .pa-table th { position: sticky; top: 0; z-index: 1; }
.pa-sev-problem { color: #8a1c1c; font-weight: 650; }
.pa-sev-note { color: #52606d; font-weight: 600; }
.pa-inpath { font-size: 0.78em; padding: 0 6px; border-radius: 8px; background: #e3f9e5; color: #1d6b2f; }
.pa-fixlist { margin: 0; padding-left: 1.2em; }
.pa-fixlist li { margin: 1px 0; }
.pa-notes-list { margin: 4px 0 8px 0; }
.pa-gap-dashboard .pa-table .pa-code { white-space: nowrap; }
.pa-gd-tabs .lm-TabBar-tab, .pa-gd-tabs .p-TabBar-tab { min-width: 190px; max-width: none; flex: 0 0 auto; }
</style>
"""


# =========================================================================== the review store, read-only


def read_review_decisions(db_path: str | Path, catalog: str | None) -> tuple[pd.DataFrame | None, str]:
    """The current decisions of ``catalog`` in the review store at ``db_path``, read
    without ever writing to it: ``(decisions or None, what was read, for the page)``.

    Read from :meth:`ReviewStore.open_snapshot <alignment.review.store.ReviewStore.open_snapshot>`
    (a consistent copy taken through a read-only connection, even while the review app
    writes; a read-only store is fine). A missing file is "no decisions yet" (it is not
    created); a damaged or foreign file raises the store's error, naming the file.
    """
    from alignment.review.store import MissingStoreError, ReviewStore

    path = Path(db_path)
    try:
        store = ReviewStore.open_snapshot(path)
    except MissingStoreError:
        return None, f"No review store at {path} yet: machine suggestions only"
    try:
        decisions = store.decisions(catalog)
    finally:
        store.close()
    which = f" for catalog {catalog!r}" if catalog else ""
    return decisions, f"Read {len(decisions)} reviewed decision(s){which} from {path.name} (read-only)"


def _fingerprint(decisions: pd.DataFrame | None) -> str:
    if decisions is None or len(decisions) == 0:
        return "none"
    cols = [c for c in ("course_id", "standard_id", "decision") if c in decisions.columns]
    text = decisions[cols].astype(str).to_csv(index=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# =========================================================================== pure rendering


def _is_nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _pct(value) -> str:
    return "n/a" if _is_nan(value) else f"{float(value):.0f}%"


def _framework_status(report, framework: str) -> tuple[str, str]:
    """``(status, note)`` of a CTE framework in the report: ``complete``, ``partial`` or
    ``not loaded`` (from ``coverage_by_family``, which reads the standards' completeness)."""
    fam = report.coverage_by_family
    row = fam[(fam["family_type"] == "framework") & (fam["family"] == framework)]
    if row.empty:
        return "not loaded", ""
    r = row.iloc[0]
    if framework == "cte_pathway" and not report.pathway_standards_loaded:
        return "not loaded", str(r["note"])
    if int(r["items"]) == 0:
        return "not loaded", str(r["note"])
    if "partial" in str(r["completeness"]):
        return "partial", str(r["note"])
    return "complete", ""


def headline_tiles(report, decisions_applied: int = 0) -> str:
    """The headline numbers as tiles, each labelled not loaded / partial where the data is."""
    summary = dict(zip(report.summary["metric"], zip(report.summary["value"], report.summary["note"])))
    tiles = []
    for metric, label, framework in HEADLINES:
        value, note = summary.get(metric, ("n/a", ""))
        status, status_note = _framework_status(report, framework)
        css, badge = "pa-tile", ""
        if value == "n/a" or status == "not loaded":
            css += " pa-tile-na"
            badge = '<span class="pa-notloaded">not loaded</span>'
            value = "n/a"
            note = note or status_note
        elif status == "partial":
            badge = '<span class="pa-partial">partial data</span>'
        tiles.append(f'<div class="{css}" data-metric="{h.esc(metric)}"><div class="pa-tile-label">{h.esc(label)} '
                     f'{badge}</div><div class="pa-tile-value">{h.esc(value)}</div>'
                     f'<div class="pa-tile-note">{h.esc(note)}</div></div>')
    n_gaps = int((report.pathway_gaps["standard_id"].astype(str) != "").sum()) + len(report.anchor_gaps)
    where = "" if report.pathway.cte_pathway else ", all pathways of the sector"
    problems = int((report.sequencing["severity"] == "problem").sum()) if len(report.sequencing) else 0
    tiles.append(f'<div class="pa-tile{" pa-tile-warn" if n_gaps else ""}" data-metric="gaps">'
                 f'<div class="pa-tile-label">Gaps listed</div><div class="pa-tile-value">{n_gaps}</div>'
                 f'<div class="pa-tile-note">pathway (a) + anchor &amp; practice (b) rows{h.esc(where)}</div></div>')
    tiles.append(f'<div class="pa-tile{" pa-tile-warn" if problems else ""}" data-metric="sequencing">'
                 f'<div class="pa-tile-label">Sequencing problems</div><div class="pa-tile-value">{problems}</div>'
                 f'<div class="pa-tile-note">{len(report.sequencing)} findings in (e)</div></div>')
    tiles.append(f'<div class="pa-tile" data-metric="decisions"><div class="pa-tile-label">Reviewed decisions '
                 f'applied</div><div class="pa-tile-value">{int(decisions_applied)}</div>'
                 f'<div class="pa-tile-note">they override the machine\'s suggestions</div></div>')
    banner = ""
    if getattr(report, "edition_label", ""):  # every number above is on a draft: said first, in the tiles
        fit = f" Best fit: {report.best_pathway} (focus area: {report.best_focus_area})." \
            if getattr(report, "best_focus_area", "") else ""
        banner = (f'<div class="pa-draft-banner" data-metric="edition"><span class="pa-draft">DRAFT</span> '
                  f'{h.esc(report.edition_label)}.{h.esc(fit)}</div>')
    return banner + '<div class="pa-tiles">' + "".join(tiles) + "</div>"


def notes_html(report) -> str:
    """The report's honesty notes (not loaded, partial data, pathway-file warnings)."""
    if not report.notes:
        return ""
    items = []
    for note in report.notes:
        kind = "warn" if ("loaded" in note or "partial" in note) else "info"
        items.append(h.notice(note, kind))
    return '<div class="pa-notes-list">' + "".join(items) + "</div>"


def image_html(png: bytes, alt: str, css: str) -> str:
    import base64

    data = base64.b64encode(bytes(png)).decode("ascii")
    return f'<img class="pa-chart {h.esc(css)}" alt="{h.esc(alt)}" src="data:image/png;base64,{data}">'


def _filter_rows(frame: pd.DataFrame, pathways: list[str] | None) -> pd.DataFrame:
    if pathways is None or "pathway" not in frame.columns:
        return frame
    return frame[frame["pathway"].isin(pathways)]


def _section(title: str, count: int | None, help_text: str, body: str, css: str) -> str:
    n = f" ({count})" if count is not None else ""
    return (f'<div class="pa-group {h.esc(css)}"><h3>{h.esc(title)}{n}</h3>'
            f'<div class="pa-group-note">{h.esc(help_text)}</div>{body}</div>')


def _scroll(inner: str) -> str:
    return f'<div class="pa-scrollbox">{inner}</div>'


def _code(value) -> str:
    return f'<span class="pa-code">{h.esc(value)}</span>'


def gaps_html(report, pathways: list[str] | None = None) -> str:
    """Parts (a), (b) and (e) as tables (``pathways``: only these CA pathways' standards in (a))."""
    from alignment.present.reports import PART_HELP

    titles = report.pathway.course_titles
    parts = []
    a = report.pathway_gaps
    real = a[a["standard_id"].astype(str) != ""]
    if not report.pathway_standards_loaded or real.empty and len(a):
        reason = a["gap"].iloc[0] if len(a) else "no pathway standards loaded"
        body = h.notice(f"not loaded: {reason}", "warn")
        parts.append(_section("(a) Pathway gaps", None, PART_HELP["(a) Pathway gaps"], body, "pa-gaps-a"))
    else:
        shown = _filter_rows(real, pathways)
        rows = [{"code": _code(r["display_code"]), "pathway": r["pathway"], "kind": r["kind"], "text": r["text"],
                 "gap": r["gap"], "near": r["weak_or_rejected"]} for r in shown.to_dict("records")]
        columns = [("code", "Code"), ("kind", "Kind"), ("text", "Standard"), ("gap", "Gap"),
                   ("near", "Weak or rejected")]
        if shown["pathway"].nunique() > 1:
            columns.append(("pathway", "CA pathway"))
        body = (_scroll(h.table(rows, columns, raw_columns=["code"])) if rows else
                '<div class="pa-muted">None: every pathway standard in view is covered.</div>')
        parts.append(_section("(a) Pathway gaps", len(rows), PART_HELP["(a) Pathway gaps"], body, "pa-gaps-a"))
    b = report.anchor_gaps
    anchors_missing = _framework_status(report, "cte_anchor")[0] == "not loaded"
    missing_note = h.notice(f"not loaded: no anchor standards loaded for this sector ({report.pathway.sector}) - "
                            "nothing to measure, not a gap of the pathway", "warn") if anchors_missing else ""
    rows = [{"code": _code(r["display_code"]), "family": f"{r['family']}: {r['title']}".strip(": "),
             "text": r["text"], "gap": r["gap"]} for r in b.to_dict("records")]
    body = missing_note + (_scroll(h.table(rows, [("code", "Code"), ("family", "Family"), ("text", "Standard"),
                                                  ("gap", "Gap")], raw_columns=["code"]))
                           if rows else "" if anchors_missing else '<div class="pa-muted">None.</div>')
    parts.append(_section("(b) Anchor standards and Career Ready Practices", len(rows),
                          PART_HELP["(b) Anchor & CRP gaps"], body, "pa-gaps-b"))
    e = report.sequencing
    rows = [{"severity": f'<span class="pa-sev-{h.css_class(r["severity"])}">{h.esc(r["severity"])}</span>',
             "issue": r["issue"], "code": _code(r["display_code"]),
             "course": f"{titles.get(r['course_id'], '')} ({r['course_id']})", "level": r["level"],
             "detail": r["detail"]} for r in e.to_dict("records")]
    body = _scroll(h.table(rows, [("severity", "Severity"), ("issue", "Finding"), ("code", "Standard"),
                                  ("course", "Course"), ("level", "Level"), ("detail", "Detail")],
                           raw_columns=["severity", "code"])) if rows else '<div class="pa-muted">None found.</div>'
    parts.append(_section("(e) Sequencing", len(rows), PART_HELP["(e) Sequencing"], body, "pa-gaps-e"))
    return "".join(parts)


def fixes_html(report, pathways: list[str] | None = None) -> str:
    """Part (g): for each gap, the catalog courses that score highest for it."""
    from alignment.present.reports import PART_HELP

    fx = report.fixes
    if fx.empty:
        text = ("No gaps to fill." if report.pathway_gaps["standard_id"].astype(str).eq("").all()
                and report.anchor_gaps.empty else "Suggested fixes were not computed (they need the models and "
                                                  "the catalog).")
        return _section("(g) Suggested fixes", None, PART_HELP["(g) Suggested fixes"],
                        f'<div class="pa-muted">{h.esc(text)}</div>', "pa-fixes")
    if pathways is not None:
        sc = report.standards_coverage.set_index("standard_id")
        keep = [s for s in fx["gap_standard_id"].unique()
                if s not in sc.index or sc.at[s, "framework"] != "cte_pathway" or sc.at[s, "pathway"] in pathways]
        fx = fx[fx["gap_standard_id"].isin(keep)]
    rows = []
    for sid, group in fx.groupby("gap_standard_id", sort=False):
        first = group.iloc[0]
        items = []
        for r in group.sort_values("rank").to_dict("records"):
            mark = ' <span class="pa-inpath">in this pathway</span>' if r["in_pathway"] else ""
            items.append(f"<li>{h.esc(r['title'])} <span class=\"pa-muted\">({h.esc(r['course_id'])}; "
                         f"{h.esc(r['department'])})</span> {h.badge(r['band'])}{mark}</li>")
        rows.append({"code": _code(first["display_code"]), "text": first["gap_text"],
                     "courses": '<ol class="pa-fixlist">' + "".join(items) + "</ol>"})
    body = _scroll(h.table(rows, [("code", "Gap"), ("text", "Standard"), ("courses", "Catalog courses that could "
                                                                                      "cover it (best first)")],
                           raw_columns=["code", "courses"]))
    return _section("(g) Suggested fixes", len(rows), PART_HELP["(g) Suggested fixes"], body, "pa-fixes")


def coverage_tables_html(report) -> str:
    """Coverage by level and by course (percentages; n/a where nothing is loaded)."""
    lv = report.coverage_by_level
    rows = [{"level": r["level"], "courses": r["courses"],
             "pw": f"{_pct(r['pct_pathway_items'])} ({r['pathway_items_covered']})",
             "an": f"{_pct(r['pct_anchor_items'])} ({r['anchor_items_covered']})",
             "crp": f"{_pct(r['pct_crp'])} ({r['crp_covered']})",
             "cum": _pct(r["cumulative_pct_cte_items"])} for r in lv.to_dict("records")]
    by_level = h.table(rows, [("level", "Level"), ("courses", "Courses"), ("pw", "Pathway items"),
                              ("an", "Anchor items"), ("crp", "Career Ready Practices"),
                              ("cum", "CTE items, cumulative")])
    co = report.coverage_by_course
    rows = [{"pos": r["sequence_position"], "title": f"{r['title']} ({r['course_id']})", "level": r["level"],
             "pw": r["pathway_items"], "an": r["anchor_items"], "crp": r["crp"], "ccss": r["ccss"],
             "pct": _pct(r["pct_cte_items"]), "acc": r["accepted"], "rej": r["rejected"]}
            for r in co.to_dict("records")]
    by_course = h.table(rows, [("pos", "#"), ("title", "Course"), ("level", "Level"), ("pw", "Pathway items"),
                               ("an", "Anchor items"), ("crp", "Practices"), ("ccss", "Common Core"),
                               ("pct", "% of CTE items"), ("acc", "Accepted"), ("rej", "Rejected")])
    return (_section("Coverage by level", len(lv), "What the courses of each level cover, and the cumulative share "
                                                   "through that level.", by_level, "pa-by-level")
            + _section("Coverage by course", len(co), "What each course covers (accepted and rejected: reviewed "
                                                      "decisions).", by_course, "pa-by-course"))


def report_downloads(report, charts: dict[str, bytes]) -> dict[str, bytes]:
    """The whole report as ``{filename: bytes}``: Excel workbook and self-contained HTML
    (what ``write_excel`` / ``render_html`` write, with the charts already drawn)."""
    from alignment.present.reports import PART_HELP, render_tables_html, tables_excel_bytes

    name = writers.slug(report.pathway.name, default="pathway")
    excel = tables_excel_bytes(report.tables(), charts=charts)
    page = render_tables_html(f"Pathway gap report: {report.pathway.name}", report.tables(), notes=report.notes,
                              charts=charts, help_texts=PART_HELP)
    return {f"gaps-{name}.xlsx": excel, f"gaps-{name}.html": page.encode("utf-8")}


def downloads_html(files: dict[str, bytes]) -> str:
    mimes = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".html": "text/html"}
    links = []
    for filename, data in files.items():
        suffix = Path(filename).suffix
        label = {".xlsx": "Download report (Excel)", ".html": "Download report (HTML)"}.get(suffix, filename)
        links.append(h.download_link(data, filename, mimes.get(suffix, "application/octet-stream"), label))
    return '<div class="pa-downloads">' + "".join(links) + "</div>"


# =========================================================================== the widget


@dataclass
class View:
    """One pathway's computed view (the latest one of each pathway is kept: switching back is
    instant unless the reviewed decisions changed meanwhile)."""

    report: object
    charts: dict[str, bytes]
    decisions_applied: int
    decisions_label: str
    seconds: float
    heatmaps: dict[str, bytes] = field(default_factory=dict)
    downloads: dict[str, bytes] = field(default_factory=dict)


class GapDashboard:
    """The dashboard's widgets and callbacks.

    pathways: the school's pathways (:func:`alignment.data.pathways.load_pathways`).
    standards: the standards table.
    suggest: ``suggest(pathway) -> suggestions`` (``Aligner.suggest`` output for the
        pathway's courses); called once per pathway, then cached.
    decisions: ``decisions() -> (table or None, label)``, read on every pick; or a table;
        or None (machine suggestions only).
    fixes: a fitted :class:`~alignment.analysis.fixes.FixFinder`, or a function returning one
        (called once, when first needed), or None (no part g).
    cache: ``cache(key, make)`` for the suggestions (default: this dashboard's own dict;
        :func:`gap_dashboard` passes the kernel's :func:`session.cached`).
    error: a message to show instead of the picker (the pathways could not be loaded).
    editions, standards_for: the edition chooser (:mod:`alignment.data.editions`): the
        editions offered (the first is the one ``standards`` holds) and
        ``standards_for(edition) -> table``; with them ``suggest`` is called as
        ``suggest(pathway, edition)``. Part (g) is computed for the first edition only.
    """

    def __init__(self, pathways: list, standards: pd.DataFrame | None, *, suggest: Callable | None = None,
                 decisions=None, fixes=None, cache: Callable | None = None, error: str = "",
                 source: str = "", editions: list[str] | None = None, standards_for: Callable | None = None):
        import ipywidgets as w

        self.pathways = list(pathways or [])
        self.standards = standards
        self.editions = list(editions or ["adopted"])
        self.edition = self.editions[0]
        self._standards_for = standards_for
        self._suggest = suggest
        self._decisions = decisions
        self._fixes_source = fixes
        self._fixes = fixes if hasattr(fixes, "best_courses") else None  # a fitted FixFinder, or made when needed
        self._own_cache: dict = {}
        self._cache = cache or self._local_cached
        self._views: dict = {}
        self.current: View | None = None
        self._working = False  # a pathway is being computed
        self._quiet_filter = False  # the CA-pathway filter is being set by the code, not the user

        self.style = w.HTML(h.STYLE + STYLE)
        where = f" from {source}" if source else ""
        self.header = w.HTML(
            '<div class="pa-app"><div class="pa-title">Pathway gap dashboard</div>'
            '<div class="pa-subtitle">Pick a career pathway to see which of its CTE standards the course sequence '
            'covers, what it misses, what it teaches out of order, and which catalog courses could fill the gaps. '
            'Coverage comes from the machine\'s strong and possible suggestions; a reviewer\'s accepted or rejected '
            f'decision always wins. Pathways{h.esc(where)}.</div></div>')
        options = [("Choose a pathway…", None)] + [(self._label(p), i) for i, p in enumerate(self.pathways)]
        self.picker = w.Dropdown(options=options, value=None, description="Pathway",
                                 layout=w.Layout(width="500px"))
        self.picker.style.description_width = "70px"
        self.picker.add_class("pa-gd-pathway")
        self.ca_filter = w.Dropdown(options=[("all", ALL_PATHWAYS)], value=ALL_PATHWAYS, description="CA pathway",
                                    layout=w.Layout(width="390px", display="none"))
        self.ca_filter.style.description_width = "85px"
        self.ca_filter.add_class("pa-gd-ca-pathway")
        self.edition_picker = w.Dropdown(options=[(edition_option_label(e), e) for e in self.editions],
                                         value=self.edition, description="Standards",
                                         layout=w.Layout(width="330px",
                                                         display=None if len(self.editions) > 1 else "none"))
        self.edition_picker.style.description_width = "75px"
        self.edition_picker.add_class("pa-gd-edition")
        self.reload = w.Button(description="Reload decisions", icon="refresh", disabled=True,
                               tooltip="Read the reviewed decisions again (the dashboard never changes them)",
                               layout=w.Layout(width="160px"))
        self.reload.add_class("pa-gd-reload")
        self.status = w.HTML(self._status(error or "Choose a pathway to see its gaps.", "error" if error else "idle"))
        self.status.add_class("pa-gd-status")
        self.message = w.HTML(h.notice(error, "error") if error else "")
        self.message.add_class("pa-gd-message")
        self.tiles = w.HTML("")
        self.tiles.add_class("pa-gd-tiles")
        self.notes = w.HTML("")
        self.notes.add_class("pa-gd-notes")
        self.downloads = w.HTML("")
        self.downloads.add_class("pa-gd-downloads")
        self.heatmap = w.HTML("")
        self.heatmap.add_class("pa-gd-heatmap")
        self.coverage = w.HTML("")
        self.coverage.add_class("pa-gd-coverage")
        self.gaps = w.HTML("")
        self.gaps.add_class("pa-gd-gaps")
        self.fixes = w.HTML("")
        self.fixes.add_class("pa-gd-fixes")
        self.tabs = w.Tab(children=[self.heatmap, self.coverage, self.gaps, self.fixes])
        for i, title in enumerate(("Coverage heatmap", "Coverage summary", "Gaps (a, b, e)",
                                   "Suggested fixes (g)")):
            self.tabs.set_title(i, title)
        self.tabs.add_class("pa-gd-tabs")
        self.tabs.layout.display = "none"
        controls = w.HBox([self.picker, self.edition_picker, self.ca_filter, self.reload])
        controls.add_class("pa-gd-controls")
        self.ready_marker = w.HTML("")
        self.ready_marker.add_class("pa-gd-ready")
        self.widget = w.VBox([self.style, self.header, controls, self.status, self.ready_marker, self.message,
                              self.tiles, self.notes, self.downloads, self.tabs])
        self.widget.add_class("pa-app")
        self.widget.add_class("pa-gap-dashboard")
        if error:
            self.picker.disabled = True
        else:
            # Its data (pathways, standards, catalog) is loaded and the picker is its first
            # view: ready. The models load in the background; a pick waits for them.
            self.ready_marker.value = h.READY_MARKER

        self.picker.observe(self._on_pick, names="value")
        self.ca_filter.observe(self._on_filter, names="value")
        self.edition_picker.observe(lambda change: self.set_edition(change["new"]), names="value")
        self.reload.on_click(lambda _: self.show(self.picker.value, reload=True))

    # ----------------------------------------------------------------- helpers

    @staticmethod
    def _label(pathway) -> str:
        what = pathway.cte_pathway or f"{pathway.sector}, sector only"
        return f"{pathway.name} ({what}; {len(pathway.course_ids)} courses)"

    @staticmethod
    def _status(text: str, kind: str) -> str:
        return f'<div class="pa-status pa-status-{h.css_class(kind)}">{h.esc(text)}</div>'

    def _local_cached(self, key, make):
        if key not in self._own_cache:
            self._own_cache[key] = make()
        return self._own_cache[key]

    def _busy(self, text: str):
        self.status.value = self._status(text, "busy")

    def loading(self):
        """Say the models are loading (in the background: a pathway may be picked meanwhile)."""
        if self.current is None and not self._working and self.pathways:
            self._busy(f"Loading the models in the background… You can choose one of the {len(self.pathways)} "
                       "pathways now.")

    def models_ready(self, error: BaseException | None = None):
        """Called when the background loading of the models ends (see :func:`session.warm_up`)."""
        if error is not None:
            self.status.value = self._status("The models could not be loaded.", "error")
            self.message.value = h.notice(h.error_text(error), "error")
        elif self.current is None and not self._working:
            self.status.value = self._status(f"Ready: {len(self.pathways)} pathways. Choose one to see its gaps.",
                                             "ready")

    def suggestions_for(self, pathway) -> pd.DataFrame:
        """The pathway's suggestions, computed once (per kernel with :func:`gap_dashboard`)."""
        key = f"gap-dashboard::suggestions::{pathway.source}::{pathway.name}::{'|'.join(pathway.course_ids)}"
        if self._standards_for is None:
            return self._cache(key, lambda: self._suggest(pathway))
        edition = self.edition
        return self._cache(f"{key}::{edition}", lambda: self._suggest(pathway, edition))

    def set_edition(self, edition: str) -> View | None:
        """Analyse in another edition (as a user would with the Standards chooser); the
        pathway shown, if any, is computed again on that edition's standards."""
        if edition == self.edition:
            return self.current
        if edition not in self.editions or self._standards_for is None:
            raise KeyError(f"edition {edition!r} is not offered; editions: {', '.join(self.editions)}")
        self.edition = edition
        self.standards = self._standards_for(edition)
        if self.edition_picker.value != edition:
            self.edition_picker.value = edition  # fires this again, which returns at once
        if self.picker.value is None:
            return None
        return self.show(self.picker.value)

    def read_decisions(self) -> tuple[pd.DataFrame | None, str]:
        source = self._decisions
        if source is None:
            return None, "No review store configured: machine suggestions only"
        if isinstance(source, pd.DataFrame):
            return source, f"Using {len(source)} reviewed decision(s)"
        return source()

    def fix_finder(self):
        """The FixFinder for part (g) (None: no suggested fixes; also for an edition other
        than the first, whose standards the catalog analysis was not made on)."""
        if self.edition != self.editions[0]:
            return None
        if self._fixes is None and callable(self._fixes_source):
            self._fixes = self._fixes_source()
        return self._fixes

    def _shown_pathways(self, report) -> list[str] | None:
        """CA pathways whose standards the heatmap and gap list show (None: all in scope)."""
        if report.pathway.cte_pathway:
            return None
        value = self.ca_filter.value
        return None if value == ALL_PATHWAYS else [value]

    # ----------------------------------------------------------------- actions

    def _on_pick(self, change):
        self.show(change["new"])

    def _on_filter(self, change):
        if self.current is not None and not self._quiet_filter:
            self._render_filtered(self.current)

    def select(self, name: str) -> View | None:
        """Pick a pathway by name (as a user would in the dropdown); returns its view."""
        for i, p in enumerate(self.pathways):
            if name in (p.name, p.cte_pathway):
                if self.picker.value == i:
                    return self.show(i)
                self.picker.value = i  # fires the callback
                return self.current
        raise KeyError(f"no pathway named {name!r}; pathways: {', '.join(p.name for p in self.pathways)}")

    def show(self, index, *, reload: bool = False) -> View | None:
        """Compute (or reuse) and display the view of pathway number ``index``."""
        from alignment.analysis.gaps import gap_report
        from alignment.present.reports import figure_png, plot_coverage_heatmap, plot_family_coverage

        if index is None:
            self._clear()
            self.status.value = self._status("Choose a pathway to see its gaps.", "idle")
            return None
        pathway = self.pathways[index]
        self.picker.disabled = self.reload.disabled = True
        self.message.value = ""
        self._working = True
        if self.current is not None and self.current.report.pathway is not pathway:
            self._clear()  # never show one pathway's numbers under another's name
        try:
            start = time.perf_counter()
            n = len(pathway.course_ids)
            self._busy(f"Computing… suggestions for the {n} courses of {pathway.name} (a few seconds the first "
                       "time; then kept for this session).")
            suggestions = self.suggestions_for(pathway)
            self._busy(f"Computing… reading reviewed decisions and building the gap report for {pathway.name}.")
            decisions, label = self.read_decisions()
            fingerprint = _fingerprint(decisions)
            kept = self._views.get((self.edition, index))
            view = kept[1] if kept and kept[0] == fingerprint and not reload else None
            if view is None:
                report = gap_report(pathway, self.standards, suggestions, decisions, fixes=self.fix_finder(),
                                    n_fixes=N_FIXES)
                applied = int((report.coverage["source"] == "decision").sum())
                self._busy(f"Computing… drawing the coverage heatmap for {pathway.name}.")
                charts = {"Coverage heatmap": figure_png(plot_coverage_heatmap(report))}
                view = View(report, charts, applied, label, 0.0)
                self._views[(self.edition, index)] = (fingerprint, view)  # the latest view of each pathway
            view.seconds = time.perf_counter() - start
            self.current = view
            self._render(view)  # the heatmap tab first; the other tab's chart follows
            if "Coverage by family" not in view.charts:
                self._busy(f"Computing… drawing the coverage by family for {pathway.name}.")
                view.charts["Coverage by family"] = figure_png(plot_family_coverage(view.report))
                self._render_coverage(view)
            if not view.downloads:
                self._busy("Computing… preparing the Excel and HTML downloads.")
                view.downloads = report_downloads(view.report, view.charts)
            self.downloads.value = downloads_html(view.downloads)
            self.status.value = self._status(
                f"Ready: {pathway.name}, {n} courses, in {time.perf_counter() - start:.1f} s. "
                f"{view.decisions_label}.", "ready")
            return view
        except Exception as exc:  # shown on the page, never a traceback
            self._clear()
            self.status.value = self._status(f"Could not analyse {pathway.name}.", "error")
            self.message.value = h.notice(h.error_text(exc), "error")
            return None
        finally:
            self._working = False
            self.picker.disabled = False
            self.reload.disabled = self.picker.value is None

    def _clear(self):
        self.current = None
        for widget in (self.tiles, self.notes, self.downloads, self.heatmap, self.coverage, self.gaps, self.fixes):
            widget.value = ""
        self.tabs.layout.display = "none"
        self.ca_filter.layout.display = "none"

    def _render(self, view: View):
        report = view.report
        self.tiles.value = headline_tiles(report, view.decisions_applied)
        self.notes.value = notes_html(report)
        self._render_coverage(view)
        self._quiet_filter = True
        try:
            if report.pathway.cte_pathway or report.pathway_fit.empty:
                self.ca_filter.options = [("all", ALL_PATHWAYS)]
                self.ca_filter.value = ALL_PATHWAYS
                self.ca_filter.layout.display = "none"
            else:
                options = []
                for r in report.pathway_fit.to_dict("records"):
                    label = f"{r['pathway']} ({_pct(r['pct_standards'])} of standards)"
                    options.append((label + (" - best fit" if r["best_fit"] else ""), r["pathway"]))
                options.append(("all pathways of the sector", ALL_PATHWAYS))
                self.ca_filter.options = options
                self.ca_filter.value = report.best_pathway or ALL_PATHWAYS
                self.ca_filter.layout.display = None
        finally:
            self._quiet_filter = False
        self._render_filtered(view)
        self.tabs.layout.display = None

    def _render_coverage(self, view: View):
        """The coverage summary tab: the family chart (once drawn) and the tables."""
        report = view.report
        png = view.charts.get("Coverage by family")
        chart = (image_html(png, f"Coverage by family: {report.pathway.name}", "pa-family-chart") if png else
                 '<div class="pa-muted">Drawing the coverage by family…</div>')
        self.coverage.value = chart + coverage_tables_html(report)

    def _render_filtered(self, view: View):
        from alignment.present.reports import figure_png, plot_coverage_heatmap

        report = view.report
        shown = self._shown_pathways(report)
        key = ALL_PATHWAYS if shown is None else shown[0]
        if report.pathway.cte_pathway or shown == ([report.best_pathway] if report.best_pathway else None):
            png = view.charts["Coverage heatmap"]
        else:
            if key not in view.heatmaps:
                view.heatmaps[key] = figure_png(plot_coverage_heatmap(report, pathways=shown))
            png = view.heatmaps[key]
        what = "all pathways of the sector" if (shown is None and not report.pathway.cte_pathway) else (
            shown[0] if shown else report.pathway.cte_pathway)
        caption = (f'<div class="pa-group-note">Rows: pathway standards ({h.esc(what)}) rolled up with their '
                   'indicators, anchor standards by number, Career Ready Practices. Columns: courses in sequence '
                   'order. Colour: the strongest status in the row; a reviewed decision overrides a suggestion.</div>')
        self.heatmap.value = caption + image_html(png, f"Coverage heatmap: {report.pathway.name}", "pa-heatmap")
        self.gaps.value = gaps_html(report, shown)
        self.fixes.value = fixes_html(report, shown)


# =========================================================================== the app


def gap_dashboard(**kwargs):
    """Build the dashboard from the kernel's settings and shared models; returns the
    top widget (what ``apps/pathway_gaps.ipynb`` displays). Keyword arguments go to
    :class:`GapDashboard` and override the defaults."""
    return build_gap_dashboard(**kwargs).widget


def build_gap_dashboard(*, background: bool = True, **kwargs) -> GapDashboard:
    """The :class:`GapDashboard` of this kernel's configuration (see :mod:`alignment.ui.session`):
    pathways from ``PATHWAY_ALIGN_PATHWAYS`` (default: the bundled Westview file), the
    catalog from ``PATHWAY_ALIGN_CATALOG``, decisions (read-only) from
    ``PATHWAY_ALIGN_REVIEW_DB``; models loaded once per kernel (``background``: start
    loading them now, while the user chooses a pathway)."""
    from alignment.data.pathways import default_pathways_path, load_pathways

    cfg = session.settings()
    path = cfg.pathways or default_pathways_path()
    error, pathways, standards = "", [], None
    try:
        standards = session.get_standards()
        catalog = session.get_catalog()
        pathways = session.cached(f"gap-dashboard::pathways::{path}",
                                  lambda: load_pathways(path, catalog=catalog, standards=standards))
    except Exception as exc:  # shown on the page: which file, which row, what to do
        error = f"The pathways could not be loaded.\n{h.error_text(exc)}"

    def suggest(pathway):
        return session.get_aligner().suggest(pathway.courses_for_aligner(), top_k=GAP_TOP_K)

    def fixes():
        return session.get_fix_finder(N_FIXES)  # the model service's, or fitted in this kernel

    def decisions():
        return read_review_decisions(cfg.review_db, review_catalog_name(session.get_catalog()))

    def suggest_in(pathway, edition):
        return session.get_aligner(edition).suggest(pathway.courses_for_aligner(), top_k=GAP_TOP_K)

    options = dict(suggest=suggest, decisions=decisions, fixes=fixes, cache=session.cached, error=error,
                   source=Path(path).name)
    if not error:
        try:
            editions = session.edition_options()
        except Exception:  # noqa: BLE001 - without the chooser the dashboard works on the setting's edition
            editions = [cfg.edition]
        if len(editions) > 1:
            options.update(editions=editions, standards_for=session.get_standards, suggest=suggest_in)
    options.update(kwargs)
    dashboard = GapDashboard(pathways, standards, **options)
    if background and not error:
        dashboard.loading()

        def done(error):
            if error is None:
                try:
                    dashboard.fix_finder()  # the catalog's analysis for part (g), usually from the disk cache
                except Exception:  # noqa: BLE001 - picking a pathway will say what is wrong
                    pass
            dashboard.models_ready(error)

        session.warm_up(done)  # fit the models while the user chooses a pathway
    return dashboard


def edition_option_label(edition: str) -> str:
    """The chooser's label of an edition selection: ``adopted`` or the edition's label, DRAFT marked."""
    from alignment.data.editions import EDITION_BY_ID, edition_label

    if edition == "adopted":
        return "adopted editions"
    known = EDITION_BY_ID.get(edition)
    return f"{edition_label(edition)} (DRAFT)" if known is None or known.status == "draft" else edition_label(edition)


def review_catalog_name(catalog: pd.DataFrame) -> str:
    """The name the review app records a catalog's decisions under (its file name)."""
    return catalog.attrs.get("source", "catalog")


__all__ = ["GapDashboard", "build_gap_dashboard", "gap_dashboard", "read_review_decisions", "headline_tiles",
           "gaps_html", "fixes_html", "report_downloads", "GAP_TOP_K", "N_FIXES"]
