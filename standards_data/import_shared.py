"""Import the raw standards and catalog files from ``../shared`` into ``standards_data/``.

    python standards_data/import_shared.py [--shared DIR] [--out DIR]

Reads (never writes) the immutable sources and writes, under ``--out`` (default: this
script's folder):

- ``standards.csv``: the one tidy standards table (schema in ``alignment/standards.py``);
- ``catalogs/westview_2025_26_courses.csv`` and ``catalogs/westview_2025_26_pathways.csv``:
  the catalog tables, columns as they are, plus a unique ``course_id`` (see TRANSFORMATIONS);
- ``SOURCES_standards.md`` and ``SOURCES_catalogs.md``: verbatim copies of the SOURCES.md files;
- ``excerpts/``: verbatim copies of ``standards/excerpts/`` (CDE standards text pasted from web
  pages, the real inputs of the library's text importer; see ``alignment/data/cde_text.py``);
- ``documents/``: verbatim copies of ``standards/documents/`` (whole CDE standards documents: the
  April 2023 draft of the Arts, Media, and Entertainment standards and its README), whose standards
  are appended to ``standards.csv`` as edition ``2023-draft`` (see ``alignment/data/cde_2023.py``);
- ``PROVENANCE.json``: checksums, row counts, completeness and the transformations.

Deterministic: the same input gives byte-identical output (no dates, stable order).
Standard texts are copied from the source cells byte-for-byte (only surrounding
whitespace is stripped); heading rows use the labels of the source's domain/cluster
columns. Nothing is typed in or reworded here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
if str(REPO_ROOT) not in sys.path:  # runnable as a plain script from a clone
    sys.path.insert(0, str(REPO_ROOT))

from alignment.io.writers import slug  # noqa: E402
from alignment.settings import get_settings  # noqa: E402
from alignment.data.cte_layout import (  # noqa: E402  (the CTE rows: one code path with library imports)
    CTE_GRADE_BAND,
    CteLayoutError,
    anchor_rows,
    draft_rows,
    pathway_abbreviations,
    pathway_rows,
)
from alignment.data.cde_2023 import parse_2023_lines  # noqa: E402
from alignment.data.editions import EDITION_BY_ID  # noqa: E402
from alignment.io.documents import text_lines  # noqa: E402
from alignment.data.standards import (  # noqa: E402
    ALL_SECTORS,
    FRAMEWORKS,
    SECTORS,
    TIDY_COLUMNS,
    add_hierarchy_columns,
    coerce_tidy,
    grade_band,
)

FRAMEWORK_ORDER = list(FRAMEWORKS)  # the table's row order, declared in alignment.data.frameworks

STANDARDS_INPUTS = {
    "ccss_math": "standards/ccss_math.csv",
    "ccss_ela": "standards/ccss_ela.csv",
    "cte_anchor": "standards/ca_cte_anchor.csv",
    "cte_crp": "standards/ca_cte_career_ready_practice.csv",
    "cte_pathway": "standards/ca_cte_pathway.csv",
}
CATALOG_INPUTS = {
    "courses": "catalogs/westview_2025_26_courses.csv",
    "pathways": "catalogs/westview_2025_26_pathways.csv",
}
SOURCES_COPIES = {
    "standards/SOURCES.md": "SOURCES_standards.md",
    "catalogs/SOURCES.md": "SOURCES_catalogs.md",
}
#: Pasted CDE standards text as found on the web (real inputs of the library's CDE text
#: importer, whose tests check that they parse into the bundled rows): copied verbatim.
EXCERPTS_DIR = "standards/excerpts"
#: Whole CDE documents of other editions: edition id -> (document, its README), read with the
#: 2023-layout parser and appended to the table after the adopted rows (copied verbatim too).
DOCUMENTS = {"2023-draft": ("standards/documents/ame_mcs_2023_draft.md", "standards/documents/README.md")}
DOCUMENTS_DIR = "standards/documents"
#: What the parser must leave out of each document (line, reason): a change is a failure, not a surprise.
DOCUMENT_SKIPPED = {
    "2023-draft": [
        (808, "code DC.20.2 appears twice (first at line 806); the second is not imported"),
        (1161, "a paragraph without a code in the section of MRA.17.0 (Music and Recording Arts); not joined "
               "to the indicator above it"),
    ],
}


def excerpt_copies(shared: Path) -> dict[str, str]:
    """``standards/excerpts/<file>`` -> ``excerpts/<file>`` for every excerpt and its README."""
    folder = shared / EXCERPTS_DIR
    if not folder.is_dir():
        raise ImportProblem(f"{folder} is missing; point --shared at the shared folder")
    return {f"{EXCERPTS_DIR}/{p.name}": f"excerpts/{p.name}" for p in sorted(folder.iterdir())
            if p.is_file() and p.suffix in (".txt", ".md")}

CCSS_PREFIX = {"ccss_math": "CCSS.Math.Content.", "ccss_ela": "CCSS.ELA-Literacy."}
MATH_PRACTICE = "CCSS.Math.Practice"

BF = "Business and Finance"
ICT = "Information and Communication Technologies"
HSMT = "Health Science and Medical Technology"
AME = "Arts, Media, and Entertainment"
_CSP_COMPLETE = "Complete as far as the Common Standards Project export goes."

#: (framework, sector) -> (completeness, note). Faithful to shared/standards/SOURCES.md.
COMPLETENESS = {
    ("ccss_math", ""): ("complete", "Complete: all coded standards; footnotes and the introductory and "
                                    "progression prose are not included."),
    ("ccss_ela", ""): ("complete", "Complete: no coded standard is known to be missing; appendices A-C, "
                                   "footnotes and the range/text-complexity notes are not included."),
    ("cte_anchor", ALL_SECTORS): ("partial", "Titles only: anchor statements and performance indicators "
                                             "are sector-specific and are kept under each sector."),
    ("cte_anchor", BF): ("partial", "Anchor 1.0 is missing and only 9.0 has its statement (the statements "
                                    "for 2.0-8.0, 10.0 and 11.0 are missing); the indicators are complete."),
    ("cte_anchor", ICT): ("complete", "Complete, but statements 4.0-11.0 say \"ICT sector\" where the CDE PDF "
                                      "spells out the sector name."),
    ("cte_anchor", HSMT): ("partial", "Only anchors 1.0-3.0 with indicators 2.1-2.8 and 3.1-3.3; anchors "
                                      "4.0-11.0 are missing."),
    ("cte_anchor", AME): ("partial", "Only indicators 4.1, 10.3 and 10.4; the anchor statements and all "
                                     "other indicators are missing."),
    ("cte_crp", ALL_SECTORS): ("partial", "Titles only: the paragraph that explains each practice is not "
                                          "included."),
    ("cte_pathway", BF): ("complete", _CSP_COMPLETE),
    ("cte_pathway", ICT): ("complete", _CSP_COMPLETE),
    ("cte_pathway", HSMT): ("partial", "Only the Patient Care pathway standards B1.0-B4.0; B4.0's indicators "
                                       "were cut off and the other pathways of the sector are missing."),
    ("cte_pathway", AME): ("partial", "Fragments only: A1.0 with 4 of its indicators, and B1.0 and C1.0 "
                                      "without indicators."),
}
_AME_DRAFT = ("DRAFT of April 2023, not the edition adopted by the State Board. Every {what} of the document is "
              "imported; two lines are not: a second DC.20.2 (line 808: the code appears twice) and an uncoded "
              "paragraph after MRA.17.6 (line 1161); see PROVENANCE.json.")
#: (edition, framework, sector) -> (completeness, note) of the documents' rows.
DOCUMENT_COMPLETENESS = {
    ("2023-draft", "cte_anchor", AME): ("complete", _AME_DRAFT.format(
        what="anchor standard 1.0-12.0, interdisciplinary standard 13.0-16.0 and indicator")),
    ("2023-draft", "cte_pathway", AME): ("complete", _AME_DRAFT.format(
        what="pathway standard 17.0-20.0 and indicator of the 3 pathways and 8 focus areas")),
}

TRANSFORMATIONS = [
    "standards.csv is one tidy table made from the five standards CSVs; every text is the source cell "
    "byte-for-byte (surrounding whitespace stripped); nothing is reworded.",
    "CCSS: a heading row is added for each domain (per grade) and each cluster; its text and title are the "
    "label in the source's domain/cluster column. Math ids come from the code (CCSS.Math.Content.K.CC, "
    "CCSS.Math.Content.K.CC.A); ELA ids are CCSS.ELA-Literacy.<strand>.<grade> and "
    "CCSS.ELA-Literacy.<strand>.<grade>.<slug of the cluster label>; MP1-MP8 sit under CCSS.Math.Practice "
    "(label 'Standards for Mathematical Practice'). Lettered sub-standards are children of their standard.",
    "CTE anchors: the 11 ALL X.0 rows (titles only) are headings; a sector's X.0 row is their child (a "
    "heading when its statement is missing); indicators are children of their sector's X.0, or of the ALL "
    "X.0 when the sector has no X.0 row (AME).",
    "CTE pathways: X.0 rows are pathway standards, X.n rows their indicators. The second Business "
    "Management A9.4 keeps code A9.4 and gets the standard_id suffix ~2.",
    "CTE: sector ALL for the cross-sector anchor titles and the Career Ready Practices; grade empty and "
    "grade_band 9-12 for all CTE rows.",
    "Rows are ordered by framework (ccss_math, ccss_ela, cte_anchor, cte_crp, cte_pathway), then by source "
    "row; a derived heading comes just before its first child.",
    "Catalog: where the printed course_id is shared by several courses (000150, four Studio Art 1-2 "
    "variants), course_id becomes '<printed id> <TITLE>'; the printed id is kept in the new column "
    "printed_course_id (courses and pathways); the pathways file's course_id is rewritten using the "
    "'course-description title:' in its notes. No other column is renamed or changed.",
    "SOURCES_standards.md and SOURCES_catalogs.md are verbatim copies of the SOURCES.md files.",
    "excerpts/ holds verbatim copies of standards/excerpts/ (README.md and the pasted CDE text files).",
    "Edition columns: Common Core rows are edition 2010, the CA CTE rows of the CSVs 2013, both adopted.",
    "documents/ holds verbatim copies of standards/documents/. The AME 2023 draft (ame_mcs_2023_draft.md) is "
    "read by alignment.data.cde_2023 and its rows are appended after all other rows, in document order, as "
    "edition 2023-draft (edition_status draft): heading marks, emphasis and footnote markers removed, codes "
    "normalised (AVG 18.3 -> AVG.18.3, AVG.17.6. -> AVG.17.6); ids CA-CTE.2023-DRAFT.AME.ANCHOR.<code>, "
    ".INTERDISCIPLINARY.<code>, .PATHWAY.<focus-area prefix>.<code>; a pathway standard 17.0-20.0 has no "
    "statement in the document: its text is its heading; source_row is the document's line. What the parser "
    "could not read is listed under documents[].skipped.",
]


class ImportProblem(RuntimeError):
    """The raw data does not look as this script expects: stop rather than guess."""


def _cte(builder, *args) -> list[dict]:
    try:
        return builder(*args)
    except CteLayoutError as err:
        raise ImportProblem(str(err)) from None


def read_source(shared: Path, rel: str, strip: bool = True) -> pd.DataFrame:
    df = pd.read_csv(shared / rel, dtype=str, keep_default_na=False, encoding="utf-8")
    if strip:
        df = df.apply(lambda s: s.str.strip())
    return df


def _row(**values) -> dict:
    row = {c: "" for c in TIDY_COLUMNS}
    row.update(depth=0, is_leaf=True, source_row=None)
    row.update(values)
    return row


# ------------------------------------------------------------------ CCSS

def ccss_rows(src: pd.DataFrame, framework: str, rel: str) -> list[dict]:
    """Standards of one CCSS file plus heading rows for their domains and clusters."""
    prefix = CCSS_PREFIX[framework]
    title = FRAMEWORKS[framework]
    headings: dict[str, dict] = {}
    rows = []

    def heading(sid: str, display: str, label: str, parent: str, r: dict, cluster: str) -> None:
        if sid in headings:
            if headings[sid]["text"] != label:
                raise ImportProblem(f"{rel}: heading {sid} has two labels: {headings[sid]['text']!r}, {label!r}")
            return
        headings[sid] = _row(
            standard_id=sid, framework=framework, framework_title=title, code=sid, display_code=display,
            subject=r["subject"], grade=r["grade"], grade_band=grade_band(r["grade"]), domain=r["domain"],
            cluster=cluster, parent_id=parent, kind="heading", title=label, text=label, source_file=rel)

    for i, r in enumerate(src.to_dict("records"), start=1):
        code = r["code"]
        if not r["text"]:
            raise ImportProblem(f"{rel} data row {i}: empty text for {code}")
        if framework == "ccss_math" and code.startswith(MATH_PRACTICE + "."):
            short = code[len(MATH_PRACTICE) + 1:]
            heading(MATH_PRACTICE, "MP", r["domain"], "", r, "")
            parent, kind = MATH_PRACTICE, "standard"
            if r["cluster"]:
                raise ImportProblem(f"{rel} data row {i}: a practice with a cluster")
        else:
            if not code.startswith(prefix):
                raise ImportProblem(f"{rel} data row {i}: code {code!r} does not start with {prefix}")
            short = code[len(prefix):]
            if framework == "ccss_math":
                m = re.fullmatch(r"(?P<domain>[^.]+\.[A-Z]+)\.(?P<cluster>[A-Z])\.(?P<num>\d+)(?P<letter>[a-z]?)",
                                 short)
                if not m:
                    raise ImportProblem(f"{rel} data row {i}: unexpected math code {code!r}")
                domain_short = m["domain"]
                cluster_short = f"{m['domain']}.{m['cluster']}"
            else:
                m = re.fullmatch(r"(?P<domain>.+)\.(?P<num>\d+)(?P<letter>[a-z]?)", short)
                if not m:
                    raise ImportProblem(f"{rel} data row {i}: unexpected ELA code {code!r}")
                domain_short = m["domain"]
                cluster_short = f"{m['domain']}.{slug(r['cluster'])}"
            if not (r["domain"] and r["cluster"]):
                raise ImportProblem(f"{rel} data row {i}: {code} has no domain or cluster label")
            heading(prefix + domain_short, domain_short, r["domain"], "", r, "")
            heading(prefix + cluster_short, cluster_short, r["cluster"], prefix + domain_short, r, r["cluster"])
            if m["letter"]:
                parent, kind = code[:-1], "sub-standard"
            else:
                parent, kind = prefix + cluster_short, "standard"
        rows.append(_row(
            standard_id=code, framework=framework, framework_title=title, code=code, display_code=short,
            subject=r["subject"], grade=r["grade"], grade_band=grade_band(r["grade"]), domain=r["domain"],
            cluster=r["cluster"], parent_id=parent, kind=kind, text=r["text"], source_file=rel, source_row=i))
    return list(headings.values()) + rows


# ------------------------------------------------------------------ CTE

def crp_rows(src: pd.DataFrame, rel: str) -> list[dict]:
    rows = []
    for i, r in enumerate(src.to_dict("records"), start=1):
        if not re.fullmatch(r"CRP\d+", r["code"]) or not r["text"]:
            raise ImportProblem(f"{rel} data row {i}: unexpected CRP row {r}")
        rows.append(_row(standard_id=f"CA-CTE.CRP.{r['code']}", framework="cte_crp",
                         framework_title=FRAMEWORKS["cte_crp"], code=r["code"], display_code=r["code"],
                         sector=ALL_SECTORS, grade_band=CTE_GRADE_BAND, kind="standard", text=r["text"],
                         source_file=rel, source_row=i))
    return rows


# ------------------------------------------------------------------ the table

def build_standards(shared: Path) -> pd.DataFrame:
    builders = {"ccss_math": lambda s, rel: ccss_rows(s, "ccss_math", rel),
                "ccss_ela": lambda s, rel: ccss_rows(s, "ccss_ela", rel),
                "cte_anchor": lambda s, rel: _cte(anchor_rows, s, rel), "cte_crp": crp_rows,
                "cte_pathway": lambda s, rel: _cte(pathway_rows, s, rel)}
    rows = []
    for framework in FRAMEWORK_ORDER:
        rel = STANDARDS_INPUTS[framework]
        rows += builders[framework](read_source(shared, rel), rel)
    for r in rows:
        key = (r["framework"], r["sector"])
        if key not in COMPLETENESS:
            raise ImportProblem(f"no completeness entry for {key}: read SOURCES.md and add one")
        r["completeness"], r["completeness_note"] = COMPLETENESS[key]
    ids = [r["standard_id"] for r in rows]
    if len(set(ids)) != len(ids):
        dupes = sorted({s for s in ids if ids.count(s) > 1})
        raise ImportProblem(f"duplicate standard ids: {dupes[:10]}")
    # order: framework, then source row; a derived heading just before its first descendant
    by_id = {r["standard_id"]: r for r in rows}
    first = {r["standard_id"]: r["source_row"] for r in rows}
    for r in rows:
        if r["source_row"] is None:
            continue
        parent = r["parent_id"]
        while parent:
            if by_id[parent]["source_row"] is None:
                current = first[parent]
                first[parent] = r["source_row"] if current is None else min(current, r["source_row"])
            parent = by_id[parent]["parent_id"]
    rank = {f: n for n, f in enumerate(FRAMEWORK_ORDER)}
    depth = add_hierarchy_columns(pd.DataFrame(rows, columns=TIDY_COLUMNS))
    depth_of = dict(zip(depth["standard_id"], depth["depth"]))
    rows.sort(key=lambda r: (rank[r["framework"]], first[r["standard_id"]], depth_of[r["standard_id"]],
                             r["standard_id"]))
    table = add_hierarchy_columns(pd.DataFrame(rows, columns=TIDY_COLUMNS))
    return coerce_tidy(table)


def document_rows(shared: Path, edition: str) -> tuple[list[dict], list[dict]]:
    """The tidy rows of an edition's document and what its parser skipped (as JSON records)."""
    rel = DOCUMENTS[edition][0]
    lines = text_lines((shared / rel).read_bytes(), rel)
    parsed = parse_2023_lines(lines, rel)
    skipped = [{"line": s.line, "text": s.text, "reason": s.reason} for s in parsed.skipped]
    expected = DOCUMENT_SKIPPED[edition]
    if [(s["line"], s["reason"]) for s in skipped] != expected:
        raise ImportProblem(f"{rel}: the parser skipped {[(s['line'], s['reason']) for s in skipped]}, expected "
                            f"{expected}; read the document and update DOCUMENT_SKIPPED")
    rows = _cte(draft_rows, parsed.anchors, parsed.pathways, rel, edition, EDITION_BY_ID[edition].status)
    for r in rows:
        key = (edition, r["framework"], r["sector"])
        if key not in DOCUMENT_COMPLETENESS:
            raise ImportProblem(f"no completeness entry for {key}: add one to DOCUMENT_COMPLETENESS")
        r["completeness"], r["completeness_note"] = DOCUMENT_COMPLETENESS[key]
    return rows, skipped


def build_all_standards(shared: Path) -> tuple[pd.DataFrame, dict[str, list[dict]]]:
    """The adopted rows (:func:`build_standards`) followed by every document's rows; and what was skipped."""
    adopted = build_standards(shared)
    tables, skipped = [adopted], {}
    for edition in DOCUMENTS:
        rows, skipped[edition] = document_rows(shared, edition)
        tables.append(add_hierarchy_columns(pd.DataFrame(rows, columns=TIDY_COLUMNS)))
    table = pd.concat(tables, ignore_index=True)
    dupes = table["standard_id"][table["standard_id"].duplicated()].unique()
    if len(dupes):
        raise ImportProblem(f"duplicate standard ids across editions: {list(dupes[:10])}")
    return coerce_tidy(table), skipped


# ------------------------------------------------------------------ catalogs

def build_catalogs(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The course and pathway tables with a unique course_id (printed id kept in printed_course_id)."""
    courses = read_source(shared, CATALOG_INPUTS["courses"], strip=False)
    pathways = read_source(shared, CATALOG_INPUTS["pathways"], strip=False)
    printed = courses["course_id"]
    shared_id = printed.duplicated(keep=False)
    unique_id = printed.where(~shared_id, printed + " " + courses["title"])
    if unique_id.duplicated().any():
        raise ImportProblem(f"course ids still not unique: {sorted(set(unique_id[unique_id.duplicated()]))}")
    courses = courses.assign(course_id=unique_id)
    courses.insert(1, "printed_course_id", printed)

    new_ids = []
    for n, (cid, notes) in enumerate(zip(pathways["course_id"], pathways["notes"]), start=1):
        candidates = courses[courses["printed_course_id"] == cid]
        if len(candidates) == 1:
            new_ids.append(candidates["course_id"].iloc[0])
            continue
        m = re.search(r"course-description title: ([^;]+)", notes)
        chosen = candidates[candidates["title"] == m.group(1).strip()] if m else candidates.iloc[0:0]
        if len(chosen) != 1:
            raise ImportProblem(f"{CATALOG_INPUTS['pathways']} data row {n}: course_id {cid!r} matches "
                                f"{len(candidates)} courses and the notes do not pick one")
        new_ids.append(chosen["course_id"].iloc[0])
    printed_pathway_ids = pathways["course_id"]
    pathways = pathways.assign(course_id=new_ids)
    pathways.insert(pathways.columns.get_loc("course_id") + 1, "printed_course_id", printed_pathway_ids)
    return courses, pathways


# ------------------------------------------------------------------ writing

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def file_entry(path: Path, rel: str, rows: int | None, with_bytes: bool = True) -> dict:
    entry = {"path": rel, "sha256": sha256(path)}
    if with_bytes:
        entry["bytes"] = path.stat().st_size
    entry["rows"] = rows
    return entry


def framework_summary(table: pd.DataFrame) -> list[dict]:
    out = []
    for (framework, sector, edition), group in table.groupby(["framework", "sector", "edition"], sort=False):
        out.append({
            "framework": framework,
            "edition": edition,
            "framework_title": group["framework_title"].iloc[0],
            "sector": sector,
            "rows": len(group),
            "source_rows": int(group["source_row"].notna().sum()),
            "by_kind": {k: int(n) for k, n in group["kind"].value_counts().sort_index().items()},
            "pathways": {p: int(n) for p, n in group["pathway"].value_counts().sort_index().items() if p},
            "completeness": group["completeness"].iloc[0],
            "completeness_note": group["completeness_note"].iloc[0],
        })
    return out


def run(shared: Path, out: Path) -> dict:
    """Read ``shared``, write everything under ``out``; returns the provenance record."""
    shared, out = Path(shared), Path(out)
    documents = [rel for pair in DOCUMENTS.values() for rel in pair]
    missing = [rel for rel in [*STANDARDS_INPUTS.values(), *CATALOG_INPUTS.values(), *SOURCES_COPIES, *documents]
               if not (shared / rel).is_file()]
    if missing:
        raise ImportProblem(f"{shared} lacks {', '.join(missing)}; point --shared at the shared folder")
    out.mkdir(parents=True, exist_ok=True)

    table, skipped = build_all_standards(shared)
    courses, pathways = build_catalogs(shared)
    outputs = [("standards.csv", table),
               ("catalogs/westview_2025_26_courses.csv", courses),
               ("catalogs/westview_2025_26_pathways.csv", pathways)]
    for rel, df in outputs:
        write_csv(df, out / rel)
    copies = {**SOURCES_COPIES, **excerpt_copies(shared),
              **{rel: "documents/" + Path(rel).name for rel in documents}}
    for src, dst in copies.items():
        (out / dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / src, out / dst)

    inputs = []
    for rel in [*STANDARDS_INPUTS.values(), *CATALOG_INPUTS.values()]:
        inputs.append(file_entry(shared / rel, rel, len(read_source(shared, rel, strip=False))))
    inputs += [file_entry(shared / rel, rel, None) for rel in copies]
    provenance = {
        "generated_by": "standards_data/import_shared.py",
        "inputs": inputs,
        "outputs": [file_entry(out / rel, rel, len(df), with_bytes=False) for rel, df in outputs]
        + [file_entry(out / dst, dst, None, with_bytes=False) for dst in copies.values()],
        "frameworks": framework_summary(table),
        "sector_abbreviations": SECTORS,
        "pathway_abbreviations": pathway_abbreviations(read_source(shared, STANDARDS_INPUTS["cte_pathway"])),
        "documents": [{"edition": edition, "label": EDITION_BY_ID[edition].label,
                       "status": EDITION_BY_ID[edition].status, "path": doc, "readme": readme,
                       "sha256": sha256(shared / doc), "source": EDITION_BY_ID[edition].source,
                       "rows": int((table["edition"] == edition).sum()), "skipped": skipped[edition]}
                      for edition, (doc, readme) in DOCUMENTS.items()],
        "transformations": TRANSFORMATIONS,
    }
    text = json.dumps(provenance, indent=2, ensure_ascii=False) + "\n"
    (out / "PROVENANCE.json").write_text(text, encoding="utf-8")
    return provenance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=get_settings().shared_dir,
                        help=f"folder with standards/ and catalogs/ (default: {get_settings().shared_dir})")
    parser.add_argument("--out", type=Path, default=HERE, help=f"where to write (default: {HERE})")
    args = parser.parse_args(argv)
    try:
        provenance = run(args.shared, args.out)
    except ImportProblem as err:
        print(f"import_shared: {err}", file=sys.stderr)
        return 1
    for entry in provenance["outputs"]:
        rows = "" if entry["rows"] is None else f" ({entry['rows']} rows)"
        print(f"wrote {args.out / entry['path']}{rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
