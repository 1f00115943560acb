"""Standards documents in the CDE sector layout, written from bundled rows (for tests).

PDF (fpdf2) with a running header and a "<sector> | Page N" footer on every page, and
Word (python-docx) with a page header: the importer must drop those and give back the
rows the documents were written from. No standard text is typed here: every code,
title and statement comes from the rows passed in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PAGE_HEADER = "California Career Technical Education Model Curriculum Standards"


def cde_blocks(rows: pd.DataFrame, sector: str) -> list[str]:
    """The sector's rows as the CDE prints them: anchors (code + title, statement,
    indicators), then one heading per pathway and its standards and indicators."""
    lines = [sector, "Knowledge and Performance Anchor Standards"]
    anchors = rows[rows["framework"] == "cte_anchor"]
    for r in anchors.to_dict("records"):
        if r["code"].endswith(".0"):
            lines.append(f"{r['code']} {r['title']}")
            if r["text"]:
                lines.append(r["text"])
        else:
            lines.append(f"{r['code']} {r['text']}")
    lines.append("Pathway Standards")
    pathways = rows[rows["framework"] == "cte_pathway"]
    for letter, (pathway, group) in zip("ABCD", pathways.groupby("pathway", sort=False)):
        lines.append(f"{letter}. {pathway} Pathway")
        lines.append("(The pathway's description is left out of this test document.)")
        for r in group.to_dict("records"):
            lines.append(f"{r['code']} {r['text']}")
    return lines


def write_pdf(blocks: list[str], path: Path, sector_footer: str) -> Path:
    from fpdf import FPDF

    class Document(FPDF):
        def header(self):
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, PAGE_HEADER, new_x="LMARGIN", new_y="NEXT")

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, f"{sector_footer} | Page {self.page_no()}")

    pdf = Document(format="letter")
    pdf.core_fonts_encoding = "windows-1252"  # the en dash of "sender–receiver"
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    for block in blocks:
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, block, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write_docx(blocks: list[str], path: Path) -> Path:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = PAGE_HEADER  # headers are not body text
    for block in blocks:
        document.add_paragraph(block)
    document.save(str(path))
    return path
