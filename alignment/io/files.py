"""Reading user files at the boundary: existence, size limit, bytes, text encoding.

Every loader (catalogs, standards CSV/CASE, pathway files, decisions) reads its file
through :func:`read_input_file`, so "not found", "not a file" and "too big" are
checked the same way, with the same messages, before anything is parsed. Text loaders
then pass the bytes through :func:`as_utf8`: UTF-16 and UTF-32 files (Excel's
"Unicode Text", Notepad's "UTF-16") are read as what they are instead of being
reported as broken UTF-8.
"""

from __future__ import annotations

import codecs
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


#: Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)


def unicode_encoding(data: bytes) -> tuple[str, str, int] | None:
    """``(codec, name, bom length)`` of UTF-16/UTF-32 text, or None (UTF-8, ASCII, an 8-bit code page).

    A byte-order mark decides. Without one, text is taken as UTF-16 when NUL bytes
    fill one of the two byte positions: ASCII characters in UTF-16 LE are ``x 00``,
    in UTF-16 BE ``00 x``; UTF-8 and 8-bit text have no NULs. The first 4,096 bytes
    are looked at; at least half the pairs must have their NUL on the same side and
    none on the other.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name, len(bom)
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0 : pairs * 2 : 2], sample[1 : pairs * 2 : 2]
    nul_even, nul_odd = even.count(0), odd.count(0)
    if nul_odd * 2 >= pairs and nul_even == 0:
        return "utf-16-le", "UTF-16 LE (no byte-order mark)", 0
    if nul_even * 2 >= pairs and nul_odd == 0:
        return "utf-16-be", "UTF-16 BE (no byte-order mark)", 0
    return None


def as_utf8(data: bytes, source: str) -> bytes:
    """The bytes of a text file as UTF-8: UTF-16/UTF-32 (see :func:`unicode_encoding`) are
    decoded and re-encoded, anything else is returned unchanged (the caller checks it is
    UTF-8 and reports the row of a bad byte). Line and row numbers are unchanged.

    Raises :class:`InputError` naming the encoding when UTF-16/32 text is broken (an
    odd number of bytes, an unpaired surrogate).
    """
    found = unicode_encoding(data)
    if found is None:
        return data
    codec, name, bom = found
    try:
        text = data[bom:].decode(codec)
    except UnicodeDecodeError as err:
        offset = bom + err.start
        raise InputError(
            source,
            row_problem(
                source,
                None,
                f"the file is {name} text, but bytes at offset {offset:,} are not valid {name.split(' (')[0]} "
                f"({err.reason}); the file may be cut short or damaged: save it again as UTF-8 "
                '(in Excel: "CSV UTF-8 (Comma delimited)")',
            ),
        ) from None
    return text.encode("utf-8")
