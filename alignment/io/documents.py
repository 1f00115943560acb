"""Standards documents as lines of text: PDF (text layer), DOCX, plain text; format detection.

The CDE publishes each sector's Model Curriculum Standards as PDF and Word files;
specialists also paste the text of the CDE web pages. This module turns any of them
into :class:`Line` objects (page number, line number on the page, text), so the
parser in :mod:`alignment.data.cde_text` sees one shape and can name the page and
line of a problem. No standard text is changed here except whitespace at the ends of
lines.

- PDF: the text layer of each page, read by ``pypdf``. A PDF without one (a scan)
  is refused with a clear message: the text is not in the file, only its picture.
- DOCX: the paragraphs of the body, then the cells of its tables, in document order
  (``python-docx``); page numbers are not known in a Word file (``page`` is None).
- Plain text: UTF-8 (a byte order mark is dropped); invalid UTF-8 is refused.

:func:`detect_format` says what a file is from its first bytes, never from its name.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from alignment.io.errors import InputError

#: Formats :func:`detect_format` recognises.
FORMATS = ("pdf", "docx", "xlsx", "case", "csv", "text", "html")


@dataclass(frozen=True)
class Line:
    """One line of a document: its page (1-based, None for DOCX/text), its line (1-based, in the
    page for PDF, in the file otherwise) and its text without trailing whitespace."""

    page: int | None
    number: int
    text: str

    def where(self) -> str:
        return f"page {self.page} line {self.number}" if self.page is not None else f"line {self.number}"


def detect_format(data: bytes) -> str:
    """``pdf``, ``docx``, ``xlsx``, ``case`` (JSON), ``html``, ``csv`` or ``text`` from the content."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "text"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if head.startswith((b"{", b"[")):
        return "case"
    lowered = head[:512].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip().lower()
    cells = [c.strip().strip('"') for c in first.split(",")]
    if "code" in cells and "text" in cells or "standard_id" in cells:
        return "csv"
    return "text"


def text_lines(data: bytes, source: str) -> list[Line]:
    """Lines of a UTF-8 text file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(source, f"{source} line {line}: not valid UTF-8 (byte 0x{data[err.start]:02x}); "
                                 "save the text as UTF-8") from None
    return [Line(None, n, raw.rstrip()) for n, raw in enumerate(text.splitlines(), start=1)]


def pdf_lines(data: bytes, source: str) -> list[Line]:
    """Lines of the text layer of every page; refuses a PDF without one (scanned)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InputError(source, f"{source}: not a readable PDF ({exc})") from None
    if not pages:
        raise InputError(source, f"{source}: the PDF has no pages")
    if not any(p.strip() for p in pages):
        raise InputError(source, f"{source}: the PDF has no text layer on any of its {len(pages)} page(s) "
                                 "(a scanned document?); use the CDE's original PDF or Word file, or paste "
                                 "the text of the CDE standards page")
    lines = []
    for page_no, text in enumerate(pages, start=1):
        for n, raw in enumerate(text.splitlines(), start=1):
            lines.append(Line(page_no, n, raw.rstrip()))
    return lines


def docx_lines(data: bytes, source: str) -> list[Line]:
    """Paragraphs of a Word document (body paragraphs and table cells, in order)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise InputError(source, f"{source}: not a readable Word (.docx) file ({type(exc).__name__})") from None
    texts: list[str] = []

    def walk(container) -> None:
        for block in container.iter_inner_content():
            if isinstance(block, Paragraph):
                texts.extend(block.text.split("\n"))
            elif isinstance(block, Table):
                for row in block.rows:
                    for cell in dict.fromkeys(row.cells):  # merged cells repeat
                        walk(cell)

    walk(document)
    return [Line(None, n, t.rstrip()) for n, t in enumerate(texts, start=1)]


def document_lines(data: bytes, source: str, fmt: str) -> list[Line]:
    """Lines of a ``pdf``, ``docx`` or ``text`` document."""
    readers = {"pdf": pdf_lines, "docx": docx_lines, "text": text_lines}
    if fmt not in readers:
        raise ValueError(f"no line reader for format {fmt!r}")
    return readers[fmt](data, source)
