"""Reading user files at the boundary: existence, size limit, bytes.

Every loader (catalogs, standards CSV/CASE, pathway files, decisions) reads its file
through :func:`read_input_file`, so "not found", "not a file" and "too big" are
checked the same way, with the same messages, before anything is parsed.
"""

from __future__ import annotations

from pathlib import Path

from alignment.settings import get_settings
from alignment.io.errors import InputError, row_problem


def human_size(size: int) -> str:
    """``1.5 MB`` / ``0.2 KB``: sizes as people read them."""
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(source: str, size: int, limit: int | None = None, advice: str = "split the file") -> None:
    """Raise InputError when ``size`` bytes exceed ``limit`` (default: the ``max_input_bytes`` setting)."""
    limit = get_settings().max_input_bytes if limit is None else limit
    if size > limit:
        raise InputError(
            source,
            row_problem(
                source,
                None,
                f"file is {human_size(size)} ({size:,} bytes), larger than the {human_size(limit)} "
                f"({limit:,} bytes) limit; {advice} or raise PATHWAY_ALIGN_MAX_INPUT_BYTES",
            ),
        )


def read_input_file(path: str | Path, *, advice: str = "split the file", not_found_hint: str = "",
                    limit: int | None = None) -> tuple[bytes, str]:
    """The bytes of a user file and its name for messages.

    Refuses a missing path, a folder, and a file over ``limit`` bytes (default: the
    ``max_input_bytes`` setting) before reading it; reads at most limit + 1 bytes, so a
    file that grows meanwhile is refused too.
    """
    path = Path(path)
    source = path.name or str(path)
    if not path.exists():
        raise InputError(source, row_problem(source, None, f"file not found: {path}{not_found_hint}"))
    if not path.is_file():
        raise InputError(source, row_problem(source, None, f"not a file: {path}"))
    limit = get_settings().max_input_bytes if limit is None else limit
    check_size(source, path.stat().st_size, limit, advice)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    check_size(source, len(data), limit, advice)
    return data, source
