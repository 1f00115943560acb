"""Pathway Align: suggest, explain and review course-to-standard alignments.

Data flows one way (see README): ``standards`` and ``catalog`` load and validate
tables; ``text`` turns text into spaCy ``Doc`` objects with sentence vectors;
``aligner`` ranks standards for courses with evidence; presenters (``cli``,
notebooks, apps) sit on top.
"""

__version__ = "0.1.0"
