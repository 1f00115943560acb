"""Report outputs: charts, the Excel workbook (opened with openpyxl), the HTML page, the CLI.

All but the last test use hand-written suggestions (no language model is loaded).
"""

from __future__ import annotations

import base64
import io
import re

import openpyxl
import pandas as pd
import pytest

from alignment.present import reports
from alignment.analysis.comparison import compare_pathways
from alignment.analysis.gaps import GapReport, gap_report
from alignment.data.pathways import make_pathway

SSD = "CA-CTE.PATHWAY.ICT.SSD."
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def real_standards():
    from alignment.data.standards import load_standards

    return load_standards()


@pytest.fixture(scope="module")
def report(real_standards) -> GapReport:
    catalog = pd.DataFrame({
        "course_id": ["A1", "B2", "C3"],
        "title": [f"Coding {HOSTILE}", "=HYPERLINK(\"http://evil\")", "Capstone & <b>Studio</b>"],
        "description": [f"Learn to code. {HOSTILE}", "Web apps.\x07 Bell", "Build & ship <img src=x onerror=alert(1)>."],
        "grades": ["9", "10", "11"],
    })
    pathway = make_pathway(f"Software {HOSTILE}", "Information and Communication Technologies", [
        {"course_id": "A1", "level": "introductory"},
        {"course_id": "B2", "level": "concentrator"},
        {"course_id": "C3", "level": "capstone"},
    ], cte_pathway="Software and Systems Development", catalog=catalog, standards=real_standards)
    suggestions = pd.DataFrame([
        ("A1", SSD + "C4.1", "strong", 0.6), ("B2", SSD + "C4.6", "possible", 0.45),
        ("B2", SSD + "C8.5", "strong", 0.6), ("C3", SSD + "C5.4", "strong", 0.6),
        ("C3", SSD + "C7.0", "strong", 0.7), ("C3", "CA-CTE.CRP.CRP1", "weak", 0.3),
        ("A1", "CA-CTE.ANCHOR.ICT.2.1", "possible", 0.42),
    ], columns=["course_id", "standard_id", "band", "score"])
    decisions = pd.DataFrame([
        {"course_id": "C3", "standard_id": SSD + "C7.0", "decision": "rejected"},
        {"course_id": "C3", "standard_id": SSD + "C9.3", "decision": "accepted"},
    ])
    return gap_report(pathway, real_standards, suggestions, decisions)


# --------------------------------------------------------------------------- charts


def test_heatmap_has_every_status_in_its_legend(report):
    fig = reports.plot_coverage_heatmap(report)
    legend = fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == [reports.STATUS_LABELS[s] for s in reports.STATUS_COLORS]
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text().split("\n")[-1] for t in ax.get_xticklabels()] == ["(introductory)", "(concentrator)",
                                                                            "(capstone)"]
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    assert ylabels[0].startswith("ICT C1.0") and any(y.startswith("CRP1") for y in ylabels)
    assert min(t.get_fontsize() for t in ax.get_yticklabels()) >= 12  # readable when projected
    png = reports.figure_png(fig)
    assert png.startswith(b"\x89PNG")


def test_family_chart(report):
    fig = reports.plot_family_coverage(report)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "CTE pathway standards & indicators" in labels and "Career Ready Practices" in labels
    assert any(lb.startswith("ICT C4.0") for lb in labels)
    assert "% of items covered" in fig.axes[0].get_xlabel()
    reports.figure_png(fig)


def test_family_chart_says_not_loaded(real_standards):
    catalog = pd.DataFrame({"course_id": ["E1", "E2"], "title": ["IED", "POE"], "description": ["x", "y"]})
    p = make_pathway("EA", "Engineering and Architecture", [{"course_id": "E1", "level": "concentrator"},
                                                            {"course_id": "E2", "level": "capstone"}],
                     catalog=catalog, standards=real_standards)
    r = gap_report(p, real_standards, pd.DataFrame(columns=["course_id", "standard_id", "band", "score"]))
    fig = reports.plot_family_coverage(r)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("not loaded: no pathway standards loaded for this sector") for t in texts)
    reports.figure_png(fig)
    reports.figure_png(reports.plot_coverage_heatmap(r))


# --------------------------------------------------------------------------- Excel


def test_excel_workbook(report, tmp_path):
    path = reports.write_report(report, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    expected = ["Summary", "Courses", "(a) Pathway gaps", "(b) Anchor & CRP gaps", "(c) Suggested only",
                "(d) Reinforcement", "(e) Sequencing", "(f) Common Core", "(f) Common Core domains", "(g) Suggested fixes",
                "Coverage by family",
                "Coverage by level", "Coverage by course", "Pathway fit", "All standards", "Coverage matrix", "Charts"]
    assert book.sheetnames == expected
    for ws in book.worksheets:
        assert ws.freeze_panes == ("E2" if ws.title == "Coverage matrix" else "A2"), ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws["A1"].font.bold, ws.title
    gaps = book["(a) Pathway gaps"]
    header = [c.value for c in gaps[1]]
    assert header[:4] == ["pathway", "standard_id", "display_code", "kind"]
    assert gaps.auto_filter.ref == f"A1:{gaps.cell(row=gaps.max_row, column=len(header)).coordinate}"
    text_col = gaps.cell(row=1, column=header.index("text") + 1).column_letter
    assert gaps.column_dimensions[text_col].width >= 40
    assert gaps.column_dimensions["D"].width < 20
    matrix = book["Coverage matrix"]
    mh = [c.value for c in matrix[1]]
    assert mh == ["standard_id", "display_code", "framework", "text", "A1", "B2", "C3"]
    cells = {row[0].value: row for row in matrix.iter_rows(min_row=2)}
    rejected = cells[SSD + "C7.0"][6]
    assert rejected.value == "rejected" and rejected.fill.fgColor.rgb.endswith("E6550D")
    assert cells[SSD + "C9.3"][6].value == "accepted"
    assert len(book["Charts"]._images) == 2


def test_excel_never_writes_formulas_or_control_characters(report, tmp_path):
    path = reports.write_excel(report, tmp_path / "r.xlsx", charts=False)
    book = openpyxl.load_workbook(path)
    courses = book["Courses"]
    values = {c.value: c for row in courses.iter_rows(min_row=2) for c in row}
    cell = values['\'=HYPERLINK("http://evil")']  # the writer's leading apostrophe: text, never a formula
    assert cell.data_type == "s"
    assert any(isinstance(v, str) and v.startswith("Web apps. Bell") for v in values)  # \x07 removed
    assert "Charts" not in book.sheetnames


# --------------------------------------------------------------------------- HTML


def test_html_is_self_contained_and_escapes_everything(report, tmp_path):
    path = reports.write_report(report, tmp_path / "report.html")
    page = path.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "<img src=x" not in page and "<b>Studio</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Build &amp; ship &lt;img src=x onerror=alert(1)&gt;." in page
    assert "<title>Pathway gap report: Software &lt;script&gt;" in page
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2 and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert "http://" not in page.replace("http://evil", "")  # no external resources
    for title in ("(a) Pathway gaps", "(e) Sequencing", "(g) Suggested fixes", "Coverage matrix"):
        assert f"<h2>{title.replace('&', '&amp;')} <small>" in page


def test_unknown_extension(report, tmp_path):
    with pytest.raises(ValueError, match="use .xlsx or .html"):
        reports.write_report(report, tmp_path / "r.pdf")


def test_comparison_outputs(report, tmp_path):
    table = compare_pathways([report, report], labels=["School A", "School B"])
    book = openpyxl.load_workbook(reports.write_comparison(table, tmp_path / "c.xlsx", [report, report]))
    assert book.sheetnames == ["Comparison", "Summary 1", "Summary 2"]
    assert book["Comparison"].freeze_panes == "A2"
    page = reports.write_comparison(table, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()


# --------------------------------------------------------------------------- CLI


def test_cli_gaps_with_precomputed_suggestions(tmp_path, capsys):
    from alignment.present.cli import main

    suggestions = pd.DataFrame([
        ("000345-000346", "CA-CTE.PATHWAY.AME.PA.B1.0", "performing arts", "B1.0", 0.6, 1, "strong", ""),
        ("000347-000348", "CA-CTE.CRP.CRP9", "cte_crp", "CRP9", 0.5, 1, "possible", ""),
    ], columns=["course_id", "standard_id", "framework", "code", "score", "rank", "band", "evidence"])
    sugg_path = tmp_path / "s.csv"
    suggestions.to_csv(sugg_path, index=False)
    decisions = tmp_path / "d.csv"
    decisions.write_text("course_id,standard_id,decision\n000349-000350,CA-CTE.CRP.CRP9,rejected\n", encoding="utf-8")
    out = tmp_path / "pa.xlsx"
    rc = main(["gaps", "standards_data/catalogs/westview_2025_26_pathways.csv", "--pathway", "Performing Arts",
               "--suggestions", str(sugg_path), "--decisions", str(decisions), "--no-charts", "-o", str(out)])
    assert rc == 0
    err = capsys.readouterr().err
    assert "pathway standards covered: 100.0%" in err and f"wrote {out}" in err
    book = openpyxl.load_workbook(out)
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["pathway"] == "Performing Arts Pathway"
    # several pathways: one file each; --compare: one comparison
    rc = main(["gaps", "standards_data/catalogs/westview_2025_26_pathways.csv", "--all", "--suggestions",
               str(sugg_path), "--no-charts", "-o", str(tmp_path / "all.html")])
    assert rc == 0 and len(list(tmp_path.glob("all-*.html"))) == 7
    rc = main(["gaps", "standards_data/catalogs/westview_2025_26_pathways.csv", "--pathway", "Performing Arts",
               "--pathway", "Production", "--compare", "--suggestions", str(sugg_path), "-o", str(tmp_path / "c.xlsx")])
    assert rc == 0 and openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames[0] == "Comparison"


def test_cli_gaps_errors_are_messages(tmp_path, capsys):
    from alignment.present.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("pathway_name,sector,course_id,level\nP,Nowhere,001650,capstone\n", encoding="utf-8")
    assert main(["gaps", str(bad), "-o", str(tmp_path / "r.xlsx"), "--suggestions", str(bad)]) == 2
    assert "bad.csv row 2: unknown sector 'Nowhere'" in capsys.readouterr().err
    assert main(["gaps", "standards_data/catalogs/westview_2025_26_pathways.csv", "-o", str(tmp_path / "r.xlsx"),
                 "--suggestions", str(bad)]) == 2
    assert "holds 7 pathways; choose one" in capsys.readouterr().err
    assert main(["gaps", str(bad), "-o", str(tmp_path / "r.pdf")]) == 2


@pytest.mark.slow
def test_cli_gaps_end_to_end_with_the_real_aligner(tmp_path):
    """The real Aligner (models, cached standards' vectors) on a real Westview pathway, via the CLI."""
    from alignment.present.cli import main

    out = tmp_path / "performing_arts.html"
    rc = main(["gaps", "standards_data/catalogs/westview_2025_26_pathways.csv", "--pathway", "Performing Arts",
               "--no-fixes", "-q", "-o", str(out)])
    assert rc == 0
    page = out.read_text(encoding="utf-8")
    assert "Pathway gap report: Performing Arts Pathway" in page
    assert "DRAMA" in page.upper() and "<script" not in page.lower()


def test_workbook_in_memory_is_the_written_one(report, tmp_path):
    tables = report.tables()
    data = reports.tables_excel_bytes(tables)
    assert data[:2] == b"PK"  # an .xlsx is a zip
    in_memory = openpyxl.load_workbook(io.BytesIO(data))
    on_disk = openpyxl.load_workbook(reports.write_tables_excel(tables, tmp_path / "deep" / "r.xlsx"))
    assert in_memory.sheetnames == on_disk.sheetnames and len(on_disk.sheetnames) == len(tables)
    for a, b in zip(in_memory.worksheets, on_disk.worksheets):
        assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()]
