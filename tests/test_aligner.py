"""The Aligner on hand-checked real courses from the bundled Westview catalog."""

import numpy as np
import pandas as pd
import pytest

from alignment.align.aligner import DETAIL_COLUMNS, SUGGESTION_COLUMNS, Aligner, grade_bands_for

pytestmark = pytest.mark.slow


def course(catalog, course_id):
    return catalog[catalog["course_id"] == course_id]


def rows_for(suggestions, course_id, framework, family=None):
    out = suggestions[(suggestions["course_id"] == course_id) & (suggestions["framework"] == framework)]
    if family is not None:
        out = out[out["family"] == family]
    return out.sort_values("rank")


def test_columns_and_ranking_shape(catalog_suggestions, catalog):
    assert list(catalog_suggestions.columns[: len(SUGGESTION_COLUMNS)]) == SUGGESTION_COLUMNS
    assert set(DETAIL_COLUMNS) <= set(catalog_suggestions.columns)
    # every course of the catalog gets suggestions
    assert set(catalog_suggestions["course_id"]) == set(catalog["course_id"])
    real = catalog_suggestions[catalog_suggestions["standard_id"] != ""]
    for (_, _, _), group in real.groupby(["course_id", "framework", "family"]):
        assert list(group["rank"]) == list(range(1, len(group) + 1))
        assert group["score"].is_monotonic_decreasing
        assert len(group) <= 5
    assert set(real["band"]) <= {"strong", "possible", "weak"}


def test_intro_to_finance_gets_financial_services_standards(catalog_suggestions, standards):
    # INTRODUCTION TO FINANCE 1-2: budgeting, credit, banking, financial decisions.
    top = rows_for(catalog_suggestions, "000217-000218", "cte_pathway")
    assert len(top) == 5
    assert set(top["sector"]) == {"Business and Finance"}, "a course with a sector gets its sector's pathway standards"
    assert "Financial Services" in set(top["pathway"].head(3))
    first = top.iloc[0]
    assert first["band"] in {"strong", "possible"}
    # evidence: shared terms really occur in both texts, the sentence is from the course
    std_text = standards.set_index("standard_id").loc[first["standard_id"], "text"].lower()
    assert first["matched_terms"], "a strong/possible match names the words it shares"
    assert any(term[:5] in std_text for term in first["matched_terms"])


def test_evidence_sentence_comes_from_the_course(catalog_suggestions, catalog):
    description = course(catalog, "000217-000218")["description"].iloc[0]
    for sentence in rows_for(catalog_suggestions, "000217-000218", "cte_pathway")["best_sentence"]:
        assert sentence and sentence in description


def test_ccss_for_every_course_and_grade_aware(catalog_suggestions, standards, catalog):
    math = rows_for(catalog_suggestions, "001012-001013", "ccss_math", "content")  # INTEGRATED MATHEMATICS Ia-Ib, 9-12
    assert len(math) == 5
    bands = standards.set_index("standard_id").loc[math["standard_id"], "grade_band"]
    assert set(bands) <= {"9-12", "K-12"}, "a high-school course gets no K-8 standards"
    ccss = catalog_suggestions[catalog_suggestions["framework"].isin(["ccss_ela", "ccss_math"]) & (catalog_suggestions["standard_id"] != "")]
    assert set(ccss["course_id"]) == set(catalog["course_id"]), "CCSS is suggested for every course"


def test_english_course_gets_ela_writing_or_reading(catalog_suggestions):
    ela = rows_for(catalog_suggestions, "000315-000316", "ccss_ela", "content")  # EXPOSITORY READING AND WRITING
    codes = " ".join(ela["display_code"])
    assert any(tag in codes for tag in ("W.", "RI.", "CCRA.W", "CCRA.R", "WHST", "RST"))


def test_statistics_course_gets_statistics_standards(catalog_suggestions):
    top = rows_for(catalog_suggestions, "001064-001065", "ccss_math", "content")  # AP STATISTICS
    assert any(".S" in code or "HSS" in code for code in top["display_code"].head(3))


def test_uncovered_sector_is_said_explicitly(catalog_suggestions):
    rows = rows_for(catalog_suggestions, "000854-000855", "cte_pathway")  # INTRODUCTION TO ENGINEERING DESIGN
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["standard_id"] == "" and row["band"] == "none"
    assert "no pathway standards loaded for this sector" in row["evidence"]
    # CCSS still suggested for it
    assert len(rows_for(catalog_suggestions, "000854-000855", "ccss_math", "content")) == 5


def test_ict_course_stays_in_its_sector(catalog_suggestions):
    top = rows_for(catalog_suggestions, "001076-001077", "cte_pathway")  # WEB DESIGN
    assert set(top["sector"]) == {"Information and Communication Technologies"}


def test_pasted_description_without_sector(aligner):
    pasted = pd.DataFrame({
        "course_id": ["pasted"],
        "description": ["Students configure routers and switches, subnet IP addresses and troubleshoot local area networks."],
    })
    out = aligner.suggest(pasted, frameworks=["cte_pathway"], top_k=3)
    assert out.iloc[0]["pathway"] == "Networking"


def test_frameworks_and_top_k_arguments(aligner, catalog):
    out = aligner.suggest(catalog.head(3), top_k=2, frameworks=["ccss_math"])
    assert set(out["framework"]) == {"ccss_math"}
    assert out.groupby(["course_id", "family"]).size().max() == 2
    with pytest.raises(ValueError, match="unknown"):
        aligner.suggest(catalog.head(1), frameworks=["nope"])


def test_unfitted_and_bad_inputs(standards):
    with pytest.raises(RuntimeError, match="not fitted"):
        Aligner().suggest(pd.DataFrame({"course_id": ["a"], "description": ["x"]}))
    with pytest.raises(ValueError, match="missing columns"):
        Aligner().fit(standards.drop(columns=["text"]))


def test_grade_bands_for():
    assert grade_bands_for("9-12") == {"9-12", "K-12"}
    assert grade_bands_for("7") == {"6-8", "K-12"}
    assert grade_bands_for("K-5") == {"K-5", "K-12"}
    assert grade_bands_for("") is None


def test_cache_hit_gives_identical_vectors(standards, tmp_path):
    subset = standards[standards["framework"] == "cte_crp"]
    first = Aligner(cache_dir=tmp_path).fit(subset)
    second = Aligner(cache_dir=tmp_path).fit(subset)
    assert not first.cache_hit_ and second.cache_hit_
    assert np.array_equal(first.embeddings_, second.embeddings_)
    assert first.lemmas_ == second.lemmas_


def test_cache_key_follows_the_data(standards, tmp_path):
    subset = standards[standards["framework"] == "cte_crp"].copy()
    Aligner(cache_dir=tmp_path).fit(subset)
    changed = subset.copy()
    changed.loc[changed.index[0], "text"] = changed.iloc[0]["text"] + " and more"
    again = Aligner(cache_dir=tmp_path).fit(changed)
    assert not again.cache_hit_, "a changed standard text must not reuse stale vectors"


def test_a_changed_table_encodes_only_the_rows_never_seen(standards, tmp_path):
    """After a standards-library import (or another edition) the table is new to the
    whole-table cache, but only its new texts are encoded: the rest come from the
    per-text cache, equal to what a fit without any cache computes."""
    crp = standards[standards["framework"] == "cte_crp"]
    ict = standards[(standards["framework"] == "cte_pathway")
                    & (standards["sector"] == "Information and Communication Technologies")].head(6)
    first = Aligner(cache_dir=tmp_path).fit(crp)
    assert first.index_.encoded_ == {"match_text": len(crp), "text": len(crp)}
    grown = pd.concat([crp, ict])
    again = Aligner(cache_dir=tmp_path).fit(grown)
    assert not again.cache_hit_
    assert again.index_.encoded_ == {"match_text": len(ict), "text": len(ict)}
    fresh = Aligner(cache_dir=None).fit(grown)
    assert np.array_equal(again.embeddings_, fresh.embeddings_)
    assert again.lemmas_ == fresh.lemmas_ and again.index_.phrases_ == fresh.index_.phrases_
    changed = grown.copy()
    changed.loc[changed.index[0], "text"] = changed.iloc[0]["text"] + " and more"
    third = Aligner(cache_dir=tmp_path).fit(changed)
    assert third.index_.encoded_["text"] == 1  # the changed text only, never its stale vector
    assert not np.array_equal(third.embeddings_[0], again.embeddings_[0])


def test_a_whole_table_cache_from_before_seeds_the_per_text_cache(standards, tmp_path):
    crp = standards[standards["framework"] == "cte_crp"]
    Aligner(cache_dir=tmp_path).fit(crp)
    for entry in tmp_path.glob("rows-*.npz"):  # as a cache written before the per-text cache
        entry.unlink()
    assert Aligner(cache_dir=tmp_path).fit(crp).cache_hit_  # the hit writes the per-text entries
    assert len(list(tmp_path.glob("rows-*.npz"))) == 3
    fewer = Aligner(cache_dir=tmp_path).fit(crp.iloc[1:])
    assert not fewer.cache_hit_ and fewer.index_.encoded_ == {"match_text": 0, "text": 0}


def test_corrupt_cache_entry_is_rebuilt(standards, tmp_path):
    subset = standards[standards["framework"] == "cte_crp"]
    first = Aligner(cache_dir=tmp_path).fit(subset)
    files = list(tmp_path.glob("standards-*.npz"))  # (the lemma lookup table has its own entry)
    assert len(files) == 1
    files[0].write_bytes(b"not a zip file")
    again = Aligner(cache_dir=tmp_path).fit(subset)
    assert not again.cache_hit_
    assert np.allclose(again.embeddings_, first.embeddings_, atol=1e-6)


def test_the_hub_background_keeps_its_vectors_across_standards_tables(standards, tmp_path):
    """A fit on a new table analyses the background catalog again (its lemmas follow the
    standards), but reads its sentence vectors from disk: the result equals a fit without
    any cache."""
    crp = standards[standards["framework"] == "cte_crp"]
    Aligner(cache_dir=tmp_path).fit(crp)
    assert len(list(tmp_path.glob("coursevectors-*.npz"))) == 1
    grown = pd.concat([crp, standards[standards["framework"] == "cte_anchor"].tail(8)])
    kept = Aligner(cache_dir=tmp_path).fit(grown)
    fresh = Aligner(cache_dir=None).fit(grown)
    assert np.allclose(kept.hubs_.background_mean_, fresh.hubs_.background_mean_, atol=1e-6)
    assert np.array_equal(kept.hubs_.offset_, fresh.hubs_.offset_)
