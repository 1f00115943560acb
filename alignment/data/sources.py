"""Where a standards table comes from: the bundled frameworks, a plain CSV, a CASE JSON file, a folder.

This is the one reading of a ``--standards`` argument (CLI) and of the apps' standards
setting. It sits above :mod:`alignment.data.standards`, :mod:`alignment.data.case` and
:mod:`alignment.data.library`, which build the tidy table, so none of them imports
another's reader.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from alignment.data.case import read_case
from alignment.data.editions import select_edition
from alignment.data.library import load_library_standards
from alignment.data.standards import load_standards, standards_from_csv
from alignment.io.errors import InputError
from alignment.settings import get_settings


def load_standards_from(value: str | Path | None, edition: str | None = "") -> pd.DataFrame:
    """The bundled frameworks merged with the standards library (``value`` empty; see
    :mod:`alignment.data.library`), or a plain CSV / CASE JSON file, or a folder of them
    (a one-off run): what ``--standards`` and the apps' standards setting accept.

    edition: the edition to use (:func:`alignment.data.editions.select_edition`):
    ``""`` (default) the ``edition`` setting (``adopted`` unless set), ``None`` every
    edition loaded side by side. An edition that is not loaded raises InputError."""
    edition = get_settings().edition if edition == "" else edition
    table = _load(value)
    try:
        return select_edition(table, edition)
    except ValueError as exc:
        raise InputError("edition", f"edition: {exc}") from None


def _load(value: str | Path | None) -> pd.DataFrame:
    if not value:
        return load_library_standards(edition=None)
    path = Path(value)
    value = str(value)
    if not path.exists():
        raise InputError(value, f"{value}: no such file or folder")
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in {".csv", ".json"}) if path.is_dir() else [path]
    if not files:
        raise InputError(value, f"{value}: no .csv or .json standards files in this folder")
    tables = []
    for file in files:
        if file.suffix.lower() == ".json":
            tables.append(read_case(file))
        elif file.name == "standards.csv" and "standard_id" in pd.read_csv(file, nrows=0).columns:
            tables.append(load_standards(file))
        else:
            tables.append(standards_from_csv(file))
    table = pd.concat(tables, ignore_index=True)
    dupes = table["standard_id"][table["standard_id"].duplicated()].unique()
    if len(dupes):
        raise InputError(value, f"{value}: the same standard_id comes from several files: {', '.join(map(str, dupes[:5]))}")
    table.attrs["notes"] = [note for t in tables for note in t.attrs.get("notes", [])]
    return table
