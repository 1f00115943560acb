"""Shared fixtures: the real bundled standards and catalog, and one fitted Aligner.

The Aligner is fitted once per test session; its standards' vectors are cached on
disk (``.cache/``), so only the first run on a machine pays for encoding them.
"""

from __future__ import annotations

import pytest


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
