"""Durable review decisions: the SQLite store (one transaction per decision, audit log,
migrations)."""
