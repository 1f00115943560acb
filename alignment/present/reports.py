"""Gap reports out of the package: charts (matplotlib, Agg), Excel (openpyxl) and HTML.

``plot_coverage_heatmap(report)``  the coverage matrix, one colour per cell status
``plot_family_coverage(report)``   % covered per framework, pathway, anchor, pathway standard
``write_excel(report, path)``      one sheet per part, frozen header rows, autofilters, widths
``render_html(report)`` / ``write_html(report, path)``  one self-contained page; charts
                                   embedded as base64 PNG; every text value HTML-escaped
``write_report(report, path)``     by extension: ``.xlsx`` or ``.html``
Workbooks and files go through the one writer, :mod:`alignment.io.writers` (safe cells,
atomic files).
``write_comparison(table, path)``  a :func:`alignment.analysis.comparison.compare_pathways` table

Charts are made to be projected: large fonts, labelled axes, a legend for every
status (accepted, suggested strong/possible/weak, rejected, none).
"""

from __future__ import annotations

import base64
import html
import io
import math
import textwrap
from pathlib import Path

# Figures are built with the object API (no pyplot): nothing global is switched, no
# figure stays open, and notebooks keep their own inline backend.
from matplotlib.figure import Figure  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from alignment.analysis.coverage import STATUSES  # noqa: E402
from alignment.analysis.gaps import GapReport, matrix_for_display  # noqa: E402
from alignment.io import writers  # noqa: E402

#: One colour per cell status (colour-blind safe blue/orange scale).
STATUS_COLORS = {
    "accepted": "#08519c",
    "suggested:strong": "#3182bd",
    "suggested:possible": "#9ecae1",
    "suggested:weak": "#deebf7",
    "rejected": "#e6550d",
    "none": "#ffffff",
}
STATUS_LABELS = {
    "accepted": "accepted (reviewed)",
    "suggested:strong": "suggested, strong",
    "suggested:possible": "suggested, possible",
    "suggested:weak": "suggested, weak (not counted)",
    "rejected": "rejected (reviewed)",
    "none": "none",
}
FAMILY_COLORS = {"framework": "#4d4d4d", "CA pathway": "#756bb1", "anchor": "#31a354", "pathway standard": "#3182bd"}
FONT = 15

#: What each part means (shown in the HTML report; the docs repeat it).
PART_HELP = {
    "Summary": "Headline percentages, the data's limits, and warnings about the pathway file.",
    "Courses": "The pathway's courses in sequence order, as the catalog describes them.",
    "(a) Pathway gaps": "Pathway standards that no course covers (neither the standard nor any of its "
                        "indicators), and performance indicators that no course covers.",
    "(b) Anchor & CRP gaps": "Anchor standards of the sector (by anchor number) with no coverage, anchor rows no "
                             "course covers, and Standards for Career Ready Practice not covered.",
    "(c) Suggested only": "Standards counted as covered only because of unreviewed machine suggestions: review "
                          "these first.",
    "(d) Reinforcement": "Every covered standard: taught once, repeated within one level, or reinforced across "
                         "levels.",
    "(e) Sequencing": "'first met in capstone': a standard whose covering courses are all capstones although the "
                      "pathway has earlier courses (a problem when it has foundational indicators: know, "
                      "understand, identify, describe, explain...). 'relies on unintroduced standard': a "
                      "concentrator course covers an applied indicator of a standard that no earlier course (nor "
                      "the course itself) introduces through the standard or its foundational indicators.",
    "(f) Common Core": "Common Core standards the courses reinforce: content standards first (literacy in "
                       "technical subjects (RST/WHST), mathematics, other ELA), then the practice standards "
                       "(Mathematical Practices, College and Career Readiness anchors) as their own groups; then "
                       "the best weak suggestions, not counted.",
    "(f) Common Core domains": "The Common Core content standards the courses reinforce, by domain (for "
                               "example 'HSA.SSE Seeing Structure in Expressions: 2 standards'), with the courses.",
    "(g) Suggested fixes": "For each gap, the catalog courses (any pathway) that score highest for it.",
    "Coverage by family": "Percent covered per framework, anchor number and pathway standard (items = standards "
                          "and indicators; n/a where nothing is loaded).",
    "Coverage by level": "What the courses of each level cover, and the cumulative share through that level.",
    "Coverage by course": "What each course covers.",
    "Pathway fit": "Coverage of each CA pathway of the sector; for a file that names only a sector, the best fit.",
    "All standards": "Every standard in scope with the courses that cover it.",
    "Coverage matrix": "Standards x courses: accepted / suggested (band) / rejected / none. A reviewed decision "
                       "always overrides a suggestion.",
}


# =========================================================================== charts


def _wrap(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _course_label(report: GapReport, course_id: str) -> str:
    title = report.pathway.course_titles.get(course_id, "") or course_id
    level = report.pathway.course_levels.get(course_id, "")
    lines = textwrap.wrap(" ".join(str(title).split()), 15 if str(title).isupper() else 17, break_long_words=False)
    if len(lines) > 3:
        lines = lines[:3]
        lines[2] = lines[2][:14] + "…"
    return "\n".join(lines) + f"\n({level})"


def _heatmap_pathways(report: GapReport, pathways):
    if pathways == "best":
        if report.pathway.cte_pathway or not report.best_pathway:
            return None
        return [report.best_pathway]
    return pathways


def plot_coverage_heatmap(report: GapReport, *, rollup: bool = True, pathways="best", max_rows: int = 80):
    """Heatmap of the coverage matrix: rows = pathway standards (rolled up with their
    indicators), anchor numbers and Career Ready Practices (``rollup=False``: every
    row); columns = courses in sequence order; colour = status (strongest in the row
    group). ``pathways="best"`` shows, for a sector-only pathway, the pathway standards
    of the best-fitting CA pathway only; ``None`` shows all. Returns the Figure."""
    shown = _heatmap_pathways(report, pathways)
    table = matrix_for_display(report, rollup=rollup, pathways=shown)
    courses = report.pathway.course_ids
    if table.empty:
        fig = Figure(figsize=(10, 3))
        ax = fig.subplots()
        ax.axis("off")
        ax.text(0.5, 0.5, "nothing to show: no standards in scope and no suggestions", ha="center", fontsize=FONT)
        return fig
    if not rollup:
        table = table[table["framework"].isin(["cte_pathway", "cte_anchor", "cte_crp"])]
    table = table.head(max_rows)
    codes = {s: i for i, s in enumerate(STATUSES)}
    data = table[courses].apply(lambda col: col.map(lambda v: codes.get(v, len(STATUSES) - 1))).to_numpy(dtype=float)
    n_rows, n_cols = data.shape
    fig_w = max(12.0, 5.5 + 1.9 * n_cols)
    fig_h = max(6.0, 3.2 + 0.42 * n_rows)
    fig = Figure(figsize=(fig_w, fig_h))
    ax = fig.subplots()
    cmap = ListedColormap([STATUS_COLORS[s] for s in STATUSES])
    ax.imshow(data, aspect="auto", cmap=cmap, vmin=-0.5, vmax=len(STATUSES) - 0.5, interpolation="nearest")
    ax.set_xticks(range(n_cols))
    ax.set_xticklabels([_course_label(report, c) for c in courses], fontsize=FONT - 3, rotation=0)
    ax.xaxis.tick_top()
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels([f"{code}  {_wrap(text, 42)}" for code, text in zip(table["display_code"], table["text"])],
                       fontsize=FONT - 3)
    ax.set_xticks([x - 0.5 for x in range(1, n_cols)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, n_rows)], minor=True)
    ax.grid(which="minor", color="#bbbbbb", linewidth=1.0)
    ax.tick_params(which="minor", length=0)
    # separators between pathway standards, anchors and practices
    kinds = table["group"].tolist() if "group" in table.columns else table["framework"].tolist()
    for y in range(1, n_rows):
        if kinds[y] != kinds[y - 1]:
            ax.axhline(y - 0.5, color="black", linewidth=2.5)
    ax.set_xlabel("Course (level), in sequence order", fontsize=FONT, labelpad=12)
    ax.xaxis.set_label_position("top")
    ax.set_ylabel("Pathway standards, anchor standards, Career Ready Practices", fontsize=FONT)
    what = report.pathway.cte_pathway or (f"{report.pathway.sector}; pathway standards of best fit: {shown[0]}"
                                          if shown else report.pathway.sector)
    fig.suptitle(f"Coverage: {report.pathway.name}\n({what})", fontsize=FONT + 3, fontweight="bold")
    handles = [Patch(facecolor=STATUS_COLORS[s], edgecolor="#999999", label=STATUS_LABELS[s]) for s in STATUSES]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=FONT - 2, frameon=False,
               title="Cell status (a reviewed decision overrides a suggestion)", title_fontsize=FONT - 1)
    fig.tight_layout(rect=(0, 1.6 / fig_h, 1, 1 - 0.2 / fig_h))
    return fig


def _family_rows(report: GapReport) -> pd.DataFrame:
    fam = report.coverage_by_family
    rows = []
    for r in fam[fam["family_type"] == "framework"].itertuples():
        label = {"cte_pathway": "CTE pathway standards & indicators", "cte_anchor": "CTE anchor standards",
                 "cte_crp": "Career Ready Practices", "ccss_ela RST/WHST 9-12": "CCSS literacy RST/WHST 9-12",
                 "ccss_math HS + MP": "CCSS math HS + practices"}.get(r.family, r.family)
        rows.append(("framework", label, r.pct_covered, r.covered, r.items, r.note))
    if not report.pathway.cte_pathway:
        for r in report.pathway_fit.itertuples():
            label = f"pathway: {r.pathway}" + (" (best fit)" if r.best_fit else "")
            rows.append(("CA pathway", label, r.pct_standards, r.standards_covered, r.standards, ""))
    for r in fam[fam["family_type"] == "anchor"].itertuples():
        rows.append(("anchor", f"{r.family.capitalize()}: {_wrap(r.title, 34)}", r.pct_covered, r.covered, r.items, ""))
    shown = _heatmap_pathways(report, "best")
    for r in fam[fam["family_type"] == "pathway standard"].itertuples():
        if shown is None or r.pathway in shown:
            rows.append(("pathway standard", f"{r.family}: {_wrap(r.title, 34)}", r.pct_covered, r.covered, r.items, ""))
    return pd.DataFrame(rows, columns=["section", "label", "pct", "covered", "items", "note"])


def plot_family_coverage(report: GapReport):
    """Horizontal bars: % covered per framework, CA pathway (sector-only files), anchor
    number and pathway standard. Families with nothing loaded are labelled, not drawn as 0%."""
    rows = _family_rows(report)
    n = max(len(rows), 1)
    fig_h = max(5.0, 2.6 + 0.45 * n)
    fig = Figure(figsize=(15, fig_h))
    ax = fig.subplots()
    y = list(range(n))[::-1]
    for yi, r in zip(y, rows.itertuples()):
        color = FAMILY_COLORS.get(r.section, "#888888")
        if r.pct is None or (isinstance(r.pct, float) and math.isnan(r.pct)):
            reason = "not loaded" if not r.items else "n/a"
            ax.text(1, yi, f"{reason}: {_wrap(r.note, 95)}" if r.note else reason, va="center", fontsize=FONT - 3,
                    style="italic", color="#555555")
            continue
        ax.barh(yi, r.pct, color=color, height=0.7)
        ax.text(min(r.pct, 100) + 1, yi, f"{r.pct:.0f}% ({r.covered}/{r.items})", va="center", fontsize=FONT - 3)
    ax.set_yticks(y)
    ax.set_yticklabels(rows["label"].tolist(), fontsize=FONT - 2)
    ax.set_xlim(0, 118)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("% of items covered (strong/possible suggestions + accepted decisions)", fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT - 2)
    ax.set_title(f"Coverage by family: {report.pathway.name}", fontsize=FONT + 3, fontweight="bold")
    present = [s for s in FAMILY_COLORS if s in set(rows["section"])]
    ax.legend(handles=[Patch(color=FAMILY_COLORS[s], label=s) for s in present], fontsize=FONT - 2,
              loc="lower right", frameon=True)
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    fig.tight_layout()
    return fig


def figure_png(fig, dpi: int = 110) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def report_charts(report: GapReport) -> dict[str, bytes]:
    """The report's charts as PNG bytes: ``{"Coverage heatmap": ..., "Coverage by family": ...}``."""
    return {"Coverage heatmap": figure_png(plot_coverage_heatmap(report)),
            "Coverage by family": figure_png(plot_family_coverage(report))}


# =========================================================================== Excel

#: The report's sheets: dark header row, wide text columns wrapped (the one Excel writer,
#: :mod:`alignment.io.writers`, makes every cell safe and writes the file atomically).
REPORT_LAYOUT = writers.ExcelLayout(max_width=70, sample_rows=300, wrap_long=True, header_fill="404040",
                                    header_height=30)


def _colour_statuses(ws, table: pd.DataFrame) -> None:
    """A coverage-matrix sheet: each status cell in its colour; label columns frozen."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    statuses = [i for i, c in enumerate(table.columns) if table[c].isin(STATUSES).any()]
    ws.freeze_panes = f"{get_column_letter((statuses[0] if statuses else 1) + 1)}2"
    fills = {s: PatternFill("solid", fgColor="FF" + c.lstrip("#").upper()) for s, c in STATUS_COLORS.items()}
    white = Font(color="FFFFFF")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value in fills:
                cell.fill = fills[cell.value]
                if cell.value in ("accepted", "suggested:strong", "rejected"):
                    cell.font = white


def _add_charts(ws, charts: dict[str, bytes]) -> None:
    from openpyxl.drawing.image import Image

    row = len(charts) + 3
    for png in charts.values():
        image = Image(io.BytesIO(png))
        scale = min(1.0, 1100 / max(image.width, 1))
        image.width, image.height = int(image.width * scale), int(image.height * scale)
        ws.add_image(image, f"A{row}")
        row += int(image.height / 20) + 3


def tables_workbook(tables: dict[str, pd.DataFrame], *, charts: dict[str, bytes] | None = None,
                    matrix_sheets: tuple[str, ...] = ("Coverage matrix",)):
    """DataFrames as an openpyxl workbook (see :func:`tables_excel_bytes`), before saving."""
    sheets = {title: (table.reset_index(drop=True) if table.shape[1] else pd.DataFrame({"note": ["nothing to show"]}))
              for title, table in tables.items()}
    chart_sheet = None
    if charts:
        chart_sheet = "Charts" if "Charts" not in sheets else "Charts (images)"
        sheets[chart_sheet] = pd.DataFrame({"chart": list(charts),
                                            "where": [f"below, image {i}" for i in range(1, len(charts) + 1)]})

    def finish(book, worksheets):
        for title in matrix_sheets:
            if title in tables and tables[title].shape[1]:
                _colour_statuses(worksheets[title], sheets[title])
        if chart_sheet:
            _add_charts(worksheets[chart_sheet], charts)

    return writers.build_workbook(sheets, layout=REPORT_LAYOUT, finish=finish)


def tables_excel_bytes(tables: dict[str, pd.DataFrame], *, charts: dict[str, bytes] | None = None,
                       matrix_sheets: tuple[str, ...] = ("Coverage matrix",)) -> bytes:
    """DataFrames as an .xlsx workbook, in memory: one sheet each (title <= 31
    characters), bold frozen header row, autofilter over the table, sensible widths;
    status cells coloured in ``matrix_sheets`` (whose label columns are frozen too).
    ``charts`` (PNG bytes) go on a last "Charts" sheet. In memory so an app can offer it
    as a download without a file on the server."""
    return writers.workbook_bytes(tables_workbook(tables, charts=charts, matrix_sheets=matrix_sheets))


def write_tables_excel(tables: dict[str, pd.DataFrame], path: str | Path, *, charts: dict[str, bytes] | None = None,
                       matrix_sheets: tuple[str, ...] = ("Coverage matrix",)) -> Path:
    """:func:`tables_excel_bytes` written to ``path`` atomically (its folder is created)."""
    return writers.write_bytes(path, tables_excel_bytes(tables, charts=charts, matrix_sheets=matrix_sheets))


def write_excel(report: GapReport, path: str | Path, *, charts: bool = True) -> Path:
    """The report as a workbook: Summary, (a)-(g), coverage by family/level/course,
    pathway fit, all standards, the coverage matrix (coloured), and the charts."""
    return write_tables_excel(report.tables(), path, charts=report_charts(report) if charts else None)


# =========================================================================== HTML

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222;font-size:16px}
h1{font-size:1.8em} h2{margin-top:2em;border-bottom:2px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#404040;color:#fff;position:sticky;top:0}
tr:nth-child(even) td{background:#fafafa}
.help{color:#444;max-width:70em} .notes li{margin:.3em 0} img{max-width:100%;border:1px solid #ddd}
.scroll{max-height:40em;overflow:auto}
"""


def _esc(value) -> str:
    """A value as escaped HTML text: missing -> "", lists joined, characters that have
    no business in a page (those Excel refuses too) removed."""
    if writers._is_missing(value):
        return ""
    if isinstance(value, (list, tuple, set)):
        value = "; ".join(map(str, value))
    return html.escape(writers.ILLEGAL_CHARACTERS_RE.sub("", str(value)), quote=True)


def _status_class(value) -> str:
    if value in STATUS_COLORS:
        dark = value in ("accepted", "suggested:strong", "rejected")
        return f' style="background:{STATUS_COLORS[value]};color:{"#fff" if dark else "#222"}"'
    return ""


def _html_table(table: pd.DataFrame, max_rows: int = 2000, status: bool = False) -> str:
    if table.shape[1] == 0 or len(table) == 0:
        return "<p><em>nothing to show</em></p>"
    parts = ['<div class="scroll"><table><thead><tr>']
    parts += [f"<th>{_esc(c)}</th>" for c in table.columns]
    parts.append("</tr></thead><tbody>")
    for row in table.head(max_rows).itertuples(index=False):
        cells = []
        for v in row:
            style = _status_class(v) if status and isinstance(v, str) else ""
            cells.append(f"<td{style}>{_esc(v)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table></div>")
    if len(table) > max_rows:
        parts.append(f"<p><em>{len(table) - max_rows} more rows in the Excel export</em></p>")
    return "".join(parts)


def render_tables_html(title: str, tables: dict[str, pd.DataFrame], *, notes: list[str] | None = None,
                       charts: dict[str, bytes] | None = None, help_texts: dict[str, str] | None = None,
                       status_tables: tuple[str, ...] = ("Coverage matrix",)) -> str:
    """A self-contained HTML page: title, notes, charts (base64 PNG), one section per table.
    Every text value (titles, headers, cells, notes) is HTML-escaped."""
    help_texts = help_texts or {}
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>", f"<h1>{_esc(title)}</h1>"]
    if notes:
        out.append('<ul class="notes">' + "".join(f"<li>{_esc(n)}</li>" for n in notes) + "</ul>")
    for name, png in (charts or {}).items():
        data = base64.b64encode(png).decode("ascii")
        out.append(f"<h2>{_esc(name)}</h2><img alt=\"{_esc(name)}\" src=\"data:image/png;base64,{data}\">")
    for name, table in tables.items():
        out.append(f"<h2>{_esc(name)} <small>({len(table)} rows)</small></h2>")
        if name in help_texts:
            out.append(f'<p class="help">{_esc(help_texts[name])}</p>')
        out.append(_html_table(table, status=name in status_tables))
    out.append("</body></html>")
    return "\n".join(out)


def render_html(report: GapReport, *, charts: bool = True) -> str:
    """The whole report as one self-contained HTML page."""
    title = f"Pathway gap report: {report.pathway.name}"
    if report.edition_label:  # a draft edition: said in the title, before anything else
        title += f" ({report.edition_label})"
    return render_tables_html(title, report.tables(), notes=report.notes,
                              charts=report_charts(report) if charts else None, help_texts=PART_HELP)


def write_html(report: GapReport, path: str | Path, *, charts: bool = True) -> Path:
    """:func:`render_html` written to ``path`` atomically."""
    return writers.write_text(path, render_html(report, charts=charts))


#: What a report or a comparison can be written as.
REPORT_FORMATS = ("xlsx", "html")


def write_report(report: GapReport, path: str | Path, *, charts: bool = True, fmt: str | None = None) -> Path:
    """Write ``.xlsx`` or ``.html``: ``fmt`` if given, else by the file's extension
    (anything else is refused with an :class:`~alignment.io.errors.InputError`)."""
    if writers.output_format(path, REPORT_FORMATS, fmt, what="a gap report") == "xlsx":
        return write_excel(report, path, charts=charts)
    return write_html(report, path, charts=charts)


def write_comparison(table: pd.DataFrame, path: str | Path, reports: list[GapReport] | None = None,
                     fmt: str | None = None) -> Path:
    """A :func:`~alignment.analysis.comparison.compare_pathways` table (and each report's summary) as
    ``.xlsx`` or ``.html`` (``fmt``, else by extension)."""
    tables = {"Comparison": table}
    for i, report in enumerate(reports or [], start=1):
        tables[f"Summary {i}"] = report.summary
    if writers.output_format(path, REPORT_FORMATS, fmt, what="a pathway comparison") == "xlsx":
        return write_tables_excel(tables, path)
    help_texts = {"Comparison": "One row per standard: each pathway's status (accepted, suggested, not covered, "
                                "not in scope) and which pathways cover it."}
    return writers.write_text(path, render_tables_html("Pathway comparison", tables, help_texts=help_texts))
