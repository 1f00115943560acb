"""Export a reviewed crosswalk between two editions: CASE 1.0 associations, CSV, Excel.

:func:`crosswalk_to_case` makes a CASE 1.0 CFPackage whose CFDocument is the crosswalk
("<sector or frameworks>: edition A -> edition B") and whose CFAssociations link the
items of the two editions: origin = the edition-A standard, destination = the
edition-B standard, ``associationType`` ``exactMatchOf`` for an ``exact`` decision and
``isRelatedTo`` for ``related``; the reviewer's note is the association's ``notes``,
``lastChangeDateTime`` when it was decided. Item identifiers are the ones our framework
packages give the standards (:func:`alignment.present.exports.standard_identifier`), so
a CASE server holding both editions resolves every association. The package has no
CFItems of its own.

``none`` decisions are not associations (CASE has no "has no counterpart" type): the
edition-A standards whose every reviewed candidate is ``none`` are listed in the
CFDocument's ``notes`` (``{"pathway_align": {"crosswalk": {..., "no_counterpart":
[...]}}}``), with the two editions' names. Standards not reviewed yet are in neither.
Identifiers are UUID5 (:func:`alignment.data.case.stable_uuid`): exporting the same
decisions again gives the same file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from alignment.data import case
from alignment.io import writers
from alignment.present.exports import association_identifier, standard_identifier

#: Crosswalk decision -> CASE association type (``none`` has none).
ASSOCIATION_OF = {"exact": "exactMatchOf", "related": "isRelatedTo"}
#: Columns of :func:`crosswalk_table` (CSV and Excel exports).
TABLE_COLUMNS = ["from_edition", "from_id", "from_code", "from_text", "decision", "association_type", "to_edition",
                 "to_id", "to_code", "to_text", "reviewer", "note", "decided_at"]


def _standards_info(standards: pd.DataFrame | None) -> dict[str, dict]:
    if standards is None:
        return {}
    s = standards.astype(str).replace({"nan": "", "<NA>": "", "None": ""})
    return {r["standard_id"]: {"code": r.get("display_code") or r.get("code", ""), "text": r.get("text", "")}
            for r in s.to_dict("records")}


def _change(value: str) -> str:
    from alignment.present.exports import _change_datetime

    return _change_datetime(value, "crosswalk decision")


def crosswalk_to_case(decisions: pd.DataFrame, *, from_edition: str, to_edition: str,
                      standards: pd.DataFrame | None = None, title: str | None = None,
                      base_uri: str | None = None, creator: str = case.DEFAULT_CREATOR) -> dict:
    """One reviewed crosswalk (``CrosswalkReviews.decisions(from_edition, to_edition)``) as
    a CASE 1.0 CFPackage (module docstring). ``standards``: a table holding both editions,
    for the associations' titles (codes)."""
    dec = decisions.fillna("").astype(str)
    dec = dec[(dec["from_edition"] == from_edition) & (dec["to_edition"] == to_edition)]
    info = _standards_info(standards)
    doc_id = case.stable_uuid("crosswalk", f"{from_edition}\x1f{to_edition}")
    doc_title = title or f"Crosswalk {from_edition} -> {to_edition}"
    doc_link = case._link(doc_title, doc_id, case._uri(doc_id, "CFDocuments", base_uri))
    linked = dec[dec["decision"].isin(ASSOCIATION_OF)]
    decided = set(dec["from_id"])
    no_counterpart = sorted(decided - set(linked["from_id"]))
    associations = []
    for r in linked.sort_values(["from_id", "to_id"]).to_dict("records"):
        kind = ASSOCIATION_OF[r["decision"]]
        origin_id, destination_id = standard_identifier(r["from_id"]), standard_identifier(r["to_id"])
        identifier = association_identifier(origin_id, kind, destination_id)
        association = {
            "identifier": identifier,
            "uri": case._uri(identifier, "CFAssociations", base_uri),
            "associationType": kind,
            "CFDocumentURI": doc_link,
            "originNodeURI": case._link(info.get(r["from_id"], {}).get("code") or r["from_id"], origin_id,
                                        case._uri(origin_id, "CFItems", base_uri)),
            "destinationNodeURI": case._link(info.get(r["to_id"], {}).get("code") or r["to_id"], destination_id,
                                             case._uri(destination_id, "CFItems", base_uri)),
            "lastChangeDateTime": _change(r["decided_at"]),
        }
        if r["note"]:
            association["notes"] = r["note"]
        associations.append(association)
    last = max((a["lastChangeDateTime"] for a in associations), default=case.FIXED_DATETIME)
    document = {
        "identifier": doc_id,
        "uri": doc_link["uri"],
        "creator": creator,
        "title": doc_title,
        "lastChangeDateTime": last,
        "language": "en",
        "description": (f"Reviewed crosswalk from the {from_edition} edition to the {to_edition} edition: "
                        "exactMatchOf for the same standard, isRelatedTo for an overlapping one. Standards with "
                        "no counterpart are listed in notes."),
        "notes": json.dumps({case.NOTES_KEY: {"crosswalk": {
            "from_edition": from_edition, "to_edition": to_edition, "no_counterpart": no_counterpart,
            "associations": len(associations), "decisions": len(dec)}}}, ensure_ascii=False, sort_keys=True),
    }
    return {"CFDocument": document, "CFItems": [], "CFAssociations": associations,
            "CFDefinitions": {"CFConcepts": [], "CFSubjects": [], "CFLicenses": [], "CFItemTypes": [],
                              "CFAssociationGroupings": []}}


def crosswalk_case_bytes(decisions: pd.DataFrame, **kwargs) -> bytes:
    """:func:`crosswalk_to_case` as UTF-8 JSON (indented)."""
    return (json.dumps(crosswalk_to_case(decisions, **kwargs), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def crosswalk_table(decisions: pd.DataFrame, standards: pd.DataFrame | None = None) -> pd.DataFrame:
    """The decisions with both standards' codes and texts (:data:`TABLE_COLUMNS`)."""
    dec = decisions.fillna("").astype(str).copy()
    info = _standards_info(standards)
    for side in ("from", "to"):
        dec[f"{side}_code"] = [info.get(s, {}).get("code", "") for s in dec[f"{side}_id"]]
        dec[f"{side}_text"] = [info.get(s, {}).get("text", "") for s in dec[f"{side}_id"]]
    dec["association_type"] = dec["decision"].map(ASSOCIATION_OF).fillna("")
    return dec.reindex(columns=TABLE_COLUMNS).fillna("")


def write_crosswalk(decisions: pd.DataFrame, path: str | Path, *, from_edition: str, to_edition: str,
                    standards: pd.DataFrame | None = None, fmt: str | None = None, base_uri: str | None = None) -> Path:
    """Write a reviewed crosswalk as ``.json`` (CASE), ``.csv`` or ``.xlsx`` (one writer, atomic)."""
    fmt = writers.output_format(path, ["json", "csv", "xlsx"], fmt, what="a crosswalk")
    mine = decisions[(decisions["from_edition"] == from_edition) & (decisions["to_edition"] == to_edition)]
    if fmt == "json":
        return writers.write_bytes(path, crosswalk_case_bytes(mine, from_edition=from_edition, to_edition=to_edition,
                                                              standards=standards, base_uri=base_uri))
    table = crosswalk_table(mine, standards)
    if fmt == "csv":
        return writers.write_csv(table, path)
    return writers.write_excel({"Crosswalk": table}, path)
