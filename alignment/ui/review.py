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

from alignment.data.catalog import course_sectors
from alignment.data.frameworks import FRAMEWORK_ORDER
from alignment.ui import html as h
from alignment.ui import session
from alignment.ui.standards_import import standards_import_panel
from alignment.data.editions import family_of
from alignment.ui.coverage import (
    completeness_of, course_label, editions_of_rows, group_suggestions, render_card, render_course,
)
from alignment.ui.upload import CatalogUpload
from alignment.ui.review_session import (
    BULK_ACTIONS, OPEN_STATUSES, QUEUE_STATUSES, REVIEW_MODES, SEARCH_LIMIT, CourseView, ReviewSession,
    open_review_store,
)

ASSOCIATION_CHOICES = [("exact match (exactMatchOf)", "exactMatchOf"), ("related (isRelatedTo)", "isRelatedTo")]
ASSOCIATION_LABELS = {"exactMatchOf": "exact match", "isRelatedTo": "related"}
#: A decision whose standard a standards-library import (or its removal) took out: kept, and said so.
NO_LONGER_LOADED = "standard no longer loaded (a standards import removed it); the decision is kept"
#: Keyboard shortcuts: key -> (what it does, shown in the legend). Every one is also a button.
SHORTCUTS = {
    "j": "next suggestion", "ArrowDown": "next suggestion",
    "k": "previous suggestion", "ArrowUp": "previous suggestion",
    "a": "accept the focused suggestion", "r": "reject the focused suggestion",
    "A": "accept all strong (its framework)", "R": "reject the rest (its framework)",
    "B": "accept all strong and reject the rest (whole course, one action)",
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


#: The shortcuts that act on the focused suggestion (its framework, its course).
SUGGESTION_ACTIONS = ("accept the focused suggestion", "reject the focused suggestion",
                      "accept all strong (its framework)", "reject the rest (its framework)",
                      "accept all strong and reject the rest (whole course, one action)")
#: The focus moves of the keys (the page moves the focus at once: :mod:`alignment.ui.keys`).
STEP_KEYS = {"j": 1, "ArrowDown": 1, "k": -1, "ArrowUp": -1}
#: The page's suggestion rows, in the order the keys move through them.
ROW_SELECTOR = ".pa-review-app .pa-suggestions .pa-row"


def review_html(review: dict | None) -> str:
    """A pair's reviews in a catalog that requires two reviewers (after this reviewer
    may see them): first, second, and agreed / to settle / settled by whom."""
    if not review:
        return ""
    parts = [f"first review: {review['first_reviewer']} {review['first_decision']}"]
    if review.get("second_reviewer"):
        parts.append(f"second: {review['second_reviewer']} {review['second_decision']}")
    state = {"single": "waiting for a second reviewer", "agreed": "the reviewers agree",
             "disputed": "they disagree: a third reviewer settles it",
             "settled": f"settled by {review.get('settled_by', '')}: {review.get('settled_decision', '')}"}
    parts.append(state.get(review["status"], review["status"]))
    return (f'<div class="pa-reviews pa-reviews-{h.css_class(review["status"])} pa-muted">'
            f'{h.esc(" · ".join(parts))}</div>')


#: What a second reviewer sees of a pair only someone else decided, in a blind second review.
BLIND_HTML = ('<span class="pa-decision pa-decision-open">not reviewed by you yet</span><span class="pa-muted"> · '
              'one other review, hidden until you decide (blind second review)</span>')


def status_html(decision: dict | None, review: dict | None = None, hidden: bool = False) -> str:
    """A row's status line: the decision (or the blind placeholder) and the pair's reviews."""
    return BLIND_HTML if hidden else decision_html(decision) + review_html(review)


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


def _close_tree(widget) -> None:
    """Close a drawn row and the widgets in it (not their shared Layouts), so the page
    and the kernel do not keep every course ever opened."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


class ReviewApp:
    """The review app's widgets over a :class:`ReviewSession`. ``aligner``, ``standards``,
    ``catalog`` and ``store`` default to the kernel's shared ones (loaded in the
    background); tests pass their own, or a ready ``review_session``."""

    def __init__(self, aligner=None, standards: pd.DataFrame | None = None, catalog: pd.DataFrame | None = None,
                 store=None, *, review_session: ReviewSession | None = None, background: bool = True):
        import ipywidgets as w
        from ipywidgets.widgets.widget_description import DescriptionStyle
        from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

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
        self.catalog_upload = CatalogUpload(
            lambda content, name, columns: self.session.load_catalog(content, name, columns=columns),
            self._loaded, self._say, error_text=_text)
        self.upload = self.catalog_upload.upload
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
        # the upload's mapping step (shared with the teacher app: alignment.ui.upload)
        self.mapping = self.catalog_upload.mapping
        self.mapping_button = self.catalog_upload.mapping_button
        self.mapping_box = self.catalog_upload.mapping_box
        from alignment.ui.keys import KeyboardShortcuts

        self.keys = KeyboardShortcuts(list(SHORTCUTS), item_selector=ROW_SELECTOR, step_keys=STEP_KEYS)
        self.keys.on_key(self.on_key)
        self.legend = w.HTML(_FOCUS_STYLE + legend_html())
        self.focus_index = 0
        self._items: dict[str, dict] = {}  # the page's row ids (pa-item-N) -> the row (keys act on what was shown)
        self._serial = 0
        self._draw = 0  # courses drawn so far (the row ids remember the draw they belong to)
        self._drawn: dict[int, list] = {}  # draw -> its row widgets (closed two draws later)
        # the next course's suggestions and groups, computed while the reviewer reads this one
        self._groups: dict[tuple, list] = {}
        # one Layout per kind of control, shared by every row: a Layout is a widget of its
        # own, so per-row layouts were a third of the widgets sent when a course opens
        self._layouts = {name: w.Layout(width=width) for name, width in (
            ("accept", "100px"), ("reject", "100px"), ("clear", "90px"), ("assoc", "230px"), ("note", "260px"),
            ("bulk_accept", "170px"), ("bulk_reject", "160px"))}
        # the same for the rest of a row: its HTML, boxes and every control's style (a style
        # is a widget too); none is changed per row, and closing a row leaves them alone
        self._layouts["plain"] = w.Layout()
        self._styles = {"button": w.ButtonStyle(), "html": HTMLStyle(), "dropdown": DescriptionStyle(),
                        "text": TextStyle()}
        self.course_bulk = w.Button(description="Accept strong, reject the rest", icon="check-double",
                                    layout=w.Layout(width="260px"), tooltip=BULK_ACTIONS["accept_strong_reject_rest"])
        self.course_bulk.add_class("pa-bulk-course")
        self.agreement_box = w.HTML("")
        self.agreement_box.add_class("pa-agreement")
        self.agreement_button = w.Button(description="Show agreement", icon="refresh", layout=w.Layout(width="170px"),
                                         tooltip="agreement between first and second reviews, and the disagreements")
        self.agreement_button.add_class("pa-agreement-show")
        self.required_reviews = w.Dropdown(options=[(v, k) for k, v in REVIEW_MODES.items()], value=1,
                                           description="This catalog", layout=w.Layout(width="480px"))
        self.required_reviews.add_class("pa-required-reviews")
        self.required_reviews.style.description_width = "90px"
        self.second_visible = w.Checkbox(value=False, description="open second review (the second reviewer sees the "
                                         "first review before deciding)", indent=False, layout=w.Layout(width="560px"))
        self.second_visible.add_class("pa-second-visible")
        self.review_mode_note = w.HTML("")
        self.disputes_box = w.VBox([])
        self.disputes_box.add_class("pa-disputes")
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

        kinds = {"csv": "CSV", "excel": "Excel", "case": "CASE JSON", "agreement": "Agreement CSV",
                 "disagreements": "Disagreements CSV"}
        self.export_buttons = [w.Button(description=label, icon="download", layout=w.Layout(width="170px"))
                               for label in kinds.values()]
        for button, kind in zip(self.export_buttons, kinds):
            button.add_class(f"pa-export-{kind}")
            button.on_click(lambda _b, kind=kind: self.export(kind))
        self.export_links = w.HTML("")
        self.export_links.add_class("pa-export-links")

        self.name.observe(lambda _: self.resume(), names="value")
        self.catalog_choice.observe(self._on_catalog, names="value")
        self.course.observe(self._on_course, names="value")
        self.prev_button.on_click(lambda _: self.step(-1))
        self.next_button.on_click(lambda _: self.step(+1))
        self.search.observe(lambda _: self.run_search(), names="value")
        self.search_button.on_click(lambda _: self.run_search())
        self.add_button.on_click(lambda _: self.add_missed())
        self.create_button.on_click(lambda _: self.create_store())
        self.undo_last_button.on_click(lambda _: self.undo_last())
        self.queue_next.on_click(lambda _: self.next_in_queue())
        self.course_bulk.on_click(lambda _: self.bulk(None, "accept_strong_reject_rest"))
        self.agreement_button.on_click(lambda _: self.show_agreement())
        self.required_reviews.observe(lambda _: self.set_review_mode(), names="value")
        self.second_visible.observe(lambda _: self.set_review_mode(), names="value")
        for widget in (self.queue_status, self.queue_framework, self.queue_band, self.queue_pathway,
                       self.queue_sector):
            widget.observe(lambda _: self.show_queue(), names="value")

        section = lambda text: w.HTML(f'<div class="pa-section-title">{h.esc(text)}</div>')  # noqa: E731
        self.widget = w.VBox([
            self.style, self.keys, self.header, self.status, self.ready_marker, w.HBox([self.name]), self.who,
            self.create_button, w.HBox([self.catalog_choice, self.upload]), self.mapping_box, self.progress, self.bar,
            w.HBox([self.course, self.prev_button, self.next_button, self.undo_last_button]),
            w.HBox([self.course_bulk]),
            w.HBox([self.queue_status, self.queue_framework, self.queue_band]),
            w.HBox([self.queue_pathway, self.queue_sector, self.queue_next]), self.queue_counts, self.legend,
            self.message,
            self.course_card, self.suggestion_box,
            section("Add a standard the machine missed"),
            w.HBox([self.search, self.search_button]), self.results,
            w.HBox([self.add_assoc, self.add_note, self.add_button]), self.added_box,
            section("Export the reviewed decisions of this catalog"),
            w.HBox(self.export_buttons), self.export_links,
            section("Second review: agreement between reviewers"),
            w.HBox([self.required_reviews, self.second_visible]), self.review_mode_note,
            self.agreement_button, self.agreement_box, self.disputes_box,
            section("Standards library: import a sector's standards (file or CASE URL)"),
            standards_import_panel(importer=lambda: self.name.value.strip()),
        ])
        self.widget.add_class("pa-app")
        self.widget.add_class("pa-review-app")
        _crosswalk_mode(self)
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
                       self.undo_last_button, self.queue_next, self.course_bulk, self.agreement_button,
                       self.required_reviews, self.second_visible):
            widget.disabled = not on
        if on and self.session is not None and self.session.read_only:
            for widget in (self.add_button, self.course_bulk, self.required_reviews, self.second_visible):
                widget.disabled = True

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
            _attach_crosswalk(self)
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
            self._show_review_mode()
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
        self.catalog_upload.on_upload(change)

    def _say(self, html: str):
        self.message.value = html

    def _loaded(self, key: str, _name: str):
        """An uploaded catalog was loaded (directly or through the mapping step): review it."""
        self.message.value = h.notice(f"Loaded {key}: {len(self.session.catalogs[key])} courses.", "ok")
        self._set_catalog_options(key)

    def load_with_mapping(self) -> str | None:
        """The upload's mapping step: load the last refused file with the typed column mapping."""
        return self.catalog_upload.load_with_mapping()

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
        for group in self._grouped(view.catalog, view.course["course_id"], view.suggestions, view.sectors):
            notes = "".join(h.notice(n[:1].upper() + n[1:] + ".", "warn") for n in group.notes)
            partial = "".join(f'<div class="pa-group-note"><span class="pa-partial">partial data</span> '
                              f'{h.esc(n)}</div>' for n in group.partial)
            children.append(self.w.HTML(f'<div class="pa-group"><h3>{h.esc(group.title)}</h3></div>'
                                        + notes + partial, **self._plain("html")))
            if len(group.rows) and not session.read_only:
                children.append(self._bulk_buttons(group.framework, view.course["course_id"]))
            for row in group.rows.to_dict("records"):
                sid = row["standard_id"]
                children.append(self._row(row, view.decisions.get(sid), view.course["course_id"],
                                          review=view.reviews.get(sid), hidden=sid in view.hidden))
        self.suggestion_box.children = tuple(children)
        self._draw += 1
        self._items = {k: v for k, v in self._items.items() if v["draw"] >= self._draw - 1}
        self._drawn[self._draw] = children
        for old in [d for d in self._drawn if d < self._draw - 1]:  # a click in flight on the previous
            for widget in self._drawn.pop(old):                     # course still lands; older ones go
                _close_tree(widget)
        self.move_focus(0, absolute=True)
        self._show_added(view)
        self._show_progress()
        self._prefetch_next()

    def _grouped(self, catalog: str, course_id: str, suggestions: pd.DataFrame, sectors) -> list:
        """``group_suggestions`` of a course, remembered for the course drawn next (the
        key holds the suggestions and standards tables themselves, so a new standards
        table or recomputed suggestions are grouped again)."""
        standards = self.session.standards
        key = (catalog, course_id, id(suggestions), id(standards), tuple(sectors or ()))
        groups = self._groups.get(key)
        if groups is None:
            groups = group_suggestions(suggestions, standards, sectors)
            self._groups = {**dict(list(self._groups.items())[-3:]), key: groups}  # a few courses, no more
        return groups

    def _prefetch_next(self):
        """Compute (and group) the suggestions of the course the Next button or the ``n`` key
        opens, so opening it only draws. In a kernel this runs on its event loop just
        after the message that drew this course is handled, i.e. once the drawing has been
        sent and before the reviewer's next click is read: one thread, nothing computed
        while a click waits for it. Without a running loop (tests, scripts), it runs now.
        An error is left for opening that course to show."""
        import asyncio

        try:
            asyncio.get_running_loop().call_soon(self._prefetch)
        except RuntimeError:  # no event loop in this thread
            self._prefetch()

    def _prefetch(self):
        session = self.session
        try:
            catalog, course_id = session.prefetch(+1)
            with session.lock:
                course = session.course(course_id) if catalog == session.catalog_key else None
                if course:
                    self._grouped(catalog, course_id, session.suggestions(course_id, catalog), course_sectors(course))
        except Exception:  # noqa: BLE001 - opening the course says what went wrong
            pass

    def _plain(self, kind: str) -> dict:
        """The shared layout and style of a row's widget of ``kind`` (keyword arguments)."""
        return {"layout": self._layouts["plain"], "style": self._styles[kind]}

    def _bulk_buttons(self, framework: str, course_id: str):
        w = self.w
        where = {"course_id": course_id, "catalog": self.catalog_key}
        accept = w.Button(description="Accept all strong", icon="check-circle", layout=self._layouts["bulk_accept"],
                          tooltip=BULK_ACTIONS["accept_strong"], style=self._styles["button"])
        reject = w.Button(description="Reject the rest", icon="times-circle", layout=self._layouts["bulk_reject"],
                          tooltip=BULK_ACTIONS["reject_rest"], style=self._styles["button"])
        accept.add_class("pa-bulk-accept")
        accept.add_class(f"pa-bulk-accept-{h.css_class(framework)}")
        reject.add_class("pa-bulk-reject")
        reject.add_class(f"pa-bulk-reject-{h.css_class(framework)}")
        accept.on_click(lambda _b: self.bulk(framework, "accept_strong", **where))
        reject.on_click(lambda _b: self.bulk(framework, "reject_rest", **where))
        box = w.HBox([accept, reject], layout=self._layouts["plain"])
        box.add_class("pa-bulk")
        return box

    @staticmethod
    def _course_html(course: dict) -> str:
        facts = [f"course {course['course_id']}"] + [f"{k} {course[k]}" for k in ("grades", "sector", "pathway", "level")
                                                     if course.get(k)]
        return (f'<div class="pa-course"><h2>{h.esc(course.get("title") or course["course_id"])}</h2>'
                f'<div class="pa-meta">{h.esc(" · ".join(facts))}</div>'
                f'<div class="pa-desc">{h.esc(course.get("description", ""))}</div></div>')

    def _row(self, row: dict, decision: dict | None, course_id: str, *, review: dict | None = None,
             hidden: bool = False):
        """One suggestion with its buttons; the buttons act on THIS course (a click that
        arrives while another course is being opened still lands where the reviewer saw it).
        ``hidden``: another reviewer's decision this reviewer may not see yet (blind second
        review): the row shows none of it (decision, association, note)."""
        w = self.w
        sid = row["standard_id"]
        where = {"course_id": course_id, "catalog": self.catalog_key}
        card = w.HTML(render_card(row, self.completeness.get(sid, ("", "")),
                                  getattr(self, "editions", {}).get(sid, ("", "")),
                                  several_editions=getattr(self, "several_editions", False)), **self._plain("html"))
        status = w.HTML(status_html(decision, review, hidden), **self._plain("html"))
        status.add_class("pa-status-line")
        read_only = self.session.read_only
        layouts = self._layouts
        styles = self._styles
        accept = w.Button(description="Accept", icon="check", layout=layouts["accept"], disabled=read_only,
                          style=styles["button"])
        reject = w.Button(description="Reject", icon="times", layout=layouts["reject"], disabled=read_only,
                          style=styles["button"])
        clear = w.Button(description="Undo", icon="undo", layout=layouts["clear"], disabled=read_only,
                         tooltip="back to not reviewed (audited)", style=styles["button"])
        assoc = w.Dropdown(options=ASSOCIATION_CHOICES, value=(decision or {}).get("association_type") or "exactMatchOf",
                           layout=layouts["assoc"], style=styles["dropdown"])
        # continuous_update=False: the note reaches the kernel in one message when the field
        # loses focus, i.e. before the click on Accept/Reject; sent per keystroke, the browser
        # holds the later keystrokes back while the kernel is busy and the click overtakes them
        note = w.Text(value=(decision or {}).get("note", ""), placeholder="note (optional)",
                      continuous_update=False, layout=layouts["note"], style=styles["text"])
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
        box = w.VBox([card, w.HBox([accept, reject, assoc, note, clear], layout=layouts["plain"]), status],
                     layout=layouts["plain"])
        box.add_class("pa-row")
        box.add_class(f"pa-row-{h.css_class(sid)}")
        box.add_class(f"pa-row-course-{h.css_class(course_id)}")
        self._serial += 1
        item = str(self._serial)
        box.add_class(f"pa-item-{item}")  # the keys say which row the page showed focused
        self.rows[sid] = {"box": box, "status": status, "accept": accept, "reject": reject, "assoc": assoc,
                          "note": note, "framework": row.get("framework", ""), "item": item, **where}
        self._items[item] = {**self.rows[sid], "standard_id": sid, "draw": self._draw + 1}
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
                review = self._visible_review(standard_id, course_id, catalog)
                row["status"].value = status_html(stored, review)
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
            accepted = [s for s, d in result["decisions"].items() if d == "accepted"]
            rejected = [s for s, d in result["decisions"].items() if d == "rejected"]
            parts = [f"{what} {len(ids)} ({', '.join(self.session.code(s) for s in ids) or 'nothing left to decide'})"
                     for what, ids in (("accepted", accepted), ("rejected", rejected))
                     if ids or what == {"accept_strong": "accepted", "reject_rest": "rejected"}.get(action)]
            where = "" if course_id == self.course_id else f" for course {course_id}"
            self.message.value = h.notice(f"Saved: {'; '.join(parts) or 'nothing left to decide'}{where}.", "ok")
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
        """Redraw the status line of the shown rows of this course whose state changed
        (after a bulk action or undo): only the changed cards are sent to the page."""
        if course_id != self.course_id or catalog != self.catalog_key:
            return
        view = self.session.view()
        for sid, row in self.rows.items():
            if row["course_id"] == course_id and row["catalog"] == catalog:
                decision = view.decisions.get(sid)
                html = status_html(decision, view.reviews.get(sid), sid in view.hidden)
                if row["status"].value != html:
                    row["status"].value = html
                    self._style_buttons(sid, decision)

    def _visible_review(self, standard_id: str, course_id: str, catalog: str) -> dict | None:
        try:
            return self.session.visible_review(standard_id, course_id, catalog)
        except Exception:  # the reviews line is extra: never lose the saved state for it
            return None

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

    def on_key(self, key: str, item: str | None = None):
        """One keyboard shortcut (SHORTCUTS); the same action as its button.

        ``item`` is the row the page showed focused when the key was pressed (its
        ``pa-item-N`` id; :mod:`alignment.ui.keys`). A key acts on THAT row, even when
        the kernel has moved on since (the course switched, the focus moved): accept and
        reject press that row's own buttons, which act on its course. A focus move
        from a row no longer drawn is ignored (the page is about to show the new course
        with its focus on the first row). Without an item (a test, or no row focused),
        the kernel's focused row is used."""
        if self.session is None:
            return
        with self._lock:
            self._on_key(key, item)

    def _on_key(self, key: str, item: str | None):
        action = SHORTCUTS.get(key, "")
        shown = self._items.get(item) if item else None
        current = shown is not None and self.rows.get(shown["standard_id"], {}).get("item") == item
        if action in ("next suggestion", "previous suggestion"):
            if current:  # the page has moved its focus already: follow it
                self.move_focus(list(self.rows).index(shown["standard_id"]), absolute=True)
            elif not item:
                self.move_focus(+1 if action == "next suggestion" else -1)
            return  # else: a focus move on rows no longer drawn (the new course's focus is on its first row)
        if item and shown is None and action in SUGGESTION_ACTIONS:
            self.message.value = h.notice("That key was pressed on a row that is no longer shown: nothing was "
                                          "changed; press it again.", "warn")
            return
        row = shown if shown is not None else (self.rows.get(self.focused) if self.focused else None)
        if action == "next course":
            self.step(+1)
        elif action == "previous course":
            self.step(-1)
        elif action == "next course in the queue":
            self.next_in_queue()
        elif action.startswith("undo"):
            self.undo_last()
        elif action.startswith("accept all strong and reject the rest"):
            where = {"course_id": row["course_id"], "catalog": row["catalog"]} if row else {}
            self.bulk(None, "accept_strong_reject_rest", **where)
        elif row is None:
            return
        elif action == "accept the focused suggestion":
            row["accept"].click()
        elif action == "reject the focused suggestion":
            row["reject"].click()
        elif action.startswith("accept all strong"):
            self.bulk(row["framework"], "accept_strong", course_id=row["course_id"], catalog=row["catalog"])
        elif action.startswith("reject the rest"):
            self.bulk(row["framework"], "reject_rest", course_id=row["course_id"], catalog=row["catalog"])

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

    def _show_review_mode(self):
        """Show the catalog's review settings (stored with the catalog) without acting on them."""
        settings = self.session.review_settings()
        self._quiet = True
        try:
            self.required_reviews.value = settings["required_reviews"]
            self.second_visible.value = settings["second_review_visible"]
        finally:
            self._quiet = False
        self.second_visible.layout.display = None if settings["required_reviews"] >= 2 else "none"
        if settings["required_reviews"] >= 2:
            how = ("open: the second reviewer sees the first review" if settings["second_review_visible"]
                   else "blind: the second reviewer sees the first review only after deciding")
            by = f" (set by {settings['updated_by']})" if settings["updated_by"] else ""
            note = (f"Each suggestion needs decisions by two different reviewers; {how}{by}. The queue's "
                    "“disputed” status lists the disagreements; a third reviewer settles them below.")
        else:
            note = "One reviewer's decision is enough for each suggestion."
        self.review_mode_note.value = f'<div class="pa-muted pa-review-mode">{h.esc(note)}</div>'

    def set_review_mode(self) -> dict | None:
        """Store the catalog's review settings (one or two reviewers, blind or open), then redraw."""
        if self._quiet or self.session is None:
            return None
        with self._lock:
            try:
                settings = self.session.set_review_settings(self.required_reviews.value, self.second_visible.value)
            except Exception as exc:
                self.message.value = h.notice(f"Not changed: {_text(exc)}", "error")
                self._show_review_mode()
                return None
            self._show_review_mode()
            self._show_course()
            self.show_queue()
            return settings

    def show_agreement(self):
        """Agreement per framework between first and second reviews, and the disagreements
        (disputed ones with the buttons a third reviewer settles them with). Computed when
        asked (the "Show agreement" button, a settle), not on every click."""
        table = self.session.agreement()
        table = table[table["pairs"] > 0]
        open_ = self.session.disagreements()
        self._show_disputes(open_)
        if table.empty:
            self.agreement_box.value = ('<div class="pa-muted">No pair has two reviews yet: agreement appears when a '
                                        'second reviewer decides pairs a first reviewer decided.</div>')
            return
        cells = "".join(
            f"<tr><td>{h.esc(r['framework'])}</td><td>{r['pairs']}</td><td>{r['percent_agreement']:.0f}%</td>"
            f"<td>{'n/a' if r['kappa'] != r['kappa'] else format(r['kappa'], '.2f')}</td></tr>"
            for r in table.to_dict("records"))
        disputed = int((open_["status"] == "disputed").sum())
        self.agreement_box.value = (
            '<table class="pa-table"><tr><th>framework</th><th>pairs reviewed twice</th><th>agreement</th>'
            f"<th>Cohen's kappa</th></tr>{cells}</table>"
            f'<div class="pa-muted">{disputed} disagreement{"s" if disputed != 1 else ""} to settle '
            f"(a third reviewer's decision settles one), {len(open_) - disputed} settled.</div>")

    def _show_disputes(self, pairs: pd.DataFrame):
        """One line per disagreement: the two reviews, then who settled it, or the buttons
        a third reviewer settles it with (and one to open the course)."""
        w = self.w
        children = []
        for pair in pairs.to_dict("records"):
            course_id, sid = pair["course_id"], pair["standard_id"]
            text = (f"{course_id} · {self.session.code(sid)}: {pair['first_reviewer']} {pair['first_decision']}, "
                    f"{pair['second_reviewer']} {pair['second_decision']}")
            if pair["status"] == "settled":
                text += f" · settled by {pair['settled_by']}: {pair['settled_decision']}"
            line = w.HTML(f'<span class="pa-dispute-text">{h.esc(text)}</span>')
            parts = [line]
            if pair["status"] == "disputed" and not self.session.read_only:
                for decision, label in (("accepted", "Settle: accept"), ("rejected", "Settle: reject")):
                    button = w.Button(description=label, layout=w.Layout(width="140px"))
                    button.add_class(f"pa-settle-{decision}")
                    button.on_click(lambda _b, c=course_id, s=sid, d=decision: self.settle(s, d, course_id=c))
                    parts.append(button)
            go = w.Button(description="Open course", layout=w.Layout(width="120px"))
            go.add_class("pa-dispute-open")
            go.on_click(lambda _b, c=course_id: self.open_course(c))
            parts.append(go)
            box = w.HBox(parts)
            box.add_class("pa-dispute")
            box.add_class(f"pa-dispute-{pair['status']}")
            children.append(box)
        self.disputes_box.children = tuple(children)

    def settle(self, standard_id: str, decision: str, *, course_id: str) -> dict | None:
        """A third reviewer settles a disagreement (recorded under their name); redraw."""
        with self._lock:
            try:
                stored = self.session.settle(standard_id, decision, course_id=course_id)
            except Exception as exc:
                self.message.value = h.notice(f"Not saved: {_text(exc)}", "error")
                return None
            self.message.value = h.notice(f"Settled: {decision} {self.session.code(standard_id)} for course "
                                          f"{course_id} (by {stored['reviewer']}).", "ok")
            self._refresh_rows(course_id, self.catalog_key)
            self._show_progress()
            self.show_agreement()
            return stored

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


def _crosswalk_mode(app: ReviewApp) -> None:
    """The Crosswalk mode (``alignment.ui.crosswalk_review``): a toggle above the page
    switches between reviewing course alignments and reviewing a crosswalk between two
    editions; the course review's widgets are unchanged, one level down."""
    from alignment.ui.crosswalk_review import CrosswalkPanel

    w = app.w
    app.crosswalk = CrosswalkPanel()
    app.course_mode = w.VBox(list(app.widget.children))
    app.mode = w.ToggleButtons(options=[("Course alignments", "courses"), ("Crosswalk between editions", "crosswalk")],
                               value="courses", style={"button_width": "220px"})
    app.mode.add_class("pa-mode")
    app.crosswalk.widget.layout.display = "none"

    def switch(change):
        crosswalk = change["new"] == "crosswalk"
        app.course_mode.layout.display = "none" if crosswalk else None
        app.crosswalk.widget.layout.display = None if crosswalk else "none"
        # the course review's shortcuts must not act on its hidden rows
        app.keys.shortcut_keys = [] if crosswalk else list(SHORTCUTS)
        # drawn when the app became ready; drawn again only when a crosswalk was registered since
        # (redrawing under the reviewer's pointer would swallow a click)
        if crosswalk and app.session is not None and (app.crosswalk.session is None
                                                      or app.crosswalk.session.crosswalks() != app.crosswalk.known):
            _attach_crosswalk(app)

    app.mode.observe(switch, names="value")
    children = list(app.course_mode.children)
    # the style, keys, header, status, ready marker and the reviewer's name stay on top in both modes
    top = children.index(app.who) + 1
    app.course_mode.children = children[top:]
    app.widget.children = [*children[:top], app.mode, app.course_mode, app.crosswalk.widget]


def _attach_crosswalk(app: ReviewApp) -> None:
    """Give the Crosswalk mode its session (the review store and standards of the app)."""
    from alignment.ui.crosswalk_session import CrosswalkSession

    if getattr(app, "crosswalk", None) is None or app.session is None:
        return
    try:
        standards = app._given["standards"]
        if standards is None:  # every edition, whichever one the app aligns against
            from alignment.data.sources import load_standards_from

            standards = session.cached("standards-all-editions",
                                       lambda: load_standards_from(session.settings().standards, edition=None))
        app.crosswalk.attach(CrosswalkSession(app.session.store, standards, reviewer=app.reviewer))
    except Exception as exc:
        app.crosswalk.message.value = h.notice(_text(exc), "error")


def review_app(**kwargs):
    """Build the review app and return its top widget (what the notebook displays)."""
    return ReviewApp(**kwargs).widget
