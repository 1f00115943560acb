"""The standards library: imports from CDE documents (PDF, DOCX, pasted text), CASE files
and URLs, CSV; merging with the bundle; completeness; bad sources refused whole.

The PDF and Word documents are written here, in the CDE sector layout, from the bundled
rows of Information and Communication Technologies (complete for anchors and pathways);
they must come back as exactly those rows. The CASE server is a real HTTP server on
127.0.0.1 that this module starts.
"""

from __future__ import annotations

import http.server
import io
import json
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from alignment.data.case import to_case
from alignment.data.library import (
    import_standards, library_coverage, list_imports, load_merged, mark_unloaded_standards, remove_import,
)
from alignment.data.sources import load_standards_from
from alignment.data.standards import load_standards
from alignment.io.errors import InputError
from alignment.present.cli import main
from cde_documents import cde_blocks as _cde_blocks, write_docx, write_pdf as _write_pdf

ICT = "Information and Communication Technologies"
VENDORED_EXCERPTS = Path(__file__).resolve().parent.parent / "standards_data" / "excerpts"


@pytest.fixture(scope="module")
def bundle():
    return load_standards()


@pytest.fixture(scope="module")
def ict_rows(bundle):
    rows = bundle[(bundle["sector"] == ICT) & bundle["framework"].isin(["cte_anchor", "cte_pathway"])]
    assert len(rows) > 300  # anchors 1.0-11.0 with indicators, four pathways
    return rows


@pytest.fixture(scope="module")
def bundle_without_ict(bundle):
    return bundle[bundle["sector"] != ICT].reset_index(drop=True)


@pytest.fixture
def library(tmp_path, monkeypatch, use_settings):
    """An empty library for the test: in the settings, and in the environment for the
    command line (which loads its settings from there)."""
    folder = tmp_path / "library"
    monkeypatch.setenv("PATHWAY_ALIGN_STANDARDS_LIBRARY", str(folder))
    use_settings(standards_library_dir=folder)
    return folder


def snapshot(folder: Path) -> dict:
    """Every file under the library with its bytes (to show nothing was written)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ documents in the CDE layout

def cde_blocks(rows: pd.DataFrame) -> list[str]:
    return _cde_blocks(rows, ICT)


def write_pdf(blocks: list[str], path: Path) -> Path:
    return _write_pdf(blocks, path, ICT)


def comparable(rows: pd.DataFrame) -> pd.DataFrame:
    columns = ["standard_id", "framework", "code", "sector", "pathway", "parent_id", "kind", "depth", "title", "text"]
    return rows[columns].sort_values("standard_id").reset_index(drop=True)


@pytest.mark.parametrize("writer", ["pdf", "docx"])
def test_cde_document_of_a_complete_sector_gives_back_the_bundled_rows(writer, tmp_path, ict_rows,
                                                                      bundle_without_ict):
    path = tmp_path / f"ict_standards.{writer}"
    (write_pdf if writer == "pdf" else write_docx)(cde_blocks(ict_rows), path)
    result = import_standards(path, path=tmp_path / "lib", bundle=bundle_without_ict)
    assert result.status == "imported"
    merged = load_merged(tmp_path / "lib", bundle=bundle_without_ict).table
    got = merged[merged["sector"] == ICT]
    pd.testing.assert_frame_equal(comparable(got), comparable(ict_rows))
    if writer == "pdf":
        assert any("header, footer and page-number" in n for n in result.notes)
    coverage = library_coverage(load_merged(tmp_path / "lib", bundle=bundle_without_ict))
    ict = coverage[(coverage["sector"] == ICT)]
    assert set(ict["completeness"]) == {"complete"}, ict[["pathway", "completeness_note"]]
    assert set(ict.loc[ict["framework"] == "cte_pathway", "pathway"]) == {
        "Information Support and Services", "Networking", "Software and Systems Development", "Games and Simulation"}


def test_a_sector_the_bundle_lacks_becomes_loaded_and_its_missing_line_goes(tmp_path, ict_rows, bundle_without_ict):
    before = library_coverage(load_merged(tmp_path / "lib", bundle=bundle_without_ict))
    row = before[(before["framework"] == "cte_pathway") & (before["sector"] == ICT)]
    assert row["completeness"].tolist() == ["missing"]
    assert "pathway-align standards import FILE --sector \"Information and Communication Technologies\"" in \
        row["completeness_note"].iloc[0]
    pathway_rows = ict_rows[ict_rows["framework"] == "cte_pathway"]
    blocks = [b for b in cde_blocks(pathway_rows) if b != "Knowledge and Performance Anchor Standards"]
    # one pathway left out: the sector is partial, the missing pathway is named
    blocks = blocks[:blocks.index("D. Games and Simulation Pathway")]
    write_pdf(blocks, tmp_path / "ict.pdf")
    import_standards(tmp_path / "ict.pdf", path=tmp_path / "lib", bundle=bundle_without_ict)
    after = library_coverage(load_merged(tmp_path / "lib", bundle=bundle_without_ict))
    ict = after[(after["framework"] == "cte_pathway") & (after["sector"] == ICT)]
    assert dict(zip(ict["pathway"], ict["completeness"])) == {
        "Information Support and Services": "complete", "Networking": "complete",
        "Software and Systems Development": "complete", "Games and Simulation": "missing"}


# ------------------------------------------------------------------ the real pasted excerpts

@pytest.mark.parametrize("name", sorted(p.name for p in VENDORED_EXCERPTS.glob("*.txt")))
def test_real_pasted_excerpts_import_as_the_bundled_rows(name, bundle, tmp_path):
    """The vendored copies of ../shared/standards/excerpts (import_shared.py copies them
    verbatim) import into exactly the bundled rows that were made from them."""
    result = import_standards(VENDORED_EXCERPTS / name, path=tmp_path / "lib", bundle=bundle[
        ~bundle["sector"].isin(["Health Science and Medical Technology", "Arts, Media, and Entertainment",
                                "Information and Communication Technologies"])].reset_index(drop=True))
    got = result.entry.table()
    assert len(got) > 0
    expected = bundle.set_index("standard_id").loc[got["standard_id"]].reset_index()
    columns = ["standard_id", "framework", "code", "sector", "pathway", "parent_id", "kind", "title", "text"]
    pd.testing.assert_frame_equal(got[columns], expected[columns])




def test_pasted_text_import_of_a_fragment_sector_wins_and_reports_the_difference(library, bundle):
    text = ("#SECTOR Health Science and Medical Technology\n#PATHWAY Patient Care\n"
            "B1.0 Recognize the integrated systems approach to health care delivery services: prevention, diagnosis, "
            "pathology, and treatment\nB1.1 Know relationship and use of an integrated health care delivery system.\n")
    source = library.parent / "patient_care.txt"
    source.write_text(text, encoding="utf-8")
    result = import_standards(source)
    assert result.status == "imported"
    assert len(result.differences) == 1
    assert "replaces the bundled rows (16 rows, partial) with 2 rows: 0 added, 14 no longer loaded, 0 texts differ" \
        in result.differences[0]
    merged = load_standards_from(None)
    hsmt = merged[(merged["framework"] == "cte_pathway") & (merged["sector"] == "Health Science and Medical Technology")]
    assert hsmt["standard_id"].tolist() == ["CA-CTE.PATHWAY.HSMT.PC.B1.0", "CA-CTE.PATHWAY.HSMT.PC.B1.1"]
    # decisions on the dropped standards are kept and shown as no longer loaded
    decisions = pd.DataFrame({"course_id": ["c1", "c1"], "standard_id": ["CA-CTE.PATHWAY.HSMT.PC.B1.1",
                                                                          "CA-CTE.PATHWAY.HSMT.PC.B3.2"],
                              "decision": ["accepted", "accepted"]})
    marked = mark_unloaded_standards(decisions, merged)
    assert marked["standard_status"].tolist() == ["loaded", "standard no longer loaded"]
    # the same source again changes nothing
    files = snapshot(library)
    assert import_standards(source).status == "unchanged"
    assert snapshot(library) == files


# ------------------------------------------------------------------ CLI: import, list, remove

def test_cli_import_list_remove(library, tmp_path, capsys, ict_rows):
    blocks = cde_blocks(ict_rows[ict_rows["framework"] == "cte_anchor"])
    write_docx(blocks, tmp_path / "ict_anchors.docx")
    assert main(["standards", "import", str(tmp_path / "ict_anchors.docx"), "--name", "ict-anchors"]) == 0
    out = capsys.readouterr().out
    assert "ict-anchors: imported 99 rows from ict_anchors.docx (docx)" in out
    assert "cte_anchor / Information and Communication Technologies" in out
    assert main(["standards", "list"]) == 0
    out = capsys.readouterr().out
    assert "ict-anchors: ict_anchors.docx (docx, sha256" in out
    assert "import ict-anchors: ict_anchors.docx" in out
    record = json.loads((library / "ict-anchors" / "provenance.json").read_text())
    assert record["source"] == "ict_anchors.docx" and record["rows"] == 99 and len(record["sha256"]) == 64
    assert {"imported_at", "importer", "supplies"} <= set(record)
    assert main(["standards", "remove", "ict-anchors"]) == 0
    assert list_imports() == []
    assert main(["standards", "remove", "ict-anchors"]) == 2
    assert "ict-anchors: no such import" in capsys.readouterr().err


def test_two_imports_may_not_supply_the_same_sector(library, tmp_path, capsys):
    for n in (1, 2):
        (tmp_path / f"pc{n}.txt").write_text("#SECTOR Health Science and Medical Technology\n#PATHWAY Patient Care\n"
                                             "B1.0 Recognize the integrated systems approach to health care delivery "
                                             "services: prevention, diagnosis, pathology, and treatment\n"
                                             + ("B1.1 Know relationship and use of an integrated health care delivery "
                                                "system.\n" if n == 2 else ""), encoding="utf-8")
    assert main(["standards", "import", str(tmp_path / "pc1.txt")]) == 0
    files = snapshot(library)
    assert main(["standards", "import", str(tmp_path / "pc2.txt")]) == 2
    assert "is already supplied by the import 'pc1'" in capsys.readouterr().err
    assert snapshot(library) == files


# ------------------------------------------------------------------ CASE: file and URL

class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, str, bytes, float]] = {}
    seen_auth: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.seen_auth.append(self.headers.get("Authorization", ""))
        status, ctype, body, delay = self.routes.get(self.path, (404, "text/html", b"<html>not found</html>", 0))
        if delay:
            time.sleep(delay)
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", body.decode())
            body = b""
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def case_server(bundle):
    """A CASE provider on 127.0.0.1: the project's own export of the bundled Business and
    Finance pathway standards, renamed (a district's copy, its own title and framework)."""
    rows = bundle[(bundle["framework"] == "cte_pathway") & (bundle["sector"] == "Business and Finance")]
    rows = rows.assign(framework="district_bf", framework_title="District Business Pathways",
                       standard_id="district." + rows["standard_id"], parent_id=[
                           f"district.{p}" if p else "" for p in rows["parent_id"]])
    package = json.dumps(to_case(rows, title="District Business Pathways")).encode()
    _Handler.routes = {
        "/ims/case/v1p0/CFPackages/district-bf": (200, "application/json", package, 0),
        "/ims/case/v1p0/CFPackages/moved": (302, "text/plain", b"/ims/case/v1p0/CFPackages/district-bf", 0),
        "/ims/case/v1p0/CFPackages/loop": (302, "text/plain", b"/ims/case/v1p0/CFPackages/loop", 0),
        "/ims/case/v1p0/CFPackages/signin": (200, "text/html; charset=utf-8",
                                              b"<!DOCTYPE html><html><body>Please sign in</body></html>", 0),
        "/ims/case/v1p0/CFPackages/slow": (200, "application/json", package, 3),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/ims/case/v1p0/CFPackages", package
    server.shutdown()
    server.server_close()


def test_case_url_import_then_search_finds_its_items(library, case_server, capsys, monkeypatch):
    base, package = case_server
    monkeypatch.setenv("PATHWAY_ALIGN_CASE_TOKEN", "district-token-123")
    _Handler.seen_auth.clear()
    assert main(["standards", "import", f"{base}/moved", "--name", "district-bf"]) == 0
    assert "district-bf: imported 164 rows" in capsys.readouterr().out
    assert _Handler.seen_auth == ["Bearer district-token-123"] * 2  # the redirect stays on the same host
    assert main(["standards", "--framework", "district_bf", "--search", "budget"]) == 0
    out = capsys.readouterr().out
    assert "district.CA-CTE.PATHWAY.BF" in out and "budget" in out.lower()
    record = list_imports()[0].provenance
    assert record["source"] == f"{base}/moved" and record["origin"] == "url"
    # the same package again: nothing changes
    files = snapshot(library)
    assert main(["standards", "import", f"{base}/moved", "--name", "district-bf"]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert snapshot(library) == files


@pytest.mark.slow
def test_align_suggests_the_items_of_a_case_url_import(library, case_server, tmp_path, capsys):
    base, _ = case_server
    assert main(["standards", "import", f"{base}/district-bf"]) == 0
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("course_id,title,description\nBF1,Personal Finance,\"Students learn budgeting, banking, credit "
                       "and how to plan their personal finances and savings.\"\n", encoding="utf-8")
    out = tmp_path / "s.csv"
    assert main(["align", str(catalog), "-o", str(out), "--frameworks", "district_bf", "-q"]) == 0
    suggestions = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(suggestions) == 5
    assert suggestions["standard_id"].str.startswith("district.CA-CTE.PATHWAY.BF.").all()


@pytest.mark.parametrize("path, message", [
    ("/nothing-here", "the server answered 404 Not Found; check the package id"),
    ("/signin", "the server sent an HTML page, not CASE JSON"),
    ("/loop", "more than 3 redirects"),
])
def test_bad_case_urls_are_refused_and_nothing_is_written(path, message, library, case_server, capsys):
    base, _ = case_server
    url = base + path if path != "/nothing-here" else base.rsplit("/ims", 1)[0] + path
    before = snapshot(library)
    assert main(["standards", "import", url]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {url}: {err.split(': ', 2)[2]}" and message in err and "\n" not in err
    assert snapshot(library) == before


def test_case_url_that_times_out_or_is_too_big(library, case_server, capsys, monkeypatch):
    base, package = case_server
    monkeypatch.setenv("PATHWAY_ALIGN_CASE_TIMEOUT", "1")
    assert main(["standards", "import", f"{base}/slow"]) == 2
    assert f"error: {base}/slow: no answer within 1 seconds (timed out)" in capsys.readouterr().err
    monkeypatch.setenv("PATHWAY_ALIGN_CASE_TIMEOUT", "10")
    monkeypatch.setenv("PATHWAY_ALIGN_MAX_DOWNLOAD_BYTES", "1000")
    assert main(["standards", "import", f"{base}/district-bf"]) == 2
    err = capsys.readouterr().err
    assert f"error: {base}/district-bf: the answer is" in err and "larger than the 1.0 KB limit" in err
    assert snapshot(library) == {}


def test_plain_http_to_another_machine_is_refused(library, capsys):
    assert main(["standards", "import", "http://standards.example.org/ims/case/v1p0/CFPackages/x"]) == 2
    assert "plain http is refused" in capsys.readouterr().err


def test_case_file_import(library, tmp_path, bundle, capsys):
    rows = bundle[bundle["framework"] == "cte_crp"]
    package = to_case(rows.assign(framework="district_crp", standard_id="d." + rows["standard_id"]))
    (tmp_path / "crp.json").write_text(json.dumps(package), encoding="utf-8")
    assert main(["standards", "import", str(tmp_path / "crp.json")]) == 0
    table = load_standards_from(None)
    assert (table["framework"] == "district_crp").sum() == 12


# ------------------------------------------------------------------ bad documents

def _scanned_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")  # a picture, no text layer
    pdf.output(str(path))
    return path


@pytest.mark.parametrize("case, message", [
    ("scanned", "scanned.pdf: the PDF has no text layer on any of its 1 page(s) (a scanned document?)"),
    ("no-codes", "no-codes.txt: no standards codes found"),
    ("duplicate", "duplicate.txt line 5: code A1.1 appears twice (first at line 4)"),
    ("out-of-order", "out-of-order.txt line 5: code A1.1 comes after A1.2 (line 4); codes must run in order"),
    ("no-sector", "no-sector.txt: no sector named in the document; name it with --sector"),
    ("other-edition", "other-edition.txt line 3: anchor standard 12.0 is not one of the 2013 anchor standards"),
])
def test_bad_documents_are_refused_with_one_line_and_nothing_is_written(case, message, library, tmp_path, capsys):
    head = "#SECTOR Engineering and Architecture\nA. Engineering Design Pathway\n"
    sources = {
        "no-codes": head + "This page lists the course outline of the district.\n",
        "duplicate": head + "A1.0 First statement of the test.\nA1.1 An indicator.\nA1.1 The same code again.\n",
        "out-of-order": head + "A1.0 First statement of the test.\nA1.2 Second indicator.\nA1.1 First indicator.\n",
        "no-sector": "A. Engineering Design Pathway\nA1.0 First statement of the test.\n",
        "other-edition": "#SECTOR Engineering and Architecture\n11.0 Demonstration and Application\n"
                         "12.0 A thirteenth anchor of a later edition.\n",
    }
    if case == "scanned":
        path = _scanned_pdf(tmp_path / "scanned.pdf")
    else:
        path = tmp_path / f"{case}.txt"
        path.write_text(sources[case], encoding="utf-8")
    before = snapshot(library)
    assert main(["standards", "import", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {message}"), err
    assert "\n" not in err
    assert snapshot(library) == before


def test_pdf_page_and_line_are_named(library, tmp_path, capsys):
    blocks = [ICT, "A. Networking Pathway", "A1.0 First statement of the test.", "A1.1 An indicator.",
              "A1.1 The same code again."]
    write_pdf(blocks, tmp_path / "dupe.pdf")
    assert main(["standards", "import", str(tmp_path / "dupe.pdf")]) == 2
    assert "dupe.pdf page 1 line 6: code A1.1 appears twice (first at page 1 line 5)" in capsys.readouterr().err


# ------------------------------------------------------------------ issue 17: framework names with spaces

def test_a_framework_name_with_spaces_is_the_title_and_an_identifier_is_derived(tmp_path):
    from alignment.data.standards import standards_from_csv

    path = tmp_path / "district.csv"
    path.write_text("framework,code,text\nMy District Standards,D1,Plan and keep a household budget.\n"
                    "!!!,D2,Explain compound interest.\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        standards_from_csv(path)
    assert str(err.value) == ("district.csv row 3: framework '!!!' has no letters or digits to make an identifier "
                              "from; name it with words")
    path.write_text("framework,code,text\nMy District Standards,D1,Plan and keep a household budget.\n",
                    encoding="utf-8")
    table = standards_from_csv(path)
    assert table[["standard_id", "framework", "framework_title"]].values.tolist() == [
        ["custom.my_district_standards.D1", "my_district_standards", "My District Standards"]]
    assert table.attrs["notes"] == ["district.csv: framework 'My District Standards' is kept as the title; its "
                                    "identifier is 'my_district_standards'"]


@pytest.mark.slow
def test_a_standards_csv_with_a_spaced_framework_name_aligns(tmp_path, capsys):
    path = tmp_path / "district.csv"
    path.write_text("framework,code,text\nMy District Standards,D1,Plan and keep a household budget.\n"
                    "My District Standards,D2,Explain how credit cards and loans charge interest.\n", encoding="utf-8")
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("course_id,title,description\nPF,Personal Finance,Students build a monthly budget and "
                       "compare loans.\n", encoding="utf-8")
    out = tmp_path / "s.csv"
    assert main(["align", str(catalog), "-o", str(out), "--standards", str(path), "-q"]) == 0
    assert "framework 'My District Standards' is kept as the title; its identifier is 'my_district_standards'" in \
        capsys.readouterr().err
    suggestions = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(suggestions["framework"]) == {"my_district_standards"} and len(suggestions) == 2


# ------------------------------------------------------------------ the review app's import panel

def _upload(name: str, content: bytes) -> tuple:
    from datetime import datetime, timezone

    return ({"name": name, "type": "text/plain", "size": len(content), "content": memoryview(content),
             "last_modified": datetime(2026, 1, 1, tzinfo=timezone.utc)},)


def test_review_app_panel_imports_an_upload_and_refuses_a_bad_one(library):
    from alignment.ui.standards_import import StandardsImportPanel

    panel = StandardsImportPanel(importer=lambda: "Dana Reviewer")
    assert "No imports yet" in panel.summary.value
    assert "Engineering and Architecture" in panel.summary.value  # still missing
    panel.upload.value = _upload("bad.txt", b"#SECTOR Engineering and Architecture\nno codes here\n")
    assert panel.run() is None
    assert "Nothing was imported: bad.txt: no standards codes found" in panel.message.value
    assert snapshot(library) == {}
    excerpt = (VENDORED_EXCERPTS / "hsmt_patientcare_chatsworth_1.txt").read_bytes()
    panel.upload.value = _upload("patient_care.txt", excerpt)
    result = panel.run()
    assert result.status == "imported" and result.entry.provenance["importer"] == "Dana Reviewer"
    assert "patient-care: imported 16 rows from patient_care.txt (text)" in panel.message.value
    assert "<b>patient-care</b>: patient_care.txt (16 rows" in panel.summary.value


def test_a_foreign_case_package_keeps_its_item_identifiers_across_re_imports(library, tmp_path, bundle):
    rows = bundle[bundle["framework"] == "cte_crp"]
    package = to_case(rows.assign(framework="other_crp", standard_id="o." + rows["standard_id"]), title="Other CRP")
    for item in package["CFItems"]:  # as a CASE server other than ours writes it: no notes of ours
        del item["notes"]
    del package["CFDocument"]["notes"]
    (tmp_path / "other.json").write_text(json.dumps(package), encoding="utf-8")
    import_standards(tmp_path / "other.json", name="other")
    table = list_imports()[0].table()
    first = package["CFItems"][0]
    assert table["standard_id"].iloc[0] == f"case.other_crp.{first['identifier']}"
    assert table["code"].iloc[0] == "CRP1"
    # the provider edits the item's code: the same identifier, so the same standard_id
    first["humanCodingScheme"] = "CRP-1"
    (tmp_path / "other.json").write_text(json.dumps(package), encoding="utf-8")
    assert import_standards(tmp_path / "other.json", name="other").status == "replaced"
    again = list_imports()[0].table()
    assert again["standard_id"].tolist() == table["standard_id"].tolist()
    assert again["code"].iloc[0] == "CRP-1"


def test_tidy_csv_and_plain_excel_imports(library, tmp_path, bundle):
    rows = bundle[bundle["framework"] == "cte_crp"]
    tidy = rows.assign(framework="district_crp", standard_id="district." + rows["standard_id"])
    tidy.to_csv(tmp_path / "district_crp.csv", index=False)
    assert import_standards(tmp_path / "district_crp.csv").status == "imported"
    plain = pd.DataFrame({"framework": ["County Skills"] * 2, "code": ["CS1", "CS1.a"],
                          "text": ["Plan and keep a household budget.", "Compare two loans."],
                          "parent_code": ["", "CS1"]})
    plain.to_excel(tmp_path / "county.xlsx", index=False)
    result = import_standards(tmp_path / "county.xlsx")
    assert result.entry.provenance["format"] == "xlsx"
    merged = load_standards_from(None)
    assert merged.loc[merged["framework"] == "district_crp", "text"].tolist() == rows["text"].tolist()
    county = merged[merged["framework"] == "county_skills"]
    assert county[["standard_id", "framework_title", "parent_id"]].values.tolist() == [
        ["custom.county_skills.CS1", "County Skills", ""],
        ["custom.county_skills.CS1.a", "County Skills", "custom.county_skills.CS1"]]
