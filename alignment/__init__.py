"""Pathway Align: suggest, explain and review course-to-standard alignments.

Subpackages, in the one direction imports run (a module imports only from its own
layer or the layers before it; ``tests/test_layout.py`` checks this):

``settings`` -> ``io`` -> ``data`` -> ``nlp`` -> ``align`` -> ``analysis``, ``review``
-> ``present`` -> ``ui``. docs/architecture.md describes each one.
"""

__version__ = "0.1.0"
