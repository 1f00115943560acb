"""Shared fixtures: the real bundled standards and catalog, and one fitted Aligner.

The Aligner is fitted once per test session; its standards' vectors are cached on
disk (``.cache/``), so only the first run on a machine pays for encoding them.
"""

from __future__ import annotations

import os
import tempfile

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
    from alignment.data.standards import load_standards

    return load_standards()


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
