"""The front door of ``pathway-align serve``: the page at ``/``.

It names the three apps by what they are for (who uses each, which question it
answers) and links to them, and says what data the server has loaded: the frameworks,
which California CTE sectors have pathway standards (complete, partial, not loaded)
and the catalog. Two pure functions: :func:`data_summary` (tables in, a
:class:`DataSummary` out) and :func:`landing_html` (a complete, escaped HTML page).
The server (:mod:`alignment.present.serve`) computes the summary once at start and
serves the page behind the same sign-in as the apps.

The summary reads :func:`alignment.data.standards.sector_coverage`, so the page says
exactly what ``pathway-align standards`` and the gap reports say about completeness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import pandas as pd

from alignment.data.editions import editions_of
from alignment.data.standards import SECTORS, sector_coverage

PRODUCT_NAME = "Pathway Align"
TAGLINE = ("Which standards do our courses teach, with evidence, and where does a career pathway "
           "leave holes?")


@dataclass(frozen=True)
class AppLink:
    """One app as the landing page shows it."""

    title: str
    url: str
    audience: str = ""  # who it is for
    question: str = ""  # what it answers


#: What the page says about each known app (key: the notebook's stem in ``apps/``).
APP_DESCRIPTIONS = {
    "course_coverage": ("For teachers",
                        "Which standards does my course teach, and what does my pathway still miss?"),
    "review": ("For curriculum specialists",
               "Is each suggested alignment right? Accept, reject or add standards, with an audit trail, "
               "and export the reviewed alignments."),
    "pathway_gaps": ("For pathway and CTE leads",
                     "Which standards does a whole pathway leave uncovered, which are taught only once, "
                     "and which courses could fill the gaps?"),
}


@dataclass(frozen=True)
class FrameworkLine:
    title: str
    standards: int  # rows that are not headings (standards, sub-standards, indicators)
    completeness: str  # "complete" or "partial"


@dataclass(frozen=True)
class DataSummary:
    """What the server has loaded, as the landing page states it."""

    frameworks: tuple[FrameworkLine, ...]
    sectors_complete: tuple[str, ...]  # CA CTE sectors whose pathway standards are all complete
    sectors_partial: tuple[str, ...]  # some pathway standards loaded, marked partial (or unknown)
    sectors_missing: tuple[str, ...]  # no pathway standards loaded
    catalog_name: str
    catalog_courses: int
    standards_source: str = "bundled frameworks"
    editions: tuple[EditionLine, ...] = ()


@dataclass(frozen=True)
class EditionLine:
    """One edition loaded: its label, status, the sectors it covers, and whether the apps use it."""

    label: str
    status: str  # "adopted" or "draft"
    sectors: str
    standards: int
    in_use: bool
    edition: str


def data_summary(standards: pd.DataFrame, catalog: pd.DataFrame, catalog_name: str,
                 standards_source: str = "bundled frameworks", all_editions: pd.DataFrame | None = None) -> DataSummary:
    """Summarise a standards table and a catalog for the landing page.

    Frameworks in table order with their non-heading rows and completeness ("complete"
    only if every row is); the 15 official CA CTE sectors (then any other sector that has
    pathway standards) grouped by their pathway standards: all rows complete, some rows
    loaded, none loaded. All from :func:`sector_coverage`. ``all_editions``: the table
    with every edition loaded (before the ``edition`` setting chose), so the page lists
    the editions and says which one the apps use.
    """
    coverage = sector_coverage(standards, include_missing=True)
    frameworks = []
    for framework, rows in coverage.groupby("framework", sort=False):
        loaded = rows[rows["completeness"] != "missing"]
        if loaded.empty:
            continue
        values = {v.strip() for text in loaded["completeness"] for v in str(text).split(";")}
        frameworks.append(FrameworkLine(
            title=str(loaded["framework_title"].iloc[0] or framework),
            standards=int(loaded["standards"].sum() + loaded["indicators"].sum()),
            completeness="complete" if values == {"complete"} else "partial"))
    pathway = coverage[coverage["framework"] == "cte_pathway"]
    status: dict[str, set[str]] = {}
    for sector, text in zip(pathway["sector"], pathway["completeness"]):
        status.setdefault(sector, set()).update(v.strip() for v in str(text).split(";"))
    order = [s for s in SECTORS] + sorted(s for s in status if s and s not in SECTORS)
    complete, partial, missing = [], [], []
    for sector in order:
        values = status.get(sector, {"missing"})
        if values == {"complete"}:
            complete.append(sector)
        elif values == {"missing"}:
            missing.append(sector)
        else:
            partial.append(sector)
    used = set(standards["edition"]) if "edition" in standards.columns else set()
    table = all_editions if all_editions is not None else standards
    editions = tuple(
        EditionLine(label=str(r["label"]), status=str(r["status"]), sectors=str(r["sectors"]),
                    standards=int(r["standards"] + r["indicators"]), in_use=r["edition"] in used,
                    edition=str(r["edition"]))
        for r in editions_of(table).to_dict("records"))
    return DataSummary(tuple(frameworks), tuple(complete), tuple(partial), tuple(missing),
                       catalog_name=catalog_name, catalog_courses=int(len(catalog)),
                       standards_source=standards_source, editions=editions)


def app_links(apps: Sequence[tuple[str, str, str]]) -> list[AppLink]:
    """``AppLink`` s from ``(notebook stem, title, url)``, with the known apps' descriptions."""
    out = []
    for stem, title, url in apps:
        audience, question = APP_DESCRIPTIONS.get(stem, ("", ""))
        out.append(AppLink(title=title, url=url, audience=audience, question=question))
    return out


_STYLE = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --accent: #1c5d99; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: var(--bg); }
header { background: #fff; border-bottom: 1px solid var(--line); }
.wrap { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
header .wrap { padding-top: 28px; padding-bottom: 24px; }
h1 { margin: 0; font-size: 28px; letter-spacing: -0.01em; }
.tagline { margin: 6px 0 0; color: var(--muted); font-size: 17px; }
.who { float: right; color: var(--muted); font-size: 14px; margin-top: 8px; }
main .wrap { padding-top: 28px; padding-bottom: 40px; }
h2 { font-size: 15px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 0 0 12px; }
.apps { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 16px; margin-bottom: 36px; }
.app { display: flex; flex-direction: column; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 20px 22px;
       text-decoration: none; color: inherit; transition: border-color .15s, box-shadow .15s; }
.app:hover, .app:focus { border-color: var(--accent); box-shadow: 0 2px 10px rgba(28, 93, 153, .15); outline: none; }
.app h3 { margin: 0 0 4px; font-size: 19px; color: var(--accent); }
.app .audience { margin: 0 0 8px; font-size: 13px; font-weight: 600; color: var(--muted);
                 text-transform: uppercase; letter-spacing: 0.04em; }
.app .question { margin: 0 0 14px; }
.app .open { margin-top: auto; font-weight: 600; color: var(--accent); font-size: 15px; }
.data { display: grid; grid-template-columns: 1.1fr 1fr; gap: 16px; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px; }
.panel h3 { margin: 0 0 10px; font-size: 17px; }
table { border-collapse: collapse; width: 100%; font-size: 15px; }
td, th { text-align: left; padding: 6px 8px 6px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 13px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; padding-right: 16px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight: 600; }
.complete { background: #e3f9e5; color: #1f7a35; }
.partial { background: #fff3c4; color: #8d6708; }
.missing { background: #eceff1; color: #52606d; }
.sectors p { margin: 0 0 10px; }
.sectors .names { color: var(--muted); font-size: 14px; }
.catalog { margin-top: 14px; }
footer { color: var(--muted); font-size: 13px; padding-top: 20px; }
@media (max-width: 760px) { .data { grid-template-columns: 1fr; } .who { float: none; display: block; } }
"""


def _sector_block(label: str, css: str, names: Sequence[str]) -> str:
    listed = ", ".join(escape(n) for n in names) if names else "none"
    return (f'<p class="sector-group {css}-group"><span class="badge {css}">{escape(label)}</span> '
            f'<strong class="count">{len(names)}</strong><br><span class="names">{listed}</span></p>')


def landing_html(apps: Sequence[AppLink], summary: DataSummary, *, signed_in_as: str | None = None,
                 team: bool = False) -> str:
    """The landing page: product name, one card per app (who it is for, what it answers, a
    link), and the data loaded. Every text is HTML-escaped; nothing names a notebook file."""
    e = escape
    cards = []
    for app in apps:
        audience = f'<p class="audience">{e(app.audience)}</p>' if app.audience else ""
        question = f'<p class="question">{e(app.question)}</p>' if app.question else ""
        cards.append(f'<a class="app" href="{e(app.url, quote=True)}">'
                     f'<h3>{e(app.title)}</h3>{audience}{question}<span class="open">Open &rarr;</span></a>')
    rows = "".join(
        f'<tr><td>{e(f.title)}</td><td class="num">{f.standards:,}</td>'
        f'<td><span class="badge {"complete" if f.completeness == "complete" else "partial"}">'
        f'{e(f.completeness)}</span></td></tr>'
        for f in summary.frameworks)
    total = len(summary.sectors_complete) + len(summary.sectors_partial) + len(summary.sectors_missing)
    edition_rows = "".join(
        f'<tr class="edition"><td>{e(x.label)}</td>'
        f'<td><span class="badge {"partial" if x.status == "draft" else "complete"}">'
        f'{"DRAFT" if x.status == "draft" else "adopted"}</span></td>'
        f'<td>{e(x.sectors or "all")}</td><td class="num">{x.standards:,}</td>'
        f'<td>{"in use" if x.in_use else e(f"not in use (choose it with --edition {x.edition})")}</td></tr>'
        for x in summary.editions)
    editions = (f'<div class="panel editions"><h3>Editions</h3><table><thead><tr><th>edition</th><th>status</th>'
                f'<th>sectors</th><th class="num">standards</th><th>apps</th></tr></thead><tbody>{edition_rows}'
                f'</tbody></table></div>' if summary.editions else "")
    who = f'<span class="who">Signed in as {e(signed_in_as)}</span>' if signed_in_as else ""
    mode = ("Team server: everyone with a sign-in can use these apps."
            if team else "Local server: only this computer can open these apps.")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(PRODUCT_NAME)}</title>
<style>{_STYLE}</style>
</head>
<body>
<header><div class="wrap">{who}<h1>{e(PRODUCT_NAME)}</h1><p class="tagline">{e(TAGLINE)}</p></div></header>
<main><div class="wrap">
<h2>Apps</h2>
<nav class="apps">{"".join(cards)}</nav>
<h2>Data loaded</h2>
<section class="data">
<div class="panel frameworks"><h3>Frameworks</h3>
<table><thead><tr><th>framework</th><th class="num">standards</th><th>completeness</th></tr></thead>
<tbody>{rows}</tbody></table>
<p class="catalog"><strong>Catalog:</strong> <span class="catalog-name">{e(summary.catalog_name)}</span>,
<span class="catalog-courses">{summary.catalog_courses:,}</span> courses<br>
<strong>Standards:</strong> {e(summary.standards_source)}</p>
</div>
<div class="panel sectors"><h3>California CTE sectors ({total}): pathway standards</h3>
{_sector_block("complete", "complete", summary.sectors_complete)}
{_sector_block("partial", "partial", summary.sectors_partial)}
{_sector_block("not loaded", "missing", summary.sectors_missing)}
<p class="names">A sector that is not loaded gets no pathway suggestions, and gap reports say
&ldquo;not loaded&rdquo; instead of 0&nbsp;% covered.</p>
</div>
{editions}
</section>
<footer>{e(mode)}</footer>
</div></main>
</body>
</html>
"""
