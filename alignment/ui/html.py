"""HTML for the apps: every piece of text is escaped here, once, before it is shown.

Pure functions returning strings. The only markup in their output is the markup these
functions write themselves (``<div>``, ``<span>``, ``<mark>``, ``<a download>``); any
text that came from a user, a catalog or a standards file goes through :func:`esc`
(``html.escape`` with quotes), so ``<script>alert(1)</script>`` in a course
description is shown as those characters and never runs.

Highlighting (:func:`highlight`) finds the evidence words in the *original* text and
escapes the text around and inside each ``<mark>``; the evidence terms themselves
are only compared, never inserted, so a hostile term cannot inject markup either.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable, Sequence

from alignment.io.writers import slug

#: Words left out of phrase matching (a phrase may run over them: "use OF tools").
_PHRASE_GAP_WORDS = {"of", "and", "the", "a", "an", "to", "in", "for", "on", "with", "or"}
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
_MAX_PHRASE_GAP = 1

#: The hidden element an app shows once its data is loaded and its first view drawn:
#: the condition browser tests (and anyone scripting the apps) wait for, instead of a
#: fixed delay.
READY_MARKER = '<span class="pa-ready" data-ready="1" hidden>ready</span>'
BAND_LABELS = {"strong": "strong", "possible": "possible", "weak": "weak", "none": "not loaded"}


def esc(value) -> str:
    """``value`` as HTML text: ``&``, ``<``, ``>``, ``"`` and ``'`` escaped; None/NaN -> ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def css_class(value: str) -> str:
    """A CSS-class-safe version of an identifier (for test selectors and styling)."""
    return slug(value, separator="_", lower=False, keep="_-", default="x")


# --------------------------------------------------------------------------- highlighting

def inflections(lemma: str) -> set[str]:
    """Surface forms a lower-case English lemma commonly takes (regular inflections).

    ``apply`` -> apply, applies, applied, applying; ``relate`` -> relate, relates,
    related, relating; ``plan`` -> plans, planned, planning; ``analysis`` -> analyses.
    Irregular forms are not generated (the evidence lemmas are content words, which
    are overwhelmingly regular).
    """
    w = lemma.lower()
    if not w:
        return set()
    forms = {w, w + "s", w + "es", w + "ed", w + "ing", w + "er", w + "ers", w + "ly", w + "al"}
    if w.endswith("e"):
        forms |= {w + "d", w[:-1] + "ing", w + "r", w + "rs"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        forms |= {w[:-1] + "ies", w[:-1] + "ied", w[:-1] + "ier"}
    if w.endswith("is"):
        forms.add(w[:-2] + "es")  # analysis -> analyses
    if w.endswith("um"):
        forms.add(w[:-2] + "a")  # datum -> data, curriculum -> curricula
    if len(w) >= 3 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
        forms |= {w + w[-1] + "ed", w + w[-1] + "ing", w + w[-1] + "er"}  # plan -> planned
    return forms


def _matcher(terms: Iterable[str]) -> dict[str, str]:
    """surface form -> lemma, for every term."""
    table: dict[str, str] = {}
    for term in terms:
        term = str(term or "").strip().lower()
        if not term:
            continue
        for form in inflections(term):
            table.setdefault(form, term)
    return table


def find_marks(text: str, terms: Sequence[str] = (), phrases: Sequence[str] = ()) -> list[tuple[int, int, str]]:
    """Character spans ``(start, end, kind)`` of evidence in ``text``; kind ``phrase`` or ``term``.

    A phrase (lemmas separated by spaces, as the aligner reports them) matches a run
    of words whose forms match its lemmas in order, allowing one short function word
    between them; a term matches a single word. Phrases win over terms; spans never
    overlap and are sorted.
    """
    text = str(text or "")
    words = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(text)]
    taken = [False] * len(words)
    spans: list[tuple[int, int, str]] = []
    for phrase in sorted({str(p).strip().lower() for p in phrases if str(p or "").strip()}, key=len, reverse=True):
        parts = [_matcher([p]) for p in phrase.split()]
        if not parts:
            continue
        for i in range(len(words)):
            if taken[i] or words[i][2] not in parts[0]:
                continue
            j, k, last, ok = i + 1, 1, i, True
            while k < len(parts):
                gap = 0
                while (j < len(words) and words[j][2] not in parts[k] and words[j][2] in _PHRASE_GAP_WORDS
                       and gap < _MAX_PHRASE_GAP):
                    j, gap = j + 1, gap + 1
                if j < len(words) and not taken[j] and words[j][2] in parts[k]:
                    last, j, k = j, j + 1, k + 1
                else:
                    ok = False
                    break
            if ok:
                for n in range(i, last + 1):
                    taken[n] = True
                spans.append((words[i][0], words[last][1], "phrase"))
    table = _matcher(terms)
    for n, (start, end, word) in enumerate(words):
        if not taken[n] and word in table:
            spans.append((start, end, "term"))
    return sorted(spans)


def highlight(text, terms: Sequence[str] = (), phrases: Sequence[str] = ()) -> str:
    """``text`` escaped, with ``<mark class="pa-term">`` / ``<mark class="pa-phrase">``
    around the words that carry the evidence (see :func:`find_marks`)."""
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    out, pos = [], 0
    for start, end, kind in find_marks(text, terms, phrases):
        out.append(esc(text[pos:start]))
        out.append(f'<mark class="pa-{kind}">{esc(text[start:end])}</mark>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


# --------------------------------------------------------------------------- small pieces

def badge(band: str) -> str:
    band = str(band or "none")
    return f'<span class="pa-badge pa-badge-{css_class(band)}">{esc(BAND_LABELS.get(band, band))}</span>'


def edition_badge(edition: str, status: str, several: bool = False) -> str:
    """The edition of a standard on a card: a ``DRAFT`` badge with the edition for a draft
    standard, the edition alone when several editions are loaded, else nothing."""
    if status == "draft":
        return f'<span class="pa-draft" title="{esc(edition)}: a draft, not adopted">DRAFT {esc(edition)}</span>'
    if several and edition:
        return f'<span class="pa-edition">{esc(edition)}</span>'
    return ""


def notice(text: str, kind: str = "info") -> str:
    """A one-paragraph message box; ``kind`` is info, ok, warn or error. Text is escaped
    and keeps its line breaks (InputError lists one problem per line)."""
    return f'<div class="pa-notice pa-notice-{css_class(kind)}">{esc(text)}</div>'


def error_text(exc: BaseException) -> str:
    """What a user should read about an error: the message of our input errors as is,
    other errors with their type (never a traceback)."""
    from alignment.io.errors import InputError

    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, (ValueError, FileNotFoundError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def download_link(data: bytes, filename: str, mime: str, label: str) -> str:
    """An ``<a download>`` link carrying ``data`` in a ``data:`` URL (Voila cannot serve
    files, so downloads travel inside the page)."""
    payload = base64.b64encode(bytes(data)).decode("ascii")
    return (f'<a class="pa-download" download="{esc(filename)}" '
            f'href="data:{esc(mime)};base64,{payload}">{esc(label)}</a>')


def table(rows: Sequence[dict], columns: Sequence[tuple[str, str]], *, css: str = "pa-table",
          raw_columns: Iterable[str] = ()) -> str:
    """A plain HTML table; every cell escaped unless its column is in ``raw_columns``
    (for cells this module already rendered, e.g. highlights)."""
    raw = set(raw_columns)
    head = "".join(f"<th>{esc(title)}</th>" for _, title in columns)
    body = []
    for row in rows:
        cells = "".join(
            f"<td>{row.get(key, '') if key in raw else esc(row.get(key, ''))}</td>" for key, _ in columns)
        body.append(f"<tr>{cells}</tr>")
    return f'<table class="{esc(css)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


# --------------------------------------------------------------------------- the page style

STYLE = """
<style>
.pa-app { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
          max-width: 1100px; }
.pa-app h1, .pa-title { font-size: 1.55em; font-weight: 650; margin: 0.2em 0 0.1em 0; color: #102a43; }
.pa-subtitle { color: #52606d; margin: 0 0 0.8em 0; font-size: 0.98em; line-height: 1.4; }
.pa-status { padding: 6px 10px; border-radius: 6px; background: #f0f4f8; color: #334e68;
             display: inline-block; margin: 4px 0 8px 0; }
.pa-status-ready { background: #e3f9e5; color: #1d6b2f; }
.pa-status-busy { background: #fff8e1; color: #7a5b00; }
.pa-notice { padding: 8px 12px; border-radius: 6px; margin: 6px 0; white-space: pre-wrap; line-height: 1.4; }
.pa-notice-info { background: #eef4fb; color: #243b53; border-left: 4px solid #4098d7; }
.pa-notice-ok { background: #e3f9e5; color: #1d6b2f; border-left: 4px solid #3f9142; }
.pa-notice-warn { background: #fffbea; color: #7a5b00; border-left: 4px solid #f0b429; }
.pa-notice-error { background: #ffeeee; color: #8a1c1c; border-left: 4px solid #d64545; }
.pa-course { border: 1px solid #d9e2ec; border-radius: 8px; padding: 12px 16px; margin: 10px 0;
             background: #fbfcfe; }
.pa-course h2 { font-size: 1.25em; margin: 0 0 4px 0; color: #102a43; }
.pa-meta { color: #52606d; font-size: 0.92em; margin-bottom: 6px; }
.pa-desc { white-space: pre-wrap; line-height: 1.5; }
.pa-group { margin: 16px 0 6px 0; }
.pa-group h3 { font-size: 1.12em; margin: 0 0 2px 0; color: #243b53; border-bottom: 2px solid #d9e2ec;
               padding-bottom: 3px; }
.pa-group-note { color: #52606d; font-size: 0.92em; margin: 2px 0 6px 0; }
.pa-card { border: 1px solid #e4e7eb; border-left: 5px solid #9fb3c8; border-radius: 6px;
           padding: 8px 12px; margin: 6px 0; background: #fff; }
.pa-card.pa-band-strong { border-left-color: #3f9142; }
.pa-card.pa-band-possible { border-left-color: #f0b429; }
.pa-card.pa-band-weak { border-left-color: #bcccdc; }
.pa-card-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; margin-bottom: 3px; }
.pa-code { font-weight: 650; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; color: #102a43; }
.pa-where { color: #627d98; font-size: 0.88em; }
.pa-score { color: #627d98; font-size: 0.88em; }
.pa-badge { font-size: 0.78em; padding: 1px 8px; border-radius: 10px; font-weight: 600; text-transform: uppercase;
            letter-spacing: 0.03em; }
.pa-badge-strong { background: #e3f9e5; color: #1d6b2f; }
.pa-badge-possible { background: #fff3c4; color: #7a5b00; }
.pa-badge-weak { background: #f0f4f8; color: #52606d; }
.pa-badge-none { background: #ffeeee; color: #8a1c1c; }
.pa-partial { font-size: 0.78em; padding: 1px 8px; border-radius: 10px; background: #fce8d8; color: #8d3c06; }
.pa-draft { font-size: 0.78em; padding: 1px 8px; border-radius: 10px; background: #fff3c4; color: #6b4e00;
            font-weight: 600; letter-spacing: .03em; }
.pa-edition { font-size: 0.78em; padding: 1px 8px; border-radius: 10px; background: #eef2f7; color: #334e68; }
.pa-draft-banner { border: 1px solid #e6c200; background: #fffbea; border-radius: 8px; padding: 6px 12px;
                   margin: 8px 0 4px 0; }
.pa-std-text { line-height: 1.45; margin: 2px 0 4px 0; }
.pa-evidence { color: #334e68; font-size: 0.93em; line-height: 1.45; }
.pa-label { color: #627d98; font-size: 0.9em; margin-right: 4px; }
mark.pa-term { background: #fff3a3; padding: 0 1px; border-radius: 2px; color: inherit; }
mark.pa-phrase { background: #c6f0ff; padding: 0 1px; border-radius: 2px; color: inherit;
                 box-shadow: inset 0 -2px 0 #4098d7; }
.pa-downloads { margin: 10px 0; }
a.pa-download { display: inline-block; margin-right: 10px; padding: 5px 12px; border-radius: 6px;
                background: #2680c2; color: #fff !important; text-decoration: none; font-weight: 600; }
a.pa-download:hover { background: #186faf; }
.pa-table { border-collapse: collapse; font-size: 0.92em; margin: 6px 0; width: 100%; }
.pa-table th { text-align: left; background: #f0f4f8; color: #243b53; padding: 5px 8px; border-bottom: 1px solid #d9e2ec; }
.pa-table td { padding: 5px 8px; border-bottom: 1px solid #eef2f7; vertical-align: top; }
.pa-fill { color: #1d6b2f; font-weight: 600; }
.pa-decision { font-size: 0.9em; }
.pa-decision-accepted { color: #1d6b2f; font-weight: 600; }
.pa-decision-rejected { color: #8a1c1c; font-weight: 600; }
.pa-decision-open { color: #627d98; }
.pa-who { color: #334e68; padding: 4px 0; }
.pa-section-title { font-weight: 650; color: #243b53; margin: 14px 0 4px 0; font-size: 1.05em; }
.pa-muted { color: #627d98; font-size: 0.9em; }
.pa-row { border-bottom: 1px dashed #e4e7eb; padding-bottom: 6px; margin-bottom: 6px; }
</style>
"""
