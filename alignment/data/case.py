"""1EdTech CASE 1.0 (Competencies and Academic Standards Exchange) JSON: export and import.

One framework is one CFPackage: ``{"CFDocument", "CFItems", "CFAssociations",
"CFDefinitions"}``. The hierarchy is carried by ``isChildOf`` associations (child ->
parent item, or -> the CFDocument for top-level items), ordered by ``sequenceNumber``;
OpenSALT exports are the reference shape.

Export (:func:`to_case`, :func:`write_case`, :func:`write_case_packages`):

- identifiers are UUID5 of the standard_id (items), the framework (document) and the
  (child, parent) pair (associations), so re-exports are identical; ``uri`` is
  ``<base_uri>/CFItems/<identifier>`` when a ``base_uri`` is given, else
  ``urn:uuid:<identifier>``; ``lastChangeDateTime`` is a fixed value unless given
  (reproducible-builds convention: no wall clock in exports);
- CFItem: ``fullStatement`` = text (the title for a heading without text),
  ``abbreviatedStatement`` = title, ``humanCodingScheme`` = display_code,
  ``CFItemType`` = kind (``Heading``, ``Standard``, ``Sub-standard``,
  ``Performance Indicator``), ``educationLevel`` = the grades as CEDS codes
  (``KG``, ``01``..``12``), ``listEnumeration`` = position among siblings;
- the tidy columns CASE 1.0 has no slot for (standard_id, code, subject, sector,
  pathway, grade, grade_band, domain, cluster, completeness, completeness_note,
  source_file, source_row) travel in the CFItem's ``notes`` as JSON under the key
  ``"pathway_align"`` (``notes`` is a CASE 1.0 field that OpenSALT keeps on import
  and export); framework and framework_title travel the same way in the CFDocument's
  ``notes``. depth, is_leaf and match_text are recomputed from the hierarchy;
- editions (:mod:`alignment.data.editions`): every item carries its ``edition``,
  ``edition_status`` and ``focus_area`` in its notes; the CFDocument of a package
  holding one edition has CASE's ``version`` (the edition's label) and
  ``adoptionStatus`` (``Adopted`` / ``Draft``), its notes the edition id, and a
  non-default edition its own document identifier (UUID5 of ``<framework>@<edition>``),
  so the two editions of a framework are two CASE documents; :func:`to_case_packages`
  gives one package per framework and edition.

Import (:func:`read_case`) returns the tidy table. A package we wrote comes back equal
on every column. A package written elsewhere (only standard CASE fields) works too:
framework = slug of the CFDocument title, standard_id =
``case.<framework>.<humanCodingScheme>`` (the identifier where the coding scheme is
missing or repeated), parent/depth from ``isChildOf``, kind from ``CFItemType`` or the
position, grade from ``educationLevel``, completeness ``unknown``. Associations other
than ``isChildOf`` are ignored (they may point outside the package). A malformed package
raises :class:`~alignment.io.errors.InputError` listing every problem.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from alignment.data.editions import DRAFT, default_edition, edition_label, with_editions
from alignment.data.hierarchy import MAX_DEPTH, walk_parents
from alignment.data.standards import TIDY_COLUMNS, add_hierarchy_columns, coerce_tidy, grade_band, grade_span
from alignment.io.errors import InputError, row_problem
from alignment.io.files import as_utf8, read_input_file
from alignment.io.writers import slug, write_text

#: Namespace of every UUID5 this module makes.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:pathway-align:case")
#: Key of our JSON object inside CFItem / CFDocument ``notes``.
NOTES_KEY = "pathway_align"
#: Default ``lastChangeDateTime``: fixed so that exports are reproducible.
FIXED_DATETIME = "1970-01-01T00:00:00+00:00"
DEFAULT_CREATOR = "Pathway Align"

KIND_TO_ITEM_TYPE = {
    "heading": "Heading",
    "standard": "Standard",
    "sub-standard": "Sub-standard",
    "indicator": "Performance Indicator",
}
_KIND_RANK = {kind: n for n, kind in enumerate(KIND_TO_ITEM_TYPE, start=1)}
#: CFItemType values of other publishers that map onto our kinds (lower case).
_ITEM_TYPE_TO_KIND = {
    **{v.lower(): k for k, v in KIND_TO_ITEM_TYPE.items()},
    **dict.fromkeys(["domain", "cluster", "strand", "grade level", "category", "conceptual category",
                     "topic", "group", "section", "anchor standard title"], "heading"),
    **dict.fromkeys(["substandard", "sub standard", "component", "element"], "sub-standard"),
    **dict.fromkeys(["indicator", "benchmark", "performance expectation"], "indicator"),
}
#: Tidy columns carried in the CFItem notes.
CARRIED_COLUMNS = ["standard_id", "code", "subject", "sector", "pathway", "grade", "grade_band", "domain",
                   "cluster", "completeness", "completeness_note", "source_file", "source_row", "edition",
                   "edition_status", "focus_area"]
_EDUCATION_LEVELS = ["KG"] + [f"{n:02d}" for n in range(1, 13)]
_PACKAGE = "<CASE package>"


def stable_uuid(kind: str, key: str) -> str:
    """The identifier of a ``kind`` of CASE object named ``key``: a UUID v5 in the
    project's namespace, so every export of the same thing carries the same identifier
    (a CASE server updates it instead of adding a copy)."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def _uri(identifier: str, what: str, base_uri: str | None) -> str:
    return f"{base_uri.rstrip('/')}/{what}/{identifier}" if base_uri else f"urn:uuid:{identifier}"


def _link(title: str, identifier: str, uri: str) -> dict:
    return {"title": title, "identifier": identifier, "uri": uri}


def education_levels(grade: str, band: str = "") -> list[str]:
    """CEDS education levels (``KG``, ``01``..``12``) of a grade (or, if empty, a grade band)."""
    span = grade_span(grade) or grade_span(band)
    return [] if span is None else _EDUCATION_LEVELS[span[0]:span[1] + 1]


def _grade_from_levels(levels: Any) -> str:
    if isinstance(levels, str):
        levels = [p for p in re.split(r"[,;\s]+", levels) if p]
    if not isinstance(levels, list):
        return ""
    numbers = sorted({_EDUCATION_LEVELS.index(lv.strip().upper()) for lv in levels
                      if isinstance(lv, str) and lv.strip().upper() in _EDUCATION_LEVELS})
    if not numbers or numbers != list(range(numbers[0], numbers[-1] + 1)):
        return ""
    name = lambda n: "K" if n == 0 else str(n)  # noqa: E731
    return name(numbers[0]) if len(numbers) == 1 else f"{name(numbers[0])}-{name(numbers[-1])}"


# ------------------------------------------------------------------ export

def to_case(df: pd.DataFrame, title: str | None = None, creator: str = DEFAULT_CREATOR,
            base_uri: str | None = None, last_change: str = FIXED_DATETIME) -> dict:
    """One framework of the tidy table as a CASE 1.0 CFPackage (a JSON-ready dict).

    ``df`` must hold exactly one framework, whole (every parent_id inside it); use
    :func:`to_case_packages` for several. ``title`` defaults to the framework_title.
    """
    missing = [c for c in TIDY_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"not a tidy standards table: missing {', '.join(missing)}")
    frameworks = list(dict.fromkeys(df["framework"]))
    if len(frameworks) != 1:
        raise ValueError(f"to_case exports one framework; the table holds {len(frameworks)} "
                         f"({', '.join(frameworks)}): use to_case_packages or filter_standards first")
    framework = frameworks[0]
    ids = set(df["standard_id"])
    orphans = sorted(set(df["parent_id"]) - ids - {""})
    if orphans:
        raise ValueError(f"parent_id(s) {', '.join(orphans[:5])} are not in the table; export whole "
                         "frameworks (not a filtered subset) so the hierarchy stays intact")
    framework_title = df["framework_title"].iloc[0]
    df = with_editions(df)
    editions = list(dict.fromkeys(df["edition"]))
    single = editions[0] if len(editions) == 1 else None
    default = single is not None and single == default_edition(framework)

    doc_id = stable_uuid("document", framework if single is None or default or not single else f"{framework}@{single}")
    doc_uri = _uri(doc_id, "CFDocuments", base_uri)
    doc_title = title or framework_title
    doc_link = _link(doc_title, doc_id, doc_uri)
    document = {
        "identifier": doc_id,
        "uri": doc_uri,
        "creator": creator,
        "title": doc_title,
        "lastChangeDateTime": last_change,
        "language": "en",
        "notes": json.dumps({NOTES_KEY: {"framework": framework, "framework_title": framework_title,
                                         **({"edition": single} if single else {})}},
                            ensure_ascii=False, sort_keys=True),
    }
    if single:
        document["version"] = edition_label(single)
        status = df["edition_status"].iloc[0]
        document["adoptionStatus"] = "Draft" if status == DRAFT else "Adopted"
    subjects = [s for s in dict.fromkeys(df["subject"]) if s]
    if subjects:
        document["subject"] = subjects

    used_kinds = [k for k in KIND_TO_ITEM_TYPE if k in set(df["kind"])]
    item_types = {}
    for kind in used_kinds:
        type_id = stable_uuid("itemtype", KIND_TO_ITEM_TYPE[kind])
        item_types[kind] = {
            "identifier": type_id, "uri": _uri(type_id, "CFItemTypes", base_uri),
            "title": KIND_TO_ITEM_TYPE[kind], "description": f"Pathway Align kind '{kind}'",
            "hierarchyCode": str(_KIND_RANK[kind]), "lastChangeDateTime": last_change,
        }

    rows = df.to_dict("records")
    links, items = {}, []
    position: dict[str, int] = {}  # standard_id -> 1-based position among its siblings
    siblings_seen: dict[str, int] = {}  # parent_id -> siblings so far
    for r in rows:
        identifier = stable_uuid("item", r["standard_id"])
        uri = _uri(identifier, "CFItems", base_uri)
        label = r["display_code"] or r["title"] or r["text"][:60]
        links[r["standard_id"]] = _link(label, identifier, uri)
        siblings_seen[r["parent_id"]] = siblings_seen.get(r["parent_id"], 0) + 1
        position[r["standard_id"]] = siblings_seen[r["parent_id"]]
        carried = {c: r[c] for c in CARRIED_COLUMNS}
        carried["source_row"] = None if pd.isna(r["source_row"]) else int(r["source_row"])
        if not r["text"]:
            carried["text_empty"] = True
        item = {
            "identifier": identifier,
            "uri": uri,
            "CFDocumentURI": doc_link,
            "fullStatement": r["text"] or r["title"],
        }
        if r["title"]:
            item["abbreviatedStatement"] = r["title"]
        if r["display_code"]:
            item["humanCodingScheme"] = r["display_code"]
        item["listEnumeration"] = str(position[r["standard_id"]])
        item["CFItemType"] = KIND_TO_ITEM_TYPE[r["kind"]]
        item["CFItemTypeURI"] = _link(item_types[r["kind"]]["title"], item_types[r["kind"]]["identifier"],
                                      item_types[r["kind"]]["uri"])
        levels = education_levels(r["grade"], r["grade_band"])
        if levels:
            item["educationLevel"] = levels
        item["language"] = "en"
        item["notes"] = json.dumps({NOTES_KEY: carried}, ensure_ascii=False, sort_keys=True)
        item["lastChangeDateTime"] = last_change
        items.append(item)

    associations = []
    for r in rows:
        origin = links[r["standard_id"]]
        destination = links[r["parent_id"]] if r["parent_id"] else doc_link
        identifier = stable_uuid("association", f"{origin['identifier']}:isChildOf:{destination['identifier']}")
        associations.append({
            "identifier": identifier,
            "uri": _uri(identifier, "CFAssociations", base_uri),
            "associationType": "isChildOf",
            "CFDocumentURI": doc_link,
            "sequenceNumber": position[r["standard_id"]],
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": last_change,
        })
    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {"CFConcepts": [], "CFSubjects": [], "CFLicenses": [],
                          "CFItemTypes": list(item_types.values()), "CFAssociationGroupings": []},
    }


def to_case_packages(df: pd.DataFrame, **kwargs) -> dict[str, dict]:
    """framework -> CFPackage, for every framework in the table (keyword arguments as :func:`to_case`);
    a framework loaded in several editions gives one package per edition, keyed
    ``<framework>@<edition>`` for the editions other than its default."""
    df = with_editions(df)
    out = {}
    for fw in dict.fromkeys(df["framework"]):
        rows = df[df["framework"] == fw]
        editions = list(dict.fromkeys(rows["edition"]))
        if len(editions) == 1:
            out[fw] = to_case(rows, **kwargs)
            continue
        for edition in editions:
            key = fw if edition == default_edition(fw) else f"{fw}@{edition}"
            out[key] = to_case(rows[rows["edition"] == edition], **kwargs)
    return out


def _dump(package: dict, path: Path) -> Path:
    return write_text(path, json.dumps(package, indent=2, ensure_ascii=False) + "\n")


def write_case(df: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """Write one framework as a CASE JSON file (UTF-8, indented); returns the path."""
    return _dump(to_case(df, **kwargs), Path(path))


def write_case_packages(df: pd.DataFrame, directory: str | Path, **kwargs) -> list[Path]:
    """Write ``<framework>.case.json`` for every framework in the table; returns the paths."""
    directory = Path(directory)
    return [_dump(pkg, directory / f"{fw}.case.json") for fw, pkg in to_case_packages(df, **kwargs).items()]


# ------------------------------------------------------------------ import

def _load(source: str | Path | dict) -> tuple[Any, str]:
    if isinstance(source, dict):
        return source, _PACKAGE
    data, name = read_input_file(source)
    data = as_utf8(data, name)  # UTF-16/32 JSON read as such
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(name, row_problem(name, None, f"not valid UTF-8: byte 0x{data[err.start]:02x} at byte "
                                                       f"offset {err.start}; CASE JSON must be UTF-8")) from None
    try:
        return json.loads(text), name
    except json.JSONDecodeError as err:
        raise InputError(name, row_problem(name, None, f"not valid JSON (line {err.lineno}, column "
                                                       f"{err.colno}: {err.msg}); expected a CASE "
                                                       "CFPackage")) from None
    except RecursionError:  # the JSON parser recurses once per nesting level
        raise InputError(name, row_problem(name, None, _too_nested(text))) from None


#: JSON nesting (arrays and objects inside each other) read without question; a CASE
#: package needs 4 or 5 levels, the JSON parser gives up near Python's recursion limit.
MAX_JSON_NESTING = 200
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_IDENTIFIER = re.compile(r'"identifier"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _too_nested(text: str) -> str:
    """Where JSON text nests deeper than :data:`MAX_JSON_NESTING`, for the error message."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_JSON_NESTING:
                offset = token.start()
                line = text.count("\n", 0, offset) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
                before = list(_IDENTIFIER.finditer(text, 0, offset))
                near = f" (the last identifier before it is {before[-1].group(1)})" if before else ""
                return (f"JSON arrays/objects nested more than {MAX_JSON_NESTING} levels deep at line {line}, "
                        f"column {column}{near}; a CASE package needs about 5: the file is damaged or "
                        "not a CASE CFPackage")
        elif mark in "]}":
            depth -= 1
    return "JSON nested too deeply to read; the file is damaged or not a CASE CFPackage"


def _notes_payload(obj: dict, where: str, problem) -> dict | None:
    """Our columns from a CFItem's / CFDocument's ``notes`` (None: foreign notes).

    ``notes`` must be a string (CASE 1.0); ours hold ``{"pathway_align": {...}}`` whose
    values must have the tidy table's types. Each wrong type is reported via ``problem``,
    naming ``where`` (the item and its identifier).
    """
    notes = obj.get("notes")
    if notes is None:
        return None
    if not isinstance(notes, str):
        problem(f"{where}: notes is {_json_type(notes)}; CASE notes are a string")
        return None
    if NOTES_KEY not in notes:
        return None
    try:
        payload = json.loads(notes)
    except json.JSONDecodeError:
        return None  # free text that mentions our key
    except RecursionError:
        problem(f"{where}: notes hold JSON nested too deeply to read")
        return None
    value = payload.get(NOTES_KEY) if isinstance(payload, dict) else None
    if value is None:
        return None
    if not isinstance(value, dict):
        problem(f"{where}: notes[{NOTES_KEY!r}] is {_json_type(value)}; expected an object of column values")
        return None
    for key, item in value.items():
        if key == "source_row":
            ok = item is None or (isinstance(item, int) and not isinstance(item, bool) and item >= 0)
            expected = "a whole number or null"
        elif key == "text_empty":
            ok, expected = isinstance(item, bool), "true or false"
        else:
            ok, expected = isinstance(item, str), "a string"
        if not ok:
            problem(f"{where}: notes[{NOTES_KEY!r}][{key!r}] is {_json_type(item)}; expected {expected}")
    return value


def _json_type(value: Any) -> str:
    """How JSON calls a parsed value's type, for messages (``a list``, ``a number``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _check_types(obj: dict, where: str, fields: dict[str, str], problem) -> None:
    """Report each field of ``obj`` (when present and not null) whose JSON type is not the
    expected one: ``string``, ``string list`` (a list of strings, or one string), ``integer``."""
    for key, expected in fields.items():
        value = obj.get(key)
        if value is None:
            continue
        if expected == "string":
            ok, wanted = isinstance(value, str), "a string"
        elif expected == "string list":
            ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            wanted = "a list of strings"
        else:  # integer
            ok = isinstance(value, int) and not isinstance(value, bool)
            wanted = "a whole number"
        if not ok:
            problem(f"{where}: {key} is {_json_type(value)}; expected {wanted}")


def read_case(source: str | Path | dict) -> pd.DataFrame:
    """Read a CASE 1.0 CFPackage (a path to a JSON file, or the parsed dict) into the tidy table.

    Linear in the package's size, whatever its shape (the isChildOf tree is walked once,
    without recursion). Every field read must have its CASE JSON type; a wrong type,
    a cycle or a tree deeper than :data:`~alignment.data.hierarchy.MAX_DEPTH` levels is
    an :class:`InputError` naming the item (its position and identifier).
    """
    package, name = _load(source)
    problems: list[str] = []

    def problem(text: str) -> None:
        problems.append(row_problem(name, None, text))

    if not isinstance(package, dict):
        raise InputError(name, row_problem(name, None, "is not a CASE CFPackage: the top level must be a JSON "
                                                       "object with CFDocument and CFItems"))
    document = package.get("CFDocument")
    if not isinstance(document, dict):
        problem("missing CFDocument (the framework's document object)" if document is None
                else f"CFDocument is {_json_type(document)}; expected an object")
        document = {}
    elif not (isinstance(document.get("identifier"), str) and document["identifier"].strip()):
        problem("CFDocument has no identifier" if document.get("identifier") is None
                else f"CFDocument: identifier is {_json_type(document['identifier'])}; expected a string")
    _check_types(document, "CFDocument", {"title": "string", "subject": "string list"}, problem)
    items = package.get("CFItems")
    if not isinstance(items, list):
        problem("missing CFItems (the list of standards)" if items is None
                else f"CFItems is {_json_type(items)}, not a list")
        items = []
    elif not items:
        problem("CFItems is empty: the package has no standards")
    associations = package.get("CFAssociations") or []
    if not isinstance(associations, list):
        problem(f"CFAssociations is {_json_type(associations)}, not a list")
        associations = []

    by_identifier: dict[str, int] = {}
    for i, item in enumerate(items):
        where = f"CFItems[{i}]"
        if not isinstance(item, dict):
            problem(f"{where} is {_json_type(item)}, not an object")
            continue
        identifier = item.get("identifier")
        if identifier is not None and not isinstance(identifier, str):
            problem(f"{where}: identifier is {_json_type(identifier)}; expected a string")
            continue
        if not (isinstance(identifier, str) and identifier.strip()):
            problem(f"{where} has no identifier")
        elif identifier in by_identifier:
            problem(f"{where} repeats identifier {identifier} of CFItems[{by_identifier[identifier]}]")
        else:
            by_identifier[identifier] = i
        label = f"{where} ({identifier})" if isinstance(identifier, str) and identifier else where
        statement = item.get("fullStatement")
        if statement is not None and not isinstance(statement, str):
            problem(f"{label}: fullStatement is {_json_type(statement)}; expected a string")
        elif not (isinstance(statement, str) and statement.strip()):
            problem(f"{label} has no fullStatement")
        _check_types(item, label, {"abbreviatedStatement": "string", "humanCodingScheme": "string",
                                   "CFItemType": "string", "educationLevel": "string list"}, problem)

    doc_id = document.get("identifier")
    parent_of: dict[str, str] = {}
    order: dict[str, tuple] = {}
    for j, assoc in enumerate(associations):
        where = f"CFAssociations[{j}]"
        if not isinstance(assoc, dict):
            problem(f"{where} is {_json_type(assoc)}, not an object")
            continue
        if assoc.get("associationType") != "isChildOf":
            continue
        ends = []
        for end in ("originNodeURI", "destinationNodeURI"):
            link = assoc.get(end)
            identifier = link.get("identifier") if isinstance(link, dict) else None
            if link is not None and not isinstance(link, dict):
                problem(f"{where} (isChildOf): {end} is {_json_type(link)}; expected an object with an identifier")
                identifier = None
            elif identifier is not None and not isinstance(identifier, str):
                problem(f"{where} (isChildOf): {end}.identifier is {_json_type(identifier)}; expected a string")
                identifier = None
            elif not identifier:
                problem(f"{where} (isChildOf) has no {end}.identifier")
            ends.append(identifier)
        origin, destination = ends
        sequence = assoc.get("sequenceNumber")
        if sequence is not None and not (isinstance(sequence, int) and not isinstance(sequence, bool)):
            problem(f"{where} (isChildOf): sequenceNumber is {_json_type(sequence)}; expected a whole number")
        if not (origin and destination):
            continue
        if origin not in by_identifier:
            problem(f"{where} (isChildOf) points from {origin}, which is not an item in CFItems")
            continue
        if destination not in by_identifier and destination != doc_id:
            problem(f"{where} (isChildOf) points to {destination}, which is neither an item in CFItems nor "
                    "the CFDocument")
            continue
        if origin in parent_of:
            problem(f"{where}: item {origin} is a child of two parents; Pathway Align needs a tree")
            continue
        parent_of[origin] = "" if destination == doc_id else destination
        order[origin] = (sequence if isinstance(sequence, int) else float("inf"), by_identifier[origin])
    walk = walk_parents(by_identifier, parent_of)
    for cycle in walk.cycles:
        shown = " -> ".join(cycle[:5] + [cycle[0]]) if len(cycle) <= 5 else " -> ".join(cycle[:5]) + " -> ..."
        problem(f"isChildOf cycle through item {cycle[0]} ({len(cycle)} item{'s' if len(cycle) > 1 else ''}: "
                f"{shown}); an item cannot be its own ancestor")
    for identifier in walk.too_deep():
        problem(f"CFItems[{by_identifier[identifier]}] ({identifier}) is more than {MAX_DEPTH:,} isChildOf "
                "levels below the CFDocument; no framework is that deep: check the associations")
    doc_payload = _notes_payload(document, "CFDocument", problem) or {}
    payloads = {}
    for identifier, i in by_identifier.items():
        payloads[identifier] = _notes_payload(items[i], f"CFItems[{i}] ({identifier})", problem)
    if problems:
        raise InputError(name, list(dict.fromkeys(problems)))

    doc_title = str(document.get("title") or "").strip()
    framework = doc_payload.get("framework") or slug(doc_title, separator="_") or "case"
    framework_title = doc_payload.get("framework_title") or doc_title or framework
    doc_subject = document.get("subject")
    if isinstance(doc_subject, list):
        doc_subject = "; ".join(str(s) for s in doc_subject if s)
    doc_subject = str(doc_subject or "")

    ours = all(payloads.values())
    coding = [str(it.get("humanCodingScheme") or "").strip() for it in items]
    counts = Counter(coding)
    repeated = {c for c in coding if c and counts[c] > 1}

    def foreign_id(item: dict, code: str) -> str:
        return f"case.{framework}.{code if code and code not in repeated else item['identifier']}"

    sid = {}
    for item, code in zip(items, coding):
        payload = payloads[item["identifier"]]
        sid[item["identifier"]] = payload["standard_id"] if payload and payload.get("standard_id") else \
            foreign_id(item, code)
    if len(set(sid.values())) != len(sid):
        raise InputError(name, row_problem(name, None, "two items map to the same standard_id; their "
                                                       "humanCodingScheme or notes are inconsistent"))

    if ours:
        ordered = list(items)
    else:  # pre-order walk of the isChildOf tree, siblings by sequenceNumber then array position
        children: dict[str, list[dict]] = {}
        for item in items:
            children.setdefault(parent_of.get(item["identifier"], ""), []).append(item)
        for siblings in children.values():
            siblings.sort(key=lambda it: order.get(it["identifier"], (float("inf"), by_identifier[it["identifier"]])))
        ordered, stack = [], list(reversed(children.get("", [])))
        while stack:
            item = stack.pop()
            ordered.append(item)
            stack.extend(reversed(children.get(item["identifier"], [])))

    kinds: dict[str, str] = {}
    rows = []
    for item in ordered:
        identifier = item["identifier"]
        payload = payloads[identifier] or {}
        parent = parent_of.get(identifier, "")
        item_type = str(item.get("CFItemType") or "").strip().lower()
        kind = _ITEM_TYPE_TO_KIND.get(item_type)
        if kind is None:
            kind = "standard" if not parent or kinds.get(parent) == "heading" else "sub-standard"
        kinds[identifier] = kind
        code = str(item.get("humanCodingScheme") or "").strip()
        grade = payload.get("grade", _grade_from_levels(item.get("educationLevel")))
        text = "" if payload.get("text_empty") else item["fullStatement"].strip()
        row = {
            "standard_id": sid[identifier],
            "framework": framework,
            "framework_title": framework_title,
            "code": payload.get("code", code),
            "display_code": code,
            "subject": payload.get("subject", doc_subject),
            "sector": payload.get("sector", ""),
            "pathway": payload.get("pathway", ""),
            "grade": grade,
            "grade_band": payload.get("grade_band", grade_band(grade)),
            "domain": payload.get("domain", ""),
            "cluster": payload.get("cluster", ""),
            "parent_id": sid[parent] if parent else "",
            "depth": 0,
            "kind": kind,
            "is_leaf": True,
            "title": str(item.get("abbreviatedStatement") or "").strip(),
            "text": text,
            "match_text": "",
            "completeness": payload.get("completeness", "unknown"),
            "completeness_note": payload.get("completeness_note", ""),
            "source_file": payload.get("source_file", "" if name == _PACKAGE else name),
            "source_row": payload.get("source_row", by_identifier[identifier] + 1) if payload
            else by_identifier[identifier] + 1,
            "edition": payload.get("edition", doc_payload.get("edition", "")),
            "edition_status": payload.get("edition_status", ""),
            "focus_area": payload.get("focus_area", ""),
        }
        rows.append(row)
    table = add_hierarchy_columns(pd.DataFrame(rows, columns=TIDY_COLUMNS))
    return coerce_tidy(table)
