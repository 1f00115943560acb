"""The review app's Crosswalk mode: its widgets only.

A crosswalk (edition A -> edition B, each labelled with its status: adopted or draft)
is chosen from those registered in the review store; each edition-A standard is shown
with its ranked edition-B candidates, their score band and evidence, and three buttons
per candidate: Exact match, Related, Not a counterpart, plus Undo. Every click is one
decision in the review store (:class:`~alignment.ui.crosswalk_session.CrosswalkSession`
does the work and is tested on its own). Progress and a CASE download of the reviewed
crosswalk sit above the list. Every text shown is escaped (:mod:`alignment.ui.html`).
"""

from __future__ import annotations

import threading

from alignment.ui import html as h
from alignment.ui.crosswalk_session import CrosswalkSession

#: Decision -> (button label, what the status line says).
DECISION_LABELS = {"exact": ("Exact match", "exact match"), "related": ("Related", "related"),
                   "none": ("Not a counterpart", "not a counterpart")}


def pair_status_html(decision: dict | None) -> str:
    """One pair's state: not reviewed, or the decision, by whom and when."""
    if not decision:
        return '<span class="pa-decision pa-decision-open">not reviewed yet</span>'
    kind = decision.get("decision", "")
    when = str(decision.get("decided_at", ""))[:16].replace("T", " ")
    note = f" · note: {decision['note']}" if decision.get("note") else ""
    return (f'<span class="pa-decision pa-xw-decision-{h.css_class(kind)}">'
            f'{h.esc(DECISION_LABELS.get(kind, (kind, kind))[1])}</span>'
            f'<span class="pa-muted"> by {h.esc(decision.get("reviewer", ""))} · {h.esc(when)} UTC{h.esc(note)}</span>')


class CrosswalkPanel:
    """The Crosswalk mode's widgets over a :class:`CrosswalkSession` (given later, when
    the app's data is loaded: :meth:`attach`)."""

    def __init__(self):
        import ipywidgets as w

        self.w = w
        self.session: CrosswalkSession | None = None
        self._lock = threading.RLock()
        self.rows: dict[tuple[str, str], dict] = {}
        #: the crosswalks listed (the store's, when attached)
        self.known: list[tuple[str, str]] = []
        self.choice = w.Dropdown(options=[], description="Crosswalk", layout=w.Layout(width="620px"))
        self.choice.style.description_width = "90px"
        self.choice.add_class("pa-xw-choice")
        self.undo_last_button = w.Button(description="Undo last", icon="undo", layout=w.Layout(width="120px"))
        self.undo_last_button.add_class("pa-xw-undo-last")
        self.progress = w.HTML("")
        self.progress.add_class("pa-xw-progress")
        self.message = w.HTML("")
        self.message.add_class("pa-xw-message")
        self.items = w.VBox([])
        self.items.add_class("pa-xw-items")
        self.export_button = w.Button(description="CASE JSON", icon="download", layout=w.Layout(width="150px"))
        self.export_button.add_class("pa-xw-export")
        self.export_links = w.HTML("")
        self.export_links.add_class("pa-xw-export-links")
        intro = w.HTML('<div class="pa-muted">For each standard of the edition your alignments were made against, '
                       'say which standard of the new edition it became: <b>exact match</b> (course alignments carry '
                       'over), <b>related</b> (they need a new review) or <b>not a counterpart</b>. Suggestions come '
                       'from <code>pathway-align crosswalk suggest</code>.</div>')
        self.choice.observe(lambda _: self.show(), names="value")
        self.undo_last_button.on_click(lambda _: self.undo())
        self.export_button.on_click(lambda _: self.export())
        self.widget = w.VBox([intro, w.HBox([self.choice, self.undo_last_button]), self.progress, self.message,
                              self.items, w.HBox([self.export_button]), self.export_links])
        self.widget.add_class("pa-xw-panel")

    def attach(self, session: CrosswalkSession) -> None:
        """Use ``session`` and list its crosswalks (the first one is shown)."""
        with self._lock:
            self.session = session
            pairs = session.crosswalks()
            self.known = pairs
            keys = [f"{p[0]}\x1f{p[1]}" for p in pairs]
            current = self.choice.value
            self.choice.options = [(session.crosswalk_label(p), key) for p, key in zip(pairs, keys)]
            self.choice.value = current if current in keys else (keys[0] if keys else None)
            if not pairs:
                self.message.value = h.notice("No crosswalk in the review store yet: run `pathway-align crosswalk "
                                              "suggest --from OLD --to NEW` to suggest one.", "info")
            self.show()

    def show(self) -> None:
        """Draw the chosen crosswalk."""
        with self._lock:
            if self.session is None or not self.choice.value:
                self.items.children = []
                return
            self.session.select(*self.choice.value.split("\x1f"))
            self.rows = {}
            try:
                cards = [self._item(item) for item in self.session.items()]
            except Exception as exc:
                self.message.value = h.notice(h.error_text(exc), "error")
                return
            self.items.children = cards
            self._progress()

    def _item(self, item):
        w = self.w
        a, b = self.session.crosswalk
        head = w.HTML(f'<div class="pa-xw-from" style="margin-top:12px;padding:6px 8px;border-left:4px solid '
                      f'#1a56db;background:#f5f7fa"><b>{h.esc(item.code)}</b> '
                      f'<span class="pa-muted">{h.esc(self.session.label(a))} · {h.esc(item.status)}</span>'
                      f'<div>{h.esc(item.text)}</div></div>')
        rows = [self._candidate(item.from_id, c) for c in item.candidates]
        box = w.VBox([head, *rows])
        box.add_class("pa-xw-item")
        box.add_class(f"pa-xw-item-{h.css_class(item.from_id)}")
        return box

    def _candidate(self, from_id: str, candidate: dict):
        w = self.w
        to_id = candidate["to_id"]
        _, b = self.session.crosswalk
        card = w.HTML(f'<div class="pa-xw-candidate">{h.badge(candidate.get("band", ""))} '
                      f'<b>{h.esc(candidate.get("to_code") or to_id)}</b> '
                      f'<span class="pa-muted">{h.esc(self.session.label(b))} · rank {h.esc(candidate.get("rank"))} '
                      f'· score {h.esc(candidate.get("score"))}</span>'
                      f'<div>{h.esc(candidate.get("to_text", ""))}</div>'
                      f'<div class="pa-muted pa-xw-evidence">{h.esc(candidate.get("evidence", ""))}</div></div>')
        status = w.HTML(pair_status_html(candidate.get("decision")))
        status.add_class("pa-xw-status")
        note = w.Text(placeholder="note (optional)", continuous_update=False, layout=w.Layout(width="240px"))
        note.add_class("pa-xw-note")
        buttons = []
        for kind, (label, _) in DECISION_LABELS.items():
            button = w.Button(description=label, layout=w.Layout(width="150px"), disabled=self.session.read_only)
            button.add_class(f"pa-xw-{kind}")
            button.on_click(lambda _b, kind=kind: self.decide(from_id, to_id, kind, note.value))
            buttons.append(button)
        undo = w.Button(description="Undo", icon="undo", layout=w.Layout(width="90px"),
                        disabled=self.session.read_only)
        undo.add_class("pa-xw-undo")
        undo.on_click(lambda _b: self.undo(from_id, to_id))
        box = w.VBox([card, w.HBox([*buttons, note, undo]), status])
        box.add_class("pa-xw-row")
        box.add_class(f"pa-xw-row-{h.css_class(from_id)}--{h.css_class(to_id)}")
        self.rows[(from_id, to_id)] = {"box": box, "status": status, "buttons": dict(zip(DECISION_LABELS, buttons))}
        self._style(from_id, to_id, candidate.get("decision"))
        return box

    def _style(self, from_id: str, to_id: str, decision: dict | None) -> None:
        row = self.rows.get((from_id, to_id))
        if row is None:
            return
        kind = (decision or {}).get("decision")
        for name, button in row["buttons"].items():
            button.button_style = ("success" if name == "exact" else "info" if name == "related" else "warning") \
                if name == kind else ""
        row["status"].value = pair_status_html(decision)

    def decide(self, from_id: str, to_id: str, decision: str, note: str = "") -> dict | None:
        with self._lock:
            try:
                saved = self.session.decide(from_id, to_id, decision, note)
            except Exception as exc:
                self.message.value = h.notice(h.error_text(exc), "error")
                return None
            self.message.value = ""
            self._style(from_id, to_id, saved)
            self._progress()
            return saved

    def undo(self, from_id: str | None = None, to_id: str | None = None) -> dict | None:
        with self._lock:
            try:
                undone = self.session.undo(from_id, to_id)
            except Exception as exc:
                self.message.value = h.notice(h.error_text(exc), "error")
                return None
            if undone is None:
                self.message.value = h.notice("Nothing of yours to undo here.", "info")
                return None
            self.message.value = ""
            self._style(undone["from_id"], undone["to_id"], undone["restored"])
            self._progress()
            return undone

    def _progress(self) -> None:
        p = self.session.progress()
        self.progress.value = (f'<div class="pa-progress pa-muted">{p["pairs_decided"]} of {p["pairs"]} suggested '
                               f'pairs reviewed · {p["standards_decided"]} of {p["standards"]} standards decided</div>')

    def export(self) -> bytes | None:
        with self._lock:
            try:
                name, data, n = self.session.export_case()
            except Exception as exc:
                self.export_links.value = h.notice(f"Export failed: {h.error_text(exc)}", "error")
                return None
            link = h.download_link(data, name, "application/json", "Download crosswalk CASE JSON")
            self.export_links.value = (f'<div class="pa-downloads">{link}<span class="pa-muted">{n} decision'
                                       f'{"s" if n != 1 else ""}</span></div>')
            return data
