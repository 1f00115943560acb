"""What the suggestions and decisions mean for a pathway: coverage, the gap report,
fixes from the catalog, pathway comparison."""
