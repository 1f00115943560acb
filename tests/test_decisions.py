"""The decisions table contract: validation at the boundary, last decision wins."""

import pandas as pd
import pytest

from alignment.data.decisions import DECISION_COLUMNS, latest_decisions, read_decisions_csv, validate_decisions
from alignment.io.errors import InputError

REAL = "CA-CTE.PATHWAY.BF.FS.B1.0"


def test_valid_csv_fills_defaults(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(f"course_id,standard_id,decision\n000217-000218,{REAL},Accepted\n", encoding="utf-8")
    table = read_decisions_csv(path)
    assert list(table.columns) == DECISION_COLUMNS
    row = table.iloc[0]
    assert (row["decision"], row["association_type"], row["origin"]) == ("accepted", "exactMatchOf", "suggestion")


def test_every_problem_named_with_its_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "course_id,standard_id,decision,association_type\n"
        f"000217-000218,{REAL},maybe,exactMatchOf\n"
        f",{REAL},accepted,isSimilarTo\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_decisions_csv(path)
    problems = info.value.problems
    assert "bad.csv row 2: decision 'maybe' is not one of accepted, rejected" in problems
    assert "bad.csv row 3: course_id is empty" in problems
    assert any(p.startswith("bad.csv row 3: association_type 'isSimilarTo'") for p in problems)


def test_missing_columns_and_bad_bytes(tmp_path):
    with pytest.raises(InputError, match="missing column"):
        validate_decisions(pd.DataFrame({"course_id": ["a"]}), "x.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"course_id,standard_id,decision\nCaf\xe9,S,accepted\n")
    with pytest.raises(InputError, match=r"latin.csv row 2: not valid UTF-8"):
        read_decisions_csv(latin)
    with pytest.raises(InputError, match="file not found"):
        read_decisions_csv(tmp_path / "nope.csv")


def test_last_decision_wins():
    table = validate_decisions(pd.DataFrame({
        "course_id": ["c", "c"], "standard_id": [REAL, REAL], "decision": ["accepted", "rejected"],
    }))
    latest = latest_decisions(table)
    assert len(latest) == 1 and latest.iloc[0]["decision"] == "rejected"
