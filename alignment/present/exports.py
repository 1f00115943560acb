"""Export reviewed decisions: CSV, Excel (OpenSALT association sheet) and CASE 1.0 JSON.

Input is always a decisions table (:mod:`alignment.data.decisions`: what
``ReviewStore.decisions()`` returns, or a decisions CSV read with
``read_decisions_csv``), never a suggestions table: only a reviewer's ``accepted``
decision becomes an association, ``rejected`` ones never do, and a table without a
``decision`` column is refused. Each pair's last decision wins.

Identifiers (deterministic, so exporting the same decisions again gives identical files):

- a standard's CFItem identifier is the one :mod:`alignment.data.case` gives it when it
  exports the framework (:func:`standard_identifier`, the single place this is
  decided), so associations resolve against our CASE framework packages;
- everything else is UUID5 in ``case.NAMESPACE`` of ``"<kind>:<key>"``, as in
  ``alignment.data.case``: a course ``"course:" + catalog + "\\x1f" + course_id``
  (:func:`course_identifier`), an association
  ``"association:<origin id>:<associationType>:<destination id>"``, the catalog's
  CFDocument ``"alignments:" + catalog``;
- ``uri`` is ``<base_uri>/<CFItems|CFAssociations|CFDocuments>/<identifier>`` with a
  ``base_uri``, else ``urn:uuid:<identifier>`` (as in ``alignment.data.case``).

Second review: with the store's audit trail, the Excel export gains an "Agreement"
sheet (per framework: pairs reviewed twice, percent agreement, Cohen's kappa; the last
row pools them) and a "Disagreements" sheet (each pair whose first and second reviews
differ: disputed, or settled and by whom), both from :mod:`alignment.review.agreement`;
the same two tables are CSV files (:func:`agreement_csv_bytes`,
:func:`disagreements_csv_bytes`).

Every writer has a bytes twin (``to_csv_bytes``, ``to_excel_bytes``,
``to_case_bytes``) for in-memory downloads (Voila cannot serve files). Files and
bytes come from the one writer, :mod:`alignment.io.writers`: written atomically (a crash
never leaves half an export), every cell safe for a spreadsheet (text that starts like a
formula gets a leading apostrophe, characters Excel refuses are removed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from alignment.data import case
from alignment.data.decisions import DECISION_COLUMNS, validate_decisions
from alignment.io import writers
from alignment.io.errors import InputError, row_problem

#: Columns of a decisions export (CSV, and the Excel "Decisions" sheet before extras).
EXPORT_COLUMNS = DECISION_COLUMNS + ["catalog"]
#: OpenSALT's "CF Association" sheet, columns A-J in the order its importer reads them.
ASSOCIATION_COLUMNS = [
    "identifier", "originNodeURI", "originNodeIdentifier", "originNodeHumanCodingScheme", "associationType",
    "destinationNodeURI", "destinationNodeIdentifier", "destinationNodeHumanCodingScheme",
    "associationGroupIdentifier", "associationGroupName",
]
ASSOCIATION_SHEET = "CF Association"
DECISIONS_SHEET = "Decisions"
AGREEMENT_SHEET = "Agreement"
DISAGREEMENTS_SHEET = "Disagreements"
COURSE_ITEM_TYPE = "Course"
_SOURCE = "<decisions>"


# ------------------------------------------------------------------ identifiers

def standard_identifier(standard_id: str) -> str:
    """CFItem identifier of a standard: the same one ``alignment.data.case.to_case`` gives it."""
    return case.stable_uuid("item", standard_id)


def course_identifier(catalog: str, course_id: str) -> str:
    """CFItem identifier of a course: UUID5 of (catalog, course_id)."""
    return case.stable_uuid("course", f"{catalog}\x1f{course_id}")


def association_identifier(origin_identifier: str, association_type: str, destination_identifier: str) -> str:
    """CFAssociation identifier: UUID5 of (origin, type, destination), as ``alignment.data.case`` makes them."""
    return case.stable_uuid("association", f"{origin_identifier}:{association_type}:{destination_identifier}")


def document_identifier(catalog: str) -> str:
    """CFDocument identifier of a catalog's alignments package."""
    return case.stable_uuid("alignments", catalog)


def _uri(identifier: str, what: str, base_uri: str | None) -> str:
    return case._uri(identifier, what, base_uri)


# ------------------------------------------------------------------ input

def prepare_decisions(decisions: pd.DataFrame, catalog: str | None = None, source: str = _SOURCE) -> pd.DataFrame:
    """Validated decisions with a ``catalog`` column, one row per pair (last wins), sorted.

    ``catalog`` fills the column when the table has none (a plain decisions CSV), or
    keeps only that catalog's rows when it has one.
    """
    if not isinstance(decisions, pd.DataFrame):
        raise TypeError(f"decisions must be a DataFrame, not {type(decisions).__name__}")
    if "decision" not in decisions.columns and {"score", "rank"} & set(decisions.columns):
        raise InputError(source, row_problem(source, None, "this is a suggestions table (it has score/rank but no "
                                                          "decision column); only reviewed decisions are exported"))
    if "catalog" in decisions.columns:
        catalogs = decisions["catalog"].fillna("").astype(str).str.strip()
        if catalog is not None:
            keep = (catalogs == catalog).to_numpy()
            decisions, catalogs = decisions[keep], catalogs[keep]
    elif catalog is not None:
        catalogs = pd.Series(catalog, index=decisions.index, dtype=str)
    else:
        raise InputError(source, row_problem(source, None, "no catalog column; pass catalog=<name> (course "
                                                          "identifiers are made from catalog and course_id)"))
    empty = [i for i, c in enumerate(catalogs, start=2) if not c]
    if empty:
        raise InputError(source, [row_problem(source, i, "catalog is empty") for i in empty])
    out = validate_decisions(decisions, source)
    out["catalog"] = catalogs.to_numpy()
    for column in ("course_id", "standard_id", "catalog"):
        out[column] = out[column].str.strip()
    out = out.drop_duplicates(["catalog", "course_id", "standard_id"], keep="last")
    return out.sort_values(["catalog", "course_id", "standard_id"], kind="stable")[EXPORT_COLUMNS].reset_index(drop=True)


def _one_catalog(df: pd.DataFrame, catalog: str | None) -> str:
    catalogs = list(dict.fromkeys(df["catalog"]))
    if catalog is not None:
        return catalog
    if len(catalogs) != 1:
        raise ValueError(f"the decisions hold {len(catalogs)} catalogs ({', '.join(catalogs) or 'none'}); "
                         "pass catalog=<name> to export one")
    return catalogs[0]


def _change_datetime(value: str, where: str) -> str:
    """decided_at as a CASE dateTime (``2025-09-01T17:02:11+00:00``); unknown: the fixed epoch."""
    if not value:
        return case.FIXED_DATETIME
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(_SOURCE, f"{_SOURCE}: decision on {where}: decided_at {value!r} is not an ISO 8601 "
                                  "date-time (e.g. 2025-09-01T17:02:11Z)") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc).isoformat(timespec="seconds")


def _lookup(table: pd.DataFrame | None, key: str, columns: list[str]) -> dict[str, dict]:
    if table is None or key not in table.columns:
        return {}
    present = [c for c in columns if c in table.columns]
    rows = table[[key] + present].fillna("").astype(str).drop_duplicates(key)
    return {r[key]: r for r in rows.to_dict("records")}


def _standard_label(info: dict, standard_id: str) -> str:
    """Title of a standard's link, as ``alignment.data.case`` labels its items."""
    return info.get("display_code") or info.get("title") or info.get("text", "")[:60] or standard_id


# ------------------------------------------------------------------ tables

def association_table(
    decisions: pd.DataFrame,
    *,
    catalog: str | None = None,
    standards: pd.DataFrame | None = None,
    base_uri: str | None = None,
    standard_identifier: Callable[[str], str] = standard_identifier,
) -> pd.DataFrame:
    """Accepted decisions as OpenSALT association rows (:data:`ASSOCIATION_COLUMNS`).

    Origin is the course (human coding scheme = course_id), destination the standard
    (human coding scheme = its display_code from ``standards`` when given, else the
    standard_id). Rejected decisions are left out.
    """
    df = prepare_decisions(decisions, catalog)
    info = _lookup(standards, "standard_id", ["display_code", "title", "text"])
    rows = []
    for r in df[df["decision"] == "accepted"].to_dict("records"):
        origin = course_identifier(r["catalog"], r["course_id"])
        destination = standard_identifier(r["standard_id"])
        identifier = association_identifier(origin, r["association_type"], destination)
        rows.append({
            "identifier": identifier,
            "originNodeURI": _uri(origin, "CFItems", base_uri),
            "originNodeIdentifier": origin,
            "originNodeHumanCodingScheme": r["course_id"],
            "associationType": r["association_type"],
            "destinationNodeURI": _uri(destination, "CFItems", base_uri),
            "destinationNodeIdentifier": destination,
            "destinationNodeHumanCodingScheme": info.get(r["standard_id"], {}).get("display_code") or r["standard_id"],
            "associationGroupIdentifier": "",
            "associationGroupName": "",
        })
    return pd.DataFrame(rows, columns=ASSOCIATION_COLUMNS)


def decisions_table(
    decisions: pd.DataFrame,
    *,
    catalog: str | None = None,
    courses: pd.DataFrame | None = None,
    standards: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """All decisions (:data:`EXPORT_COLUMNS`), plus ``course_title`` / ``display_code`` /
    ``standard_text`` when ``courses`` / ``standards`` are given (for people reading the export)."""
    df = prepare_decisions(decisions, catalog)
    if courses is not None and "title" in courses.columns:
        titles = _lookup(courses, "course_id", ["title"])
        df["course_title"] = [titles.get(c, {}).get("title", "") for c in df["course_id"]]
    if standards is not None:
        info = _lookup(standards, "standard_id", ["display_code", "text"])
        df["display_code"] = [info.get(s, {}).get("display_code", "") for s in df["standard_id"]]
        df["standard_text"] = [info.get(s, {}).get("text", "") for s in df["standard_id"]]
    return df


# ------------------------------------------------------------------ CSV

def to_csv_bytes(decisions: pd.DataFrame, *, catalog: str | None = None) -> bytes:
    """Decisions as UTF-8 CSV (:data:`EXPORT_COLUMNS`), readable back by ``read_decisions_csv``."""
    return writers.csv_bytes(prepare_decisions(decisions, catalog))


def write_csv(decisions: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """:func:`to_csv_bytes` written to ``path`` atomically."""
    return writers.write_bytes(path, to_csv_bytes(decisions, **kwargs))


# ------------------------------------------------------------------ Excel

def to_excel_bytes(
    decisions: pd.DataFrame,
    *,
    catalog: str | None = None,
    courses: pd.DataFrame | None = None,
    standards: pd.DataFrame | None = None,
    base_uri: str | None = None,
    standard_identifier: Callable[[str], str] = standard_identifier,
    audit: pd.DataFrame | None = None,
) -> bytes:
    """An .xlsx workbook: sheet "CF Association" (accepted decisions, OpenSALT's columns
    A-J, the layout its spreadsheet import reads) and sheet "Decisions" (every decision,
    with course titles and standard codes/text when ``courses``/``standards`` are
    given); with the store's ``audit`` trail, sheets "Agreement" and "Disagreements"
    (:func:`agreement_tables`). Headers frozen, filters on; cells made safe by
    :mod:`alignment.io.writers`."""
    associations = association_table(decisions, catalog=catalog, standards=standards, base_uri=base_uri,
                                     standard_identifier=standard_identifier)
    table = decisions_table(decisions, catalog=catalog, courses=courses, standards=standards)
    sheets = {ASSOCIATION_SHEET: associations, DECISIONS_SHEET: table}
    if audit is not None:
        sheets.update(agreement_tables(audit, standards=standards, catalog=catalog))
    return writers.excel_bytes(sheets)


def write_excel(decisions: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """:func:`to_excel_bytes` written to ``path`` atomically."""
    return writers.write_bytes(path, to_excel_bytes(decisions, **kwargs))


# ------------------------------------------------------------------ second review

def agreement_tables(audit: pd.DataFrame, *, standards: pd.DataFrame | None = None,
                     catalog: str | None = None) -> dict[str, pd.DataFrame]:
    """``{"Agreement": ..., "Disagreements": ...}`` from a review store's audit trail (one
    catalog's rows, or all of them filtered to ``catalog``): per framework percent
    agreement and Cohen's kappa (:func:`alignment.review.agreement.agreement`, kappa
    empty where undefined), and every pair whose first and second reviews differ, with
    its status and who settled it (plus ``display_code`` when ``standards`` are given)."""
    from alignment.review.agreement import agreement, disagreements

    if catalog is not None and "catalog" in audit.columns:
        audit = audit[audit["catalog"] == catalog]
    frameworks = standards[["standard_id", "framework"]] if standards is not None else None
    table = agreement(audit, frameworks)
    table["percent_agreement"] = table["percent_agreement"].round(1)
    table["kappa"] = table["kappa"].round(3)
    pairs = disagreements(audit)
    if standards is not None:
        info = _lookup(standards, "standard_id", ["display_code", "framework"])
        pairs.insert(3, "display_code", [info.get(s, {}).get("display_code", "") for s in pairs["standard_id"]])
        pairs.insert(4, "framework", [info.get(s, {}).get("framework", "") for s in pairs["standard_id"]])
    return {AGREEMENT_SHEET: table, DISAGREEMENTS_SHEET: pairs}


def agreement_csv_bytes(audit: pd.DataFrame, **kwargs) -> bytes:
    """The "Agreement" table of :func:`agreement_tables` as UTF-8 CSV."""
    return writers.csv_bytes(agreement_tables(audit, **kwargs)[AGREEMENT_SHEET])


def disagreements_csv_bytes(audit: pd.DataFrame, **kwargs) -> bytes:
    """The "Disagreements" table of :func:`agreement_tables` as UTF-8 CSV."""
    return writers.csv_bytes(agreement_tables(audit, **kwargs)[DISAGREEMENTS_SHEET])


def write_agreement_csv(audit: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """:func:`agreement_csv_bytes` written to ``path`` atomically."""
    return writers.write_bytes(path, agreement_csv_bytes(audit, **kwargs))


def write_disagreements_csv(audit: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """:func:`disagreements_csv_bytes` written to ``path`` atomically."""
    return writers.write_bytes(path, disagreements_csv_bytes(audit, **kwargs))


# ------------------------------------------------------------------ CASE

def to_case(
    decisions: pd.DataFrame,
    *,
    catalog: str | None = None,
    courses: pd.DataFrame | None = None,
    standards: pd.DataFrame | None = None,
    base_uri: str | None = None,
    title: str | None = None,
    creator: str = case.DEFAULT_CREATOR,
    standard_identifier: Callable[[str], str] = standard_identifier,
) -> dict:
    """One catalog's accepted decisions as a CASE 1.0 CFPackage (JSON-ready dict).

    CFDocument: "<catalog> course alignments". CFItems: the courses with at least one
    accepted decision (``CFItemType`` "Course", ``humanCodingScheme`` = course_id,
    ``fullStatement`` = the course title from ``courses`` when given), each
    ``isChildOf`` the document. CFAssociations: one per accepted decision, course ->
    standard, ``associationType`` as the reviewer chose (``exactMatchOf`` or
    ``isRelatedTo``), ``lastChangeDateTime`` = when it was decided. Rejected
    decisions are not exported. The standards themselves live in the framework
    packages ``alignment.data.case`` writes (same identifiers).
    """
    df = prepare_decisions(decisions, catalog)
    catalog = _one_catalog(df, catalog)
    df = df[df["catalog"] == catalog]
    accepted = df[df["decision"] == "accepted"].reset_index(drop=True)
    titles = _lookup(courses, "course_id", ["title"])
    info = _lookup(standards, "standard_id", ["display_code", "title", "text"])

    changed = {i: _change_datetime(r["decided_at"], f"{r['course_id']} / {r['standard_id']}")
               for i, r in enumerate(accepted.to_dict("records"))}
    last_change = max(changed.values(), default=case.FIXED_DATETIME)
    doc_id = document_identifier(catalog)
    doc_title = title or f"{catalog} course alignments"
    doc_link = case._link(doc_title, doc_id, _uri(doc_id, "CFDocuments", base_uri))
    document = {
        "identifier": doc_id,
        "uri": doc_link["uri"],
        "creator": creator,
        "title": doc_title,
        "lastChangeDateTime": last_change,
        "language": "en",
        "description": f"Course-to-standard alignments of catalog {catalog} accepted by reviewers in Pathway Align.",
        "notes": json.dumps({case.NOTES_KEY: {"catalog": catalog}}, ensure_ascii=False, sort_keys=True),
    }
    type_id = case.stable_uuid("itemtype", COURSE_ITEM_TYPE)
    item_type = {
        "identifier": type_id, "uri": _uri(type_id, "CFItemTypes", base_uri), "title": COURSE_ITEM_TYPE,
        "description": "A course in a school's course catalog", "hierarchyCode": COURSE_ITEM_TYPE,
        "lastChangeDateTime": case.FIXED_DATETIME,
    }
    type_link = case._link(COURSE_ITEM_TYPE, type_id, item_type["uri"])

    items, associations, course_links = [], [], {}
    for position, course_id in enumerate(dict.fromkeys(accepted["course_id"]), start=1):
        identifier = course_identifier(catalog, course_id)
        course_title = titles.get(course_id, {}).get("title", "")
        link = case._link(course_title or course_id, identifier, _uri(identifier, "CFItems", base_uri))
        course_links[course_id] = link
        course_changed = max(changed[i] for i in accepted.index[accepted["course_id"] == course_id])
        items.append({
            "identifier": identifier,
            "uri": link["uri"],
            "CFDocumentURI": doc_link,
            "fullStatement": course_title or course_id,
            "humanCodingScheme": course_id,
            "listEnumeration": str(position),
            "CFItemType": COURSE_ITEM_TYPE,
            "CFItemTypeURI": type_link,
            "language": "en",
            "lastChangeDateTime": course_changed,
        })
        child_of = association_identifier(identifier, "isChildOf", doc_id)
        associations.append({
            "identifier": child_of,
            "uri": _uri(child_of, "CFAssociations", base_uri),
            "associationType": "isChildOf",
            "CFDocumentURI": doc_link,
            "sequenceNumber": position,
            "originNodeURI": link,
            "destinationNodeURI": doc_link,
            "lastChangeDateTime": course_changed,
        })
    for i, r in enumerate(accepted.to_dict("records")):
        origin = course_links[r["course_id"]]
        destination_id = standard_identifier(r["standard_id"])
        destination = case._link(_standard_label(info.get(r["standard_id"], {}), r["standard_id"]),
                                 destination_id, _uri(destination_id, "CFItems", base_uri))
        identifier = association_identifier(origin["identifier"], r["association_type"], destination_id)
        association = {
            "identifier": identifier,
            "uri": _uri(identifier, "CFAssociations", base_uri),
            "associationType": r["association_type"],
            "CFDocumentURI": doc_link,
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": changed[i],
        }
        if r["note"]:
            association["notes"] = r["note"]
        associations.append(association)
    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {"CFConcepts": [], "CFSubjects": [], "CFLicenses": [],
                          "CFItemTypes": [item_type] if items else [], "CFAssociationGroupings": []},
    }


def to_case_bytes(decisions: pd.DataFrame, **kwargs) -> bytes:
    """:func:`to_case` as UTF-8 JSON (indented)."""
    return (json.dumps(to_case(decisions, **kwargs), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_case(decisions: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """:func:`to_case_bytes` written to ``path`` atomically."""
    return writers.write_bytes(path, to_case_bytes(decisions, **kwargs))
