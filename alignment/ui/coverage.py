"""The teacher coverage app: which standards does this course teach, and why?

A teacher picks a course of the catalog (a searchable list of titles; the district's
own catalog can be uploaded, with the review app's column-mapping step when its
headers are not recognised: :mod:`alignment.ui.upload`) or pastes a
description (optionally with a CTE sector and grades) and sees the top standards per
framework, each with its code, full text, confidence band and the evidence words
highlighted in both texts; a sector with no pathway standards loaded says so, and
partial data is labelled partial. With a school pathway chosen (and ``alignment.analysis.gaps``
available) it also shows what that pathway still misses, and which of those gaps this
course could fill. Results download as CSV or Excel, built in the page when the teacher
asks for them (a button), not for every answer.

The app only reads: it never opens the review store.

The functions above :class:`CoverageApp` are pure (tables in, HTML or bytes out) and
tested without a browser; the class wires them to ipywidgets.
"""

from __future__ import annotations

import importlib
import re
import time
from dataclasses import dataclass, field

import pandas as pd

from alignment.align.columns import FRAMEWORK_ORDER, SUGGESTION_COLUMNS
from alignment.align.families import PRACTICE, PRACTICE_TITLES
from alignment.analysis.clusters import course_clusters
from alignment.data.catalog import split_multi, validate_catalog
from alignment.data.editions import family_of
from alignment.io import writers
from alignment.io.errors import InputError
from alignment.data.sectors import import_hint
from alignment.data.standards import FRAMEWORKS, SECTORS
from alignment.ui import html as h
from alignment.ui import session
from alignment.ui.upload import CatalogUpload

#: Group titles, in display order (the aligner's framework order).
GROUP_TITLES = {
    "cte_pathway": "CTE pathway standards",
    "cte_anchor": "CTE anchor standards",
    "cte_crp": "CTE Standards for Career Ready Practice",
    "ccss_ela": "Common Core ELA / Literacy",
    "ccss_math": "Common Core Mathematics",
}
SECTOR_FRAMEWORKS = ("cte_pathway", "cte_anchor")
COUNTING_BANDS = ("strong", "possible")
PASTED_COURSE_ID = "pasted-description"

#: Columns of the downloadable table.
DOWNLOAD_COLUMNS = [
    "course_id", "course_title", "framework", "family", "rank", "standard_id", "display_code", "code", "band", "score",
    "standard_text", "matched_terms", "matched_phrases", "best_sentence", "evidence", "completeness", "note",
]


# --------------------------------------------------------------------------- data status

def sector_status(standards: pd.DataFrame, framework: str, sector: str) -> tuple[str, str]:
    """``(status, note)`` of a framework's standards for a sector: ``complete``,
    ``partial`` (with the standards' completeness notes) or ``missing``."""
    rows = standards[(standards["framework"] == framework) & (standards["sector"] == sector)]
    if rows.empty:
        what = "pathway" if framework == "cte_pathway" else "anchor"
        return "missing", f"no {what} standards loaded for this sector ({sector})"
    partial = rows[rows["completeness"] == "partial"]
    if len(partial):
        notes = " ".join(dict.fromkeys(n for n in partial["completeness_note"] if n))
        return "partial", notes or "partial data"
    return "complete", ""


def sector_choices(standards: pd.DataFrame) -> list[tuple[str, str]]:
    """Dropdown options for a pasted course's sector, each labelled with what is loaded."""
    options = [("(none: an academic course)", "")]
    for sector in SECTORS:
        status, _ = sector_status(standards, "cte_pathway", sector)
        suffix = {"complete": "", "partial": "  (partial data)", "missing": "  (no pathway standards loaded)"}[status]
        options.append((sector + suffix, sector))
    return options


_completeness_cache: dict[int, tuple[pd.DataFrame, dict]] = {}


def completeness_of(standards: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """standard_id -> (completeness, completeness_note) (computed once per standards table)."""
    hit = _completeness_cache.get(id(standards))
    if hit is not None and hit[0] is standards:
        return hit[1]
    table = {sid: (c, n) for sid, c, n in zip(standards["standard_id"], standards["completeness"],
                                               standards["completeness_note"])}
    _completeness_cache.clear()
    _completeness_cache[id(standards)] = (standards, table)
    return table


# --------------------------------------------------------------------------- grouping

@dataclass
class Group:
    """One framework's suggestions for one course, with what the data can and cannot say."""

    framework: str
    title: str
    rows: pd.DataFrame
    notes: list[str] = field(default_factory=list)  # "no pathway standards loaded ..."
    partial: list[str] = field(default_factory=list)  # completeness notes of partial data
    family: str = "content"  # or "practice": Mathematical Practices, CCR anchors, Career Ready Practices
    domains: list[str] = field(default_factory=list)  # "HSA.CED Creating Equations: 3 standards (...)"


def group_suggestions(suggestions: pd.DataFrame, standards: pd.DataFrame, sectors: list[str] | None = None) -> list[Group]:
    """The suggestions of ONE course grouped by framework, in display order.

    A group holds the real suggestions (ranked), the aligner's notes (a sector with no
    standards loaded) and, for the CTE frameworks of the course's sectors, the
    completeness notes when those sectors' data is partial. A Common Core framework's
    practice standards (Mathematical Practices, CCR anchors) are a group of their own
    right after its content standards, and its content group lists the domains the
    course's suggestions fall in (``alignment.analysis.clusters``).
    """
    sectors = [s for s in (sectors or []) if s]
    present = list(dict.fromkeys(suggestions["framework"]))
    order = [f for f in FRAMEWORK_ORDER if f in present] + [f for f in present if f not in FRAMEWORK_ORDER]
    groups = []
    for fw in order:
        part = suggestions[suggestions["framework"] == fw]
        real = part[part["standard_id"].fillna("").astype(str) != ""].sort_values("rank", kind="stable")
        notes = [str(n) for n in part.loc[part["standard_id"].fillna("").astype(str) == "", "note"] if str(n)]
        partial = []
        if fw in SECTOR_FRAMEWORKS:
            for sector in sectors:
                status, note = sector_status(standards, fw, sector)
                if status == "partial":
                    partial.append(f"{sector}: {note}")
        elif fw == "cte_crp":
            status_rows = standards[(standards["framework"] == fw) & (standards["completeness"] == "partial")]
            partial += list(dict.fromkeys(n for n in status_rows["completeness_note"] if n))
        title = GROUP_TITLES.get(fw) or FRAMEWORKS.get(fw, fw)
        family = real["family"].fillna("") if "family" in real.columns else pd.Series("", index=real.index)
        practice = real[family == PRACTICE]
        if fw == "cte_crp" or practice.empty:
            groups.append(Group(fw, title, real.reset_index(drop=True), notes, partial,
                                family=PRACTICE if fw == "cte_crp" else "content", domains=_domains(real, standards)))
            continue
        content = real[family != PRACTICE]
        groups.append(Group(fw, title, content.reset_index(drop=True), notes, partial, domains=_domains(content, standards)))
        groups.append(Group(fw, PRACTICE_TITLES.get(fw, f"{title}: practices"), practice.reset_index(drop=True),
                            family=PRACTICE))
    return groups


def _domains(rows: pd.DataFrame, standards: pd.DataFrame) -> list[str]:
    """The Common Core domains of a course's content suggestions, most standards first."""
    if rows.empty or not rows["framework"].isin(["ccss_math", "ccss_ela"]).any():
        return []
    table = course_clusters(rows, standards, top_n=3)
    return [f"{r.label} ({r.standards.replace('; ', ', ')})" for r in table.itertuples()]


# --------------------------------------------------------------------------- rendering

def _listish(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in value.split("; ") if p]
    try:
        return [str(v) for v in value]
    except TypeError:
        return []


def evidence_words(suggestions: pd.DataFrame, bands=COUNTING_BANDS) -> tuple[list[str], list[str]]:
    """The terms and phrases of a course's suggestions in ``bands`` (for the course text)."""
    rows = suggestions[suggestions["band"].isin(bands)] if "band" in suggestions else suggestions
    terms, phrases = [], []
    for t, p in zip(rows.get("matched_terms", []), rows.get("matched_phrases", [])):
        terms += _listish(t)
        phrases += _listish(p)
    return list(dict.fromkeys(terms)), list(dict.fromkeys(phrases))


def render_card(row: dict, completeness: tuple[str, str] = ("", ""), edition: tuple[str, str] = ("", ""),
                several_editions: bool = False) -> str:
    """One suggested standard: code, band, score, where, full text and evidence (highlighted);
    its edition (``(edition, status)``) as a DRAFT badge, or shown when several are loaded."""
    terms, phrases = _listish(row.get("matched_terms")), _listish(row.get("matched_phrases"))
    where = " · ".join(str(x) for x in (row.get("sector"), row.get("pathway")) if x and x != "ALL")
    partial = ""
    if completeness[0] == "partial":
        partial = f'<span class="pa-partial" title="{h.esc(completeness[1])}">partial data</span>'
    score = row.get("score")
    score_text = f"score {float(score):.2f}" if score is not None and score == score else ""
    sentence = row.get("best_sentence") or ""
    evidence = ""
    if sentence:
        evidence = (f'<div class="pa-evidence"><span class="pa-label">In the course:</span>'
                    f'“{h.highlight(sentence, terms, phrases)}”</div>')
    shared = []
    if terms:
        shared.append("shared words: " + ", ".join(h.esc(t) for t in terms))
    if phrases:
        shared.append("shared phrases: " + ", ".join(f"“{h.esc(p)}”" for p in phrases))
    if not shared:
        shared.append("no shared words: a match of meaning only")
    band = str(row.get("band") or "none")
    sid = str(row.get("standard_id") or "")
    return (
        f'<div class="pa-card pa-band-{h.css_class(band)}" data-standard-id="{h.esc(sid)}">'
        f'<div class="pa-card-head"><span class="pa-code">{h.esc(row.get("display_code") or row.get("code"))}</span>'
        f'{h.badge(band)}<span class="pa-score">{score_text}</span>'
        f'<span class="pa-where">{h.esc(where)}</span>{partial}{h.edition_badge(*edition, several_editions)}</div>'
        f'<div class="pa-std-text">{h.highlight(row.get("standard_text", ""), terms, phrases)}</div>'
        f'{evidence}<div class="pa-evidence pa-muted">{"; ".join(shared)}</div></div>'
    )


def render_group(group: Group, completeness: dict[str, tuple[str, str]],
                 editions: dict[str, tuple[str, str]] | None = None, several_editions: bool = False) -> str:
    parts = [f'<div class="pa-group pa-group-{h.css_class(group.framework)} pa-family-{h.css_class(group.family)}">'
             f'<h3>{h.esc(group.title)}</h3>']
    if group.domains:
        parts.append('<div class="pa-domains"><span class="pa-muted">Domains:</span> '
                     + "; ".join(h.esc(d) for d in group.domains) + "</div>")
    for note in group.notes:
        parts.append(h.notice(note[:1].upper() + note[1:] + ".", "warn"))
        missing = re.search(r"no (pathway|anchor) standards loaded for this sector \((.+)\)", note)
        if missing:  # which import would fix it (the specialist's review app or the command line)
            fix = import_hint(missing[2], "cte_anchor" if missing[1] == "anchor" else "cte_pathway")
            parts.append(h.notice(f"To load them: {fix}.", "info"))
    for note in group.partial:
        parts.append(f'<div class="pa-group-note"><span class="pa-partial">partial data</span> {h.esc(note)}</div>')
    for row in group.rows.to_dict("records"):
        sid = row.get("standard_id")
        parts.append(render_card(row, completeness.get(sid, ("", "")), (editions or {}).get(sid, ("", "")),
                                 several_editions=several_editions))
    if group.rows.empty and not group.notes:
        parts.append('<div class="pa-muted">No standards of this framework apply to this course.</div>')
    parts.append("</div>")
    return "".join(parts)


def render_course(course: dict, suggestions: pd.DataFrame) -> str:
    """The course card: title, facts, and its description with the evidence highlighted."""
    terms, phrases = evidence_words(suggestions)
    facts = []
    if course.get("course_id") and course.get("course_id") != PASTED_COURSE_ID:
        facts.append(f"course {course['course_id']}")
    for key, label in (("grades", "grades"), ("sector", "sector"), ("pathway", "pathway"), ("level", "level")):
        if course.get(key):
            facts.append(f"{label} {course[key]}")
    title = course.get("title") or ("Pasted description" if course.get("course_id") == PASTED_COURSE_ID else course.get("course_id"))
    legend = ('<div class="pa-muted">Highlighted: <mark class="pa-term">words</mark> and '
              '<mark class="pa-phrase">phrases</mark> the course shares with its strong and possible standards.</div>'
              if terms or phrases else "")
    return (f'<div class="pa-course"><h2>{h.esc(title)}</h2><div class="pa-meta">{h.esc(" · ".join(facts))}</div>'
            f'<div class="pa-desc">{h.highlight(course.get("description", ""), terms, phrases)}</div>{legend}</div>')


def render_result(course: dict, suggestions: pd.DataFrame, standards: pd.DataFrame) -> str:
    """Everything shown for one course: the course card and one block per framework."""
    sectors = split_multi(course.get("sector", ""))
    groups = group_suggestions(suggestions, standards, sectors)
    completeness = completeness_of(standards)
    counts = suggestions["band"].value_counts()
    summary = ", ".join(f"{int(counts[b])} {b}" for b in ("strong", "possible", "weak") if b in counts)
    head = f'<div class="pa-muted">Top {int(suggestions["rank"].max() or 0)} standards per framework ({h.esc(summary)}).</div>' \
        if suggestions["rank"].notna().any() else ""
    editions = editions_of_rows(standards)
    several = bool(editions) and bool(
        standards.groupby(standards["framework"].map(family_of))["edition"].nunique().max() > 1)
    return render_course(course, suggestions) + head + "".join(render_group(g, completeness, editions, several)
                                                               for g in groups)


def editions_of_rows(standards: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """standard_id -> (edition, edition_status) (empty when the table has no edition columns)."""
    if "edition" not in standards.columns:
        return {}
    return dict(zip(standards["standard_id"], zip(standards["edition"], standards["edition_status"])))


# --------------------------------------------------------------------------- downloads

def download_table(suggestions: pd.DataFrame, course: dict, standards: pd.DataFrame | None = None) -> pd.DataFrame:
    """The suggestions of one course as a flat table (:data:`DOWNLOAD_COLUMNS`)."""
    df = suggestions.copy()
    df["course_title"] = course.get("title", "")
    for col in ("matched_terms", "matched_phrases"):
        df[col] = ["; ".join(_listish(v)) for v in df[col]] if col in df else ""
    info = completeness_of(standards) if standards is not None else {}
    df["completeness"] = [info.get(s, ("", ""))[0] for s in df["standard_id"]]
    for col in DOWNLOAD_COLUMNS:
        if col not in df:
            df[col] = ""
    return df[DOWNLOAD_COLUMNS].reset_index(drop=True)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel opens accents correctly), cells made
    safe by the one writer (:mod:`alignment.io.writers`)."""
    return writers.csv_bytes(table, bom=True)


def excel_bytes(table: pd.DataFrame, sheet: str = "Suggestions") -> bytes:
    """An .xlsx workbook: one sheet, headers frozen, filters on; cells made safe by the
    one writer (text that starts like a formula gets a leading apostrophe)."""
    return writers.excel_bytes({sheet: table})


def downloads_html(table: pd.DataFrame, course_id: str) -> str:
    """The CSV and Excel links of one course's table (the files travel in the page as
    ``data:`` links: Voila cannot serve files from a kernel)."""
    stem = "standards-" + h.css_class(course_id)
    return ('<div class="pa-downloads"><span class="pa-label">Download these suggestions:</span>'
            + h.download_link(csv_bytes(table), f"{stem}.csv", "text/csv", "CSV")
            + h.download_link(excel_bytes(table), f"{stem}.xlsx",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel")
            + "</div>")


# --------------------------------------------------------------------------- input

def pasted_course(description: str, title: str = "", sector: str = "", grades: str = "") -> pd.DataFrame:
    """A pasted description as a one-course catalog, validated as a catalog file is
    (same messages as the CLI: empty, too long, control characters...)."""
    raw = pd.DataFrame([{
        "course_id": PASTED_COURSE_ID, "title": title or "", "grades": grades or "", "sector": sector or "",
        "description": description or "",
    }])
    return validate_catalog(raw, "pasted description")


def course_label(row: dict) -> str:
    title = str(row.get("title") or "").strip() or "(untitled)"
    return f"{title} ({row['course_id']})"


# --------------------------------------------------------------------------- gaps

def pathway_gap_html(report, suggestions: pd.DataFrame, course_title: str, limit: int = 15) -> str:
    """What a pathway still misses (gap report parts a and b), marking the gaps this
    course's strong or possible suggestions would cover."""
    fills = set(suggestions.loc[suggestions["band"].isin(COUNTING_BANDS), "standard_id"])
    name = getattr(report, "pathway_name", None) or report.pathway.name  # a GapPanel or a full GapReport
    draft = getattr(report, "edition_label", "")
    parts = [f'<div class="pa-group pa-gaps-panel"><h3>What {h.esc(name)} still misses</h3>',
             (f'<div class="pa-draft-banner"><span class="pa-draft">DRAFT</span> {h.esc(draft)}</div>'
              if draft else ""),
             '<div class="pa-muted">From the machine suggestions for the pathway\'s courses (strong and possible '
             'count as covered); reviewed decisions are in the review app and the gap dashboard.</div>']
    for note in report.notes:
        if "capstone courses" in note or note.startswith("suggested fixes"):  # for specialists, not teachers
            continue
        parts.append(h.notice(note, "info"))
    for label, frame in (("Pathway standards no course covers", report.pathway_gaps),
                         ("Anchor standards and Career Ready Practices no course covers", report.anchor_gaps)):
        if frame is None or frame.empty:
            parts.append(f'<div class="pa-section-title">{h.esc(label)}</div><div class="pa-muted">None.</div>')
            continue
        real = frame[frame["standard_id"].fillna("").astype(str) != ""] if "standard_id" in frame else frame
        if real.empty:
            continue
        rows = []
        for r in real.head(limit).to_dict("records"):
            could = r.get("standard_id") in fills
            rows.append({"code": r.get("display_code", ""), "text": r.get("text", ""), "gap": r.get("gap", ""),
                         "fill": '<span class="pa-fill">this course could cover it</span>' if could else ""})
        more = f'<div class="pa-muted">… and {len(real) - limit} more.</div>' if len(real) > limit else ""
        parts.append(f'<div class="pa-section-title">{h.esc(label)} ({len(real)})</div>'
                     + h.table(rows, [("code", "code"), ("text", "standard"), ("gap", "gap"), ("fill", course_title)],
                               raw_columns=["fill"]) + more)
    parts.append("</div>")
    return "".join(parts)


def gaps_available() -> bool:
    try:
        importlib.import_module("alignment.analysis.gaps")
    except ImportError:
        return False
    return True


def _report_key(pathway, aligner, standards) -> str:
    return f"gap-report::{pathway.name}::{id(aligner)}::{id(standards)}"


def pathway_report(pathway, aligner, standards):
    """The gap panel of a school pathway (:class:`~alignment.present.model_service.GapPanel`:
    parts a and b of its gap report, from machine suggestions), kept per kernel and
    pathway. Under ``pathway-align serve`` it comes from the model service, which
    computed it once for every kernel; otherwise (or when the service has no such
    pathway) it is computed here."""
    from alignment.present.model_service import gap_panel

    def make():
        remote = getattr(aligner, "gap_panel", None)
        panel = remote(pathway) if remote is not None else None
        return panel if panel is not None else gap_panel(pathway, standards, aligner)

    return session.cached(_report_key(pathway, aligner, standards), make)


# --------------------------------------------------------------------------- the app

class CoverageApp:
    """The teacher app's widgets. ``aligner``, ``standards``, ``catalog`` and ``pathways``
    default to the kernel's shared ones (loaded in the background); tests pass their own."""

    def __init__(self, aligner=None, standards: pd.DataFrame | None = None, catalog: pd.DataFrame | None = None,
                 pathways: list | None = None, *, background: bool = True, editions: list[str] | None = None,
                 models_for=None):
        """``editions`` and ``models_for(edition) -> (aligner, standards)``: the edition
        chooser (default: the kernel's, :func:`session.edition_options`; the first edition
        is the one ``aligner`` and ``standards`` are for)."""
        import ipywidgets as w

        self.w = w
        self.aligner, self.standards, self.catalog, self.pathways = aligner, standards, catalog, pathways
        self._models_for = models_for
        self.editions = list(editions or [])
        self.edition_value = self.editions[0] if self.editions else ""
        self.last: dict = {}
        self.labels: dict[str, str] = {}

        self.style = w.HTML(h.STYLE)
        self.header = w.HTML(
            '<div class="pa-app"><div class="pa-title">Which standards does this course teach?</div>'
            '<div class="pa-subtitle">Pick a course of the catalog or paste a description. Pathway Align suggests '
            'the California CTE and Common Core standards it most likely teaches, with the words that show why. '
            'Suggestions are a starting point for a specialist\'s review, not a verdict.</div></div>')
        self.status = w.HTML(self._status("Loading models… (the first start of the server takes about a minute)", "busy"))
        self.status.add_class("pa-status-box")
        self.mode = w.ToggleButtons(options=[("Catalog course", "catalog"), ("Paste a description", "paste")],
                                    value="catalog", description="")
        self.mode.add_class("pa-mode")
        self.course = w.Combobox(placeholder="Type to search the catalog by title or course id…", ensure_option=True,
                                 options=[], description="Course", layout=w.Layout(width="640px"))
        self.course.add_class("pa-course-picker")
        # continuous_update=False: a field reaches the kernel in one message when it loses
        # focus, i.e. before the click on "Show standards"; sent per keystroke, the browser
        # holds later keystrokes back while the kernel is busy and the click overtakes them
        self.text = w.Textarea(placeholder="Paste a course description here…", description="Description",
                               continuous_update=False, layout=w.Layout(width="640px", height="150px"))
        self.text.add_class("pa-paste")
        self.title = w.Text(placeholder="optional", description="Title", continuous_update=False,
                            layout=w.Layout(width="640px"))
        self.title.add_class("pa-paste-title")
        self.sector = w.Dropdown(options=[("(none: an academic course)", "")], value="", description="CTE sector",
                                 layout=w.Layout(width="640px"))
        self.sector.add_class("pa-sector")
        self.grades = w.Text(value="9-12", description="Grades", layout=w.Layout(width="240px"))
        self.pathway = w.Dropdown(options=[("(none)", "")], value="", description="Pathway gaps",
                                  layout=w.Layout(width="640px"))
        self.pathway.add_class("pa-pathway")
        self.edition = w.Dropdown(options=[("adopted editions", "adopted")], value="adopted", description="Standards",
                                  layout=w.Layout(width="640px", display="none"))
        self.edition.add_class("pa-edition-picker")
        self._set_edition_options()
        for widget in (self.course, self.text, self.title, self.sector, self.grades, self.pathway, self.edition):
            widget.style.description_width = "110px"
        self.run_button = w.Button(description="Show standards", button_style="primary", disabled=True,
                                   icon="search", layout=w.Layout(width="180px", margin="8px 0 0 114px"))
        self.run_button.add_class("pa-run")
        self.message = w.HTML("")
        self.message.add_class("pa-message")
        self.downloads = w.HTML("")
        self.downloads.add_class("pa-downloads-box")
        # the CSV and Excel files are built when asked (prepare_downloads), not for every answer
        self.download_button = w.Button(description="Download CSV / Excel", icon="download",
                                        tooltip="Make the CSV and Excel files of these suggestions",
                                        layout=w.Layout(width="220px"))
        self.download_button.add_class("pa-prepare-downloads")
        self.download_button.on_click(lambda _: self.prepare_downloads())
        self.download_box = w.HBox([self.download_button, self.downloads])
        self.download_box.layout.display = "none"
        self.results = w.HTML("")
        self.results.add_class("pa-results")
        self.gaps = w.HTML("")
        self.gaps.add_class("pa-gaps")
        self.catalog_upload = CatalogUpload(self._load_catalog_file, self._catalog_loaded, self._say,
                                            description="Upload your catalog")
        self.catalog_box = w.VBox([self.course, self.catalog_upload.upload, self.catalog_upload.mapping_box])
        self.paste_box = w.VBox([self.text, self.title, self.sector, self.grades])
        self.paste_box.layout.display = "none"
        self.pathway_box = w.VBox([self.pathway])
        self.pathway_box.layout.display = "none"

        self.mode.observe(self._on_mode, names="value")
        self.run_button.on_click(lambda _: self.run())
        self.course.observe(lambda change: change["new"] and self.run(), names="value")
        self._quiet = False
        self.pathway.observe(self._on_pathway, names="value")
        self.edition.observe(lambda change: self._quiet or self.set_edition(change["new"]), names="value")
        self.ready_marker = w.HTML("")  # h.READY_MARKER once the models are loaded
        self.widget = w.VBox([
            self.style, self.header, self.status, self.ready_marker, self.mode, self.catalog_box, self.paste_box,
            self.edition, self.pathway_box,
            self.run_button, self.message, self.download_box, self.results, self.gaps,
        ])
        self.widget.add_class("pa-app")
        self.widget.add_class("pa-coverage-app")

        if self.aligner is not None and self.standards is not None and self.catalog is not None:
            self._ready(None)
        elif background:
            session.warm_up(self._ready)
        else:
            try:
                self._load_shared()
                self._ready(None)
            except Exception as exc:
                self._ready(exc)

    # ----------------------------------------------------------------- state

    @staticmethod
    def _status(text: str, kind: str) -> str:
        return f'<div class="pa-status pa-status-{kind}">{h.esc(text)}</div>'

    def _set_edition_options(self):
        from alignment.ui.gap_dashboard import edition_option_label

        if len(self.editions) < 2:
            self.edition.layout.display = "none"
            return
        self._quiet = True
        try:
            self.edition.options = [(edition_option_label(e), e) for e in self.editions]
            self.edition.value = self.edition_value
        finally:
            self._quiet = False
        self.edition.layout.display = None

    def set_edition(self, edition: str) -> pd.DataFrame | None:
        """Use another edition's standards (as a user would with the Standards chooser);
        the course shown, if any, is aligned again. Returns its suggestions."""
        if edition == self.edition_value:
            return self.last.get("suggestions")
        if edition not in self.editions:
            raise KeyError(f"edition {edition!r} is not offered; editions: {', '.join(self.editions)}")
        models_for = self._models_for or (lambda e: (session.get_aligner(e), session.get_standards(e)))
        self.status.value = self._status(f"Loading the standards of {edition}… (the first time it takes a while)",
                                         "busy")
        try:
            self.aligner, self.standards = models_for(edition)
        except Exception as exc:  # say why, keep the edition in use
            self.message.value = h.notice(h.error_text(exc), "error")
            self._quiet = True
            try:
                self.edition.value = self.edition_value
            finally:
                self._quiet = False
            return None
        self.edition_value = edition
        if self.edition.value != edition:
            self._quiet = True
            try:
                self.edition.value = edition
            finally:
                self._quiet = False
        self.sector.options = sector_choices(self.standards)
        self._ready_status()
        return self.run() if self.last else None

    def _load_shared(self):
        if not self.editions:
            try:
                self.editions = session.edition_options() if self.standards is None else []
            except Exception:  # noqa: BLE001 - without the chooser the app works on the setting's edition
                self.editions = []
            self.edition_value = self.editions[0] if self.editions else ""
        self.aligner = self.aligner or session.get_aligner()
        self.standards = self.standards if self.standards is not None else session.get_standards()
        self.catalog = self.catalog if self.catalog is not None else session.get_catalog()

    def _ready(self, error: BaseException | None):
        if error is None:
            try:
                self._load_shared()
                if self.pathways is None and gaps_available():
                    self.pathways = session.get_pathways() or []
            except Exception as exc:
                error = exc
        if error is not None:
            self.status.value = self._status("The models could not be loaded.", "error")
            self.message.value = h.notice(h.error_text(error), "error")
            return
        records = self.catalog.to_dict("records")
        self.labels = {course_label(r): r["course_id"] for r in records}
        self.course.options = list(self.labels)
        self.sector.options = sector_choices(self.standards)
        if self.pathways:
            self.pathway.options = [("(none)", "")] + [(p.name, p.name) for p in self.pathways]
            self.pathway_box.layout.display = None
        self._set_edition_options()
        self._ready_status()
        self.run_button.disabled = False
        self.ready_marker.value = h.READY_MARKER

    def _ready_status(self):
        n_std = int((self.standards["kind"] != "heading").sum())
        draft = ""
        if "edition_status" in self.standards.columns and (self.standards["edition_status"] == "draft").any():
            drafts = self.standards.loc[self.standards["edition_status"] == "draft", "edition"]
            draft = f" Includes DRAFT standards ({', '.join(dict.fromkeys(drafts))}), not adopted."
        self.status.value = self._status(
            f"Ready: {len(self.catalog)} courses, {n_std:,} standards from "
            f"{self.standards['framework'].nunique()} frameworks.{draft}", "ready")

    def _say(self, html: str):
        self.message.value = html

    @staticmethod
    def _load_catalog_file(content: bytes, name: str, columns: dict[str, str] | None) -> pd.DataFrame:
        from alignment.data.catalog import load_catalog_bytes

        return load_catalog_bytes(content, name, columns=columns)

    def _catalog_loaded(self, table: pd.DataFrame, name: str):
        """An uploaded catalog (validated as the CLI validates it) replaces the list of courses."""
        self.catalog = table
        self.labels = {course_label(r): r["course_id"] for r in table.to_dict("records")}
        self.course.value = ""
        self.course.options = list(self.labels)
        self.message.value = h.notice(f"Loaded {name}: {len(table)} courses. Pick one in “Course”.", "ok")

    def _on_mode(self, change):
        paste = change["new"] == "paste"
        self.catalog_box.layout.display = "none" if paste else None
        self.paste_box.layout.display = None if paste else "none"

    # ----------------------------------------------------------------- actions

    def current_course(self) -> pd.DataFrame:
        """The course to align, as a one-row catalog (InputError when the input is not usable)."""
        if self.mode.value == "paste":
            return pasted_course(self.text.value, self.title.value, self.sector.value, self.grades.value)
        label = self.course.value
        if not label:
            raise InputError("course", "Pick a course: type part of its title or its course id, then choose it.")
        if label not in self.labels:
            raise InputError("course", f"No course is called {label!r}; choose one of the list.")
        return self.catalog[self.catalog["course_id"] == self.labels[label]].head(1)

    def run(self) -> pd.DataFrame | None:
        """Align the current course and show the result; returns the suggestions (None on bad input)."""
        if self.aligner is None:
            self.message.value = h.notice("The models are still loading; try again in a moment.", "warn")
            return None
        try:
            course_df = self.current_course()
        except InputError as exc:
            self.message.value = h.notice(h.error_text(exc), "error")
            return None
        self.run_button.disabled = True
        self.message.value = h.notice("Finding standards…", "info")
        try:
            start = time.perf_counter()
            suggestions = self.aligner.suggest(course_df)
            course = course_df.iloc[0].to_dict()
            self.results.value = render_result(course, suggestions, self.standards)
            elapsed = time.perf_counter() - start
            self.message.value = ""
            self.last = {"course": course, "suggestions": suggestions, "seconds": elapsed}
            self._offer_downloads()
        except Exception as exc:
            self.message.value = h.notice(h.error_text(exc), "error")
            return None
        finally:
            self.run_button.disabled = False
        self._default_pathway(course)
        self.show_gaps()
        return suggestions

    def _offer_downloads(self):
        """A new answer: the previous answer's files go, the button comes back."""
        self.downloads.value = ""
        self.download_button.layout.display = None
        self.download_box.layout.display = None

    def prepare_downloads(self) -> str:
        """Build the last answer's CSV and Excel files and show their links (in-page
        ``data:`` links); returns the links' HTML ("" before any answer)."""
        if not self.last:
            return ""
        course = self.last["course"]
        try:
            table = download_table(self.last["suggestions"], course, self.standards)
            self.downloads.value = downloads_html(table, course["course_id"])
        except Exception as exc:
            self.message.value = h.notice(f"The downloads could not be made: {h.error_text(exc)}", "error")
            return ""
        self.download_button.layout.display = "none"
        return self.downloads.value

    def _default_pathway(self, course: dict):
        if not self.pathways or self.mode.value == "paste":
            return
        names = {p.name for p in self.pathways}
        chosen = next((n for n in split_multi(course.get("pathway", "")) if n in names), "")
        self._quiet = True
        try:
            self.pathway.value = chosen
        finally:
            self._quiet = False

    def _on_pathway(self, _change):
        if not self._quiet:
            self.show_gaps()

    def show_gaps(self):
        """The chosen pathway's gaps (nothing when no pathway is chosen or gaps are unavailable)."""
        name = self.pathway.value
        if not name or not self.pathways or not self.last:
            self.gaps.value = ""
            return
        pathway = next((p for p in self.pathways if p.name == name), None)
        if pathway is None:
            self.gaps.value = ""
            return
        if not session.has_cached(_report_key(pathway, self.aligner, self.standards)):  # else: no flicker, one update
            self.gaps.value = h.notice(f"Working out what {name} still misses…", "info")
        try:
            report = pathway_report(pathway, self.aligner, self.standards)
            title = self.last["course"].get("title") or "this course"
            self.gaps.value = pathway_gap_html(report, self.last["suggestions"], f"{title}")
        except Exception as exc:  # the gap panel is optional: say why, keep the app working
            self.gaps.value = h.notice(f"The gap analysis is not available: {h.error_text(exc)}", "warn")


def coverage_app(**kwargs):
    """Build the teacher app and return its top widget (what the notebook displays)."""
    return CoverageApp(**kwargs).widget


__all__ = [
    "CoverageApp", "coverage_app", "group_suggestions", "render_result", "render_card", "download_table",
    "csv_bytes", "excel_bytes", "pasted_course", "sector_status", "SUGGESTION_COLUMNS",
]
