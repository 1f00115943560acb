"""The one parent-link walk (alignment.data.hierarchy) and the three readers that use it:
the tidy table (parent_id), the plain CSV importer (parent_code), CASE (isChildOf)."""

from __future__ import annotations

import time

import pytest

from alignment.data.hierarchy import MAX_DEPTH, walk_parents
from alignment.data.standards import add_hierarchy_columns
from alignment.io.errors import InputError


def test_depths_order_and_top_nodes():
    parent_of = {"b": "a", "c": "b", "d": "a", "a": "", "e": None}
    walk = walk_parents(["c", "a", "b", "d", "e"], parent_of)
    assert walk.ok
    assert walk.depth == {"a": 0, "b": 1, "c": 2, "d": 1, "e": 0}
    assert walk.order == ["a", "b", "c", "d", "e"]  # each node after its parent
    assert walk.too_deep(2) == ["c"] and walk.too_deep(3) == []


def test_each_cycle_once_from_the_first_node_that_reaches_it():
    # x -> y -> z -> x is a cycle; w hangs below it; s is a self-loop; t is fine
    parent_of = {"w": "x", "x": "y", "y": "z", "z": "x", "s": "s", "t": ""}
    walk = walk_parents(["w", "x", "y", "z", "s", "t"], parent_of)
    assert walk.cycles == [["x", "y", "z"], ["s"]]
    assert walk.depth == {"t": 0}  # nodes in or below a cycle have no depth
    assert not walk.ok


def test_unknown_parents_are_reported_in_node_order():
    walk = walk_parents(["b", "a", "c"], {"a": "nowhere", "b": "a", "c": "gone"})
    assert walk.unknown == {"a": "nowhere", "c": "gone"}
    assert walk.depth == {}


def test_a_100000_deep_chain_is_walked_once():
    n = 100_000
    nodes = [f"n{i}" for i in range(n)]
    parent_of = {f"n{i}": f"n{i - 1}" for i in range(1, n)}
    started = time.perf_counter()
    walk = walk_parents(reversed(nodes), parent_of)  # deepest first: the worst order for a naive walk
    elapsed = time.perf_counter() - started
    assert walk.depth["n99999"] == n - 1 and walk.ok
    assert walk.too_deep() == [f"n{MAX_DEPTH}"]
    assert elapsed < 5, f"{elapsed:.1f} s for one linear pass"  # a pass per node: hours


def test_add_hierarchy_columns_names_the_cycle():
    import pandas as pd

    df = pd.DataFrame({"standard_id": ["a", "b"], "parent_id": ["b", "a"], "text": ["A", "B"], "title": ["", ""],
                       "subject": "", "grade": "", "sector": "", "pathway": ""})
    with pytest.raises(ValueError, match=r"a: parent cycle through 'a' -> 'b' -> 'a'"):
        add_hierarchy_columns(df)


def test_load_standards_reports_a_parent_cycle_as_input_error(tmp_path, standards):
    table = standards[standards["framework"] == "cte_crp"].copy()
    first, second = table.index[1], table.index[2]
    table.loc[first, "parent_id"] = table.loc[second, "standard_id"]
    table.loc[second, "parent_id"] = table.loc[first, "standard_id"]
    path = tmp_path / "standards.csv"
    table.to_csv(path, index=False)
    from alignment.data.standards import load_standards

    with pytest.raises(InputError, match=r"standards.csv row 3: .*parent cycle"):
        load_standards(path)
