"""Shared fixtures: the real bundled standards and catalog, and one fitted Aligner.

Every test reads ``standards_data/`` (vendored) or data it makes; none needs ``../shared``
except the import script's and the benchmark modules' tests, which skip without it.

The Aligner is fitted once per test session; its standards' vectors are cached on
disk (``.cache/``), so only the first run on a machine pays for encoding them.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pytest

# Tests never read (or write) the user's standards library: every run starts with an
# empty one (the settings read it when first loaded; Voila servers inherit it).
os.environ["PATHWAY_ALIGN_STANDARDS_LIBRARY"] = tempfile.mkdtemp(prefix="pathway-align-test-library-")


@pytest.fixture
def use_settings():
    """``use_settings(max_input_bytes=100)``: the process-wide settings with these values
    for one test (``alignment.settings.set_settings``), restored afterwards."""
    from alignment.settings import get_settings, set_settings, with_changes

    before = get_settings()

    def install(**changes):
        settings = with_changes(before, **changes)
        set_settings(settings)
        return settings

    yield install
    set_settings(before)


@pytest.fixture(scope="session")
def standards():
    """The bundled standards in their adopted editions (what every command uses by default;
    the 2023 draft's rows, also in standards.csv, are tested in tests/test_editions.py)."""
    from alignment.data.editions import select_edition
    from alignment.data.standards import load_standards

    return select_edition(load_standards(), "adopted")


@pytest.fixture(scope="session")
def catalog():
    from alignment.data.catalog import default_catalog

    return default_catalog()


@pytest.fixture(scope="session")
def aligner(standards):
    from alignment.align.aligner import Aligner

    return Aligner(top_k=5).fit(standards)


@pytest.fixture(scope="session")
def catalog_suggestions(aligner, catalog):
    """Suggestions for the whole real catalog (computed once per session)."""
    return aligner.suggest(catalog)


def printed_id_file(vendored: Path, target: Path) -> Path:
    """The catalog file as the school printed it: the vendored file with ``course_id`` set
    back to ``printed_course_id`` and that column dropped. Byte for byte the raw file of
    ``../shared/catalogs`` (tests/test_import_shared.py checks it where ../shared exists), so
    tests of the printed, repeated ids need no sibling folder."""
    with vendored.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = [f for f in reader.fieldnames or [] if f != "printed_course_id"]
        rows = list(reader)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\r\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "course_id": row["printed_course_id"]})
    return target


@pytest.fixture(scope="session")
def printed_catalogs(tmp_path_factory) -> dict[str, Path]:
    """``{"courses": path, "pathways": path}``: Westview's files with the printed course ids
    (000150 four times), rebuilt from ``standards_data/catalogs`` by :func:`printed_id_file`."""
    from alignment.settings import get_settings

    vendored = get_settings().standards_data_dir / "catalogs"
    folder = tmp_path_factory.mktemp("printed")
    return {kind: printed_id_file(vendored / f"westview_2025_26_{kind}.csv", folder / f"westview_2025_26_{kind}.csv")
            for kind in ("courses", "pathways")}
