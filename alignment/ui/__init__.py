"""Widgets and HTML for the Voila apps in ``apps/`` (the notebooks only import and display).

``coverage_app()``  the teacher coverage app (``apps/course_coverage.ipynb``)
``review_app()``    the specialist review app (``apps/review.ipynb``)

``html``      escaping, evidence highlighting, cards, in-page downloads (pure)
``session``   settings from the environment, models loaded once per kernel, identity
``coverage``  the teacher app: grouping and rendering (pure) and its widgets
``review_session``  the review app's state and actions, no widgets (catalogs, position,
              decisions via ``alignment.review.store.ReviewStore``, search, exports)
``review``    the review app's widgets over a ``ReviewSession``
"""

from __future__ import annotations


def coverage_app(**kwargs):
    """The teacher coverage app's top widget."""
    from alignment.ui.coverage import coverage_app as build

    return build(**kwargs)


def review_app(**kwargs):
    """The specialist review app's top widget."""
    from alignment.ui.review import review_app as build

    return build(**kwargs)
