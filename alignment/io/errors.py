"""Errors raised at the boundary when input is bad.

Every message names the file, the row (1-based data row as a spreadsheet user
sees it: header is row 1, first data row is row 2) and the problem, so a user can
fix their file without reading a traceback.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: a file, a row, and what is wrong with it.

    ``problems`` holds every problem found (validation does not stop at the first
    one), each already formatted as ``"<file> row <n>: <problem>"``.
    """

    def __init__(self, source: str, problems: list[str] | str):
        if isinstance(problems, str):
            problems = [problems]
        self.source = str(source)
        self.problems = list(problems)
        shown = self.problems[:20]
        more = len(self.problems) - len(shown)
        text = "\n".join(shown) + (f"\n... and {more} more problems" if more > 0 else "")
        super().__init__(text)


def row_problem(source: str, row: int | None, problem: str) -> str:
    """Format one problem: ``catalog.csv row 17: description is empty``."""
    where = f"{source} row {row}" if row is not None else str(source)
    return f"{where}: {problem}"
