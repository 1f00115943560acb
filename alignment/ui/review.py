"""The specialist review app: walk a catalog's suggestions, accept or reject each.

A reviewer (a typed name; in team mode the user the server authenticated, read-only)
picks a catalog (the configured one, or an uploaded CSV/Excel file validated as the
CLI validates it) and a course, then accepts or rejects each suggestion (choosing the
CASE association type), adds standards the machine missed (search over the standards)
and may leave a note. Each click writes ONE decision to the review store (one
transaction, audited); a refused decision (the store's own checks) is shown as text and
changes nothing. The suggestions shown are registered, so progress per catalog means
something; reopening the app resumes at the reviewer's last course. Decisions export
to CSV, Excel (OpenSALT association sheet) and CASE 1.0 JSON, in the page.

This module is the widgets only: what the reviewer is doing, and every action, is a
:class:`~alignment.ui.review_session.ReviewSession` (no widgets; tested on its own),
which this view calls and renders. When the app has loaded its data and drawn the
first course it shows the hidden ``pa-ready`` marker (:data:`alignment.ui.html.READY_MARKER`),
the condition the browser tests wait for.
"""

from __future__ import annotations

import threading

import pandas as pd

from alignment.data.frameworks import FRAMEWORK_ORDER
from alignment.ui import html as h
from alignment.ui import session
from alignment.ui.standards_import import standards_import_panel
from alignment.data.editions import family_of
from alignment.ui.coverage import (
    completeness_of, course_label, editions_of_rows, group_suggestions, render_card, render_course,
)
from alignment.ui.review_session import (
    BULK_ACTIONS, OPEN_STATUSES, QUEUE_STATUSES, SEARCH_LIMIT, CourseView, ReviewSession, open_review_store,
)

ASSOCIATION_CHOICES = [("exact match (exactMatchOf)", "exactMatchOf"), ("related (isRelatedTo)", "isRelatedTo")]
ASSOCIATION_LABELS = {"exactMatchOf": "exact match", "isRelatedTo": "related"}
UPLOAD_SUFFIXES = ".csv,.txt,.xlsx,.xlsm"
#: A decision whose standard a standards-library import (or its removal) took out: kept, and said so.
NO_LONGER_LOADED = "standard no longer loaded (a standards import removed it); the decision is kept"
#: Keyboard shortcuts: key -> (what it does, shown in the legend). Every one is also a button.
SHORTCUTS = {
    "j": "next suggestion", "ArrowDown": "next suggestion",
    "k": "previous suggestion", "ArrowUp": "previous suggestion",
    "a": "accept the focused suggestion", "r": "reject the focused suggestion",
    "A": "accept all strong (its framework)", "R": "reject the rest (its framework)",
    "u": "undo your last change (a bulk action as one)",
    "n": "next course", "ArrowRight": "next course", "p": "previous course", "ArrowLeft": "previous course",
    "q": "next course in the queue",
}
_FOCUS_STYLE = ("<style>.pa-review-app .pa-focus { outline: 3px solid #1a56db; outline-offset: 2px; "
                "border-radius: 4px; } .pa-keys-legend kbd { border: 1px solid #9aa5b1; border-radius: 3px; "
                "padding: 0 4px; font-size: 90%; background: #f5f7fa; }</style>")


def legend_html() -> str:
    """The shortcut legend (keys grouped by what they do)."""
    by_action: dict[str, list[str]] = {}
    for key, action in SHORTCUTS.items():
        by_action.setdefault(action, []).append(key)
    names = {"ArrowDown": "↓", "ArrowUp": "↑", "ArrowRight": "→", "ArrowLeft": "←"}
    items = " · ".join(" / ".join(f"<kbd>{h.esc(names.get(k, k))}</kbd>" for k in keys) + f" {h.esc(action)}"
                       for action, keys in by_action.items())
    return f'<div class="pa-keys-legend pa-muted">Keys (outside text fields): {items}</div>'


def decision_html(decision: dict | None) -> str:
    """The state of one pair: not reviewed, or accepted/rejected by whom, when, how."""
    if not decision:
        return '<span class="pa-decision pa-decision-open">not reviewed yet</span>'
    kind = decision.get("decision", "")
    how = f" ({ASSOCIATION_LABELS.get(decision.get('association_type'), decision.get('association_type'))})" \
        if kind == "accepted" else ""
    when = str(decision.get("decided_at", ""))[:16].replace("T", " ")
    note = f" · note: {decision['note']}" if decision.get("note") else ""
    return (f'<span class="pa-decision pa-decision-{h.css_class(kind)}">{h.esc(kind)}{h.esc(how)}</span>'
            f'<span class="pa-muted"> by {h.esc(decision.get("reviewer", ""))} · {h.esc(when)} UTC{h.esc(note)}</span>')


def progress_html(summary: dict, course: dict | None, n_catalog: int) -> str:
    """Catalog progress (from ``ReviewStore.progress_summary``) and this course's."""
    pct = round(100 * summary.get("fraction_reviewed", 0.0))
    text = (f"{summary['reviewed']} of {summary['suggestions']} suggestions shown so far are reviewed ({pct}%) · "
            f"{summary['courses_complete']} of {summary['courses']} opened courses complete · "
            f"{n_catalog} courses in the catalog")
    if course:
        text += (f" · this course: {course['reviewed']} of {course['suggestions']} reviewed"
                 + (f", {course['added']} added" if course.get("added") else ""))
    return f'<div class="pa-progress pa-muted">{h.esc(text)}</div>'


def _text(exc: BaseException) -> str:
    """An error as a reviewer reads it (the store's refusals name the file and say what to do)."""
    from alignment.review.store import ReviewStoreError

    return str(exc) if isinstance(exc, ReviewStoreError) else h.error_text(exc)


class ReviewApp:
    """The review app's widgets over a :class:`ReviewSession`. ``aligner``, ``standards``,
    ``catalog`` and ``store`` default to the kernel's shared ones (loaded in the
    background); tests pass their own, or a ready ``review_session``."""

    def __init__(self, aligner=None, standards: pd.DataFrame | None = None, catalog: pd.DataFrame | None = None,
                 store=None, *, review_session: ReviewSession | None = None, background: bool = True):
        import ipywidgets as w

        self.w = w
        self._given = {"aligner": aligner, "standards": standards, "catalog": catalog, "store": store}
        self.session: ReviewSession | None = review_session
        self._lock = threading.RLock()
        self.rows: dict[str, dict] = {}
        self._quiet = False
        self.store_note = ""

        self.style = w.HTML(h.STYLE)
        self.header = w.HTML(
            '<div class="pa-app"><div class="pa-title">Review suggested standards</div>'
            '<div class="pa-subtitle">Accept or reject what Pathway Align suggests for each course, add what it '
            'missed, and export the reviewed alignments. Every click is saved at once, with your name and the '
            'time, in the shared review store.</div></div>')
        self.status = w.HTML('<div class="pa-status pa-status-busy">Loading models… (the first start of the server '
                             'takes about a minute)</div>')
        self.ready_marker = w.HTML("")
        self.ready_marker.add_class("pa-ready-box")
        ident = session.identity()
        self.verified = bool(ident and ident.verified)
        self.name = w.Text(value=ident.name if self.verified else "", placeholder="Type your name",
                           description="Your name", disabled=self.verified, continuous_update=False,
                           layout=w.Layout(width="420px"))
        self.name.add_class("pa-reviewer")
        if self.verified:
            who = (f'<div class="pa-who">Signed in as <b>{h.esc(ident.name)}</b> (from your team access token); '
                   'your decisions are recorded under this name.</div>')
        elif session.settings().team:
            who = ('<div class="pa-who pa-muted">This server uses one shared password or token, so it cannot tell '
                   'reviewers apart: type your own name; it is recorded as typed.</div>')
        else:
            who = '<div class="pa-who pa-muted">Your name is recorded with every decision.</div>'
        self.who = w.HTML(who)
        self.create_button = w.Button(description="Create a new review store there", icon="plus",
                                      layout=w.Layout(width="280px", display="none"))
        self.create_button.add_class("pa-create-store")
        self.catalog_choice = w.Dropdown(options=[], description="Catalog", layout=w.Layout(width="520px"))
        self.catalog_choice.add_class("pa-catalog")
        self.upload = w.FileUpload(accept=UPLOAD_SUFFIXES, multiple=False, description="Upload a catalog",
                                   layout=w.Layout(width="200px"))
        self.upload.add_class("pa-upload")
        self.progress = w.HTML("")
        self.progress.add_class("pa-progress-box")
        self.bar = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="520px", height="14px"))
        self.course = w.Dropdown(options=[], description="Course", layout=w.Layout(width="640px"))
        self.course.add_class("pa-review-course")
        self.prev_button = w.Button(description="Previous", icon="arrow-left", layout=w.Layout(width="110px"))
        self.next_button = w.Button(description="Next", icon="arrow-right", layout=w.Layout(width="110px"))
        self.prev_button.add_class("pa-prev")
        self.next_button.add_class("pa-next")
        self.undo_last_button = w.Button(description="Undo last", icon="undo", layout=w.Layout(width="120px"),
                                         tooltip="undo your last change here (a bulk action as one unit)")
        self.undo_last_button.add_class("pa-undo-last")
        any_ = [("any", "")]
        self.queue_status = w.Dropdown(options=[("open (not done)", "open")] + [(s, s) for s in QUEUE_STATUSES],
                                       value="open", description="Status", layout=w.Layout(width="250px"))
        self.queue_framework = w.Dropdown(options=any_ + [(f, f) for f in FRAMEWORK_ORDER],
                                          value="", description="Framework", layout=w.Layout(width="250px"))
        self.queue_band = w.Dropdown(options=any_ + [(b, b) for b in ("strong", "possible", "weak")], value="",
                                     description="Band", layout=w.Layout(width="200px"))
        self.queue_pathway = w.Text(placeholder="any pathway", description="Pathway", continuous_update=False,
                                    layout=w.Layout(width="280px"))
        self.queue_sector = w.Text(placeholder="any sector", description="Sector", continuous_update=False,
                                   layout=w.Layout(width="280px"))
        self.queue_next = w.Button(description="Next in queue", icon="forward", layout=w.Layout(width="150px"))
        self.queue_next.add_class("pa-queue-next")
        self.queue_counts = w.HTML("")
        self.queue_counts.add_class("pa-queue-counts")
        for widget in (self.queue_status, self.queue_framework, self.queue_band, self.queue_pathway,
                       self.queue_sector):
            widget.style.description_width = "70px"
            widget.add_class("pa-queue-filter")
        self.mapping = w.Text(placeholder="Course Number=course_id, Long Description=description",
                              description="Columns", continuous_update=False, layout=w.Layout(width="640px"))
        self.mapping.add_class("pa-mapping")
        self.mapping_button = w.Button(description="Load with this mapping", icon="upload",
                                       layout=w.Layout(width="200px"))
        self.mapping_button.add_class("pa-mapping-load")
        self.mapping_box = w.HBox([self.mapping, self.mapping_button], layout=w.Layout(display="none"))
        self._pending_upload: tuple[str, bytes] | None = None
        from alignment.ui.keys import KeyboardShortcuts

        self.keys = KeyboardShortcuts(list(SHORTCUTS))
        self.keys.on_key(self.on_key)
        self.legend = w.HTML(_FOCUS_STYLE + legend_html())
        self.focus_index = 0
        self.agreement_box = w.HTML("")
        self.agreement_box.add_class("pa-agreement")
        self.message = w.HTML("")
        self.message.add_class("pa-message")
        self.course_card = w.HTML("")
        self.course_card.add_class("pa-review-course-card")
        self.suggestion_box = w.VBox([])
        self.suggestion_box.add_class("pa-suggestions")
        self.added_box = w.VBox([])
        self.added_box.add_class("pa-added")

        self.search = w.Text(placeholder="words or a code, e.g. budget, HSA.SSE, B6.0", description="Search",
                             continuous_update=False, layout=w.Layout(width="520px"))
        self.search.add_class("pa-search")
        self.search_button = w.Button(description="Search", icon="search", layout=w.Layout(width="110px"))
        self.search_button.add_class("pa-search-button")
        self.results = w.Select(options=[], rows=7, description="Standards", layout=w.Layout(width="860px"))
        self.results.add_class("pa-search-results")
        self.add_assoc = w.Dropdown(options=ASSOCIATION_CHOICES, value="exactMatchOf", description="Association",
                                    layout=w.Layout(width="360px"))
        self.add_note = w.Text(placeholder="note (optional)", description="Note", continuous_update=False,
                               layout=w.Layout(width="420px"))
        self.add_button = w.Button(description="Add as accepted", icon="plus", button_style="success",
                                   layout=w.Layout(width="170px"))
        self.add_button.add_class("pa-add")
        for widget in (self.name, self.catalog_choice, self.course, self.search, self.results, self.add_assoc,
                       self.add_note):
            widget.style.description_width = "90px"

        self.export_buttons = [w.Button(description=label, icon="download", layout=w.Layout(width="150px"))
                               for label in ("CSV", "Excel", "CASE JSON")]
        for button, kind in zip(self.export_buttons, ("csv", "excel", "case")):
            button.add_class(f"pa-export-{kind}")
            button.on_click(lambda _b, kind=kind: self.export(kind))
        self.export_links = w.HTML("")
        self.export_links.add_class("pa-export-links")

        self.name.observe(lambda _: self.resume(), names="value")
        self.catalog_choice.observe(self._on_catalog, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.course.observe(self._on_course, names="value")
        self.prev_button.on_click(lambda _: self.step(-1))
        self.next_button.on_click(lambda _: self.step(+1))
        self.search.observe(lambda _: self.run_search(), names="value")
        self.search_button.on_click(lambda _: self.run_search())
        self.add_button.on_click(lambda _: self.add_missed())
        self.create_button.on_click(lambda _: self.create_store())
        self.undo_last_button.on_click(lambda _: self.undo_last())
        self.queue_next.on_click(lambda _: self.next_in_queue())
        self.mapping_button.on_click(lambda _: self.load_with_mapping())
        for widget in (self.queue_status, self.queue_framework, self.queue_band, self.queue_pathway,
                       self.queue_sector):
            widget.observe(lambda _: self.show_queue(), names="value")

        section = lambda text: w.HTML(f'<div class="pa-section-title">{h.esc(text)}</div>')  # noqa: E731
        self.widget = w.VBox([
            self.style, self.keys, self.header, self.status, self.ready_marker, w.HBox([self.name]), self.who,
            self.create_button, w.HBox([self.catalog_choice, self.upload]), self.mapping_box, self.progress, self.bar,
            w.HBox([self.course, self.prev_button, self.next_button, self.undo_last_button]),
            w.HBox([self.queue_status, self.queue_framework, self.queue_band]),
            w.HBox([self.queue_pathway, self.queue_sector, self.queue_next]), self.queue_counts, self.legend,
            self.message,
            self.course_card, self.suggestion_box,
            section("Add a standard the machine missed"),
            w.HBox([self.search, self.search_button]), self.results,
            w.HBox([self.add_assoc, self.add_note, self.add_button]), self.added_box,
            section("Export the reviewed decisions of this catalog"),
            w.HBox(self.export_buttons), self.export_links,
            section("Second review: agreement between reviewers"), self.agreement_box,
            section("Standards library: import a sector's standards (file or CASE URL)"),
            standards_import_panel(importer=lambda: self.name.value.strip()),
        ])
        self.widget.add_class("pa-app")
        self.widget.add_class("pa-review-app")
        self._enable(False)

        if self.session is not None or all(v is not None for v in self._given.values()):
            self._ready(None)
        elif background:
            session.warm_up(self._ready)
        else:
            self._ready(None)

    # ----------------------------------------------------------------- loading

    def _enable(self, on: bool):
        for widget in (self.course, self.prev_button, self.next_button, self.add_button, *self.export_buttons,
                       self.undo_last_button, self.queue_next):
            widget.disabled = not on
        if on and self.session is not None and self.session.read_only:
            self.add_button.disabled = True

    def _fail(self, error: BaseException | str):
        self.status.value = '<div class="pa-status pa-status-error">The app could not start.</div>'
        self.message.value = h.notice(error if isinstance(error, str) else _text(error), "error")

    def _ready(self, error: BaseException | None):
        """Build the session from what was given and the kernel's shared models, then show
        the first course (or what went wrong)."""
        from alignment.review.store import MissingStoreError

        with self._lock:
            if error is None and self.session is None:
                given = self._given
                try:
                    aligner = given["aligner"] or session.get_aligner()
                    standards = given["standards"] if given["standards"] is not None else session.get_standards()
                    catalog = given["catalog"] if given["catalog"] is not None else session.get_catalog()
                    store = given["store"]
                    if store is None:
                        path = session.settings().review_db
                        try:
                            store, self.store_note = open_review_store(path, default=session.DEFAULT_REVIEW_DB)
                        except MissingStoreError as exc:
                            self._ask_to_create(exc)
                            return
                    self.session = ReviewSession(aligner, standards, store, catalog, reviewer=self.reviewer)
                except Exception as exc:
                    error = exc
            if error is not None:
                self._fail(error)
                return
            self.session.reviewer = self.reviewer
            self.completeness = completeness_of(self.session.standards)
            self.editions = editions_of_rows(self.session.standards)
            table = self.session.standards
            self.several_editions = bool(self.editions) and bool(
                table.groupby(table["framework"].map(family_of))["edition"].nunique().max() > 1)
            ro = " (read-only)" if self.session.read_only else ""
            self.status.value = (f'<div class="pa-status pa-status-ready">Ready · review store: '
                                 f'{h.esc(self.session.store.path.name)}{ro}</div>')
            self.create_button.layout.display = "none"
            self._enable(True)
            self._set_catalog_options(self.session.catalog_key)
            if self.store_note and not self.message.value:
                self.message.value = h.notice(self.store_note, "warn")
            self.ready_marker.value = h.READY_MARKER

    def _ask_to_create(self, exc: BaseException):
        """The configured review store does not exist: say so, and create it only if asked."""
        self.status.value = '<div class="pa-status pa-status-error">No review store at the configured path.</div>'
        self.message.value = h.notice(
            f"{_text(exc)}\nIf this is the right place for a new review store, press “Create a new review store "
            "there”; if not, fix the path (pathway-align serve --review-db, or PATHWAY_ALIGN_REVIEW_DB) and reload.",
            "error")
        self.create_button.layout.display = None

    def create_store(self):
        """Create the configured review store (the reviewer asked for it), then start."""
        from alignment.review.store import ReviewStore

        with self._lock:
            try:
                self._given["store"] = ReviewStore(session.settings().review_db, create=True)
            except Exception as exc:
                self._fail(exc)
                return
            self.message.value = h.notice(f"Created a new, empty review store at {self._given['store'].path}.", "ok")
            self._ready(None)

    def _set_catalog_options(self, key: str):
        self._quiet = True
        try:
            self.catalog_choice.options = [(f"{k} ({len(df)} courses)", k) for k, df in self.session.catalogs.items()]
            self.catalog_choice.value = key
        finally:
            self._quiet = False
        self.select_catalog(key)

    # ----------------------------------------------------------------- who, where

    def reviewer(self) -> str:
        """Who is deciding: the authenticated user in team mode, else the typed name."""
        ident = session.identity()
        if ident is not None and ident.verified:
            return ident.name
        return self.name.value.strip()

    @property
    def course_id(self) -> str:
        return self.session.course_id if self.session else ""

    @property
    def catalog_key(self) -> str:
        return self.session.catalog_key if self.session else ""

    @property
    def catalogs(self) -> dict[str, pd.DataFrame]:
        return self.session.catalogs if self.session else {}

    @property
    def courses(self) -> pd.DataFrame:
        return self.session.courses

    def _goto(self, action, *args) -> bool:
        """Run a navigation action of the session and show where it leads; errors as text."""
        try:
            result = action(*args)
        except Exception as exc:
            self._show_course(error=exc)
            return False
        self._show_course()
        return result

    def select_catalog(self, key: str):
        with self._lock:
            self._quiet = True
            try:
                self.course.options = [(course_label(r), r["course_id"]) for r in
                                       self.session.catalogs[key].to_dict("records")]
                self.course.value = None
            finally:
                self._quiet = False
            if self._goto(self.session.select_catalog, key):
                self._welcome()

    def resume(self) -> bool:
        """Go to the reviewer's last course in this catalog, if there is one."""
        with self._lock:
            if self.session is None or not self.reviewer():
                return False
            before = self.session.course_id
            try:
                resumed = self.session.resume()
            except Exception as exc:
                self.message.value = h.notice(_text(exc), "error")
                return False
            if resumed and self.session.course_id != before:
                self._show_course()
                self._welcome()
            return resumed

    def _welcome(self):
        title = self.session.course().get("title") or self.session.course_id
        self.message.value = h.notice(f"Welcome back, {self.reviewer()}: resuming at {title}.", "ok")

    def _on_catalog(self, change):
        if not self._quiet and change["new"]:
            self.message.value = ""
            self.select_catalog(change["new"])

    def _on_upload(self, change):
        files = change["new"]
        if not files:
            return
        upload = files[0]
        self._load_upload(upload["name"], bytes(upload["content"]))

    def _load_upload(self, name: str, content: bytes, columns: dict[str, str] | None = None) -> str | None:
        try:
            key = self.session.load_catalog(content, name, columns=columns)
        except Exception as exc:  # an InputError names the rows; a corrupt file must not take the app down
            text = _text(exc)
            if "missing required column" in text or "mapping" in text:  # offer the mapping step
                self._pending_upload = (name, content)
                self.mapping_box.layout.display = None
                text += "\nSay which column is which in “Columns” below (file header=catalog column), then load."
            self.message.value = h.notice(f"{name} was not loaded:\n{text}", "error")
            return None
        self._pending_upload = None
        self.mapping_box.layout.display = "none"
        self.message.value = h.notice(f"Loaded {key}: {len(self.session.catalogs[key])} courses.", "ok")
        self._set_catalog_options(key)
        return key

    def load_with_mapping(self) -> str | None:
        """The upload's mapping step: load the last refused file with the typed column mapping."""
        from alignment.data.catalog import parse_column_mapping

        if self._pending_upload is None:
            self.message.value = h.notice("Upload a catalog first.", "info")
            return None
        try:
            columns = parse_column_mapping(self.mapping.value, "Columns")
        except Exception as exc:
            self.message.value = h.notice(_text(exc), "error")
            return None
        return self._load_upload(*self._pending_upload, columns=columns)

    def _on_course(self, change):
        if not self._quiet and change["new"] and change["new"] != self.course_id:
            self.message.value = ""
            self.open_course(change["new"])

    def step(self, delta: int):
        with self._lock:
            self._goto(self.session.step, delta)

    def open_course(self, course_id: str):
        """Show a course's suggestions with their decisions (and register them as shown)."""
        with self._lock:
            self._goto(self.session.open_course, course_id)

    # ----------------------------------------------------------------- one course

    def _show_course(self, error: BaseException | None = None):
        """Draw the current course: its card, its suggestions grouped with their decisions,
        the standards reviewers added, the progress."""
        session = self.session
        self._quiet = True
        try:
            self.course.value = session.course_id or None
        finally:
            self._quiet = False
        if error is None:
            try:
                view = session.view()
            except Exception as exc:
                error = exc
        if error is not None:
            course = session.course() if session.course_id else {}
            self.course_card.value = self._course_html(course) if course else ""
            self.suggestion_box.children = ()
            self.message.value = h.notice(_text(error), "error")
            return
        self.course_card.value = render_course(view.course, view.suggestions)
        children, self.rows = [], {}
        for group in group_suggestions(view.suggestions, session.standards, view.sectors):
            notes = "".join(h.notice(n[:1].upper() + n[1:] + ".", "warn") for n in group.notes)
            partial = "".join(f'<div class="pa-group-note"><span class="pa-partial">partial data</span> '
                              f'{h.esc(n)}</div>' for n in group.partial)
            children.append(self.w.HTML(f'<div class="pa-group"><h3>{h.esc(group.title)}</h3></div>'
                                        + notes + partial))
            if len(group.rows) and not session.read_only:
                children.append(self._bulk_buttons(group.framework, view.course["course_id"]))
            for row in group.rows.to_dict("records"):
                children.append(self._row(row, view.decisions.get(row["standard_id"]), view.course["course_id"]))
        self.suggestion_box.children = tuple(children)
        self.move_focus(0, absolute=True)
        self._show_added(view)
        self._show_progress()

    def _bulk_buttons(self, framework: str, course_id: str):
        w = self.w
        where = {"course_id": course_id, "catalog": self.catalog_key}
        accept = w.Button(description="Accept all strong", icon="check-circle", layout=w.Layout(width="170px"),
                          tooltip=BULK_ACTIONS["accept_strong"])
        reject = w.Button(description="Reject the rest", icon="times-circle", layout=w.Layout(width="160px"),
                          tooltip=BULK_ACTIONS["reject_rest"])
        accept.add_class("pa-bulk-accept")
        accept.add_class(f"pa-bulk-accept-{h.css_class(framework)}")
        reject.add_class("pa-bulk-reject")
        reject.add_class(f"pa-bulk-reject-{h.css_class(framework)}")
        accept.on_click(lambda _b: self.bulk(framework, "accept_strong", **where))
        reject.on_click(lambda _b: self.bulk(framework, "reject_rest", **where))
        box = w.HBox([accept, reject])
        box.add_class("pa-bulk")
        return box

    @staticmethod
    def _course_html(course: dict) -> str:
        facts = [f"course {course['course_id']}"] + [f"{k} {course[k]}" for k in ("grades", "sector", "pathway", "level")
                                                     if course.get(k)]
        return (f'<div class="pa-course"><h2>{h.esc(course.get("title") or course["course_id"])}</h2>'
                f'<div class="pa-meta">{h.esc(" · ".join(facts))}</div>'
                f'<div class="pa-desc">{h.esc(course.get("description", ""))}</div></div>')

    def _row(self, row: dict, decision: dict | None, course_id: str):
        """One suggestion with its buttons; the buttons act on THIS course (a click that
        arrives while another course is being opened still lands where the reviewer saw it)."""
        w = self.w
        sid = row["standard_id"]
        where = {"course_id": course_id, "catalog": self.catalog_key}
        card = w.HTML(render_card(row, self.completeness.get(sid, ("", "")),
                                  getattr(self, "editions", {}).get(sid, ("", "")),
                                  several_editions=getattr(self, "several_editions", False)))
        status = w.HTML(decision_html(decision))
        status.add_class("pa-status-line")
        read_only = self.session.read_only
        accept = w.Button(description="Accept", icon="check", layout=w.Layout(width="100px"), disabled=read_only)
        reject = w.Button(description="Reject", icon="times", layout=w.Layout(width="100px"), disabled=read_only)
        clear = w.Button(description="Undo", icon="undo", layout=w.Layout(width="90px"), disabled=read_only,
                         tooltip="back to not reviewed (audited)")
        assoc = w.Dropdown(options=ASSOCIATION_CHOICES, value=(decision or {}).get("association_type") or "exactMatchOf",
                           layout=w.Layout(width="230px"))
        # continuous_update=False: the note reaches the kernel in one message when the field
        # loses focus, i.e. before the click on Accept/Reject; sent per keystroke, the browser
        # holds the later keystrokes back while the kernel is busy and the click overtakes them
        note = w.Text(value=(decision or {}).get("note", ""), placeholder="note (optional)",
                      continuous_update=False, layout=w.Layout(width="260px"))
        accept.add_class("pa-accept")
        reject.add_class("pa-reject")
        clear.add_class("pa-undo")
        assoc.add_class("pa-assoc")
        note.add_class("pa-note")
        accept.on_click(lambda _b: self.decide(sid, "accepted", association_type=assoc.value, note=note.value,
                                               **where))
        reject.on_click(lambda _b: self.decide(sid, "rejected", association_type=assoc.value, note=note.value,
                                               **where))
        clear.on_click(lambda _b: self.undo(sid, **where))
        box = w.VBox([card, w.HBox([accept, reject, assoc, note, clear]), status])
        box.add_class("pa-row")
        box.add_class(f"pa-row-{h.css_class(sid)}")
        box.add_class(f"pa-row-course-{h.css_class(course_id)}")
        self.rows[sid] = {"box": box, "status": status, "accept": accept, "reject": reject, "assoc": assoc,
                          "note": note, "framework": row.get("framework", ""), **where}
        self._style_buttons(sid, decision)
        return box

    def _style_buttons(self, sid: str, decision: dict | None):
        row = self.rows.get(sid)
        if row is None:
            return
        kind = (decision or {}).get("decision")
        row["accept"].button_style = "success" if kind == "accepted" else ""
        row["reject"].button_style = "danger" if kind == "rejected" else ""

    # ----------------------------------------------------------------- decisions

    def _row_for(self, standard_id: str, course_id: str, catalog: str) -> dict:
        row = self.rows.get(standard_id, {})
        return row if row and row["course_id"] == course_id and row["catalog"] == catalog else {}

    def decide(self, standard_id: str, decision: str, *, association_type: str | None = None,
               note: str | None = None, origin: str = "suggestion", course_id: str | None = None,
               catalog: str | None = None) -> dict | None:
        """Record one decision (one transaction) on ``standard_id`` for ``course_id`` (default:
        the course shown); show it, or show why it was refused."""
        with self._lock:
            course_id, catalog = course_id or self.course_id, catalog or self.catalog_key
            row = self._row_for(standard_id, course_id, catalog)
            if association_type is None:
                association_type = row["assoc"].value if row else "exactMatchOf"
            if note is None:
                note = row["note"].value if row else ""
            try:
                stored = self.session.decide(standard_id, decision, association_type=association_type, note=note,
                                             origin=origin, course_id=course_id, catalog=catalog)
            except Exception as exc:  # refused by the session or the store, or e.g. locked for too long
                self.message.value = h.notice(f"Not saved: {_text(exc)}", "error")
                return None
            if row:
                row["status"].value = decision_html(stored)
                self._style_buttons(standard_id, stored)
            elsewhere = "" if course_id == self.course_id else f" for course {course_id}"
            self.message.value = h.notice(f"Saved: {decision} {self.session.code(standard_id)}{elsewhere}.", "ok")
            self._show_progress()
            return stored

    def undo(self, standard_id: str, *, course_id: str | None = None, catalog: str | None = None) -> bool:
        """Back to "not reviewed" (``ReviewStore.clear``, audited)."""
        with self._lock:
            course_id, catalog = course_id or self.course_id, catalog or self.catalog_key
            try:
                cleared = self.session.undo(standard_id, course_id=course_id, catalog=catalog)
            except Exception as exc:
                self.message.value = h.notice(f"Not changed: {_text(exc)}", "error")
                return False
            row = self._row_for(standard_id, course_id, catalog)
            if row:
                row["status"].value = decision_html(None)
                self._style_buttons(standard_id, None)
            elif course_id == self.course_id and catalog == self.catalog_key:
                self._show_added(self.session.view())
            self.message.value = h.notice(f"{self.session.code(standard_id)} is back to not reviewed." if cleared
                                          else "There was no decision to undo.", "ok")
            self._show_progress()
            return cleared

    def bulk(self, framework: str, action: str, *, course_id: str | None = None,
             catalog: str | None = None) -> dict | None:
        """One bulk action (one transaction, one batch) on a framework's suggestions; redraw."""
        with self._lock:
            course_id, catalog = course_id or self.course_id, catalog or self.catalog_key
            try:
                result = self.session.bulk(framework, action, course_id=course_id, catalog=catalog)
            except Exception as exc:
                self.message.value = h.notice(f"Not saved: {_text(exc)}", "error")
                return None
            self._refresh_rows(course_id, catalog)
            what = "accepted" if action == "accept_strong" else "rejected"
            codes = ", ".join(self.session.code(s) for s in result["standard_ids"]) or "nothing left to decide"
            self.message.value = h.notice(f"Saved: {what} {result['recorded']} ({codes}).", "ok")
            self._show_progress()
            return result

    def undo_last(self) -> dict | None:
        """Undo your last change in this catalog (a bulk action as one unit); redraw."""
        with self._lock:
            try:
                undone = self.session.undo_last()
            except Exception as exc:
                self.message.value = h.notice(f"Not changed: {_text(exc)}", "error")
                return None
            if undone is None:
                self.message.value = h.notice("Nothing of yours to undo in this catalog.", "info")
                return None
            self._refresh_rows(self.course_id, self.catalog_key)
            n = len(undone["pairs"])
            self.message.value = h.notice(f"Undone: {n} decision{'s' if n != 1 else ''}.", "ok")
            self._show_progress()
            return undone

    def _refresh_rows(self, course_id: str, catalog: str):
        """Redraw the decision of every shown row of this course (after a bulk action or undo)."""
        if course_id != self.course_id or catalog != self.catalog_key:
            return
        decided = self.session.decisions(course_id, catalog)
        for sid, row in self.rows.items():
            if row["course_id"] == course_id and row["catalog"] == catalog:
                row["status"].value = decision_html(decided.get(sid))
                self._style_buttons(sid, decided.get(sid))

    # ----------------------------------------------------------------- keyboard

    @property
    def focused(self) -> str | None:
        """The standard id of the focused suggestion (None when the course has none)."""
        ids = list(self.rows)
        return ids[self.focus_index] if ids and 0 <= self.focus_index < len(ids) else None

    def move_focus(self, delta: int, *, absolute: bool = False):
        """Move the visible focus (the ``pa-focus`` outline) between this course's suggestions."""
        ids = list(self.rows)
        if not ids:
            self.focus_index = 0
            return
        self.focus_index = delta if absolute else self.focus_index + delta
        self.focus_index = max(0, min(len(ids) - 1, self.focus_index))
        for i, sid in enumerate(ids):
            box = self.rows[sid]["box"]
            if i == self.focus_index:
                box.add_class("pa-focus")
            else:
                box.remove_class("pa-focus")

    def on_key(self, key: str):
        """One keyboard shortcut (SHORTCUTS); the same action as its button."""
        if self.session is None:
            return
        action = SHORTCUTS.get(key, "")
        sid = self.focused
        if action == "next suggestion":
            self.move_focus(+1)
        elif action == "previous suggestion":
            self.move_focus(-1)
        elif action == "next course":
            self.step(+1)
        elif action == "previous course":
            self.step(-1)
        elif action == "next course in the queue":
            self.next_in_queue()
        elif action.startswith("undo"):
            self.undo_last()
        elif sid is None:
            return
        elif action == "accept the focused suggestion":
            self.rows[sid]["accept"].click()
        elif action == "reject the focused suggestion":
            self.rows[sid]["reject"].click()
        elif action.startswith("accept all strong"):
            self.bulk(self.rows[sid]["framework"], "accept_strong")
        elif action.startswith("reject the rest"):
            self.bulk(self.rows[sid]["framework"], "reject_rest")

    # ----------------------------------------------------------------- queue, agreement

    def _queue_filters(self) -> dict:
        status = self.queue_status.value
        return {"pathway": self.queue_pathway.value.strip(), "sector": self.queue_sector.value.strip(),
                "framework": self.queue_framework.value, "band": self.queue_band.value,
                "status": OPEN_STATUSES if status == "open" else status}

    def show_queue(self) -> dict | None:
        """Counts per status under the filters (the queue's suggestions are computed on first use)."""
        if self.session is None:
            return None
        try:
            filters = self._queue_filters()
            filters.pop("status")
            counts = self.session.queue_counts(**filters)
        except Exception as exc:
            self.queue_counts.value = h.notice(_text(exc), "error")
            return None
        self.queue_counts.value = ('<div class="pa-muted">Queue: '
                                   + " · ".join(f'<span class="pa-count-{h.css_class(k)}">{h.esc(k)}: {v}</span>'
                                                for k, v in counts.items()) + "</div>")
        return counts

    def next_in_queue(self):
        """Open the next course the filtered queue holds."""
        with self._lock:
            try:
                view = self.session.next_in_queue(**self._queue_filters())
            except Exception as exc:
                self.message.value = h.notice(_text(exc), "error")
                return None
            if view is None:
                self.message.value = h.notice("No course left in this queue.", "ok")
            else:
                self.message.value = ""
                self._show_course()
            self.show_queue()
            return view

    def show_agreement(self):
        """Agreement per framework between first and second reviews, and the open disagreements."""
        table = self.session.agreement()
        table = table[table["pairs"] > 0]
        if table.empty:
            self.agreement_box.value = ('<div class="pa-muted">No pair has two reviews yet: agreement appears when a '
                                        'second reviewer decides pairs a first reviewer decided.</div>')
            return
        cells = "".join(
            f"<tr><td>{h.esc(r['framework'])}</td><td>{r['pairs']}</td><td>{r['percent_agreement']:.0f}%</td>"
            f"<td>{'n/a' if r['kappa'] != r['kappa'] else format(r['kappa'], '.2f')}</td></tr>"
            for r in table.to_dict("records"))
        open_ = self.session.disagreements()
        disputed = int((open_["status"] == "disputed").sum())
        self.agreement_box.value = (
            '<table class="pa-table"><tr><th>framework</th><th>pairs reviewed twice</th><th>agreement</th>'
            f"<th>Cohen's kappa</th></tr>{cells}</table>"
            f'<div class="pa-muted">{disputed} disagreement{"s" if disputed != 1 else ""} to settle '
            f"(a third reviewer's decision settles one), {len(open_) - disputed} settled.</div>")

    # ----------------------------------------------------------------- missed standards

    def run_search(self):
        query = self.search.value.strip()
        found = self.session.search(query, SEARCH_LIMIT)
        options = []
        for r in found.to_dict("records"):
            text = " ".join(str(r["text"] or r["title"]).split())
            options.append((f"{r['display_code'] or r['code']} · {text[:110]}{'…' if len(text) > 110 else ''}",
                            r["standard_id"]))
        self.results.options = options
        if query and not options:
            self.message.value = h.notice(f"No standard contains every word of “{query}”.", "info")

    def add_missed(self) -> dict | None:
        with self._lock:
            try:
                stored = self.session.add_missed(self.results.value, association_type=self.add_assoc.value,
                                                 note=self.add_note.value)
            except Exception as exc:
                prefix = "" if not self.results.value else "Not saved: "
                self.message.value = h.notice(prefix + _text(exc), "error")
                return None
            self.message.value = h.notice(f"Saved: accepted {self.session.code(stored['standard_id'])}.", "ok")
            self.add_note.value = ""
            self._show_added(self.session.view())
            self._show_progress()
            return stored

    def _show_added(self, view: CourseView):
        w = self.w
        if not view.added:
            self.added_box.children = ()
            return
        children = [w.HTML('<div class="pa-section-title">Added by reviewers for this course</div>')]
        for d in view.added:
            sid = d["standard_id"]
            html = (f'<div class="pa-card pa-band-strong"><div class="pa-card-head"><span class="pa-code">'
                    f'{h.esc(self.session.code(sid))}</span></div><div class="pa-std-text">'
                    f'{h.esc(self.session.text(sid) or NO_LONGER_LOADED)}</div><div>{decision_html(d)}</div></div>')
            undo = w.Button(description="Undo", icon="undo", layout=w.Layout(width="90px"),
                            disabled=self.session.read_only)
            where = {"course_id": view.course["course_id"], "catalog": view.catalog}
            undo.on_click(lambda _b, sid=sid, where=where: self.undo(sid, **where))
            row = w.VBox([w.HTML(html), undo])
            row.add_class("pa-added-row")
            children.append(row)
        self.added_box.children = tuple(children)

    # ----------------------------------------------------------------- progress, export

    def _show_progress(self):
        try:
            summary, course = self.session.progress()
        except Exception as exc:
            self.progress.value = h.notice(_text(exc), "error")
            return
        self.progress.value = progress_html(summary, course, len(self.session.courses))
        self.bar.max = max(1, summary["suggestions"])
        self.bar.value = summary["reviewed"]
        try:
            self.show_agreement()
        except Exception as exc:
            self.agreement_box.value = h.notice(_text(exc), "error")

    def export(self, kind: str) -> bytes | None:
        """Build one download (CSV, Excel or CASE) of this catalog's decisions."""
        try:
            made = self.session.export(kind)
        except Exception as exc:
            self.export_links.value = h.notice(f"Export failed: {_text(exc)}", "error")
            return None
        if made is None:
            self.export_links.value = h.notice("No decisions in this catalog yet: nothing to export.", "info")
            return None
        link = h.download_link(made.data, made.filename, made.mime, made.label)
        n = made.decisions
        self.export_links.value = (f'<div class="pa-downloads">{link}<span class="pa-muted">{n} decision'
                                   f'{"s" if n != 1 else ""} of {h.esc(self.catalog_key)}</span></div>')
        return made.data


def review_app(**kwargs):
    """Build the review app and return its top widget (what the notebook displays)."""
    return ReviewApp(**kwargs).widget
