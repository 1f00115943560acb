"""Issue 13 item 6 (encoding half): UTF-16 and UTF-32 files (Excel's "Unicode Text",
Notepad's "UTF-16") are read as what they are, by every text loader; they used to be
reported as "looks like Windows-1252". Broken UTF-16 is named as UTF-16."""

from __future__ import annotations

import codecs
import json

import pandas as pd
import pytest

from alignment.data.case import read_case, to_case
from alignment.data.catalog import default_catalog_path, load_catalog, load_catalog_bytes
from alignment.data.decisions import read_decisions_csv
from alignment.data.pathways import default_pathways_path, load_pathways
from alignment.data.standards import load_standards, standards_from_csv
from alignment.io.errors import InputError

#: name -> how text becomes bytes
ENCODINGS = {
    "utf-16 (LE, with BOM)": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16 BE with BOM": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "utf-16 LE without BOM": lambda text: text.encode("utf-16-le"),
    "utf-16 BE without BOM": lambda text: text.encode("utf-16-be"),
    "utf-32 with BOM": lambda text: text.encode("utf-32"),
    "utf-8 with BOM": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
}


def catalog_text() -> str:
    return default_catalog_path().read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_catalog_in_unicode_encodings_reads_like_utf8(encoding, catalog, tmp_path):
    path = tmp_path / "westview_2025_26_courses.csv"
    path.write_bytes(ENCODINGS[encoding](catalog_text()))
    pd.testing.assert_frame_equal(load_catalog(path), catalog)
    uploaded = load_catalog_bytes(path.read_bytes(), "westview_2025_26_courses.csv")
    pd.testing.assert_frame_equal(uploaded, catalog)


def test_catalog_with_accents_in_utf16(tmp_path):
    text = "course_id,description\nE1,Español: café con leche — 20 % off\n"
    path = tmp_path / "spanish.csv"
    path.write_bytes(text.encode("utf-16"))
    assert load_catalog(path).loc[0, "description"] == "Español: café con leche — 20 % off"


@pytest.mark.parametrize("encoding", ["utf-16 (LE, with BOM)", "utf-16 LE without BOM"])
def test_standards_table_and_plain_csv_in_utf16(encoding, standards, tmp_path):
    path = tmp_path / "standards.csv"
    path.write_bytes(ENCODINGS[encoding](standards.to_csv(index=False)))
    pd.testing.assert_frame_equal(load_standards(path), standards)
    plain = tmp_path / "mine.csv"
    plain.write_bytes(ENCODINGS[encoding]("code,text,parent_code\nA,Café,\nA.1,Crème brûlée,A\n"))
    table = standards_from_csv(plain)
    assert table["text"].tolist() == ["Café", "Crème brûlée"] and table["depth"].tolist() == [0, 1]


def test_case_json_in_utf16(standards, tmp_path):
    crp = standards[standards["framework"] == "cte_crp"].reset_index(drop=True)
    path = tmp_path / "crp.json"
    path.write_bytes(json.dumps(to_case(crp), ensure_ascii=False).encode("utf-16"))
    back = read_case(path)
    assert back["text"].tolist() == crp["text"].tolist()


def test_decisions_and_pathways_in_utf16(standards, catalog, tmp_path):
    decisions = tmp_path / "decisions.csv"
    decisions.write_bytes("course_id,standard_id,decision,note\nC1,S1,accepted,très bien\n".encode("utf-16"))
    assert read_decisions_csv(decisions).loc[0, "note"] == "très bien"
    pathways = tmp_path / "pathways.csv"
    pathways.write_bytes(default_pathways_path().read_text(encoding="utf-8").encode("utf-16"))
    got = load_pathways(pathways, standards=standards, catalog=catalog)
    want = load_pathways(default_pathways_path(), standards=standards, catalog=catalog)
    assert len(got) == len(want) == 7
    assert [(p.name, p.course_ids) for p in got] == [(p.name, p.course_ids) for p in want]


def test_broken_utf16_is_named_as_utf16(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(("course_id,description\nA,Budgeting\n".encode("utf-16"))[:-1])  # cut mid-character
    with pytest.raises(InputError) as err:
        load_catalog(path)
    message = str(err.value)
    assert message.startswith("cut.csv: the file is UTF-16 LE text, but bytes at offset 68 are not valid UTF-16 LE")
    assert "Windows-1252" not in message


def test_windows_1252_is_still_reported_as_such(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("course_id,description\nA,Café\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"latin.csv row 2: byte 0xE9 .* looks like Windows-1252"):
        load_catalog(path)
