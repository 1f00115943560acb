"""The bundled frameworks, declared once: their keys, titles and the two orders they are shown in.

Every module that lists the frameworks imports them from here (issue 12: the list
was declared in four places and had drifted into two orders).
"""

from __future__ import annotations

#: Bundled frameworks and their titles, in the order of the standards table's rows
#: (``standards_data/standards.csv`` and its import script).
FRAMEWORKS: dict[str, str] = {
    "ccss_math": "CCSS Mathematics",
    "ccss_ela": "CCSS ELA/Literacy",
    "cte_anchor": "CA CTE Anchor Standards",
    "cte_crp": "CA CTE Standards for Career Ready Practice",
    "cte_pathway": "CA CTE Pathway Standards",
}

#: The order suggestions are listed in for a course (and apps and charts group them):
#: the course's own pathway first, Common Core last.
FRAMEWORK_ORDER: list[str] = ["cte_pathway", "cte_anchor", "cte_crp", "ccss_ela", "ccss_math"]

#: Frameworks whose standards belong to a CTE sector (suggested within the course's sector).
SECTOR_FRAMEWORKS: frozenset[str] = frozenset({"cte_pathway", "cte_anchor"})

#: The California CTE frameworks (a pathway's gap report is about these).
CTE_FRAMEWORKS: tuple[str, ...] = ("cte_pathway", "cte_anchor", "cte_crp")

#: The Common Core frameworks (suggested within the course's grade band).
CCSS_FRAMEWORKS: frozenset[str] = frozenset({"ccss_ela", "ccss_math"})


#: The 15 California CTE industry sectors (CDE, 2013 Model Curriculum Standards),
#: official spelling, with the abbreviation used in standard ids and gap messages.
#: Each abbreviation follows :func:`abbreviate`.
SECTORS = {
    "Agriculture and Natural Resources": "ANR",
    "Arts, Media, and Entertainment": "AME",
    "Building and Construction Trades": "BCT",
    "Business and Finance": "BF",
    "Education, Child Development, and Family Services": "ECDFS",
    "Energy, Environment, and Utilities": "EEU",
    "Engineering and Architecture": "EA",
    "Fashion and Interior Design": "FID",
    "Health Science and Medical Technology": "HSMT",
    "Hospitality, Tourism, and Recreation": "HTR",
    "Information and Communication Technologies": "ICT",
    "Manufacturing and Product Development": "MPD",
    "Marketing, Sales, and Service": "MSS",
    "Public Services": "PS",
    "Transportation": "TRA",
}
