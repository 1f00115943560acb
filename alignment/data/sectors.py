"""The official CA CTE sectors and the pathways the package can name, with their sources.

A fact table, not data to align against: :mod:`alignment.data.library` checks what is
loaded against it to say, per sector and pathway, what is complete, partial or
missing, and which import would fix it.

Sources (see ``standards_data/SOURCES_standards.md``, a verbatim copy of
``shared/standards/SOURCES.md``):

- the 15 sectors: California Department of Education, *California Career Technical
  Education Model Curriculum Standards* (adopted January 2013); the names as
  SOURCES.md spells them (4 loaded sectors + the 11 it lists as not found);
- pathways of Business and Finance and of Information and Communication
  Technologies: the Common Standards Project export in learningequality/
  alignment-prototype, which holds the whole of both sectors (so these lists are
  complete);
- Health Science and Medical Technology: only "Patient Care" (chatsworthhs.org
  excerpt); Arts, Media, and Entertainment: the three pathways polyhighmusictech.org
  names. For these two the sources do not show the whole list, and for the other 11
  sectors no source of the package names their pathways. Nothing here is filled in
  from memory: an unknown list is marked unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from alignment.data.frameworks import SECTORS

SOURCE_2013 = ("California Department of Education, California Career Technical Education Model Curriculum "
               "Standards (adopted by the State Board of Education, January 2013)")
_CSP = "Common Standards Project export (learningequality/alignment-prototype, CA-CTE.json): the whole sector"


@dataclass(frozen=True)
class SectorFacts:
    """One CA CTE sector: its name, abbreviation, the pathways the package's sources name,
    whether that list is the sector's whole list, and where the list comes from."""

    name: str
    abbreviation: str
    pathways: tuple[str, ...]
    pathways_complete: bool
    pathways_source: str


_PATHWAYS = {
    "Business and Finance": (("Business Management", "Financial Services", "International Business"), True, _CSP),
    "Information and Communication Technologies": (
        ("Information Support and Services", "Networking", "Software and Systems Development",
         "Games and Simulation"), True, _CSP),
    "Health Science and Medical Technology": (
        ("Patient Care",), False, "chatsworthhs.org excerpt (one pathway of the sector; the others are not named "
                                  "in the package's sources)"),
    "Arts, Media, and Entertainment": (
        ("Design, Visual, and Media Arts", "Performing Arts", "Production and Managerial Arts"), False,
        "polyhighmusictech.org excerpt (the pathways it names; not confirmed to be the whole list)"),
}

#: The 15 sectors, in SECTORS order.
CTE_SECTORS: dict[str, SectorFacts] = {
    name: SectorFacts(name, abbr, *_PATHWAYS.get(name, ((), False, "no source of the package names this sector's "
                                                                   "pathways")))
    for name, abbr in SECTORS.items()
}


def import_hint(sector: str, framework: str = "cte_pathway") -> str:
    """What a specialist runs to load a sector: the sentence the apps and reports show."""
    what = "anchor" if framework == "cte_anchor" else "pathway"
    return (f"import the CDE's {sector} {what} standards (PDF, Word, pasted text or a CASE package): "
            f"pathway-align standards import FILE --sector \"{sector}\"")
