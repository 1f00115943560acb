"""The tables the product works on: standards (schema, hierarchy, CASE), course catalogs,
pathway sequences and review decisions; loaded and validated at the boundary."""
