"""Training pairs from the standards' own structure, with the evaluation held out.

The frameworks say which texts belong together: a performance indicator and its
standard, a lettered sub-standard and its standard, a standard and its cluster or
domain heading. Those (child, parent) pairs are free supervision for adapting the
sentence model (``benchmarks/finetune_structure.py`` fine-tunes MiniLM on them).

What must never be trained on is the relation the evaluation measures
(``../shared/eval/README.md``): a CTE pathway indicator -> its pathway standard in the
evaluated sector(s), and a Common Core ELA standard -> its College and Career
Readiness anchor. The ELA queries are the grade-level standards themselves, and their
cluster headings ("Key Ideas and Details") are the anchors' headings too, so any ELA
pair would teach the evaluated relation sideways: :func:`structure_pairs` leaves out
ELA, the pathway pairs of the held-out sectors and anything touching a CCR anchor,
and :func:`assert_disjoint` checks a pair table against the evaluation files
themselves (query texts and gold codes), so a mistake in the rules fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: Columns of a pair table.
PAIR_COLUMNS = ["child_id", "parent_id", "child", "parent", "relation", "framework", "sector"]

#: Frameworks whose pairs are used by default (CCSS ELA is left out, see above).
FRAMEWORKS = ("ccss_math", "cte_anchor", "cte_pathway")

#: Sectors whose pathway indicator -> standard pairs are held out by default: the one
#: the development CTE task is drawn from.
HELD_OUT_SECTORS = ("Business and Finance",)


def _is_ccr_anchor(code: str) -> bool:
    return ".CCRA." in code or code.startswith("CCRA.")


def structure_pairs(
    standards: pd.DataFrame,
    held_out_sectors: Iterable[str] = HELD_OUT_SECTORS,
    pathway_pairs: bool = True,
    frameworks: Iterable[str] = FRAMEWORKS,
) -> pd.DataFrame:
    """(child, parent) text pairs read off ``parent_id`` in the standards table.

    ``held_out_sectors``: CTE pathway pairs of these sectors are left out (the
    evaluation's relation). ``pathway_pairs=False`` leaves out the pathway
    indicator -> standard relation in every sector (the strict setting: a hidden
    evaluation of another sector then measures a model that never saw that relation).
    Only pairs of ``frameworks`` are kept; pairs touching a CCR anchor are always
    left out (the ELA task's relation). Rows without text, and pairs whose two texts
    are equal, carry nothing and are skipped.
    """
    missing = {"standard_id", "parent_id", "text", "framework", "kind", "sector", "code"} - set(standards.columns)
    if missing:
        raise ValueError(f"standards table lacks column(s) {sorted(missing)}")
    held_out, keep = set(held_out_sectors), set(frameworks)
    by_id = standards.set_index("standard_id")
    rows = []
    for row in standards.itertuples(index=False):
        if row.framework not in keep or not row.parent_id or row.parent_id not in by_id.index:
            continue
        parent = by_id.loc[row.parent_id]
        child_text, parent_text = str(row.text).strip(), str(parent["text"]).strip()
        if not child_text or not parent_text or child_text == parent_text:
            continue
        if _is_ccr_anchor(str(row.code)) or _is_ccr_anchor(str(parent["code"])):
            continue
        if row.framework == "cte_pathway" and (not pathway_pairs or row.sector in held_out):
            continue
        rows.append({
            "child_id": row.standard_id, "parent_id": row.parent_id, "child": child_text, "parent": parent_text,
            "relation": f"{row.kind} -> {parent['kind']}", "framework": row.framework, "sector": row.sector,
        })
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def assert_disjoint(pairs: pd.DataFrame, cte_dev: pd.DataFrame, ela_dev: pd.DataFrame, standards: pd.DataFrame) -> None:
    """Fail if any pair is an evaluation query with its gold answer, or uses a query's text.

    ``cte_dev`` and ``ela_dev`` are the evaluation files as read (columns
    ``query_text, gold_code`` and, for CTE, ``sector, pathway``). Checked: no pair's
    child text is a query text of either task (a query never appears as training
    input, whatever its parent), and no pair joins a query text to its gold text.
    """
    queries = set(cte_dev["query_text"].str.strip()) | set(ela_dev["query_text"].str.strip())
    leaked = pairs[pairs["child"].isin(queries) | pairs["parent"].isin(queries)]
    if len(leaked):
        raise AssertionError(f"{len(leaked)} training pair(s) use an evaluation query's text, e.g. {leaked.iloc[0]['child'][:80]!r}")
    cte_gold = standards[standards["framework"] == "cte_pathway"].set_index(["sector", "pathway", "code"])["text"]
    gold_texts = {
        (r.query_text.strip(), str(cte_gold.get((r.sector, r.pathway, r.gold_code), "")).strip()) for r in cte_dev.itertuples()
    }
    ela_gold = standards[standards["framework"] == "ccss_ela"].set_index("code")["text"]
    gold_texts |= {(r.query_text.strip(), str(ela_gold.get(_ela_code(r.gold_code, ela_gold.index), "")).strip())
                   for r in ela_dev.itertuples()}
    joined = set(zip(pairs["child"], pairs["parent"])) | set(zip(pairs["parent"], pairs["child"]))
    both = joined & gold_texts
    if both:
        raise AssertionError(f"{len(both)} training pair(s) are evaluation query -> gold pairs")


def _ela_code(gold: str, codes: pd.Index) -> str:
    """The table's code for an ELA gold code (the table may prefix ``CCSS.ELA-Literacy.``)."""
    if gold in codes:
        return gold
    matches = [c for c in codes if str(c).endswith("." + gold)]
    return matches[0] if matches else gold


def sibling_negatives(pairs: pd.DataFrame, standards: pd.DataFrame) -> pd.Series:
    """Per pair, the texts of its parent's siblings: the hard negatives for that pair.

    A sibling is a row of the same kind under the same parent (for CTE pathway
    standards, which have no parent row: the same sector and pathway); the parent
    itself and rows without text are left out. Training a child against its parent
    *and* the parent's siblings teaches the distinction the CTE task fails on most
    (another standard of the same pathway). Siblings come from the table, so they
    are never an evaluation query (queries are children, never parents' siblings, in
    the sectors ``structure_pairs`` keeps).
    """
    table = standards.assign(parent_id=standards["parent_id"].fillna(""), text=standards["text"].fillna("").str.strip())
    table = table[table["text"] != ""]
    by_id = table.set_index("standard_id")

    def family(row) -> tuple:
        if row["parent_id"]:
            return ("parent", row["parent_id"], row["kind"])
        return ("group", row["framework"], row["sector"], row["pathway"], row["kind"])

    groups: dict[tuple, list[tuple[str, str]]] = {}
    for sid, row in by_id.iterrows():
        groups.setdefault(family(row), []).append((sid, row["text"]))
    siblings = {}
    for pid in pairs["parent_id"].unique():
        if pid not in by_id.index:
            siblings[pid] = []
            continue
        parent = by_id.loc[pid]
        siblings[pid] = [text for sid, text in groups.get(family(parent), []) if sid != pid and text != parent["text"]]
    return pairs["parent_id"].map(siblings)
